//! Reading a run directory: every input of the report, each optional.
//!
//! A missing file leaves its part of the report empty (the page says so); a file
//! that exists but cannot be read or parsed is an error naming the file.

use std::path::{Path, PathBuf};

use crate::{Error, Result};
use sacx_aggregate::{Evaluation, KEYWORDS_JSON, Keywords, Method};
use sacx_data::explanation::{ShardReader, Summary};
use sacx_data::layout::RunLayout;
use sacx_data::metrics::Metrics;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One seed's run: `runs/seed-<N>/`.
pub struct SeedRun {
    /// The seed N.
    pub seed: u64,
    /// `model/metrics.json`, when present.
    pub metrics: Option<Metrics>,
    /// `explanations/summary.json`, when present.
    pub summary: Option<Summary>,
    /// `explanations/shard-*.bin`, in order.
    pub shards: Vec<PathBuf>,
    /// `split.json` (free-form: the split's sizes), when present.
    pub split: Option<Value>,
}

/// Everything the report shows, read from one run directory.
pub struct RunData {
    /// The run directory.
    pub dir: PathBuf,
    /// `run.json` (free-form), when present.
    pub run: Option<Value>,
    /// Seed runs, ascending by seed.
    pub seeds: Vec<SeedRun>,
    /// `keywords/keywords.json`, when present.
    pub keywords: Option<Keywords>,
    /// Baseline keyword lists found as `keywords/<dir>/keywords.json`, by method.
    pub baselines: Vec<Keywords>,
    /// `evaluation.json`: one evaluation per method (IG first, then the baselines).
    pub evaluations: Vec<Evaluation>,
}

impl RunData {
    /// Reads every input of `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::NotARunDirectory {
                path: dir.to_path_buf(),
            });
        }
        let layout = RunLayout::new(dir);
        let run = sacx_data::run_record::RunRecord::<Value>::read(&layout.run_json())?
            .map(|r| serde_json::to_value(r).unwrap_or_default());
        let seeds = load_seeds(&layout)?;
        let kw_dir = layout.keywords();
        let kw_path = kw_dir.join(KEYWORDS_JSON);
        let keywords = if kw_path.is_file() {
            Some(Keywords::read(&kw_path)?)
        } else {
            None
        };
        let baselines = load_baselines(&kw_dir)?;
        let evaluation = layout.evaluation();
        let evaluations = sacx_aggregate::read_evaluations(&evaluation)?.unwrap_or_default();
        Ok(Self {
            dir: dir.to_path_buf(),
            run,
            seeds,
            keywords,
            baselines,
            evaluations,
        })
    }

    /// The class names, in label order: from the keywords, else from the first
    /// explanation shard, else from the first seed's metrics.
    pub fn labels(&self) -> Result<Vec<String>> {
        if let Some(k) = &self.keywords {
            return Ok(k.classes.iter().map(|c| c.class.clone()).collect());
        }
        if let Some(shard) = self.seeds.iter().find_map(|s| s.shards.first()) {
            return Ok(ShardReader::open(shard)?.header().labels.clone());
        }
        Ok(self
            .seeds
            .iter()
            .find_map(|s| s.metrics.as_ref())
            .map(|m| {
                m.overall
                    .per_class
                    .iter()
                    .map(|c| c.label.clone())
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// Reads and parses a JSON file; `None` when it does not exist.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| Error::Json {
            path: path.to_path_buf(),
            what: if source.is_syntax() || source.is_eof() {
                "not valid JSON"
            } else {
                "not in the format this sacx reads"
            },
            source,
        })
}

fn load_seeds(layout: &RunLayout) -> Result<Vec<SeedRun>> {
    let mut seeds = Vec::new();
    for seed in layout.seeds()? {
        let dirs = layout.seed(seed);
        let explanations = dirs.explanations();
        let shards = if explanations.is_dir() {
            sacx_data::explanation::list_shards(&explanations)?
        } else {
            Vec::new()
        };
        seeds.push(SeedRun {
            seed,
            metrics: read_json(&dirs.metrics())?,
            summary: read_json(&dirs.summary())?,
            shards,
            split: read_json(&dirs.split())?,
        });
    }
    Ok(seeds)
}

/// Keyword lists of other methods kept in sub-directories of `keywords/`.
fn load_baselines(kw_dir: &Path) -> Result<Vec<Keywords>> {
    let Ok(entries) = std::fs::read_dir(kw_dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path().join(KEYWORDS_JSON)))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let k = Keywords::read(&p)?;
        if k.method != Method::Ig {
            out.push(k);
        }
    }
    out.sort_by_key(|k| k.method);
    Ok(out)
}
