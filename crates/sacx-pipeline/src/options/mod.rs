//! The options of a run, grouped by stage: plain data with the command line's
//! names and defaults. [`RunBuilder::build`](crate::RunBuilder::build) turns
//! them into every stage's validated library parameters (linfa's pattern:
//! parameters, then `check`, then valid parameters), so that a bad option fails
//! before any work.
//!
//! With the `clap` feature every group derives `clap::Args`: the `sacx` binary
//! parses its command line straight into these structs, and the defaults shown
//! by `--help` are the [`Default`] values below.
pub mod corpus;
pub mod ig;
pub mod keywords;
pub mod map;
pub mod model;
pub mod seeds;

pub use corpus::CorpusArgs;
pub use ig::IgArgs;
pub use keywords::{EvalArgs, KeywordArgs};
pub use map::MapOptions;
pub use model::{ModelArgs, SplitArgs, TokenizerArgs, TrainArgs};
pub use seeds::{AutoSeedArgs, SeedCount};

use sacx_aggregate::Method;
use serde::Serialize;
use std::path::PathBuf;

/// Every option of a run (`sacx run`, and the jobs `sacx slurm` writes).
///
/// ```
/// let mut options = sacx_pipeline::RunOptions::default();
/// options.seeds = 3.into();
/// options.train.epochs = 2;
/// assert_eq!(options.seed_list()?, vec![1, 2, 3]);
/// # Ok::<(), sacx_pipeline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct RunOptions {
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub corpus: CorpusArgs,
    /// Train and explain with seeds 1..=N; `auto`: seeds one by one until
    /// the keyword lists are stable (--stability, --min-seeds, --max-seeds).
    #[cfg_attr(feature = "clap", arg(long, value_name = "N|auto", default_value_t = RunOptions::default().seeds, conflicts_with = "seed_list"))]
    pub seeds: SeedCount,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub auto_seeds: AutoSeedArgs,
    /// Exactly these seeds instead (`1,2,7`).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_delimiter = ',', value_name = "SEED,...")
    )]
    pub seed_list: Vec<u64>,
    /// Output directory (see docs/usage.md for its layout).
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR", default_value_os_t = RunOptions::default().out))]
    pub out: PathBuf,
    /// Keyword baselines computed and evaluated beside IG.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', default_values_t = RunOptions::default().baselines))]
    pub baselines: Vec<Method>,
    /// Only train and explain the seeds, then stop (a Slurm array task).
    #[cfg_attr(feature = "clap", arg(long))]
    pub seeds_only: bool,
    /// Write into --out even when it is a non-empty directory that holds no sacx run.
    #[cfg_attr(feature = "clap", arg(long))]
    pub force: bool,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub split: SplitArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub tokenizer: TokenizerArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub model: ModelArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub train: TrainArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub ig: IgArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub keywords: KeywordArgs,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub eval: EvalArgs,
    /// Also build the topic map of the corpus from the run's classifiers
    /// into <out>/map (map.html), and show it in the report.
    #[cfg_attr(feature = "clap", arg(long))]
    pub map: bool,
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub map_options: MapOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            corpus: CorpusArgs::default(),
            seeds: SeedCount::Count(10),
            auto_seeds: AutoSeedArgs::default(),
            seed_list: Vec::new(),
            out: PathBuf::from("sacx-out"),
            baselines: vec![Method::LogOdds, Method::Chi2, Method::Ctfidf],
            seeds_only: false,
            force: false,
            split: SplitArgs::default(),
            tokenizer: TokenizerArgs::default(),
            model: ModelArgs::default(),
            train: TrainArgs::default(),
            ig: IgArgs::default(),
            keywords: KeywordArgs::default(),
            eval: EvalArgs::default(),
            map: false,
            map_options: MapOptions::default(),
        }
    }
}

impl RunOptions {
    /// Whether this run chooses its seeds as it goes (`--seeds auto`, not a
    /// seeds-only task).
    pub fn chooses_seeds(&self) -> bool {
        self.seeds.is_auto() && self.seed_list.is_empty() && !self.seeds_only
    }

    /// The seeds to run, in order, without duplicates (with `--seeds auto`,
    /// every seed it may run: 1..=`--max-seeds`; a `--seed-list` given with
    /// it, by a Slurm array task, wins).
    pub fn seed_list(&self) -> crate::Result<Vec<u64>> {
        match self.seeds {
            SeedCount::Auto if self.seed_list.is_empty() => {
                self.auto_seeds.check()?;
                seed_list(self.auto_seeds.max_seeds, &[])
            }
            SeedCount::Auto => seed_list(1, &self.seed_list),
            SeedCount::Count(n) => seed_list(n, &self.seed_list),
        }
    }
}

/// The seeds of `--seeds N` (1..=N) or of `--seed-list` when given, in
/// order, without duplicates.
pub(crate) fn seed_list(seeds: u64, list: &[u64]) -> crate::Result<Vec<u64>> {
    let mut seeds = if list.is_empty() {
        if seeds == 0 {
            return Err(crate::Error::param("seeds", 0, "at least 1"));
        }
        (1..=seeds).collect()
    } else {
        list.to_vec()
    };
    seeds.sort_unstable();
    seeds.dedup();
    Ok(seeds)
}
