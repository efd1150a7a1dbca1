//! Split, tokenizer, model and training options.
use anyhow::{Result, bail};
use sacx_data::{SplitOptions, TokenizerKind, TokenizerOptions};
use sacx_model::{
    Architecture, DeviceSpec, EmbedPoolParams, EmbedPoolParamsBuilder, Pooling, TrainParams,
    TransformerParams, TransformerParamsBuilder, XmlCnnParams, XmlCnnParamsBuilder,
};
use std::path::PathBuf;

/// How documents are split into training and validation sets.
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct SplitArgs {
    /// Share of each language's documents used for training (grouped by `id`, so
    /// translations never straddle the split).
    #[arg(long, default_value_t = 0.8)]
    pub train_fraction: f64,
    /// Make every label with at least two document groups appear on both sides.
    #[arg(long)]
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
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct TokenizerArgs {
    /// word (segmented words), wordpiece, bpe (trained on the training split), or
    /// the path of a `tokenizer.json` to load.
    #[arg(long, default_value = "word")]
    pub tokenizer: String,
    /// Vocabulary size of trained tokenizers.
    #[arg(long, default_value_t = 30_000)]
    pub vocab_size: usize,
    /// Words seen fewer times in training become `[UNK]` (word tokenizer).
    #[arg(long, default_value_t = 1)]
    pub min_count: u64,
    /// Tokens per document; longer documents are truncated (and counted).
    #[arg(long, default_value_t = 512)]
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
                    bail!(
                        "--tokenizer {}: expected word, wordpiece, bpe or an existing tokenizer.json",
                        path.display()
                    );
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
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct ModelArgs {
    /// xml-cnn, embed-pool or transformer.
    #[arg(long, default_value = "xml-cnn")]
    pub model: String,
    /// Token embedding width [default: 128].
    #[arg(long)]
    pub embedding_dim: Option<usize>,
    /// Hidden (bottleneck) width [xml-cnn default: 512; embed-pool: 256].
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Dropout [xml-cnn default: 0.5; embed-pool: 0.2; transformer: 0.1].
    #[arg(long)]
    pub dropout: Option<f64>,
    /// xml-cnn: convolution widths [default: 2,4,8].
    #[arg(long, value_delimiter = ',')]
    pub filter_widths: Option<Vec<usize>>,
    /// xml-cnn: feature maps per width [default: 128].
    #[arg(long)]
    pub filters: Option<usize>,
    /// xml-cnn: dynamic max-pooling chunks per feature map [default: 2].
    #[arg(long)]
    pub chunks: Option<usize>,
    /// transformer: encoder layers [default: 2].
    #[arg(long)]
    pub layers: Option<usize>,
    /// transformer: attention heads [default: 4].
    #[arg(long)]
    pub heads: Option<usize>,
    /// transformer: feed-forward width [default: 256].
    #[arg(long)]
    pub ff_dim: Option<usize>,
    /// transformer: mean or first (a leading `[CLS]` token) [default: mean].
    #[arg(long)]
    pub pooling: Option<String>,
    /// Pretrained word vectors (word2vec/GloVe text format) for the embedding.
    #[arg(long, value_name = "FILE")]
    pub word_vectors: Option<PathBuf>,
    /// Keep the embedding fixed during training.
    #[arg(long)]
    pub freeze_embeddings: bool,
}

impl ModelArgs {
    /// The validated architecture.
    pub fn architecture(&self) -> Result<Architecture> {
        let only = |name: &str, set: bool, arch: &str| -> Result<()> {
            if set && self.model != arch {
                bail!(
                    "--{name} applies to --model {arch} only (the model is {})",
                    self.model
                );
            }
            Ok(())
        };
        only("filter-widths", self.filter_widths.is_some(), "xml-cnn")?;
        only("filters", self.filters.is_some(), "xml-cnn")?;
        only("chunks", self.chunks.is_some(), "xml-cnn")?;
        only("layers", self.layers.is_some(), "transformer")?;
        only("heads", self.heads.is_some(), "transformer")?;
        only("ff-dim", self.ff_dim.is_some(), "transformer")?;
        only("pooling", self.pooling.is_some(), "transformer")?;
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
                    Some(other) => bail!("--pooling {other}: expected mean or first"),
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
            other => bail!("--model {other}: expected xml-cnn, embed-pool or transformer"),
        };
        Ok(arch)
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
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct TrainArgs {
    /// Maximum epochs.
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Documents per batch.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Batches whose gradients are summed per optimizer step.
    #[arg(long, default_value_t = 1)]
    pub accumulation: usize,
    /// Peak AdamW learning rate.
    #[arg(long, default_value_t = 5e-3)]
    pub lr: f64,
    /// AdamW decoupled weight decay.
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    /// Share of optimizer steps spent warming up before the linear decay.
    #[arg(long, default_value_t = 0.1)]
    pub warmup: f64,
    /// Clip the global gradient norm to this (0 disables).
    #[arg(long, default_value_t = 5.0)]
    pub clip_norm: f64,
    /// Stop after this many epochs without a higher validation micro-F1 (the
    /// figure that also picks the best checkpoint; 0 disables).
    #[arg(long, default_value_t = 2)]
    pub patience: usize,
    /// What picks the best checkpoint and drives early stopping: micro-f1
    /// (validation micro-F1 at the threshold) or valid-loss (validation loss).
    #[arg(long, default_value = "micro-f1")]
    pub monitor: String,
    /// Weigh each class's positives by negatives/positives, capped at this (0: off).
    #[arg(long, default_value_t = 0.0)]
    pub balance_classes: f32,
    /// Decision threshold for predictions and metrics.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Use the micro-F1-maximising threshold found on the validation split instead.
    #[arg(long)]
    pub apply_best_threshold: bool,
    /// CPU threads for libtorch, 1 to 1024 (same seed + same threads:
    /// bit-identical CPU runs) [default: libtorch's choice].
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
}

impl TrainArgs {
    /// The device to run on.
    pub fn device(&self) -> Result<DeviceSpec> {
        Ok(self.device.parse::<DeviceSpec>()?)
    }

    /// The validated training parameters for `seed` (positive weights need the
    /// training examples).
    pub fn params(&self, seed: u64, pos_weight: Option<Vec<f32>>) -> Result<TrainParams> {
        Ok(TrainParams::builder()
            .epochs(self.epochs)
            .batch_size(self.batch_size)
            .accumulation(self.accumulation)
            .learning_rate(self.lr)
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

/// `--threads`: 1 to 1024 (0 made libtorch panic; a huge value starved the machine).
fn parse_threads(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a thread count from 1 to 1024")),
    }
}
