//! Integrated Gradients options.
use crate::Result;
use sacx_ig::{Baseline, IgParams, Method, Normalize, TargetPolicy, WordMerge};

/// How predictions are explained.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct IgArgs {
    /// Quadrature steps per (document, class) pair.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().ig_steps))]
    pub ig_steps: usize,
    /// gausslegendre, riemann-left, riemann-right, riemann-middle or riemann-trapezoid.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().ig_method))]
    pub ig_method: Method,
    /// pad, zero, token:<text> (the original used token:-) or random:<k>[:<seed>].
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().baseline))]
    pub baseline: Baseline,
    /// Which classes to explain: gold-or-predicted, predicted, gold, true-positive or all.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().targets))]
    pub targets: TargetPolicy,
    /// Token normalisation before merging into words: l2 or none.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().normalize))]
    pub normalize: Normalize,
    /// How a word's tokens combine: abs-max (keeps the sign), sum or mean.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().merge))]
    pub merge: WordMerge,
    /// Memory budget of one model call, in token-steps.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().max_batch_tokens))]
    pub max_batch_tokens: usize,
    /// Tolerance mode: recompute pairs whose relative completeness gap exceeds
    /// this with twice the steps, up to --max-steps.
    #[cfg_attr(feature = "clap", arg(long))]
    pub tolerance: Option<f64>,
    /// Most steps tolerance mode may use.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().max_steps))]
    pub max_steps: usize,
    /// Also write the original pipeline's TSV next to each shard.
    #[cfg_attr(feature = "clap", arg(long))]
    pub tsv: bool,
    /// Batches explained side by side on the CPU, each on a replica sharing the
    /// model's weights with threads / workers libtorch threads (at least 1).
    /// Default: one per libtorch thread; 1 runs one batch at a time on all.
    /// Each worker holds one call's activations (--max-batch-tokens).
    #[cfg_attr(feature = "clap", arg(long))]
    pub ig_workers: Option<std::num::NonZeroUsize>,
    /// Documents per explanation shard: the unit a killed run resumes from.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = IgArgs::default().shard_docs, value_parser = clap::value_parser!(u64).range(1..)))]
    pub shard_docs: u64,
}

impl IgArgs {
    /// The validated parameters; `threshold` decides predicted classes.
    pub fn params(&self, threshold: f32) -> Result<IgParams> {
        Ok(IgParams::builder()
            .n_steps(self.ig_steps)
            .method(self.ig_method)
            .baseline(self.baseline.clone())
            .targets(self.targets)
            .threshold(threshold)
            .normalize(self.normalize)
            .merge(self.merge)
            .max_batch_tokens(self.max_batch_tokens)
            .tolerance(self.tolerance)
            .max_steps(self.max_steps)
            .build()?)
    }
}

/// The library defaults ([`IgParams::default`], [`sacx_ig::OutputOptions::default`]).
impl Default for IgArgs {
    fn default() -> Self {
        let p = IgParams::default();
        let out = sacx_ig::OutputOptions::default();
        IgArgs {
            ig_steps: p.n_steps(),
            ig_method: p.method(),
            baseline: p.baseline().clone(),
            targets: p.targets(),
            normalize: p.normalize(),
            merge: p.merge(),
            max_batch_tokens: p.max_batch_tokens(),
            tolerance: p.tolerance(),
            max_steps: p.max_steps(),
            tsv: out.tsv,
            ig_workers: None,
            shard_docs: out.docs_per_shard as u64,
        }
    }
}
