//! The whole pipeline over N seeds, resumable.
//!
//! For each seed: split, train, explain the validation documents; then count
//! class words over the whole corpus, rank keywords (IG and the classical
//! baselines), evaluate, measure faithfulness, and write the report. Every
//! stage whose output is complete is skipped, so a killed run started again
//! finishes with the same result as an uninterrupted one.
use crate::identity;
use crate::observer::{Event, Observer};
use crate::options::{RunOptions, SeedCount};
use crate::plan::RunPlan;
use crate::seed::{self, SeedJob};
use crate::{Error, Result, guard, memory, stages};
use sacx_data::layout::RunLayout;
use sacx_data::run_record::{RUN_RECORD_FORMAT, RunRecord, StageTime};
use sacx_data::stamp::{StageInputs, StageStamp};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A validated pipeline run: every stage's parameters have been built from the
/// options, so [`Run::run`] starts no work that a bad option would stop later.
///
/// Two seeds on 200 documents of the bundled corpus, with a small model:
///
/// ```
/// use sacx_data::{Corpus, LoadOptions};
/// use sacx_pipeline::{Run, RunOptions, Silent, bundled};
///
/// let dir = tempfile::tempdir()?;
/// let all = Corpus::from_reader(bundled::NAME, bundled::BYTES, &LoadOptions::default())?;
/// let lines: Vec<String> = all.docs.iter().take(200).map(|d| {
///     let labels: Vec<&str> = d.labels.iter().filter_map(|&l| all.labels.name(l)).collect();
///     serde_json::json!({ "id": d.id, "lang": d.lang, "text": d.text, "labels": labels })
///         .to_string()
/// }).collect();
/// let corpus = dir.path().join("corpus.jsonl");
/// std::fs::write(&corpus, lines.join("\n"))?;
///
/// let mut options = RunOptions::default();
/// options.train.epochs = 1;
/// options.model.embedding_dim = Some(16);
/// options.model.filters = Some(16);
/// options.model.hidden = Some(32);
/// options.ig.ig_steps = 8;
/// let run = Run::builder()
///     .options(options)
///     .corpus([corpus])
///     .seed_list([1, 2])
///     .out(dir.path().join("run"))
///     .build()?;
/// let summary = run.run(&mut Silent)?;
/// assert_eq!(summary.seeds, [1, 2]);
/// assert!(summary.report.is_some_and(|r| r.is_file()));
/// assert!(run.layout().keywords().join("keywords.json").is_file());
///
/// // A bad option fails in `build`, before anything is written.
/// let bad = Run::builder().seeds(0).build();
/// assert!(bad.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `examples/pipeline.rs` at the workspace root does the same with an
/// observer that prints the run's notes.
#[derive(Debug, Clone)]
pub struct Run {
    pub(crate) plan: RunPlan,
}

/// Builds a [`Run`] from [`RunOptions`]; [`RunBuilder::build`] validates.
#[derive(Debug, Clone, Default)]
pub struct RunBuilder {
    options: RunOptions,
}

/// What a finished run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The run directory.
    pub out: PathBuf,
    /// The seeds trained and explained, in order.
    pub seeds: Vec<u64>,
    /// `report.html`; `None` for a seeds-only run.
    pub report: Option<PathBuf>,
    /// Wall time of the whole run.
    pub seconds: f64,
}

impl RunBuilder {
    /// Replaces every option.
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }
    /// Corpus files (default: the bundled corpus).
    pub fn corpus<I, P>(mut self, files: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        self.options.corpus.corpus = files.into_iter().map(Into::into).collect();
        self
    }
    /// Seeds 1..=n (default 10).
    pub fn seeds(mut self, n: u64) -> Self {
        self.options.seeds = SeedCount::Count(n);
        self.options.seed_list.clear();
        self
    }
    /// Exactly these seeds.
    pub fn seed_list(mut self, seeds: impl IntoIterator<Item = u64>) -> Self {
        self.options.seed_list = seeds.into_iter().collect();
        self
    }
    /// The run directory (default `sacx-out`).
    pub fn out(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.out = dir.into();
        self
    }
    /// Only train and explain the seeds (a Slurm array task).
    pub fn seeds_only(mut self, on: bool) -> Self {
        self.options.seeds_only = on;
        self
    }
    /// Write into a non-empty directory that holds no sacx run.
    pub fn force(mut self, on: bool) -> Self {
        self.options.force = on;
        self
    }
    /// Builds every stage's validated parameters ([`RunOptions::check`]), so
    /// that a bad option fails before any work (and before `params.json` is
    /// written).
    pub fn build(self) -> Result<Run> {
        Ok(Run {
            plan: self.options.check()?,
        })
    }
}

