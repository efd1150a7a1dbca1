//! `sacx run`: the whole pipeline over N seeds, resumable.
//!
//! For each seed: split, train, explain the validation documents; then count
//! class words over the whole corpus, rank keywords (IG and the classical
//! baselines), evaluate, and write the report. Every stage whose output is
//! complete is skipped, so a killed run started again finishes with the same
//! result as an uninterrupted one.
pub mod faith;
pub mod guard;
pub mod layout;
pub mod seed;

use crate::args::corpus::CorpusArgs;
use crate::args::ig::IgArgs;
use crate::args::keywords::{EvalArgs, KeywordArgs};
use crate::args::model::{ModelArgs, SplitArgs, TokenizerArgs, TrainArgs};
use anyhow::{Context, Result, bail};
use layout::Layout;
use sacx_aggregate::Method;
use seed::SeedJob;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `sacx run` (and of the jobs `sacx slurm` writes).
#[derive(clap::Args, Debug, Clone, Serialize)]
pub struct RunArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Train and explain with seeds 1..=N.
    #[arg(long, default_value_t = 10, conflicts_with = "seed_list")]
    pub seeds: u64,
    /// Exactly these seeds instead (`1,2,7`).
    #[arg(long, value_delimiter = ',', value_name = "SEED,...")]
    pub seed_list: Vec<u64>,
    /// Output directory (see docs/usage.md for its layout).
    #[arg(long, value_name = "DIR", default_value = "sacx-out")]
    pub out: PathBuf,
    /// Keyword baselines computed and evaluated beside IG.
    #[arg(long, value_delimiter = ',', default_values = ["log-odds", "chi2", "ctfidf"])]
    pub baselines: Vec<Method>,
    /// Only train and explain the seeds, then stop (a Slurm array task).
    #[arg(long)]
    pub seeds_only: bool,
    /// Write into --out even when it is a non-empty directory that holds no sacx run.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub tokenizer: TokenizerArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub train: TrainArgs,
    #[command(flatten)]
    pub ig: IgArgs,
    #[command(flatten)]
    pub keywords: KeywordArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
}

impl RunArgs {
    /// The seeds to run, in order, without duplicates.
    pub fn seed_list(&self) -> Result<Vec<u64>> {
        let mut seeds = if self.seed_list.is_empty() {
            if self.seeds == 0 {
                bail!("--seeds 0: at least one seed is needed");
            }
            (1..=self.seeds).collect()
        } else {
            self.seed_list.clone()
        };
        seeds.sort_unstable();
        seeds.dedup();
        Ok(seeds)
    }

    /// Builds every stage's validated parameters, so that a bad option fails
    /// before any work (and before `params.json` is written).
    fn validate(&self) -> Result<()> {
        let threshold = self.train.threshold as f32;
        let seed = self.seed_list()?[0];
        self.split.options(seed)?;
        self.tokenizer.options(self.model.needs_cls())?;
        self.model.architecture()?;
        self.train.params(seed, None)?;
        self.train.device()?;
        self.ig.params(threshold)?;
        self.keywords.params(threshold)?;
        for &method in &self.baselines {
            if method == Method::Ig {
                bail!(
                    "--baselines ig: IG is always computed; the baselines are log-odds, chi2 and ctfidf"
                );
            }
            self.keywords.baseline_params(method)?;
        }
        if let Some(&k) = self.eval.k.iter().find(|&&k| k == 0) {
            bail!("--eval-k {k}: every K must be at least 1");
        }
        Ok(())
    }

    /// The options that define the run's results: everything but the seeds,
    /// the output directory and `--seeds-only`, with the corpus files replaced
    /// by a fingerprint of the loaded documents (the same file under another
    /// path is the same corpus; an edited file is another). Stored in
    /// `params.json`; a resumed run must match.
    fn identity(&self, corpus: &sacx_data::Corpus) -> Result<Value> {
        let mut v = serde_json::to_value(self)?;
        let obj = v.as_object_mut().expect("an object");
        for key in ["seeds", "seed_list", "out", "seeds_only", "force"] {
            obj.remove(key);
        }
        if let Some(c) = obj.get_mut("corpus").and_then(Value::as_object_mut) {
            c.remove("corpus");
            c.insert("documents".into(), corpus.docs.len().into());
            c.insert("fingerprint".into(), corpus_fingerprint(corpus).into());
        }
        // The device changes speed; the CPU thread count changes libtorch's
        // results in the last bits, so it stays in the identity.
        if let Some(t) = obj.get_mut("train").and_then(Value::as_object_mut) {
            t.remove("device");
        }
        Ok(v)
    }
}

