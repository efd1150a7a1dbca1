//! Explanation records and shard files: what one run's explanation of one
//! document holds, and how runs store them.
//!
//! `sacx-ig` writes these records and `sacx-aggregate` reads them; they live
//! here, in the crate without libtorch, so that aggregation never loads it.
//! Both file forms are here: binary shards ([`ShardWriter`], [`ShardReader`],
//! [`shard_path`], [`list_shards`]), the original pipeline's TSV ([`tsv`]) and
//! the directory's `summary.json` ([`Summary`]).
use serde::{Deserialize, Serialize};

mod shard;
mod summary;
pub mod tsv;
mod view;

pub use shard::{ShardReader, ShardWriter, list_shards, shard_path};
pub use summary::Summary;
pub use view::{DocRef, TargetRef};

/// The explanation of one document by one run's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocExplanation {
    /// Document id (from the corpus; translations share it).
    pub doc_id: String,
    /// Language code of the document.
    pub lang: String,
    /// Gold label indices (into the shard header's label list), ascending.
    pub gold: Vec<u32>,
    /// Every class's predicted probability (sigmoid of the logit), in label order.
    pub probs: Vec<f32>,
    /// The document's words in order (keyword form: segmented, case-folded).
    /// Special tokens are not words.
    pub words: Vec<String>,
    /// One attribution per explained target class; empty when the document had
    /// no target (recorded, never dropped).
    pub targets: Vec<TargetAttribution>,
}

/// Word-level attributions of one document towards one target class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetAttribution {
    /// Target class index.
    pub class: u32,
    /// One score per word, aligned with [`DocExplanation::words`].
    pub scores: Vec<f32>,
    /// Completeness gap: sum of token attributions minus `F_c(e) - F_c(b)`
    /// (computed on raw token attributions, before normalisation).
    pub delta: f32,
    /// `|delta| / |F_c(e) - F_c(b)|`.
    pub rel_delta: f32,
    /// Quadrature steps used for this pair.
    pub steps: u32,
}

/// The header at the start of every shard file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// Format version of the shard file ([`SHARD_FORMAT_VERSION`]).
    pub format_version: u32,
    /// Name of the run that produced it (for example `seed-3`).
    pub run: String,
    /// Seed of the run's model.
    pub seed: u64,
    /// The label list; class indices in records point into it.
    pub labels: Vec<String>,
    /// Index of this shard within the run (0-based).
    pub shard_index: u32,
}

/// Version of the shard file layout written by this crate.
pub const SHARD_FORMAT_VERSION: u32 = 1;
