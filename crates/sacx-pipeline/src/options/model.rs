//! Split, tokenizer, model and training options.
use crate::{Error, Result};
use sacx_data::{SplitOptions, TokenizerKind, TokenizerOptions};
use sacx_model::hf::{HF_TOKENIZER_FILE, HfModelDir, HfParams};
use sacx_model::{
    Architecture, DeviceSpec, EmbedPoolParams, EmbedPoolParamsBuilder, Pooling, TrainParams,
    TransformerParams, TransformerParamsBuilder, XmlCnnParams, XmlCnnParamsBuilder,
};
use std::path::{Path, PathBuf};

/// How documents are split into training and validation sets.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SplitArgs {
    /// Share of each language's documents used for training (grouped by `id`, so
    /// translations never straddle the split).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SplitArgs::default().train_fraction))]
    pub train_fraction: f64,
    /// Make every label with at least two document groups appear on both sides.
    #[cfg_attr(feature = "clap", arg(long))]
    pub stratify: bool,
}

impl SplitArgs {
    /// The split options for `seed`.
    pub fn options(&self, seed: u64) -> Result<SplitOptions> {
        Ok(SplitOptions::builder()
            .train_fraction(self.train_fraction)
            .seed(seed)
            .stratify(self.stratify)
            .build()?)
    }
}

/// How texts become the model's tokens.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct TokenizerArgs {
    /// word (segmented words), wordpiece, bpe (trained on the training split), or
    /// the path of a `tokenizer.json` to load.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TokenizerArgs::default().tokenizer))]
    pub tokenizer: String,
    /// Vocabulary size of trained tokenizers.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TokenizerArgs::default().vocab_size))]
    pub vocab_size: usize,
    /// Words seen fewer times in training become `[UNK]` (word tokenizer).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TokenizerArgs::default().min_count))]
    pub min_count: u64,
    /// Tokens per document; longer documents are truncated (and counted).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TokenizerArgs::default().max_len))]
    pub max_len: usize,
}

impl TokenizerArgs {
    /// The validated tokenizer options (`[CLS]` is added for first-token pooling).
    pub fn options(&self, add_cls: bool) -> Result<TokenizerOptions> {
        let kind = match self.tokenizer.as_str() {
            "word" => TokenizerKind::Word,
            "wordpiece" => TokenizerKind::WordPiece,
            "bpe" => TokenizerKind::Bpe,
            path => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(Error::param(
                        "tokenizer",
                        path.display(),
                        "word, wordpiece, bpe or an existing tokenizer.json",
                    ));
                }
                TokenizerKind::Pretrained(path)
            }
        };
        Ok(TokenizerOptions::builder()
            .kind(kind)
            .vocab_size(self.vocab_size)
            .min_count(self.min_count)
            .max_len(self.max_len)
            .add_cls(add_cls)
            .build()?)
    }
}

/// Which classifier, with which hyperparameters (unset: the architecture's
/// documented default).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ModelArgs {
    /// xml-cnn, embed-pool, transformer, or hf:DIR: fine-tune the pretrained
    /// Hugging Face encoder (BERT, RoBERTa, XLM-R, DistilBERT) of the local
    /// directory DIR (config.json, model.safetensors, tokenizer.json; the
    /// tokenizer is DIR's).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ModelArgs::default().model))]
    pub model: String,
    /// Token embedding width [default: 128].
    #[cfg_attr(feature = "clap", arg(long))]
    pub embedding_dim: Option<usize>,
    /// Hidden (bottleneck) width [xml-cnn default: 512; embed-pool: 256].
    #[cfg_attr(feature = "clap", arg(long))]
    pub hidden: Option<usize>,
    /// Dropout [xml-cnn default: 0.5; embed-pool: 0.2; transformer: 0.1].
    #[cfg_attr(feature = "clap", arg(long))]
    pub dropout: Option<f64>,
    /// xml-cnn: convolution widths [default: 2,4,8].
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ','))]
    pub filter_widths: Option<Vec<usize>>,
    /// xml-cnn: feature maps per width [default: 128].
    #[cfg_attr(feature = "clap", arg(long))]
    pub filters: Option<usize>,
    /// xml-cnn: dynamic max-pooling chunks per feature map [default: 2].
    #[cfg_attr(feature = "clap", arg(long))]
    pub chunks: Option<usize>,
    /// transformer: encoder layers [default: 2].
    #[cfg_attr(feature = "clap", arg(long))]
    pub layers: Option<usize>,
    /// transformer: attention heads [default: 4].
    #[cfg_attr(feature = "clap", arg(long))]
    pub heads: Option<usize>,
    /// transformer: feed-forward width [default: 256].
    #[cfg_attr(feature = "clap", arg(long))]
    pub ff_dim: Option<usize>,
    /// transformer: mean or first (a leading `[CLS]` token) [default: mean];
    /// hf: first (the `[CLS]` / `<s>` position) or mean [default: first].
    #[cfg_attr(feature = "clap", arg(long))]
    pub pooling: Option<String>,
    /// Pretrained word vectors (word2vec/GloVe text format) for the embedding.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE"))]
    pub word_vectors: Option<PathBuf>,
    /// Keep the embedding fixed during training (hf: all of `embeddings.*`).
    #[cfg_attr(feature = "clap", arg(long))]
    pub freeze_embeddings: bool,
    /// hf: keep the lowest N encoder layers fixed during training [default: 0].
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze_layers: Option<usize>,
}

