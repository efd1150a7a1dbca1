//! Pretrained Hugging Face encoders (BERT, RoBERTa, XLM-R, DistilBERT) from a local directory.
//!
//! A model directory holds `config.json`, `model.safetensors` and usually
//! `tokenizer.json`, as `transformers`' `save_pretrained` writes them; nothing
//! is downloaded. [`HfModelDir::open`] checks the files, [`HfEncoder`] computes
//! `BertModel`'s (`RobertaModel`'s, `DistilBertModel`'s) last hidden state
//! from the weights under their Hugging Face names, and [`HfClassifier`] puts a multilabel head over it and implements
//! [`Classifier`], with the attribution path on the output of
//! `embeddings.word_embeddings` (as Captum's `LayerIntegratedGradients` on that
//! layer): position and token-type embeddings are added after it.
use std::path::Path;

use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::layers::Linear;
use crate::params::ParamStore;
use crate::rng::{Purpose, stream};
use crate::{Classifier, Error, Pooling, Result};

mod bert;
mod config;
mod params;
mod tensors;

pub use bert::HfEncoder;
pub use config::{
    HF_CONFIG_FILE, HF_TOKENIZER_FILE, HF_WEIGHTS_FILE, HfArchitecture, HfConfig, HfModelDir,
    HiddenAct,
};
pub use params::{HfParams, HfParamsBuilder};

/// The default peak learning rate when fine-tuning a pretrained encoder: the
/// original pipeline's (XLM-R with the Hugging Face Trainer, batch 30). The
/// models sacx trains from scratch default to [`crate::TrainParams::default`]'s
/// 0.005, which would wreck pretrained weights.
pub const FINE_TUNING_LEARNING_RATE: f64 = 7.5e-5;

/// Name prefix of the classification head's parameters (`head.weight`, `head.bias`).
pub const HEAD_PREFIX: &str = "head";

/// A multilabel classifier over a pretrained Hugging Face encoder:
/// `head(pool(encoder(ids, mask)))`, pooling the `[CLS]` (first) position or
/// the mean over the document's tokens.
#[derive(Debug)]
pub struct HfClassifier {
    store: ParamStore,
    net: HfNet,
    /// The directory it was loaded from (replicas are built from it again).
    dir: HfModelDir,
}

/// The network of an [`HfClassifier`] (or of a [`crate::Model`] of the `hf`
/// architecture), its parameters held by a [`ParamStore`] beside it.
#[derive(Debug)]
pub(crate) struct HfNet {
    encoder: HfEncoder,
    head: Linear,
    pooling: Pooling,
    /// The bytes of the directory's `config.json`, written back with the encoder.
    config_json: Vec<u8>,
}

impl HfClassifier {
    /// Loads the encoder of the model directory `dir` onto `device` and adds a
    /// head of `num_classes` outputs, initialised as Hugging Face does (weights
    /// normal with standard deviation `initializer_range`, bias zero) from the
    /// seeded stream of `seed`.
    pub fn load(
        dir: &Path,
        num_classes: usize,
        pooling: Pooling,
        seed: u64,
        device: Device,
    ) -> Result<HfClassifier> {
        let dir = HfModelDir::open(dir)?;
        HfClassifier::from_model_dir(&dir, num_classes, pooling, seed, device)
    }

    /// As [`HfClassifier::load`], for a directory already opened.
    pub fn from_model_dir(
        dir: &HfModelDir,
        num_classes: usize,
        pooling: Pooling,
        seed: u64,
        device: Device,
    ) -> Result<HfClassifier> {
        let mut store = ParamStore::new(device);
        let net = HfNet::load(&mut store, dir, num_classes, pooling, seed)?;
        Ok(HfClassifier {
            store,
            net,
            dir: dir.clone(),
        })
    }

    /// Another handle on the same weights for another thread (see
    /// [`crate::Model::replica`]); the model must be frozen.
    pub fn replica(&self) -> Result<HfClassifier> {
        if !self.store.all_frozen() {
            return Err(Error::Replica {
                reason: "the model still trains; freeze it first (HfClassifier::freeze)".into(),
            });
        }
        let mut store = ParamStore::sharing(&self.store);
        let net = HfNet::load(
            &mut store,
            &self.dir,
            self.net.num_classes(),
            self.net.pooling,
            0,
        )?;
        store.check_shared_complete()?;
        Ok(HfClassifier {
            store,
            net,
            dir: self.dir.clone(),
        })
    }

    /// The encoder.
    pub fn encoder(&self) -> &HfEncoder {
        &self.net.encoder
    }

    /// The pooling of the encoder output.
    pub fn pooling(&self) -> Pooling {
        self.net.pooling
    }

    /// Every parameter with its name, in creation order: the encoder's under
    /// Hugging Face's base-model names, then `head.weight` and `head.bias`.
    pub fn named_parameters(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.store.named()
    }

    /// Number of scalar parameters.
    pub fn numel(&self) -> usize {
        self.store.numel()
    }

    /// Stops gradient tracking on all parameters (for inference and attribution).
    pub fn freeze(&mut self) {
        self.store.freeze();
    }

