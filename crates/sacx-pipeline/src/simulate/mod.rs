//! Active learning simulated on a labelled corpus (`sacx simulate-al`): which
//! way of choosing what to label learns fastest?
//!
//! Per seed, the corpus is split by document group (`id`) into a test set
//! ([`SimulateOptions::test_fraction`], stratified) and a pool whose labels are
//! hidden. A seeded random start set of the pool is labelled and a model is
//! trained on it (round 0). Then, for each of [`SimulateOptions::rounds`]
//! rounds and each strategy of [`SimulateOptions::strategies`]:
//! - **sacx**: the strategy's last model scores the unlabelled pool and
//!   [`sacx_select::select`] chooses per class exploit, uncertainty and explore
//!   documents ([`Sizes::select_params`]), by document id as `sacx select`
//!   does (one translation of a document at most, none of a labelled id);
//! - **the field's strategies** (least confidence, prediction entropy,
//!   breaking ties, CVIRS, label cardinality, the committee of
//!   [`SimulateOptions::committee`] seed models; [`sacx_select::peer_scores`]):
//!   the last model scores the pool and the best documents by the strategy's
//!   score are taken, by document id as above;
//! - **random**: drawn uniformly from the unlabelled pool;
//!
//! every strategy but sacx reveals as many documents as sacx chose in that
//! round (or [`SimulateOptions::per_round`] without sacx); their gold labels
//! are revealed, and a new model (same seed, same options) is trained on the
//! grown labelled set and evaluated on the test set. All strategies share
//! round 0, the model options and the test set, so their curves differ only
//! by what they chose.
//!
//! The output directory holds `simulation.json` (every figure, per seed and
//! strategy, and each strategy's area under the macro-F1 curve),
//! `simulation.html` (macro- and micro-F1 against the labelled-set size, mean
//! over seeds with the min–max band, a line per strategy) and, per seed,
//! `seed-S/round-0/` and `seed-S/<strategy>/round-R/` (`active` for sacx,
//! `committee-N` for the committee; and the test rows, `seed-S/test.json`):
//! the labelled rows (`labelled.json`), the model (`sacx train`'s layout), its
//! test metrics and, for sacx's rounds, the selection file. Every file is
//! written atomically and every finished round is skipped on a restart, so a
//! killed simulation resumes, and a strategy added to a finished simulation
//! runs alone.
mod options;
mod peer;
mod results;
mod round;
mod stopping;

pub use options::{SimulateOptions, Sizes};
pub use results::{Point, SeedCurves, SimulationResult};
pub use round::{LABELLED_FILE, LabelledDoc, SELECTED_FILE, TEST_FILE, TEST_METRICS_FILE};
pub use stopping::{
    SIGNALS_FILE, STOP_SET, Signals, StopRule, Stops, changed, decisions, flattened, kappa,
    motif_overlap, stop_round,
};

use crate::observer::{Event, Observer};
use crate::{Error, Result, guard};
use round::{Env, RoundDir, random_rows};
use sacx_data::{Corpus, Split, SplitOptions};
use sacx_select::Strategy;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The simulation's parameter file (the options that define its results).
pub const PARAMS_FILE: &str = "params.json";
/// Every figure of the simulation.
pub const RESULT_FILE: &str = "simulation.json";
/// The learning curves as a self-contained page.
pub const PAGE_FILE: &str = "simulation.html";

/// Random stream of one seed's start set (the random strategy's rounds use
/// [`peer::RANDOM_STREAM`] + round).
const START_STREAM: u64 = 1;
/// Random stream of one seed's stop set.
const STOP_STREAM: u64 = 2;

/// A validated simulation.
///
/// ```no_run
/// use sacx_pipeline::simulate::{Simulate, SimulateOptions};
/// let mut options = SimulateOptions::default(); // the bundled corpus, 3 seeds
/// options.rounds = 3;
/// let result = Simulate::new(options)?.run(&mut sacx_pipeline::Silent)?;
/// println!("{}", result.verdict());
/// # Ok::<(), sacx_pipeline::Error>(())
/// ```
pub struct Simulate {
    options: SimulateOptions,
}

/// One seed's test set, pool and start set.
struct Plan {
    seed: u64,
    test: Vec<usize>,
    pool: Vec<usize>,
    start: Vec<usize>,
    sizes: Sizes,
}

impl Simulate {
    /// Checks every option that does not need the corpus, before any work.
    pub fn new(options: SimulateOptions) -> Result<Self> {
        options.check()?;
        let seeds = options.seed_list()?;
        options.model.architecture()?;
        options.model.tokenizer_options(&options.tokenizer)?;
        options.split.options(seeds[0])?;
        options.train.params(&options.model, seeds[0], None)?;
        Ok(Simulate { options })
    }