pub fn run(args: &RunArgs) -> Result<()> {
    let started = Instant::now();
    let layout = Layout::new(&args.out);
    let seeds = args.seed_list()?;
    args.validate()?;
    let device = args.train.device()?.resolve()?;
    let mut stages: BTreeMap<String, Value> = BTreeMap::new();
    let t = Instant::now();
    let corpus = args.corpus.load()?;
    eprintln!("{}", corpus.report);
    stages.insert("load".into(), json!(t.elapsed().as_secs_f64()));
    guard::check_owned(layout.root(), args.force)?;
    std::fs::create_dir_all(layout.root()).with_context(|| {
        format!(
            "{}: cannot create the output directory",
            layout.root().display()
        )
    })?;
    let _lock = if args.seeds_only {
        guard::lock(layout.root(), guard::Mode::Shared)?
    } else {
        let lock = guard::lock(layout.root(), guard::Mode::Exclusive)?;
        let removed = guard::remove_stale_temporaries(layout.root())?;
        if removed > 0 {
            eprintln!("removed {removed} temporary files left by an interrupted run");
        }
        lock
    };
    check_params(&layout, args, &corpus)?;
    if let Some(n) = args.train.threads {
        tch::set_num_threads(n as i32);
    }

    for &seed in &seeds {
        let seed_layout = layout.seed(seed);
        let job = SeedJob {
            corpus: &corpus,
            segmenter: args.corpus.segmenter(),
            seed,
            split: &args.split,
            tokenizer: &args.tokenizer,
            model: &args.model,
            train: &args.train,
        };
        std::fs::create_dir_all(seed_layout.dir())
            .with_context(|| format!("{}: cannot create", seed_layout.dir().display()))?;
        let _seed_lock = guard::lock(seed_layout.dir(), guard::Mode::Exclusive)?;
        let mut timing = read_timing(&seed_layout.timing());
        if !seed::trained(&seed_layout) {
            let t = Instant::now();
            seed::train(&job, &seed_layout)?;
            timing.insert("train".into(), json!(t.elapsed().as_secs_f64()));
            write_json(&seed_layout.timing(), &timing)?;
        } else {
            eprintln!("seed {seed}: trained model found, skipping training");
        }
        if !seed::explained(&seed_layout) {
            let t = Instant::now();
            let explain = seed::ExplainJob {
                corpus: &corpus,
                seed,
                split: &args.split,
                device: args.train.device()?,
                ig: &args.ig,
            };
            seed::explain(&explain, &seed_layout)?;
            timing.insert("explain".into(), json!(t.elapsed().as_secs_f64()));
            write_json(&seed_layout.timing(), &timing)?;
        } else {
            eprintln!("seed {seed}: explanations found, skipping explanation");
        }
        stages.insert(
            format!("seed-{seed}"),
            Value::Object(timing.into_iter().collect()),
        );
    }
    if args.seeds_only {
        eprintln!(
            "trained and explained seeds {seeds:?} in {}",
            layout.root().display()
        );
        return Ok(());
    }
    let aggregate = aggregate(args, &layout, &seeds, &corpus)?;
    stages.extend(aggregate);
    // run.json first, so that the report shows the parameters and timings; then
    // again with the report's time.
    let info = (args, &layout, &seeds[..], device);
    write_run_json(info, stages.clone(), started.elapsed().as_secs_f64())?;
    let t = Instant::now();
    let report = sacx_report::write(layout.root())?;
    stages.insert("report".into(), json!(t.elapsed().as_secs_f64()));
    write_run_json(info, stages, started.elapsed().as_secs_f64())?;
    println!("report: {}", report.display());
    Ok(())
}