impl Run {
    /// A builder starting from the default options.
    pub fn builder() -> RunBuilder {
        RunBuilder::default()
    }
    /// The options the run was built from.
    pub fn options(&self) -> &RunOptions {
        &self.plan.options
    }
    /// The checked plan.
    pub fn plan(&self) -> &RunPlan {
        &self.plan
    }
    /// The seeds, in order, without duplicates.
    pub fn seeds(&self) -> &[u64] {
        &self.plan.seeds
    }
    /// The run directory's paths.
    pub fn layout(&self) -> &RunLayout {
        &self.plan.layout
    }

    /// Runs (or resumes) every stage; events go to `observer`.
    pub fn run(&self, observer: &mut dyn Observer) -> Result<Summary> {
        let started = Instant::now();
        memory::bound_heap();
        let (o, layout) = (&self.plan.options, &self.plan.layout);
        let device = self.plan.device.resolve()?;
        let mut stages: BTreeMap<String, Value> = BTreeMap::new();
        let t = Instant::now();
        let corpus = o.corpus.load()?;
        observer.event(Event::Loaded(&corpus.report));
        stages.insert("load".into(), json!(t.elapsed().as_secs_f64()));
        let _lock = self.take_directory(observer)?;
        let identity = identity::check(layout, o, &corpus)?;
        let corpus_key = identity
            .get("corpus")
            .map(Value::to_string)
            .unwrap_or_default();
        if let Some(n) = o.train.threads {
            tch::set_num_threads(n as i32);
        }
        let mut ran = false;
        let chosen;
        let this = if o.chooses_seeds() {
            let seeds = self.auto_seeds(&corpus, &corpus_key, &mut stages, &mut ran, observer)?;
            chosen = Run {
                plan: self.plan.with_seeds(&seeds),
            };
            &chosen
        } else {
            for &seed in &self.plan.seeds {
                let (timing, seed_ran) = self.seed(&corpus, seed, observer)?;
                ran |= seed_ran;
                stages.insert(
                    format!("seed-{seed}"),
                    Value::Object(timing.into_iter().collect()),
                );
            }
            self
        };
        this.finish(started, &corpus, &corpus_key, stages, ran, device, observer)
    }