impl ModelArgs {
    /// The validated architecture.
    pub fn architecture(&self) -> Result<Architecture> {
        let only = |name: &'static str, set: bool, arch: &str| -> Result<()> {
            if set && self.model != arch {
                return Err(Error::Conflict {
                    option: name,
                    reason: format!("applies to model {arch} only (the model is {})", self.model),
                });
            }
            Ok(())
        };
        only("filter-widths", self.filter_widths.is_some(), "xml-cnn")?;
        only("filters", self.filters.is_some(), "xml-cnn")?;
        only("chunks", self.chunks.is_some(), "xml-cnn")?;
        only("layers", self.layers.is_some(), "transformer")?;
        only("heads", self.heads.is_some(), "transformer")?;
        only("ff-dim", self.ff_dim.is_some(), "transformer")?;
        if let Some(dir) = self.hf_dir() {
            return self.hf_architecture(dir);
        }
        only("pooling", self.pooling.is_some(), "transformer")?;
        only("freeze-layers", self.freeze_layers.is_some(), "hf:DIR")?;
        let arch = match self.model.as_str() {
            "xml-cnn" => {
                let mut p = XmlCnnParams::builder().freeze_embeddings(self.freeze_embeddings);
                p = set(p, self.embedding_dim, XmlCnnParamsBuilder::embedding_dim);
                p = set(p, self.hidden, XmlCnnParamsBuilder::hidden);
                p = set(p, self.dropout, XmlCnnParamsBuilder::dropout);
                p = set(
                    p,
                    self.filter_widths.clone(),
                    XmlCnnParamsBuilder::filter_widths,
                );
                p = set(p, self.filters, XmlCnnParamsBuilder::num_filters);
                p = set(p, self.chunks, XmlCnnParamsBuilder::chunks);
                Architecture::XmlCnn(p.build()?)
            }
            "embed-pool" => {
                let mut p = EmbedPoolParams::builder().freeze_embeddings(self.freeze_embeddings);
                p = set(p, self.embedding_dim, EmbedPoolParamsBuilder::embedding_dim);
                p = set(p, self.hidden, EmbedPoolParamsBuilder::hidden);
                p = set(p, self.dropout, EmbedPoolParamsBuilder::dropout);
                Architecture::EmbedPool(p.build()?)
            }
            "transformer" => {
                only("hidden", self.hidden.is_some(), "xml-cnn or embed-pool")?;
                let pooling = match self.pooling.as_deref() {
                    None | Some("mean") => Pooling::Mean,
                    Some("first") => Pooling::First,
                    Some(other) => {
                        return Err(Error::param("pooling", other, "mean or first"));
                    }
                };
                let mut p = TransformerParams::builder()
                    .pooling(pooling)
                    .freeze_embeddings(self.freeze_embeddings);
                p = set(
                    p,
                    self.embedding_dim,
                    TransformerParamsBuilder::embedding_dim,
                );
                p = set(p, self.dropout, TransformerParamsBuilder::dropout);
                p = set(p, self.layers, TransformerParamsBuilder::layers);
                p = set(p, self.heads, TransformerParamsBuilder::heads);
                p = set(p, self.ff_dim, TransformerParamsBuilder::ff_dim);
                Architecture::Transformer(p.build()?)
            }
            other => {
                return Err(Error::param(
                    "model",
                    other,
                    "xml-cnn, embed-pool, transformer or hf:DIR",
                ));
            }
        };
        Ok(arch)
    }

    /// The directory of `--model hf:DIR`.
    pub fn hf_dir(&self) -> Option<&Path> {
        self.model.strip_prefix("hf:").map(Path::new)
    }

    /// The `hf` architecture of `dir` (its `config.json` is read).
    fn hf_architecture(&self, dir: &Path) -> Result<Architecture> {
        let sizes = [
            ("embedding-dim", self.embedding_dim.is_some()),
            ("hidden", self.hidden.is_some()),
            ("dropout", self.dropout.is_some()),
            ("word-vectors", self.word_vectors.is_some()),
        ];
        if let Some((option, _)) = sizes.iter().find(|(_, set)| *set) {
            return Err(Error::Conflict {
                option,
                reason: "does not apply to a pretrained hf:DIR model (its config.json sets it)"
                    .into(),
            });
        }
        let pooling = match self.pooling.as_deref() {
            None | Some("first") => Pooling::First,
            Some("mean") => Pooling::Mean,
            Some(other) => return Err(Error::param("pooling", other, "first or mean")),
        };
        let p = HfParams::open(dir)?
            .pooling(pooling)
            .freeze_embeddings(self.freeze_embeddings)
            .freeze_layers(self.freeze_layers.unwrap_or(0))
            .build()?;
        Ok(Architecture::Hf(p))
    }

    /// The tokenizer options for this model: `tokenizer`'s, or for `hf:DIR`
    /// DIR's `tokenizer.json` in `hf_model` mode, at most the model's
    /// positions long.
    pub fn tokenizer_options(&self, tokenizer: &TokenizerArgs) -> Result<TokenizerOptions> {
        let Some(dir) = self.hf_dir() else {
            return tokenizer.options(self.needs_cls());
        };
        if tokenizer.tokenizer != TokenizerArgs::default().tokenizer {
            return Err(Error::Conflict {
                option: "tokenizer",
                reason: format!(
                    "a hf:DIR model uses its own {}",
                    dir.join(HF_TOKENIZER_FILE).display()
                ),
            });
        }
        let model = HfModelDir::open(dir)?;
        let path = dir.join(HF_TOKENIZER_FILE);
        if !path.is_file() {
            return Err(Error::param(
                "model",
                format!("hf:{}", dir.display()),
                format!("a model directory with a {HF_TOKENIZER_FILE}"),
            ));
        }
        Ok(TokenizerOptions::builder()
            .kind(TokenizerKind::Pretrained(path))
            .hf_model(true)
            .max_len(tokenizer.max_len.min(model.config.max_positions()))
            .build()?)
    }

    /// Whether the tokenizer must add a leading `[CLS]` token.
    pub fn needs_cls(&self) -> bool {
        self.model == "transformer" && self.pooling.as_deref() == Some("first")
    }
}