    /// The output directory.
    pub fn out(&self) -> &Path {
        &self.options.out
    }

    /// Runs (or resumes) every seed, then writes `simulation.json` and
    /// `simulation.html`.
    pub fn run(&self, observer: &mut dyn Observer) -> Result<SimulationResult> {
        let o = &self.options;
        let corpus = o.corpus.load()?;
        observer.event(Event::Loaded(&corpus.report));
        let plans = o
            .seed_list()?
            .into_iter()
            .map(|seed| self.plan(&corpus, seed))
            .collect::<Result<Vec<_>>>()?;
        let _lock = self.take_directory(&corpus)?;
        if let Some(n) = o.train.threads {
            tch::set_num_threads(n as i32);
        }
        let env = Env {
            corpus: &corpus,
            options: o,
            device: o.train.device()?.resolve()?,
        };
        let mut seeds = Vec::with_capacity(plans.len());
        for plan in &plans {
            seeds.push(self.seed(&env, plan, observer)?);
        }
        let result = SimulationResult::new(&corpus, seeds, o.stop_rule()?);
        crate::run::write_json(&o.out.join(RESULT_FILE), &result)?;
        let page = result.page();
        sacx_data::write_atomic(&o.out.join(PAGE_FILE), page.as_bytes())?;
        observer.event(Event::Note(&result.verdict()));
        observer.event(Event::Note(&result.stopping()));
        Ok(result)
    }

    /// The seed's test set, pool and start set; refuses sizes the pool cannot give.
    fn plan(&self, corpus: &Corpus, seed: u64) -> Result<Plan> {
        let o = &self.options;
        let split = Split::new(
            &corpus.docs,
            &SplitOptions::builder()
                .train_fraction(1.0 - o.test_fraction)
                .seed(seed)
                .stratify(true)
                .build()?,
        );
        if split.valid.is_empty() || split.train.is_empty() {
            return Err(Error::param(
                "test-fraction",
                o.test_fraction,
                format!(
                    "a share that leaves test and pool documents ({} test, {} pool of {} documents)",
                    split.valid.len(),
                    split.train.len(),
                    corpus.docs.len()
                ),
            ));
        }
        let sizes = o.sizes(split.train.len(), corpus.labels.len())?;
        let start = random_rows(&split.train, sizes.start, seed, START_STREAM);
        Ok(Plan {
            seed,
            test: split.valid,
            pool: split.train,
            start,
            sizes,
        })
    }

    /// Checks that the directory may be written, creates it, takes its lock
    /// and checks (or writes) the parameter file.
    fn take_directory(&self, corpus: &Corpus) -> Result<guard::DirLock> {
        let out = &self.options.out;
        guard::check_owned(out, self.options.force)?;
        std::fs::create_dir_all(out)
            .map_err(|e| Error::io(out, "create the output directory", e))?;
        let lock = guard::lock(out, guard::Mode::Exclusive)?;
        guard::remove_stale_temporaries(out)?;
        crate::identity::check_value(&out.join(PARAMS_FILE), self.identity(corpus)?)?;
        Ok(lock)
    }

    /// The options that define the results: all but the seeds, the output
    /// directory and `force`, with the corpus files replaced by a fingerprint
    /// of the loaded documents.
    fn identity(&self, corpus: &Corpus) -> Result<serde_json::Value> {
        // Strategies live in directories of their own: adding one to a
        // finished simulation runs just that one. The stopping rules only
        // read the signals.
        crate::identity::defining(
            &self.options,
            corpus,
            &[
                "seeds",
                "seed_list",
                "out",
                "force",
                "strategies",
                "committee",
                "stop_agreement",
                "stop_keywords",
                "stop_window",
                "flat_gain",
            ],
        )
    }

