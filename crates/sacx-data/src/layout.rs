//! The run directory of `sacx run`: the one definition of its paths.
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
//!
//! The pipeline writes through it, the report and the keyword commands read
//! through it; nothing else spells these names. It needs no libtorch.
//!
//! ```
//! use sacx_data::layout::RunLayout;
//! let dir = tempfile::tempdir()?;
//! let run = RunLayout::new(dir.path());
//! for seed in [10, 2, 1] {
//!     std::fs::create_dir_all(run.seed(seed).dir())?;
//! }
//! assert_eq!(run.seeds()?, vec![1, 2, 10]); // numeric order, not text order
//! assert!(run.seed(2).checkpoint().ends_with("runs/seed-2/model/best"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Name of a training run's best checkpoint directory (inside `model/`).
pub const BEST_DIR: &str = "best";
/// Name of a training run's last-epoch checkpoint directory (inside `model/`).
pub const LAST_DIR: &str = "last";
/// Name of a training run's metrics file (inside `model/`).
pub const METRICS_FILE: &str = "metrics.json";
/// Name of an explanation directory's summary file.
pub const SUMMARY_FILE: &str = "summary.json";
/// Name of the report file inside a run directory.
pub const REPORT_HTML: &str = "report.html";
/// Name of the evaluation file inside a run directory.
pub const EVALUATION_JSON: &str = "evaluation.json";

/// Paths inside a run directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLayout {
    root: PathBuf,
}

impl RunLayout {
    /// The layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    /// The run directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `params.json`: the options that define the run's results.
    pub fn params(&self) -> PathBuf {
        self.root.join("params.json")
    }
    /// `run.json`: parameters, versions, device and seconds per stage.
    pub fn run_json(&self) -> PathBuf {
        self.root.join("run.json")
    }
    /// `runs/`: one directory per seed.
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }
    /// The directory of seed `seed`: `runs/seed-<seed>`.
    pub fn seed(&self, seed: u64) -> SeedLayout {
        SeedLayout {
            dir: self.runs().join(format!("seed-{seed}")),
        }
    }
    /// The seeds with a `runs/seed-N` directory, in numeric order (seed 10
    /// after seed 2); none when `runs/` does not exist.
    pub fn seeds(&self) -> Result<Vec<u64>> {
        let runs = self.runs();
        let entries = match std::fs::read_dir(&runs) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&runs, e)),
        };
        let mut seeds = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&runs, e))?;
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
    /// `counts/`: the class word counts.
    pub fn counts(&self) -> PathBuf {
        self.root.join("counts")
    }
    /// `keywords/`: the IG keyword lists.
    pub fn keywords(&self) -> PathBuf {
        self.root.join("keywords")
    }
    /// `keywords/<method>/`: a baseline's keyword lists.
    pub fn baseline(&self, method: &str) -> PathBuf {
        self.keywords().join(method)
    }
    /// `evaluation.json`: one evaluation per keyword method.
    pub fn evaluation(&self) -> PathBuf {
        self.root.join(EVALUATION_JSON)
    }
    /// `seeds-auto.json`: how `--seeds auto` chose the seeds
    /// ([`crate::seeds_auto::AutoSeeds`]).
    pub fn seeds_auto(&self) -> PathBuf {
        self.root.join("seeds-auto.json")
    }
    /// `report.html`.
    pub fn report(&self) -> PathBuf {
        self.root.join(REPORT_HTML)
    }
    /// `stages/<stage>.json`: the stamp of a finished corpus-wide stage
    /// ([`crate::stamp::StageStamp`]).
    pub fn stamp(&self, stage: &str) -> PathBuf {
        self.root.join("stages").join(format!("{stage}.json"))
    }
    /// `map/`: the topic map of `sacx run --map`.
    pub fn map(&self) -> PathBuf {
        self.root.join("map")
    }
}

/// Paths of one seed's run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedLayout {
    dir: PathBuf,
}