/// `builder` with `setter(value)` applied when a value is given.
fn set<B, T>(builder: B, value: Option<T>, setter: fn(B, T) -> B) -> B {
    match value {
        Some(v) => setter(builder, v),
        None => builder,
    }
}

/// How the classifier is trained.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct TrainArgs {
    /// Maximum epochs.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().epochs))]
    pub epochs: usize,
    /// Documents per batch.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().batch_size))]
    pub batch_size: usize,
    /// Batches whose gradients are summed per optimizer step.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().accumulation))]
    pub accumulation: usize,
    /// Peak AdamW learning rate [default: 0.005 for the models sacx trains
    /// from scratch; 7.5e-5 when fine-tuning hf:DIR, the original pipeline's].
    #[cfg_attr(feature = "clap", arg(long))]
    pub lr: Option<f64>,
    /// AdamW decoupled weight decay.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().weight_decay))]
    pub weight_decay: f64,
    /// Share of optimizer steps spent warming up before the linear decay.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().warmup))]
    pub warmup: f64,
    /// Clip the global gradient norm to this (0 disables).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().clip_norm))]
    pub clip_norm: f64,
    /// Stop after this many epochs without a higher validation micro-F1 (the
    /// figure that also picks the best checkpoint; 0 disables).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().patience))]
    pub patience: usize,
    /// What picks the best checkpoint and drives early stopping: micro-f1
    /// (validation micro-F1 at the threshold) or valid-loss (validation loss).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().monitor))]
    pub monitor: String,
    /// Weigh each class's positives by negatives/positives, capped at this (0: off).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().balance_classes))]
    pub balance_classes: f32,
    /// Decision threshold for predictions and metrics.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().threshold))]
    pub threshold: f64,
    /// Use the micro-F1-maximising threshold found on the validation split instead.
    #[cfg_attr(feature = "clap", arg(long))]
    pub apply_best_threshold: bool,
    /// CPU threads for libtorch, 1 to 1024 (same seed + same threads:
    /// bit-identical CPU runs) [default: libtorch's choice].
    #[cfg_attr(feature = "clap", arg(long, value_parser = parse_threads))]
    pub threads: Option<usize>,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = TrainArgs::default().device))]
    pub device: String,
}

