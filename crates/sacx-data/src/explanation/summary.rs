//! `summary.json`: statistics over every shard of an explanation directory.
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// `summary.json`: statistics over every shard of the directory.
///
/// `P` is the attribution parameters' type: `sacx_ig::Summary` is
/// `Summary<sacx_ig::IgParams>`; a reader that does not need them typed (the
/// HTML report) keeps the default, the parameters as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary<P = serde_json::Value> {
    /// Documents explained.
    pub documents: usize,
    /// (document, target) pairs.
    pub pairs: usize,
    /// Documents without any target.
    pub documents_without_target: usize,
    /// Mean relative completeness gap over pairs.
    pub mean_rel_delta: f64,
    /// Largest relative completeness gap.
    pub max_rel_delta: f64,
    /// Mean quadrature steps per pair.
    pub mean_steps: f64,
    /// Most quadrature steps of a pair.
    pub max_steps: u32,
    /// Shards in the directory.
    pub shards: usize,
    /// Shards this invocation found complete and skipped.
    pub shards_resumed: usize,
    /// Seconds spent by this invocation.
    pub seconds: f64,
    /// The attribution parameters.
    pub params: P,
}

impl<P: Serialize> Summary<P> {
    /// Writes the summary as pretty JSON (with a final newline) to `path`,
    /// atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            expected: "a summary that serializes to JSON",
            source,
        })?;
        json.push(b'\n');
        crate::write_atomic(path, &json)
    }
}