    /// The document vectors `[batch, hidden]` of a last hidden state and its mask.
    pub fn pool(&self, hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.net.pool(hidden, mask)
    }

    /// Logits `[batch, classes]` of `ids` and `mask`, without gradients.
    pub fn logits(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let _guard = tch::no_grad_guard();
        self.net.forward_t(&self.net.embed(ids)?, mask, None)
    }
}

impl HfNet {
    /// Loads the encoder of `dir` into `store` and adds a head of
    /// `num_classes` outputs drawn from `seed` (see [`HfClassifier::load`]).
    pub(crate) fn load(
        store: &mut ParamStore,
        dir: &HfModelDir,
        num_classes: usize,
        pooling: Pooling,
        seed: u64,
    ) -> Result<HfNet> {
        if num_classes == 0 {
            return Err(Error::param("num_classes", num_classes, "at least 1"));
        }
        let config_path = dir.dir.join(HF_CONFIG_FILE);
        let config_json = std::fs::read(&config_path).map_err(|e| Error::io(&config_path, e))?;
        let encoder = HfEncoder::load(store, dir)?;
        let mut rng = stream(seed, Purpose::Init, 0);
        let d = dir.config.hidden_size as i64;
        let std = dir.config.initializer_range as f32;
        let w = crate::rng::normal(&mut rng, &[num_classes as i64, d], std)?;
        let b = Tensor::f_zeros([num_classes as i64], (Kind::Float, Device::Cpu))?;
        let head = Linear {
            w: store.add(&format!("{HEAD_PREFIX}.weight"), w, false)?,
            b: store.add(&format!("{HEAD_PREFIX}.bias"), b, false)?,
        };
        Ok(HfNet {
            encoder,
            head,
            pooling,
            config_json,
        })
    }

    /// The encoder.
    pub(crate) fn encoder(&self) -> &HfEncoder {
        &self.encoder
    }

    /// The bytes of the source directory's `config.json`.
    pub(crate) fn config_json(&self) -> &[u8] {
        &self.config_json
    }

    /// The document vectors `[batch, hidden]` of a last hidden state and its mask.
    pub(crate) fn pool(&self, hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
        Ok(match self.pooling {
            Pooling::First => hidden.f_select(1, 0)?,
            Pooling::Mean => {
                let m = mask.f_to_kind(Kind::Float)?.f_unsqueeze(-1)?;
                let sum =
                    hidden
                        .f_mul(&m)?
                        .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Float)?;
                let count = m
                    .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Float)?
                    .f_clamp_min(1.0)?;
                sum.f_div(&count)?
            }
        })
    }

    /// Logits from word embeddings; with `rng`, in training mode (dropout).
    pub(crate) fn forward_t(
        &self,
        embeddings: &Tensor,
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        // `[CLS]` pooling reads the first position only: the last layer skips the rest.
        let first = self.pooling == Pooling::First;
        let hidden = self.encoder.forward_t(embeddings, mask, rng, first)?;
        self.head.forward(&self.pool(&hidden, mask)?)
    }

    /// The pooled document vectors `[b, hidden]` the head reads (evaluation mode).
    pub(crate) fn features(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let first = self.pooling == Pooling::First;
        let hidden = self.encoder.forward_t(embeddings, mask, None, first)?;
        self.pool(&hidden, mask)
    }
}

impl Classifier for HfNet {
    fn num_classes(&self) -> usize {
        self.head.b.size().first().map_or(0, |&n| n as usize)
    }
    fn embedding_dim(&self) -> usize {
        self.encoder.config().hidden_size
    }
    fn device(&self) -> Device {
        self.encoder.device()
    }
    fn pad_id(&self) -> i64 {
        self.encoder.config().pad_token_id
    }
    fn vocab_size(&self) -> usize {
        self.encoder.vocab_size()
    }
    /// The output of `embeddings.word_embeddings` only.
    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        self.encoder.word_embeddings(ids)
    }
    /// Position and token-type embeddings, the encoder, pooling, the head.
    fn forward_embedded(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.forward_t(embeddings, mask, None)
    }
}

impl Classifier for HfClassifier {
    fn num_classes(&self) -> usize {
        self.net.num_classes()
    }
    fn embedding_dim(&self) -> usize {
        self.net.embedding_dim()
    }
    fn device(&self) -> Device {
        self.net.device()
    }
    fn pad_id(&self) -> i64 {
        self.net.pad_id()
    }
    fn vocab_size(&self) -> usize {
        self.net.vocab_size()
    }
    /// The output of `embeddings.word_embeddings` only.
    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        self.net.embed(ids)
    }
    /// Position and token-type embeddings, the encoder, pooling, the head.
    fn forward_embedded(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.net.forward_embedded(embeddings, mask)
    }
    fn replica(&self) -> Result<Option<Box<dyn Classifier + Send>>> {
        if !self.store.all_frozen() {
            return Ok(None);
        }
        Ok(Some(Box::new(HfClassifier::replica(self)?)))
    }
}
