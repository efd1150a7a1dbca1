//! Multilabel metrics (overall and per language), written to `metrics.json`.
//!
//! The format and its arithmetic live in [`sacx_data::metrics`] (no libtorch,
//! so that readers of a run directory need no model crate); this module
//! re-exports them and keeps [`evaluate`] and [`write()`] with this crate's
//! error type.
use std::path::Path;

use crate::Result;

pub use sacx_data::metrics::{
    BestThreshold, ClassMetrics, MetricSet, Metrics, TOP_K, best_threshold,
};

/// Computes [`Metrics`] from probabilities `[doc][class]`, gold label indices
/// and languages, all in the same document order ([`sacx_data::metrics::evaluate`]).
pub fn evaluate(
    probs: &[Vec<f32>],
    gold: &[Vec<u32>],
    langs: &[String],
    labels: &[String],
    threshold: f64,
) -> Result<Metrics> {
    Ok(sacx_data::metrics::evaluate(
        probs, gold, langs, labels, threshold,
    )?)
}

/// Writes `metrics` as pretty JSON to `path` (atomically; [`sacx_data::metrics::write`]).
pub fn write(path: &Path, metrics: &Metrics) -> Result<()> {
    Ok(sacx_data::metrics::write(path, metrics)?)
}