    /// Every round of one seed, every strategy.
    fn seed(&self, env: &Env<'_>, plan: &Plan, observer: &mut dyn Observer) -> Result<SeedCurves> {
        let dir = self.options.out.join(format!("seed-{}", plan.seed));
        round::save_docs(&dir.join(TEST_FILE), env.corpus, &plan.test)?;
        let first = RoundDir::at(dir.join("round-0"));
        let start = self.labelled(env, &first, plan.start.clone())?;
        let zero = self.round(env, plan, &first, &start, 0, "start", observer)?;
        let mut tracks: Vec<Track> = self
            .options
            .strategy_list()?
            .into_iter()
            .map(|strategy| Track {
                strategy,
                rows: start.clone(),
                dir: RoundDir::at(first.dir().to_path_buf()),
                points: vec![zero.clone()],
            })
            .collect();
        for r in 1..=self.options.rounds {
            // Without `sacx`, every strategy reveals --per-round documents.
            let mut budget = plan.sizes.per_round;
            for track in &mut tracks {
                let name = dir_name(track.strategy, self.options.committee);
                let next = RoundDir::at(round_path(&dir, &name, r));
                let rows = match next.saved_rows(env.corpus)? {
                    Some(rows) => rows,
                    None => {
                        let chosen = self.choose(env, plan, track, &next, r, budget, observer)?;
                        self.labelled(env, &next, union(&track.rows, &chosen))?
                    }
                };
                if track.strategy == Strategy::Sacx {
                    budget = rows.len() - track.rows.len();
                }
                let name = track.strategy.name();
                track
                    .points
                    .push(self.round(env, plan, &next, &rows, r, name, observer)?);
                (track.rows, track.dir) = (rows, next);
            }
        }
        let mut stop = StopSet {
            rows: random_rows(
                &plan.pool,
                STOP_SET.min(plan.pool.len()),
                plan.seed,
                STOP_STREAM,
            ),
            start: None,
        };
        for track in &mut tracks {
            self.signals(env, plan, &dir, track, &mut stop, observer)?;
        }
        let rule = self.options.stop_rule()?;
        Ok(SeedCurves {
            seed: plan.seed,
            test_documents: plan.test.len(),
            pool_documents: plan.pool.len(),
            sizes: plan.sizes,
            stops: tracks
                .iter()
                .map(|t| (t.strategy.name().to_string(), rule.stops(&t.points)))
                .collect(),
            strategies: tracks
                .into_iter()
                .map(|t| (t.strategy.name().to_string(), t.points))
                .collect(),
        })
    }

    /// The stopping signals of each of `track`'s rounds against the round
    /// before (read back when saved): the models' agreement on the `stop`
    /// rows and, for sacx, the overlap of the motifs each model mined.
    fn signals(
        &self,
        env: &Env<'_>,
        plan: &Plan,
        seed_dir: &Path,
        track: &mut Track,
        stop: &mut StopSet,
        observer: &mut dyn Observer,
    ) -> Result<()> {
        let name = dir_name(track.strategy, self.options.committee);
        let mut prev = RoundDir::at(seed_dir.join("round-0"));
        let mut before: Option<Vec<Vec<bool>>> = None;
        for r in 1..track.points.len() {
            let dir = RoundDir::at(round_path(seed_dir, &name, r));
            let signals = match stopping::Signals::read(dir.dir())? {
                Some(saved) => {
                    before = None;
                    saved
                }
                None => {
                    let last = match before.take() {
                        Some(d) => d,
                        None if r == 1 => stop.start(env, &prev)?,
                        None => dir_decisions(env, &prev, &stop.rows)?,
                    };
                    let now = dir_decisions(env, &dir, &stop.rows)?;
                    let keyword_overlap = match track.strategy {
                        Strategy::Sacx => self.keyword_overlap(env, plan, seed_dir, &dir, r)?,
                        _ => None,
                    };
                    let signals = Signals {
                        agreement: kappa(&last, &now),
                        changed: changed(&last, &now),
                        keyword_overlap,
                    };
                    signals.write(dir.dir())?;
                    before = Some(now);
                    signals
                }
            };
            observer.event(Event::Note(&format!(
                "seed {} round {r} {}: stop-set κ {:.4} against round {}, {:.1} % of its documents changed labels{}",
                plan.seed,
                track.strategy.name(),
                signals.agreement,
                r - 1,
                100.0 * signals.changed,
                signals
                    .keyword_overlap
                    .map_or(String::new(), |k| format!(", motif overlap {k:.3}"))
            )));
            track.points[r].signals = Some(signals);
            prev = dir;
        }
        Ok(())
    }

    /// The overlap of the motifs sacx's selection mined with round `r − 1`'s
    /// model (in round `r`'s selection) and with round `r`'s (in round
    /// `r + 1`'s, made here for the last round: the batch a user would label next).
    fn keyword_overlap(
        &self,
        env: &Env<'_>,
        plan: &Plan,
        seed_dir: &Path,
        round: &RoundDir,
        r: usize,
    ) -> Result<Option<f64>> {
        let summary = |d: &RoundDir| sacx_select::summary_path(&d.dir().join(SELECTED_FILE));
        let next = RoundDir::at(round_path(seed_dir, &dir_name(Strategy::Sacx, 0), r + 1));
        if !summary(&next).is_file() {
            let rows = round.saved_rows(env.corpus)?.unwrap_or_default();
            let params = plan
                .sizes
                .select_params(plan.seed.wrapping_add(r as u64 + 1))?;
            round.select_next(env, &next, &unlabelled(plan, &rows), &rows, &params)?;
        }
        let before = sacx_select::Summary::read(&summary(round))?;
        let after = sacx_select::Summary::read(&summary(&next))?;
        Ok(motif_overlap(&before, &after))
    }

