//! Architecture choice and the [`Model`] that owns the parameters.
use std::fmt;
use std::str::FromStr;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::classifier::{Classifier, LinearStage};
use crate::embed_pool::{EmbedPool, EmbedPoolParams};
use crate::embedding::{Embedding, WordVectors};
use crate::example::{Example, batch_indices, make_batch_to};
use crate::hf::{HfNet, HfParams};
use crate::params::ParamStore;
use crate::transformer::{Transformer, TransformerParams};
use crate::xml_cnn::{XmlCnn, XmlCnnParams};
use crate::{Error, Result};

/// Which network, with its hyperparameters (`kind` is the architecture's name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Architecture {
    /// XML-CNN, see [`XmlCnnParams`].
    XmlCnn(XmlCnnParams),
    /// embed-pool, see [`EmbedPoolParams`].
    EmbedPool(EmbedPoolParams),
    /// Transformer encoder, see [`TransformerParams`].
    Transformer(TransformerParams),
    /// A pretrained Hugging Face encoder with a multilabel head, see [`HfParams`].
    Hf(HfParams),
}

impl Architecture {
    /// What [`Model::predict`] rounds a batch's padded length up to. xml-cnn:
    /// 8, since padding is masked out of its convolution input and pooling
    /// windows (at most the last bits change, as oneDNN picks kernels by
    /// shape; tested), and fewer distinct batch shapes keep libtorch's oneDNN
    /// primitive cache (one convolution primitive per shape), and so the
    /// memory of a long prediction, small. The others: 1.
    pub fn batch_len_multiple(&self) -> usize {
        match self {
            Architecture::XmlCnn(_) => 8,
            _ => 1,
        }
    }

    /// The architecture's name: `xml-cnn`, `embed-pool`, `transformer` or `hf`.
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::XmlCnn(_) => "xml-cnn",
            Architecture::EmbedPool(_) => "embed-pool",
            Architecture::Transformer(_) => "transformer",
            Architecture::Hf(_) => "hf",
        }
    }

    /// Token embedding width.
    pub fn embedding_dim(&self) -> usize {
        match self {
            Architecture::XmlCnn(p) => p.embedding_dim(),
            Architecture::EmbedPool(p) => p.embedding_dim(),
            Architecture::Transformer(p) => p.embedding_dim(),
            Architecture::Hf(p) => p.hidden_size(),
        }
    }
}