impl TrainArgs {
    /// The device to run on.
    pub fn device(&self) -> Result<DeviceSpec> {
        Ok(self.device.parse::<DeviceSpec>()?)
    }

    /// The peak learning rate: `--lr`, else the library default of the model
    /// ([`TrainParams::default`] from scratch,
    /// [`sacx_model::hf::FINE_TUNING_LEARNING_RATE`] for a pretrained encoder).
    pub fn learning_rate(&self, model: &ModelArgs) -> f64 {
        self.lr.unwrap_or(if model.hf_dir().is_some() {
            sacx_model::hf::FINE_TUNING_LEARNING_RATE
        } else {
            TrainParams::default().learning_rate()
        })
    }

    /// The validated training parameters of `model` for `seed` (positive
    /// weights need the training examples).
    pub fn params(
        &self,
        model: &ModelArgs,
        seed: u64,
        pos_weight: Option<Vec<f32>>,
    ) -> Result<TrainParams> {
        Ok(TrainParams::builder()
            .epochs(self.epochs)
            .batch_size(self.batch_size)
            .accumulation(self.accumulation)
            .learning_rate(self.learning_rate(model))
            .weight_decay(self.weight_decay)
            .warmup(self.warmup)
            .clip_norm((self.clip_norm > 0.0).then_some(self.clip_norm))
            .patience(self.patience)
            .monitor(self.monitor.parse::<sacx_model::Monitor>()?)
            .pos_weight(pos_weight)
            .seed(seed)
            .threads(self.threads)
            .device(self.device()?)
            .threshold(self.threshold)
            .apply_best_threshold(self.apply_best_threshold)
            .build()?)
    }
}

/// A thread count from 1 to 1024 (0 made libtorch panic; a huge value starved
/// the machine).
pub fn parse_threads(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a thread count from 1 to 1024")),
    }
}

/// The library defaults ([`SplitOptions::default`]).
impl Default for SplitArgs {
    fn default() -> Self {
        let o = SplitOptions::default();
        SplitArgs {
            train_fraction: o.train_fraction(),
            stratify: o.stratify(),
        }
    }
}

/// The library defaults ([`TokenizerOptions::default`]).
impl Default for TokenizerArgs {
    fn default() -> Self {
        let o = TokenizerOptions::default();
        TokenizerArgs {
            tokenizer: match o.kind() {
                TokenizerKind::WordPiece => "wordpiece".to_string(),
                TokenizerKind::Bpe => "bpe".to_string(),
                TokenizerKind::Pretrained(path) => path.display().to_string(),
                _ => "word".to_string(),
            },
            vocab_size: o.vocab_size(),
            min_count: o.min_count(),
            max_len: o.max_len(),
        }
    }
}

/// xml-cnn with each architecture's own defaults (every size unset).
impl Default for ModelArgs {
    fn default() -> Self {
        ModelArgs {
            model: "xml-cnn".to_string(),
            embedding_dim: None,
            hidden: None,
            dropout: None,
            filter_widths: None,
            filters: None,
            chunks: None,
            layers: None,
            heads: None,
            ff_dim: None,
            pooling: None,
            word_vectors: None,
            freeze_embeddings: false,
            freeze_layers: None,
        }
    }
}

/// The library defaults ([`TrainParams::default`]; the learning rate is
/// the model's, see [`TrainArgs::learning_rate`]).
impl Default for TrainArgs {
    fn default() -> Self {
        let p = TrainParams::default();
        TrainArgs {
            epochs: p.epochs(),
            batch_size: p.batch_size(),
            accumulation: p.accumulation(),
            lr: None,
            weight_decay: p.weight_decay(),
            warmup: p.warmup(),
            clip_norm: p.clip_norm().unwrap_or(0.0),
            patience: p.patience(),
            monitor: p.monitor().to_string(),
            balance_classes: 0.0,
            threshold: p.threshold(),
            apply_best_threshold: p.apply_best_threshold(),
            threads: p.threads(),
            device: p.device().to_string(),
        }
    }
}