    /// The documents `track`'s strategy reveals after its last round.
    #[allow(clippy::too_many_arguments)]
    fn choose(
        &self,
        env: &Env<'_>,
        plan: &Plan,
        track: &Track,
        next: &RoundDir,
        r: usize,
        budget: usize,
        observer: &mut dyn Observer,
    ) -> Result<Vec<usize>> {
        let unlabelled = unlabelled(plan, &track.rows);
        if track.strategy == Strategy::Sacx {
            let params = plan.sizes.select_params(plan.seed.wrapping_add(r as u64))?;
            return track
                .dir
                .select_next(env, next, &unlabelled, &track.rows, &params);
        }
        let job = peer::PeerJob {
            env,
            strategy: track.strategy,
            from: &track.dir,
            unlabelled: &unlabelled,
            labelled: &track.rows,
            budget,
            seed: plan.seed,
            round: r,
        };
        peer::choose(&job, observer)
    }

    /// Saves `rows` as the round's labelled set (unless saved) and returns them.
    fn labelled(&self, env: &Env<'_>, round: &RoundDir, rows: Vec<usize>) -> Result<Vec<usize>> {
        if let Some(saved) = round.saved_rows(env.corpus)? {
            return Ok(saved);
        }
        round.save_rows(env.corpus, &rows)?;
        Ok(rows)
    }

    /// Trains (unless trained) and evaluates one round.
    #[allow(clippy::too_many_arguments)]
    fn round(
        &self,
        env: &Env<'_>,
        plan: &Plan,
        round: &RoundDir,
        rows: &[usize],
        r: usize,
        strategy: &str,
        observer: &mut dyn Observer,
    ) -> Result<Point> {
        round.train(env, rows, plan.seed, observer)?;
        let m = round.test_metrics(env, &plan.test)?;
        let point = Point {
            round: r,
            labelled: rows.len(),
            macro_f1: m.overall.macro_f1,
            micro_f1: m.overall.micro_f1,
            signals: None,
        };
        observer.event(Event::Note(&format!(
            "seed {} round {r} {strategy}: {} labelled, test macro-F1 {:.4}, micro-F1 {:.4} ({})",
            plan.seed,
            point.labelled,
            point.macro_f1,
            point.micro_f1,
            round.dir().display()
        )));
        Ok(point)
    }
}

/// One strategy's progress through a seed's rounds.
struct Track {
    strategy: Strategy,
    /// The labelled rows after the last round.
    rows: Vec<usize>,
    /// The last round's directory (its model chooses the next documents).
    dir: RoundDir,
    points: Vec<Point>,
}

/// A strategy's directory under the seed's: `active` for sacx's mix (the
/// name of the simulations before peer strategies), `committee-N` for a
/// committee of N models, else its name.
fn dir_name(strategy: Strategy, committee: usize) -> String {
    match strategy {
        Strategy::Sacx => "active".into(),
        Strategy::Committee => format!("committee-{committee}"),
        other => other.name().into(),
    }
}

fn round_path(seed_dir: &Path, strategy: &str, r: usize) -> PathBuf {
    seed_dir.join(strategy).join(format!("round-{r}"))
}

/// The pool rows not in `labelled`, ascending.
fn unlabelled(plan: &Plan, labelled: &[usize]) -> Vec<usize> {
    let known: BTreeSet<usize> = labelled.iter().copied().collect();
    plan.pool
        .iter()
        .copied()
        .filter(|r| !known.contains(r))
        .collect()
}

/// A seed's stop set, with round 0's decisions on it (shared by every
/// strategy) once computed.
struct StopSet {
    rows: Vec<usize>,
    start: Option<Vec<Vec<bool>>>,
}

impl StopSet {
    /// Round 0's decisions (`round` is the seed's round 0), computed once.
    fn start(&mut self, env: &Env<'_>, round: &RoundDir) -> Result<Vec<Vec<bool>>> {
        if self.start.is_none() {
            self.start = Some(dir_decisions(env, round, &self.rows)?);
        }
        Ok(self.start.clone().unwrap_or_default())
    }
}

/// The decisions of `round`'s model on the documents at `rows`, at its threshold.
fn dir_decisions(env: &Env<'_>, round: &RoundDir, rows: &[usize]) -> Result<Vec<Vec<bool>>> {
    let member = round.model(env.device)?;
    let probs = round.scores(env, &member, rows)?;
    Ok(decisions(
        &probs,
        crate::predict::threshold(std::slice::from_ref(&member)),
    ))
}

/// `a ∪ b`, ascending, each row once.
fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let set: BTreeSet<usize> = a.iter().chain(b).copied().collect();
    set.into_iter().collect()
}