/// Counts, keywords (IG and baselines) and their evaluation; returns stage times.
fn aggregate(
    args: &RunArgs,
    layout: &Layout,
    seeds: &[u64],
    corpus: &sacx_data::Corpus,
) -> Result<BTreeMap<String, Value>> {
    use crate::progress::Spinner;
    let mut stages = BTreeMap::new();
    let t = Instant::now();
    let spin = Spinner::start("counting class words");
    if !layout.counts().join("df.json").is_file() {
        let (counts, _) = crate::cmd::count_words::count(&args.corpus)?;
        crate::cmd::count_words::save(&counts, &layout.counts())?;
    }
    let counts = crate::cmd::keywords::read_counts(&layout.counts())?;
    spin.finish(&format!("{}", layout.counts().display()));
    stages.insert("count".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let explanations: Vec<PathBuf> = seeds
        .iter()
        .map(|&s| layout.seed(s).explanations())
        .collect();
    let inputs = crate::cmd::keywords::explanation_inputs(&explanations, &[])?;
    let spin = Spinner::start(&format!(
        "ranking keywords over {} shards of {} runs",
        inputs.sources().len(),
        seeds.len()
    ));
    let threshold = args.train.threshold as f32;
    let ig = sacx_aggregate::aggregate(&inputs, &args.keywords.params(threshold)?, Some(&counts))?;
    ig.write(&layout.keywords())?;
    spin.finish(&format!("{}", layout.keywords().display()));
    crate::cmd::keywords::print_summary(&ig, &layout.keywords());
    stages.insert("keywords".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let spin = Spinner::start("classical baselines");
    let classes: Vec<String> = ig.classes.iter().map(|c| c.class.clone()).collect();
    let mut sets = vec![ig];
    for &method in &args.baselines {
        if method == Method::Ig {
            continue;
        }
        let kw =
            sacx_aggregate::baseline(&counts, &classes, &args.keywords.baseline_params(method)?)?;
        kw.write(&layout.baseline(&method.to_string()))?;
        sets.push(kw);
    }
    spin.finish(&format!("{} methods", sets.len() - 1));
    stages.insert("baselines".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let spin = Spinner::start("evaluating keywords");
    let mut evals = crate::cmd::evaluate::evaluate_sets(
        &sets,
        &explanations,
        &args.eval,
        threshold,
        Some(&counts),
    )?;
    spin.finish("coverage and distinctiveness");
    stages.insert("evaluate".into(), json!(t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let spin = Spinner::start("faithfulness: deleting and keeping keywords");
    let job = faith::FaithJob {
        corpus,
        layout,
        seeds,
        split: &args.split,
        device: args.train.device()?,
        counts: &counts,
        control_seed: args.eval.control_seed,
        max_batch_tokens: args.ig.max_batch_tokens,
    };
    faith::attach(&job, &sets, &mut evals)?;
    crate::cmd::evaluate::write_evaluations(&layout.evaluation(), &evals)?;
    spin.finish(&format!("{}", layout.evaluation().display()));
    stages.insert("faithfulness".into(), json!(t.elapsed().as_secs_f64()));
    Ok(stages)
}

/// FNV-1a over every document's id, language, labels and text, in corpus order.
fn corpus_fingerprint(corpus: &sacx_data::Corpus) -> String {
    let mut h = sacx_data::Fnv1a::new();
    let mut eat = |bytes: &[u8]| {
        h.update(bytes);
        h.update(&[0xff]);
    };
    for label in corpus.labels.names() {
        eat(label.as_bytes());
    }
    for d in &corpus.docs {
        eat(d.id.as_bytes());
        eat(d.lang.as_bytes());
        for l in &d.labels {
            eat(&l.to_le_bytes());
        }
        eat(d.text.as_bytes());
    }
    h.hex()
}

/// Writes `params.json` on the first start; later starts must match it.
fn check_params(layout: &Layout, args: &RunArgs, corpus: &sacx_data::Corpus) -> Result<()> {
    let identity = args.identity(corpus)?;
    let path = layout.params();
    if let Ok(text) = std::fs::read_to_string(&path) {
        let saved: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a sacx parameter file", path.display()))?;
        if saved.get("options") != Some(&identity) {
            let diff =
                first_difference(saved.get("options").unwrap_or(&Value::Null), &identity, "");
            let why = if diff.starts_with("train.threads") {
                " (libtorch's CPU results depend on the thread count, so a resumed run must use the same --threads)"
            } else {
                ""
            };
            bail!(
                "{}: this directory holds a run with other options ({diff}){why}; resume it with the same options or use another --out",
                path.display()
            );
        }
        return Ok(());
    }
    write_json(
        &path,
        &json!({ "sacx_version": env!("CARGO_PKG_VERSION"), "options": identity }),
    )
}

/// A short description of where two JSON values first differ.
fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                if va != vb {
                    return first_difference(
                        va,
                        vb,
                        &format!("{at}{}{key}", if at.is_empty() { "" } else { "." }),
                    );
                }
            }
            format!("{at} differs")
        }
        _ => format!("{} was {a}, now {b}", at.replace('_', "-")),
    }
}

fn read_timing(path: &std::path::Path) -> BTreeMap<String, Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn write_json<T: Serialize>(path: &std::path::Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    crate::atomic::write(path, &bytes)
}

fn write_run_json(
    (args, layout, seeds, device): (&RunArgs, &Layout, &[u64], tch::Device),
    stages: BTreeMap<String, Value>,
    seconds: f64,
) -> Result<()> {
    let device = match device {
        tch::Device::Cuda(i) => format!("cuda:{i}"),
        _ => "cpu".to_string(),
    };
    let run = json!({
        "sacx_version": env!("CARGO_PKG_VERSION"),
        "libtorch": crate::cmd::doctor::libtorch_version_string(),
        "device": device,
        "cpu_threads": tch::get_num_threads(),
        "corpus": args.corpus.name(),
        "seeds": seeds,
        "parameters": serde_json::to_value(args)?,
        "seconds": stages,
        "total_seconds": seconds,
    });
    write_json(&layout.run_json(), &run)
}
