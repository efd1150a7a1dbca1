//! The options of an active-learning simulation (`sacx simulate-al`) and the
//! sizes that follow from them and the corpus.
use super::stopping::StopRule;
use crate::options::{CorpusArgs, ModelArgs, SplitArgs, TokenizerArgs, TrainArgs};
use crate::{Error, Result};
use sacx_select::{SelectParams, Strategy};
use serde::Serialize;
use std::path::PathBuf;

/// Every option of a simulation: the corpus, the repetitions, the sizes of the
/// labelled sets and how each round's model is trained.
///
/// ```
/// let mut o = sacx_pipeline::simulate::SimulateOptions::default();
/// o.seeds = 2;
/// assert_eq!(o.seed_list()?, vec![1, 2]);
/// // 35 classes, a pool of 7,600 documents: 10 % of the pool is labelled at
/// // the start, 5 % more is asked for in each round.
/// let sizes = o.sizes(7600, 35)?;
/// assert_eq!((sizes.start, sizes.per_round, sizes.per_class), (760, 380, 10));
/// # Ok::<(), sacx_pipeline::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct SimulateOptions {
    #[cfg_attr(feature = "clap", command(flatten))]
    #[allow(missing_docs)]
    pub corpus: CorpusArgs,
    /// Repeat the simulation with seeds 1..=N: each seed draws its own test
    /// set, start set, models and random selections.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().seeds, conflicts_with = "seed_list"))]
    pub seeds: u64,
    /// Exactly these seeds instead (`1,2,7`).
    #[cfg_attr(
        feature = "clap",
        arg(long, value_delimiter = ',', value_name = "SEED,...")
    )]
    pub seed_list: Vec<u64>,
    /// Output directory: simulation.json, simulation.html and one directory
    /// per seed, strategy and round. A killed simulation resumes here.
    #[cfg_attr(feature = "clap", arg(long, value_name = "DIR", default_value_os_t = SimulateOptions::default().out))]
    pub out: PathBuf,
    /// Write into --out even when it is a non-empty directory that holds no sacx run.
    #[cfg_attr(feature = "clap", arg(long))]
    pub force: bool,
    /// Rounds of select → reveal the gold labels → retrain after the start.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().rounds))]
    pub rounds: usize,
    /// Documents labelled at the start, drawn at random from the pool
    /// [default: 10 % of the pool, at least 5 per class, at most half the pool].
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub start: Option<usize>,
    /// Documents asked for per round [default: half of --start]. Active selection
    /// asks `max(1, N / classes)` documents per class (a third exploit, a third
    /// uncertainty, the rest explore); random selection reveals as many as
    /// active selection did.
    #[cfg_attr(feature = "clap", arg(long, value_name = "N"))]
    pub per_round: Option<usize>,
    /// Selection strategies compared, each from the same start set and with
    /// the same model options: `sacx` (sacx select's mix), `random`,
    /// `least-confidence`, `prediction-entropy`, `breaking-ties`, `cvirs`,
    /// `label-cardinality`, `committee`. Every strategy reveals, in
    /// each round, as many documents as `sacx` did (or --per-round without
    /// `sacx`).
    #[cfg_attr(
        feature = "clap",
        arg(
            long,
            value_delimiter = ',',
            value_name = "STRATEGY,...",
            default_value = "sacx,random"
        )
    )]
    pub strategies: Vec<String>,
    /// Models of the committee strategy: the round's model and N − 1 more
    /// trained on the same labelled documents with other seeds, 2..=10.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().committee))]
    pub committee: usize,
    /// Stopping by prediction agreement: stop once Cohen's κ between a
    /// round's and the last round's decisions on the stop set (1,000 pool
    /// documents) is at least this for --stop-window rounds running
    /// (Bloodgood & Vijay-Shanker's 0.99). Reported, never acted on.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().stop_agreement))]
    pub stop_agreement: f64,
    /// Stopping by keyword overlap (`sacx` only): stop once the motifs mined
    /// per class with a round's model and the last one's overlap (Jaccard,
    /// mean over classes) by at least this for --stop-window rounds running.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().stop_keywords))]
    pub stop_keywords: f64,
    /// Rounds running a stopping signal must hold, 1..=100.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().stop_window))]
    pub stop_window: usize,
    /// The test curve is flat from the first round that no later round beats
    /// by more than this macro-F1 (where a stop would have lost nothing).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().flat_gain))]
    pub flat_gain: f64,
    /// Share of the document groups (by `id`, so translations stay together)
    /// held out as the test set; the rest is the pool whose labels are hidden.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = SimulateOptions::default().test_fraction))]
    pub test_fraction: f64,
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
}

impl Default for SimulateOptions {
    fn default() -> Self {
        SimulateOptions {
            corpus: CorpusArgs::default(),
            seeds: 3,
            seed_list: Vec::new(),
            out: PathBuf::from("sacx-al"),
            force: false,
            rounds: 5,
            start: None,
            per_round: None,
            strategies: vec!["sacx".into(), "random".into()],
            committee: 3,
            stop_agreement: 0.99,
            stop_keywords: 0.9,
            stop_window: 1,
            flat_gain: 0.01,
            test_fraction: 0.2,
            split: SplitArgs::default(),
            tokenizer: TokenizerArgs::default(),
            model: ModelArgs::default(),
            train: TrainArgs::default(),
        }
    }
}

