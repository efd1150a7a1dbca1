//! Integrated Gradients options.
use anyhow::Result;
use sacx_ig::{Baseline, IgParams, Method, Normalize, TargetPolicy, WordMerge};

/// How predictions are explained.
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct IgArgs {
    /// Quadrature steps per (document, class) pair.
    #[arg(long, default_value_t = 50)]
    pub ig_steps: usize,
    /// gausslegendre, riemann-left, riemann-right, riemann-middle or riemann-trapezoid.
    #[arg(long, default_value = "gausslegendre")]
    pub ig_method: Method,
    /// pad, zero, token:<text> (the original used token:-) or random:<k>[:<seed>].
    #[arg(long, default_value = "pad")]
    pub baseline: Baseline,
    /// Which classes to explain: gold-or-predicted, predicted, gold, true-positive or all.
    #[arg(long, default_value = "gold-or-predicted")]
    pub targets: TargetPolicy,
    /// Token normalisation before merging into words: l2 or none.
    #[arg(long, default_value = "l2")]
    pub normalize: Normalize,
    /// How a word's tokens combine: abs-max (keeps the sign), sum or mean.
    #[arg(long, default_value = "abs-max")]
    pub merge: WordMerge,
    /// Memory budget of one model call, in token-steps.
    #[arg(long, default_value_t = 65_536)]
    pub max_batch_tokens: usize,
    /// Tolerance mode: recompute pairs whose relative completeness gap exceeds
    /// this with twice the steps, up to --max-steps.
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Most steps tolerance mode may use.
    #[arg(long, default_value_t = 400)]
    pub max_steps: usize,
    /// Also write the original pipeline's TSV next to each shard.
    #[arg(long)]
    pub tsv: bool,
    /// Documents per explanation shard: the unit a killed run resumes from.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
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