impl SeedLayout {
    /// A seed directory used directly (`sacx train --out DIR`).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
    /// The seed's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// `split.json`: what the seed trained and explained on.
    pub fn split(&self) -> PathBuf {
        self.dir.join("split.json")
    }
    /// `model/`: the training run.
    pub fn model(&self) -> PathBuf {
        self.dir.join("model")
    }
    /// `model/best/`: the best checkpoint.
    pub fn checkpoint(&self) -> PathBuf {
        self.model().join(BEST_DIR)
    }
    /// `model/metrics.json`.
    pub fn metrics(&self) -> PathBuf {
        self.model().join(METRICS_FILE)
    }
    /// `explanations/`: the shards and their summary.
    pub fn explanations(&self) -> PathBuf {
        self.dir.join("explanations")
    }
    /// `explanations/summary.json`.
    pub fn summary(&self) -> PathBuf {
        self.explanations().join(SUMMARY_FILE)
    }
    /// `timing.json`: seconds of the seed's stages.
    pub fn timing(&self) -> PathBuf {
        self.dir.join("timing.json")
    }
}

/// The directory of `sacx slurm select`: a pool split into files, scored file
/// by file by a Slurm array job, then one selection over all of it.
///
/// ```text
/// DIR/slurm/predict.sbatch         the array job: task N runs sacx predict on pool file N
/// DIR/slurm/select.sbatch          the selection job (after the array job succeeded)
/// DIR/slurm/submit.sh              the two sbatch commands
/// DIR/slurm/jobs.txt               the job ids, once submitted
/// DIR/slurm/logs/                  predict-N.out, select.out
/// DIR/predictions/NNNNN/           sacx predict's output for pool file N (from 0)
/// DIR/to-label.jsonl               the selection, and to-label.summary.json beside it
/// ```
///
/// ```
/// use sacx_data::layout::PoolLayout;
/// let dir = tempfile::tempdir()?;
/// let pool = PoolLayout::new(dir.path());
/// assert!(pool.predictions(3).ends_with("predictions/00003"));
/// assert!(!pool.is_written()); // sacx slurm select has not written it
/// std::fs::create_dir_all(pool.slurm())?;
/// std::fs::write(pool.predict_script(), "#!/bin/bash\n")?;
/// assert!(pool.is_written());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolLayout {
    root: PathBuf,
}

impl PoolLayout {
    /// The layout rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `slurm/`: the job scripts, job ids and logs.
    pub fn slurm(&self) -> PathBuf {
        self.root.join("slurm")
    }
    /// `slurm/logs/`.
    pub fn logs(&self) -> PathBuf {
        self.slurm().join("logs")
    }
    /// `slurm/predict.sbatch`: the array job.
    pub fn predict_script(&self) -> PathBuf {
        self.slurm().join("predict.sbatch")
    }
    /// `slurm/select.sbatch`: the selection job.
    pub fn select_script(&self) -> PathBuf {
        self.slurm().join("select.sbatch")
    }
    /// `slurm/submit.sh`: submits both jobs.
    pub fn submit_script(&self) -> PathBuf {
        self.slurm().join("submit.sh")
    }
    /// `slurm/jobs.txt`: the submitted jobs' ids.
    pub fn jobs(&self) -> PathBuf {
        self.slurm().join("jobs.txt")
    }
    /// `predictions/`.
    pub fn predictions_root(&self) -> PathBuf {
        self.root.join("predictions")
    }
    /// `predictions/NNNNN`: the predictions of pool file `index` (from 0).
    pub fn predictions(&self, index: usize) -> PathBuf {
        self.predictions_root().join(format!("{index:05}"))
    }
    /// `to-label.jsonl`: the selection.
    pub fn selection(&self) -> PathBuf {
        self.root.join("to-label.jsonl")
    }
    /// Whether `sacx slurm select` wrote this directory (its array job script is there).
    pub fn is_written(&self) -> bool {
        self.predict_script().is_file()
    }
}