/// The labelled-set sizes of a simulation on a given pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sizes {
    /// Documents labelled at the start.
    pub start: usize,
    /// Documents asked for per round.
    pub per_round: usize,
    /// Documents asked for per class and round by active selection.
    pub per_class: usize,
}

impl SimulateOptions {
    /// The seeds, in order, without duplicates.
    pub fn seed_list(&self) -> Result<Vec<u64>> {
        crate::options::seed_list(self.seeds, &self.seed_list)
    }

    /// Checks the options that do not depend on the corpus.
    pub fn check(&self) -> Result<()> {
        self.seed_list()?;
        if self.rounds == 0 || self.rounds > 100 {
            return Err(Error::param("rounds", self.rounds, "1..=100"));
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(Error::param(
                "test-fraction",
                self.test_fraction,
                "strictly between 0 and 1",
            ));
        }
        if self.start == Some(0) {
            return Err(Error::param("start", 0, "at least 1"));
        }
        if self.per_round == Some(0) {
            return Err(Error::param("per-round", 0, "at least 1"));
        }
        self.strategy_list()?;
        if !(2..=10).contains(&self.committee) {
            return Err(Error::param("committee", self.committee, "2..=10"));
        }
        self.stop_rule()?;
        Ok(())
    }

    /// The stopping rules, checked.
    pub fn stop_rule(&self) -> Result<StopRule> {
        if !(self.stop_agreement > -1.0 && self.stop_agreement <= 1.0) {
            return Err(Error::param(
                "stop-agreement",
                self.stop_agreement,
                "a κ in (-1, 1]",
            ));
        }
        if !(self.stop_keywords > 0.0 && self.stop_keywords <= 1.0) {
            return Err(Error::param(
                "stop-keywords",
                self.stop_keywords,
                "an overlap in (0, 1]",
            ));
        }
        if !(1..=100).contains(&self.stop_window) {
            return Err(Error::param("stop-window", self.stop_window, "1..=100"));
        }
        if !(self.flat_gain >= 0.0 && self.flat_gain < 1.0) {
            return Err(Error::param(
                "flat-gain",
                self.flat_gain,
                "a macro-F1 gain in [0, 1)",
            ));
        }
        Ok(StopRule {
            agreement: self.stop_agreement,
            keyword_overlap: self.stop_keywords,
            window: self.stop_window,
            flat_gain: self.flat_gain,
        })
    }

    /// The strategies, each once, `sacx` first (the others reveal as many
    /// documents as it did); refuses an unknown name, naming the choices.
    pub fn strategy_list(&self) -> Result<Vec<Strategy>> {
        let mut list = self
            .strategies
            .iter()
            .map(|name| {
                name.parse::<Strategy>().map_err(|_| {
                    let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
                    Error::param("strategies", name, format!("one of {}", names.join(", ")))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if list.is_empty() {
            return Err(Error::param(
                "strategies",
                "(none)",
                "at least one strategy",
            ));
        }
        list.sort();
        list.dedup();
        Ok(list)
    }

    /// The sizes on a pool of `pool` documents with `classes` classes; refuses
    /// a simulation whose last round would need more documents than the pool has.
    pub fn sizes(&self, pool: usize, classes: usize) -> Result<Sizes> {
        let start = self
            .start
            .unwrap_or_else(|| (pool / 10).max(5 * classes).min(pool / 2))
            .max(1);
        let per_round = self.per_round.unwrap_or(start / 2).max(1);
        let needed = start.saturating_add(per_round.saturating_mul(self.rounds));
        if needed > pool {
            return Err(Error::Conflict {
                option: "start",
                reason: format!(
                    "{start} documents at the start and {per_round} in each of {} rounds need {needed}, but the pool has {pool} (the corpus less its test documents); lower --start, --per-round or --rounds",
                    self.rounds
                ),
            });
        }
        Ok(Sizes {
            start,
            per_round,
            per_class: (per_round / classes.max(1)).max(1),
        })
    }
}

impl Sizes {
    /// Active selection's parameters for one round: per class a third of
    /// [`Sizes::per_class`] exploit (rounded up), half the rest uncertainty
    /// (rounded up), the rest explore; no IG keywords (one model per round has
    /// no stable keywords).
    pub fn select_params(&self, seed: u64) -> Result<SelectParams> {
        let b = self.per_class;
        let exploit = b.div_ceil(3);
        let uncertain = (b - exploit).div_ceil(2);
        let explore = b - exploit - uncertain;
        Ok(SelectParams::builder()
            .exploit(exploit)
            .uncertain(uncertain)
            .explore(explore)
            .keyword_motifs(0)
            .seed(seed)
            .build()?)
    }
}