    /// The stages after the seeds: the corpus-wide stages, the map, the
    /// report and `run.json`.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        started: Instant,
        corpus: &sacx_data::Corpus,
        corpus_key: &str,
        mut stages: BTreeMap<String, Value>,
        mut ran: bool,
        device: tch::Device,
        observer: &mut dyn Observer,
    ) -> Result<Summary> {
        let (o, layout) = (&self.plan.options, &self.plan.layout);
        let mut summary = Summary {
            out: layout.root().to_path_buf(),
            seeds: self.plan.seeds.clone(),
            report: None,
            seconds: 0.0,
        };
        if o.seeds_only {
            observer.event(Event::Note(&format!(
                "trained and explained seeds {:?} in {}",
                self.plan.seeds,
                layout.root().display()
            )));
            summary.seconds = started.elapsed().as_secs_f64();
            return Ok(summary);
        }
        let job = stages::AggregateJob {
            plan: &self.plan,
            corpus,
            corpus_key,
        };
        let aggregated = stages::aggregate(&job, observer)?;
        ran |= aggregated.ran;
        stages.extend(aggregated.times);
        if o.map {
            ran |= self.map(device, corpus, corpus_key, &mut stages, observer)?;
        }
        let report = layout.report();
        let report_in = StageInputs::new("report")
            .text(env!("CARGO_PKG_VERSION"))
            .file(&layout.stamp("evaluation"))
            .file(&layout.stamp("map"));
        if !ran && report.is_file() && StageStamp::matches(&layout.stamp("report"), &report_in) {
            observer.event(Event::Note(&format!(
                "nothing to do: the run in {} is complete with these options ({})",
                layout.root().display(),
                report.display()
            )));
            summary.report = Some(report);
            summary.seconds = started.elapsed().as_secs_f64();
            return Ok(summary);
        }
        // run.json first, so that the report shows the parameters and timings;
        // then again with the report's time.
        let mut stages = merged_times(&layout.run_json(), stages);
        write_run_json(
            self,
            device,
            stages.clone(),
            started.elapsed().as_secs_f64(),
        )?;
        let t = Instant::now();
        memory::stage_start();
        let report = sacx_report::write(layout.root())?;
        StageStamp::new("report", &report_in).write(&layout.stamp("report"))?;
        stages.insert("report".into(), json!(t.elapsed().as_secs_f64()));
        write_run_json(self, device, stages, started.elapsed().as_secs_f64())?;
        observer.event(Event::Report { path: &report });
        summary.report = Some(report);
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }

    /// The topic map of `--map`, built again unless its stamp names the same
    /// inputs; returns whether it was built.
    fn map(
        &self,
        device: tch::Device,
        corpus: &sacx_data::Corpus,
        corpus_key: &str,
        stages: &mut BTreeMap<String, Value>,
        observer: &mut dyn Observer,
    ) -> Result<bool> {
        let (o, layout) = (&self.plan.options, &self.plan.layout);
        let mut inputs = StageInputs::new("map")
            .text(corpus_key)
            .text(&serde_json::to_string(&o.map_options).unwrap_or_default());
        for &seed in &self.plan.seeds {
            inputs = inputs.number(seed).file(
                &layout
                    .seed(seed)
                    .checkpoint()
                    .join(sacx_model::checkpoint::CONFIG_FILE),
            );
        }
        let Some((pv, params)) = self.plan.map.clone() else {
            return Ok(false);
        };
        let done = layout.map().join(sacx_map::MAP_JSON).is_file();
        if done && StageStamp::matches(&layout.stamp("map"), &inputs) {
            return Ok(false);
        }
        let t = Instant::now();
        memory::stage_start();
        let job = crate::map::MapJob {
            corpus: o.corpus.clone(),
            out: layout.map(),
            run: Some(layout.root().to_path_buf()),
            source: crate::map::VectorSource::Classifier,
            pv,
            params,
            device,
        };
        let map = job.run_loaded(corpus, &sacx_map::Quiet)?;
        StageStamp::new("map", &inputs).write(&layout.stamp("map"))?;
        observer.event(Event::Note(&format!(
            "topic map: {} clusters, {} noise documents: {}",
            map.info.metrics.clusters,
            map.info.metrics.noise,
            job.out.join(crate::map::MAP_HTML).display()
        )));
        stages.insert("map".into(), json!(t.elapsed().as_secs_f64()));
        for (key, mib) in memory::stage_figures("map") {
            stages.insert(key, json!(mib));
        }
        Ok(true)
    }

    /// Checks that the run directory may be written, creates it and takes its lock.
    fn take_directory(&self, observer: &mut dyn Observer) -> Result<guard::DirLock> {
        let root = self.plan.layout.root();
        guard::check_owned(root, self.plan.options.force)?;
        std::fs::create_dir_all(root)
            .map_err(|e| Error::io(root, "create the output directory", e))?;
        if self.plan.options.seeds_only {
            return guard::lock(root, guard::Mode::Shared);
        }
        let lock = guard::lock(root, guard::Mode::Exclusive)?;
        let removed = guard::remove_stale_temporaries(root)?;
        if removed > 0 {
            observer.event(Event::Note(&format!(
                "removed {removed} temporary files left by an interrupted run"
            )));
        }
        Ok(lock)
    }

    /// One seed's training and explanation, each skipped when complete;
    /// returns the seed's stage times and peak memory, and whether any ran.
    pub(crate) fn seed(
        &self,
        corpus: &sacx_data::Corpus,
        seed: u64,
        observer: &mut dyn Observer,
    ) -> Result<(BTreeMap<String, Value>, bool)> {
        let o = &self.plan.options;
        let seed_layout = self.plan.layout.seed(seed);
        let params = self.plan.per_seed.get(&seed).ok_or_else(|| Error::Seed {
            seed,
            reason: "not a seed of the run's plan".into(),
        })?;
        let job = SeedJob {
            corpus,
            segmenter: self.plan.segmenter,
            seed,
            params,
        };
        std::fs::create_dir_all(seed_layout.dir())
            .map_err(|e| Error::io(seed_layout.dir(), "create", e))?;
        let _seed_lock = guard::lock(seed_layout.dir(), guard::Mode::Exclusive)?;
        let mut timing = read_timing(&seed_layout.timing());
        let mut ran = false;
        if !seed::trained(&seed_layout) {
            let t = Instant::now();
            memory::stage_start();
            seed::train(&job, &seed_layout, observer)?;
            record(&mut timing, "train", t);
            write_json(&seed_layout.timing(), &timing)?;
            ran = true;
        } else {
            observer.event(Event::Note(&format!(
                "seed {seed}: trained model found, skipping training"
            )));
        }
        if !seed::explained(&seed_layout) {
            let t = Instant::now();
            memory::stage_start();
            let explain = seed::ExplainJob {
                corpus,
                seed,
                split: &params.split,
                device: self.plan.device,
                ig: &o.ig,
            };
            seed::explain(&explain, &seed_layout, observer)?;
            record(&mut timing, "explain", t);
            write_json(&seed_layout.timing(), &timing)?;
            ran = true;
        } else {
            observer.event(Event::Note(&format!(
                "seed {seed}: explanations found, skipping explanation"
            )));
        }
        Ok((timing, ran))
    }
}

