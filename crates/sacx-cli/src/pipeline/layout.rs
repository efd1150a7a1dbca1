//! The output directory of `sacx run` (documented in docs/usage.md):
//!
//! ```text
//! DIR/params.json                  the run's parameters (checked on resume)
//! DIR/run.json                     parameters, versions, device, seconds per stage
//! DIR/runs/seed-N/split.json       the seed's split (sizes and a fingerprint)
//! DIR/runs/seed-N/model/           training: best/ (checkpoint), last/, metrics.json
//! DIR/runs/seed-N/explanations/    shard-NNNNN.bin, summary.json
//! DIR/runs/seed-N/timing.json      seconds of the seed's stages
//! DIR/counts/                      tf.json, df.json
//! DIR/keywords/                    IG keywords: <class>_stable.tsv, _unstable.tsv, keywords.json
//! DIR/keywords/<method>/           the same for log-odds, chi2, ctfidf
//! DIR/evaluation.json              one evaluation per keyword method
//! DIR/report.html                  the report
//! ```
use std::path::{Path, PathBuf};

/// Paths inside a run directory.
#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout rooted at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
        }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn params(&self) -> PathBuf {
        self.root.join("params.json")
    }
    pub fn run_json(&self) -> PathBuf {
        self.root.join("run.json")
    }
    pub fn seed(&self, seed: u64) -> SeedLayout {
        SeedLayout {
            dir: self.root.join("runs").join(format!("seed-{seed}")),
        }
    }
    /// The seeds with a `runs/seed-N` directory, in numeric order.
    pub fn seeds(&self) -> anyhow::Result<Vec<u64>> {
        let runs = self.root.join("runs");
        let entries =
            std::fs::read_dir(&runs).map_err(|e| anyhow::anyhow!("{}: {e}", runs.display()))?;
        let mut seeds = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| anyhow::anyhow!("{}: {e}", runs.display()))?;
            let name = entry.file_name();
            let seed = name
                .to_str()
                .and_then(|n| n.strip_prefix("seed-"))
                .and_then(|n| n.parse::<u64>().ok());
            if let Some(seed) = seed.filter(|_| entry.path().is_dir()) {
                seeds.push(seed);
            }
        }
        seeds.sort_unstable();
        Ok(seeds)
    }
    pub fn counts(&self) -> PathBuf {
        self.root.join("counts")
    }
    pub fn keywords(&self) -> PathBuf {
        self.root.join("keywords")
    }
    pub fn baseline(&self, method: &str) -> PathBuf {
        self.keywords().join(method)
    }
    pub fn evaluation(&self) -> PathBuf {
        self.root.join("evaluation.json")
    }
}

/// Paths of one seed's run.
#[derive(Clone, Debug)]
pub struct SeedLayout {
    dir: PathBuf,
}

impl SeedLayout {
    /// A seed directory used directly (`sacx train --out DIR`).
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }
    /// The seed's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn split(&self) -> PathBuf {
        self.dir.join("split.json")
    }
    pub fn model(&self) -> PathBuf {
        self.dir.join("model")
    }
    pub fn checkpoint(&self) -> PathBuf {
        self.model().join(sacx_model::BEST_DIR)
    }
    pub fn metrics(&self) -> PathBuf {
        self.model().join(sacx_model::METRICS_FILE)
    }
    pub fn explanations(&self) -> PathBuf {
        self.dir.join("explanations")
    }
    pub fn summary(&self) -> PathBuf {
        self.explanations().join("summary.json")
    }
    pub fn timing(&self) -> PathBuf {
        self.dir.join("timing.json")
    }
}
