//! `run.json`: what a run did: the sacx and libtorch versions, the device,
//! the corpus, the seeds, the options it ran with, and per stage its seconds
//! and peak resident memory. One versioned type, its writer and its reader.
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Format tag of `run.json`. Files written before the tag existed have the
/// same shape and read as this version.
pub const RUN_RECORD_FORMAT: &str = "sacx-run-record/1";

/// The time (and memory) of a stage: a number of seconds for a corpus-wide
/// stage, or per seed the figures of its stages (`train`, `explain`,
/// `train_peak_mib`, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StageTime {
    /// Seconds (or MiB, for a `<stage>_peak_mib` or `<stage>_start_mib` entry).
    Value(f64),
    /// A seed's stages.
    Seed(BTreeMap<String, f64>),
}

/// `run.json`. `P` is the options' type: the pipeline writes its own, a
/// reader that does not link the pipeline reads them as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord<P = serde_json::Value> {
    /// [`RUN_RECORD_FORMAT`] (empty in files written before it existed).
    #[serde(default)]
    pub format: String,
    /// The sacx version of the last start.
    pub sacx_version: String,
    /// The libtorch version.
    pub libtorch: String,
    /// `cpu` or `cuda:N`.
    pub device: String,
    /// libtorch's CPU threads.
    pub cpu_threads: i64,
    /// The corpus's name.
    pub corpus: String,
    /// The seeds of the run.
    pub seeds: Vec<u64>,
    /// The options the run was started with.
    pub parameters: P,
    /// Per stage its seconds and `<stage>_peak_mib` (every start's stages,
    /// the latest time of each).
    pub seconds: BTreeMap<String, StageTime>,
    /// Wall time of the last start.
    pub total_seconds: f64,
}

impl<P: Serialize> RunRecord<P> {
    /// Writes the record atomically, with [`RUN_RECORD_FORMAT`].
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::json_file::write_pretty(path, self, RUN_RECORD_FORMAT)
    }
}

impl<P: for<'de> Deserialize<'de>> RunRecord<P> {
    /// Reads a record; `Ok(None)` when there is none. Another format version
    /// is refused, naming it.
    pub fn read(path: &Path) -> Result<Option<Self>> {
        crate::json_file::read_versioned(
            path,
            RUN_RECORD_FORMAT,
            RUN_RECORD_FORMAT,
            true,
            |r: &Self| r.format.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_and_refuses_another_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        let mut seconds = BTreeMap::new();
        seconds.insert("keywords".to_string(), StageTime::Value(1.5));
        seconds.insert(
            "seed-1".to_string(),
            StageTime::Seed([("train".to_string(), 9.0)].into()),
        );
        let record = RunRecord {
            format: RUN_RECORD_FORMAT.into(),
            sacx_version: "0.1.0".into(),
            libtorch: "2.11".into(),
            device: "cpu".into(),
            cpu_threads: 2,
            corpus: "c.jsonl".into(),
            seeds: vec![1],
            parameters: serde_json::json!({"seeds": 1}),
            seconds,
            total_seconds: 10.0,
        };
        record.write(&path).unwrap();
        assert_eq!(RunRecord::read(&path).unwrap(), Some(record));
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(RUN_RECORD_FORMAT, "sacx-run-record/7");
        std::fs::write(&path, text).unwrap();
        let e = RunRecord::<serde_json::Value>::read(&path)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sacx-run-record/7") && e.contains("run.json"),
            "{e}"
        );
    }
}