/// Records a stage's seconds since `started` and its resident memory (peak
/// and start).
fn record(timing: &mut BTreeMap<String, Value>, stage: &str, started: Instant) {
    timing.insert(stage.into(), json!(started.elapsed().as_secs_f64()));
    for (key, mib) in memory::stage_figures(stage) {
        timing.insert(key, json!(mib));
    }
}

/// This start's stage times over those of earlier starts (`run.json`), so
/// that stages skipped now keep their recorded times.
fn merged_times(run_json: &Path, now: BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let mut times: BTreeMap<String, Value> = std::fs::read_to_string(run_json)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("seconds").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    times.extend(now);
    times
}

fn read_timing(path: &Path) -> BTreeMap<String, Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Writes `value` as pretty JSON with a final newline, atomically.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        what: "cannot be serialised",
        source,
    })?;
    bytes.push(b'\n');
    crate::atomic::write(path, &bytes)
}

fn write_run_json(
    run: &Run,
    device: tch::Device,
    stages: BTreeMap<String, Value>,
    seconds: f64,
) -> Result<()> {
    let device = match device {
        tch::Device::Cuda(i) => format!("cuda:{i}"),
        _ => "cpu".to_string(),
    };
    let record = RunRecord {
        format: RUN_RECORD_FORMAT.to_string(),
        sacx_version: env!("CARGO_PKG_VERSION").to_string(),
        libtorch: crate::libtorch::version_string(),
        device,
        cpu_threads: tch::get_num_threads().into(),
        corpus: run.plan.options.corpus.name(),
        seeds: run.plan.seeds.clone(),
        parameters: &run.plan.options,
        seconds: stages
            .into_iter()
            .filter_map(|(k, v)| Some((k, serde_json::from_value::<StageTime>(v).ok()?)))
            .collect(),
        total_seconds: seconds,
    };
    Ok(record.write(&run.plan.layout.run_json())?)
}