impl FromStr for Architecture {
    type Err = Error;
    /// The named architecture with default hyperparameters; `hf:DIR` reads
    /// the Hugging Face model directory DIR's `config.json`.
    fn from_str(s: &str) -> Result<Self> {
        if let Some(dir) = s.strip_prefix("hf:") {
            return Ok(Architecture::Hf(
                HfParams::open(std::path::Path::new(dir))?.build()?,
            ));
        }
        match s {
            "xml-cnn" => Ok(Architecture::XmlCnn(XmlCnnParams::default())),
            "embed-pool" => Ok(Architecture::EmbedPool(EmbedPoolParams::default())),
            "transformer" => Ok(Architecture::Transformer(TransformerParams::default())),
            other => Err(Error::param(
                "model",
                other,
                "xml-cnn, embed-pool, transformer or hf:DIR",
            )),
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything needed to build a model's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Network and hyperparameters.
    pub architecture: Architecture,
    /// Vocabulary size (rows of `embedding.weight`).
    pub vocab_size: usize,
    /// The padding token id.
    pub pad_id: i64,
    /// Number of classes.
    pub num_classes: usize,
}

#[derive(Debug)]
enum Net {
    XmlCnn(XmlCnn),
    EmbedPool(EmbedPool),
    Transformer(Transformer),
    Hf(HfNet),
}

/// A classifier with its parameters: any [`Architecture`] behind one type.
#[derive(Debug)]
pub struct Model {
    spec: ModelSpec,
    store: ParamStore,
    net: Net,
}

impl Model {
    /// Builds the network on `device`, its initial weights drawn from `seed`
    /// (independently of libtorch's global generator), the embedding optionally
    /// initialised from pretrained `vectors`.
    ///
    /// ```
    /// use sacx_model::{Architecture, Classifier, EmbedPoolParams, Model, ModelSpec};
    /// use tch::{Device, Kind, Tensor};
    ///
    /// let arch = EmbedPoolParams::builder().embedding_dim(4).hidden(8).build()?;
    /// let spec = ModelSpec {
    ///     architecture: Architecture::EmbedPool(arch),
    ///     vocab_size: 10,
    ///     pad_id: 0,
    ///     num_classes: 3,
    /// };
    /// let model = Model::new(&spec, 1, Device::Cpu, None)?;
    /// let ids = Tensor::from_slice(&[1i64, 2, 3]).view([1, 3]);
    /// let mask = Tensor::ones([1, 3], (Kind::Float, Device::Cpu));
    /// let logits = model.forward_embedded(&model.embed(&ids)?, &mask)?;
    /// assert_eq!(logits.size(), [1, 3]);
    /// // An id outside the vocabulary is an error, not a panic.
    /// let bad = Tensor::from_slice(&[10i64]).view([1, 1]);
    /// assert!(model.embed(&bad).unwrap_err().to_string().contains("token id 10"));
    /// # Ok::<(), sacx_model::Error>(())
    /// ```
    pub fn new(
        spec: &ModelSpec,
        seed: u64,
        device: Device,
        vectors: Option<&WordVectors>,
    ) -> Result<Model> {
        if spec.vocab_size == 0 {
            return Err(Error::param("vocab_size", 0, "at least 1"));
        }
        if spec.num_classes == 0 {
            return Err(Error::param("num_classes", 0, "at least 1"));
        }
        let mut store = ParamStore::new(device);
        let mut rng = crate::rng::stream(seed, crate::rng::Purpose::Init, 0);
        let vocab = (spec.vocab_size, spec.pad_id);
        let c = spec.num_classes;
        let net = match &spec.architecture {
            Architecture::XmlCnn(p) => {
                Net::XmlCnn(XmlCnn::new(&mut store, &mut rng, p, vocab, c, vectors)?)
            }
            Architecture::EmbedPool(p) => {
                Net::EmbedPool(EmbedPool::new(&mut store, &mut rng, p, vocab, c, vectors)?)
            }
            Architecture::Transformer(p) => Net::Transformer(Transformer::new(
                &mut store, &mut rng, p, vocab, c, vectors,
            )?),
            Architecture::Hf(p) => Net::Hf(p.build_net(&mut store, spec, seed)?),
        };
        Ok(Model {
            spec: spec.clone(),
            store,
            net,
        })
    }

    /// Another handle on the same weights, for another thread: the network is
    /// built again from the specification, but every parameter is the original's
    /// tensor itself (no copy), frozen. Use it for inference and attribution
    /// only; training either would change both.
    ///
    /// ```
    /// use sacx_model::{Architecture, Classifier, EmbedPoolParams, Model, ModelSpec};
    /// use tch::{Device, Kind, Tensor};
    ///
    /// let arch = EmbedPoolParams::builder().embedding_dim(4).hidden(8).build()?;
    /// let spec = ModelSpec { architecture: Architecture::EmbedPool(arch), vocab_size: 10, pad_id: 0, num_classes: 3 };
    /// let mut model = Model::new(&spec, 1, Device::Cpu, None)?;
    /// model.freeze();
    /// let copy = model.replica()?;
    /// let ids = Tensor::from_slice(&[1i64, 2, 3]).view([1, 3]);
    /// let mask = Tensor::ones([1, 3], (Kind::Float, Device::Cpu));
    /// assert!(model.logits(&ids, &mask)?.equal(&copy.logits(&ids, &mask)?));
    /// // Moved to another thread, it answers the same.
    /// let there = std::thread::spawn(move || copy.logits(&ids, &mask).map(|l| l.sum(Kind::Float).double_value(&[])));
    /// assert!(there.join().unwrap().is_ok());
    /// # Ok::<(), sacx_model::Error>(())
    /// ```
    pub fn replica(&self) -> Result<Model> {
        if !self.store.all_frozen() {
            return Err(Error::Replica {
                reason: "the model still trains; freeze it first (Model::freeze)".into(),
            });
        }
        let mut store = ParamStore::sharing(&self.store);
        let mut rng = crate::rng::stream(0, crate::rng::Purpose::Init, 0);
        let vocab = (self.spec.vocab_size, self.spec.pad_id);
        let c = self.spec.num_classes;
        let net = match &self.spec.architecture {
            Architecture::XmlCnn(p) => {
                Net::XmlCnn(XmlCnn::new(&mut store, &mut rng, p, vocab, c, None)?)
            }
            Architecture::EmbedPool(p) => {
                Net::EmbedPool(EmbedPool::new(&mut store, &mut rng, p, vocab, c, None)?)
            }
            Architecture::Transformer(p) => {
                Net::Transformer(Transformer::new(&mut store, &mut rng, p, vocab, c, None)?)
            }
            Architecture::Hf(p) => Net::Hf(p.build_net(&mut store, &self.spec, 0)?),
        };
        store.check_shared_complete()?;
        Ok(Model {
            spec: self.spec.clone(),
            store,
            net,
        })
    }

    /// What the model was built from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The named parameters.
    pub(crate) fn params(&self) -> &ParamStore {
        &self.store
    }

    /// Every parameter with its PyTorch `state_dict` name, in creation order.
    pub fn named_parameters(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.store.named()
    }

    /// Number of scalar parameters.
    pub fn num_parameters(&self) -> usize {
        self.store.numel()
    }

    /// CPU copies of every parameter, keyed by `state_dict` name.
    pub fn state_dict(&self) -> Result<std::collections::BTreeMap<String, Tensor>> {
        self.store.to_cpu_map()
    }

    pub(crate) fn params_mut(&mut self) -> &mut ParamStore {
        &mut self.store
    }

    /// Stops gradient tracking on all parameters (for inference and attribution).
    pub fn freeze(&mut self) {
        self.store.freeze();
    }

    /// The concrete xml-cnn network, when that is the architecture.
    pub fn as_xml_cnn(&self) -> Option<&XmlCnn> {
        match &self.net {
            Net::XmlCnn(m) => Some(m),
            _ => None,
        }
    }

    fn classifier(&self) -> &dyn Classifier {
        match &self.net {
            Net::XmlCnn(m) => m,
            Net::EmbedPool(m) => m,
            Net::Transformer(m) => m,
            Net::Hf(m) => m,
        }
    }

    /// The Hugging Face network, when that is the architecture.
    pub(crate) fn as_hf(&self) -> Option<&HfNet> {
        match &self.net {
            Net::Hf(m) => Some(m),
            _ => None,
        }
    }

    fn embedding(&self) -> &Embedding {
        match &self.net {
            Net::XmlCnn(m) => m.embedding(),
            Net::EmbedPool(m) => m.embedding(),
            Net::Transformer(m) => m.embedding(),
            Net::Hf(m) => m.encoder().word(),
        }
    }

    /// Logits `[b, classes]` from ids and mask; `rng` present means training mode.
    pub(crate) fn forward_t(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let emb = self.embedding().forward(ids)?;
        match &self.net {
            Net::XmlCnn(m) => m.forward_t(&emb, mask, rng),
            Net::EmbedPool(m) => m.forward_t(&emb, mask, rng),
            Net::Transformer(m) => m.forward_t(&emb, mask, rng),
            Net::Hf(m) => m.forward_t(&emb, mask, rng),
        }
    }

    /// Evaluation-mode logits for `[b, len]` ids and mask, without gradients;
    /// an id outside the vocabulary is [`Error::TokenOutOfRange`].
    pub fn logits(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let _guard = tch::no_grad_guard();
        self.forward_t(ids, mask, None)
    }

    /// The document vectors the output layer reads, `[b, hidden]`, for `[b, len]`
    /// ids and mask, in evaluation mode without gradients: xml-cnn's and
    /// embed-pool's hidden ReLU layer, the transformers' pooled state.
    ///
    /// ```
    /// use sacx_model::{Architecture, EmbedPoolParams, Model, ModelSpec};
    /// use tch::{Device, Kind, Tensor};
    /// let arch = EmbedPoolParams::builder().embedding_dim(4).hidden(8).build()?;
    /// let spec = ModelSpec { architecture: Architecture::EmbedPool(arch), vocab_size: 10, pad_id: 0, num_classes: 3 };
    /// let model = Model::new(&spec, 1, Device::Cpu, None)?;
    /// let ids = Tensor::from_slice(&[1i64, 2, 3]).view([1, 3]);
    /// let mask = Tensor::ones([1, 3], (Kind::Float, Device::Cpu));
    /// assert_eq!(model.features(&ids, &mask)?.size(), [1, 8]);
    /// # Ok::<(), sacx_model::Error>(())
    /// ```
    pub fn features(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let _guard = tch::no_grad_guard();
        let emb = self.embedding().forward(ids)?;
        match &self.net {
            Net::XmlCnn(m) => m.features(&emb, mask),
            Net::EmbedPool(m) => m.features(&emb, mask),
            Net::Transformer(m) => m.features_t(&emb, mask, None),
            Net::Hf(m) => m.features(&emb, mask),
        }
    }

    /// Sigmoid probabilities `[n][classes]` for `examples`, in their order,
    /// computed in length-sorted batches of `batch_size`.
    pub fn predict(&self, examples: &[Example], batch_size: usize) -> Result<Vec<Vec<f32>>> {
        self.rows(examples, batch_size, "predict", |b| {
            Ok(self.forward_t(&b.ids, &b.mask, None)?.f_sigmoid()?)
        })
    }

    /// [`Model::features`] of every example `[n][hidden]`, in their order,
    /// computed in length-sorted batches of `batch_size`.
    pub fn features_of(&self, examples: &[Example], batch_size: usize) -> Result<Vec<Vec<f32>>> {
        self.rows(examples, batch_size, "features", |b| {
            self.features(&b.ids, &b.mask)
        })
    }

    /// One row per example of `f` over length-sorted batches, without gradients.
    fn rows(
        &self,
        examples: &[Example],
        batch_size: usize,
        what: &str,
        f: impl Fn(&crate::Batch) -> Result<Tensor>,
    ) -> Result<Vec<Vec<f32>>> {
        crate::example::validate(examples, self.spec.vocab_size, self.spec.num_classes, what)?;
        let lens: Vec<usize> = examples.iter().map(|e| e.ids.len()).collect();
        let mut out = vec![Vec::new(); examples.len()];
        let _guard = tch::no_grad_guard();
        for idx in batch_indices(&lens, batch_size.max(1), None) {
            let batch = make_batch_to(
                examples,
                &idx,
                self.spec.pad_id,
                self.spec.num_classes,
                self.store.device(),
                self.spec.architecture.batch_len_multiple(),
            )?;
            let rows = f(&batch)?.f_to_device(Device::Cpu)?.f_contiguous()?;
            let width = rows.size().get(1).copied().unwrap_or(0).max(1) as usize;
            let flat = Vec::<f32>::try_from(rows.f_flatten(0, -1)?)?;
            for (row, &i) in flat.chunks(width).zip(&idx) {
                out[i] = row.to_vec();
            }
        }
        Ok(out)
    }
}

impl Classifier for Model {
    fn num_classes(&self) -> usize {
        self.spec.num_classes
    }
    fn embedding_dim(&self) -> usize {
        self.spec.architecture.embedding_dim()
    }
    fn device(&self) -> Device {
        self.store.device()
    }
    fn pad_id(&self) -> i64 {
        self.spec.pad_id
    }
    fn vocab_size(&self) -> usize {
        self.spec.vocab_size
    }
    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        self.classifier().embed(ids)
    }
    fn forward_embedded(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.classifier().forward_embedded(embeddings, mask)
    }
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        self.classifier().linear_stage()
    }
    fn replica(&self) -> Result<Option<Box<dyn Classifier + Send>>> {
        if !self.store.all_frozen() {
            return Ok(None);
        }
        Ok(Some(Box::new(Model::replica(self)?)))
    }
}
