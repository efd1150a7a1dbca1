//! The corpus-wide stages after the seeds (class word counts, keywords,
//! baselines, evaluation, faithfulness) and the inputs they read, shared with
//! the single-stage commands (`sacx count-words`, `keywords`, `evaluate`).
use crate::observer::{Event, Observer, Stage};
use crate::options::{CorpusArgs, EvalArgs};
use crate::plan::RunPlan;
use crate::{Error, Result, bundled, faith, memory};
use sacx_aggregate::{
    ClassCounts, EvalDocuments, Evaluation, Inputs, KeywordStability, Keywords, StabilityParams,
    evaluate, keyword_stability,
};
use sacx_data::layout::RunLayout;
use sacx_data::stamp::{StageInputs, StageStamp};
use sacx_data::{ClassWordCounts, Corpus, LanguageCounts, LoadReport};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What the corpus-wide stages need.
pub(crate) struct AggregateJob<'a> {
    pub plan: &'a RunPlan,
    pub corpus: &'a Corpus,
    /// The fingerprint of the loaded corpus and its options (the counts'
    /// inputs).
    pub corpus_key: &'a str,
}

/// What the corpus-wide stages did: their times and peak memory, and whether
/// any of them ran (a finished run started again skips every one).
pub(crate) struct Aggregated {
    pub times: BTreeMap<String, Value>,
    pub ran: bool,
}

/// The class word counts, read from the run's `counts/` when a stage first
/// needs them and dropped before the faithfulness stage.
struct LazyCounts<'a> {
    dir: &'a Path,
    counts: Option<ClassCounts>,
}

impl LazyCounts<'_> {
    fn get(&mut self) -> Result<&ClassCounts> {
        if self.counts.is_none() {
            self.counts = Some(read_counts(self.dir)?);
        }
        self.counts.as_ref().ok_or(Error::NoCounts {
            dir: self.dir.to_path_buf(),
        })
    }
}

/// The inputs every seed contributes to the keywords and their evaluation:
/// the seed and its explanation summary.
fn seed_inputs(layout: &RunLayout, seeds: &[u64]) -> String {
    let mut inputs = StageInputs::new("seeds");
    for &seed in seeds {
        inputs = inputs.number(seed).file(&layout.seed(seed).summary());
    }
    inputs.hex()
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Counts, keywords (IG and baselines), their evaluation and faithfulness,
/// each skipped when its stamp names the same inputs; returns the stage times
/// and peak memory.
pub(crate) fn aggregate(job: &AggregateJob<'_>, observer: &mut dyn Observer) -> Result<Aggregated> {
    let (plan, o, layout) = (job.plan, &job.plan.options, &job.plan.layout);
    let threshold = o.train.threshold as f32;
    let mut out = Aggregated {
        times: BTreeMap::new(),
        ran: false,
    };
    let counts_dir = layout.counts();
    let count_in = count_stage(job, &mut out, observer)?;
    let mut counts = LazyCounts {
        dir: &counts_dir,
        counts: None,
    };
    let seeds_in = seed_inputs(layout, &plan.seeds);
    let kw_in = StageInputs::new("keywords")
        .text(&count_in.hex())
        .text(&seeds_in)
        .text(&json_text(&o.keywords))
        .text(&threshold.to_string());
    let ig = keywords(job, &kw_in, &mut counts, &mut out, observer)?;
    let classes: Vec<String> = ig.classes.iter().map(|c| c.class.clone()).collect();
    let base_in = StageInputs::new("baselines")
        .text(&count_in.hex())
        .text(&json_text(&o.baselines))
        .text(&json_text(&o.keywords))
        .text(&classes.join("\n"));
    let mut sets = vec![ig];
    sets.extend(baselines(
        job,
        &base_in,
        &classes,
        &mut counts,
        &mut out,
        observer,
    )?);

    let eval_in = StageInputs::new("evaluation")
        .text(&kw_in.hex())
        .text(&base_in.hex())
        .text(&seeds_in)
        .text(&json_text(&o.eval));
    if StageStamp::matches(&layout.stamp("evaluation"), &eval_in) && layout.evaluation().is_file() {
        return Ok(out);
    }
    let stage = Stage::start(observer, "evaluating keywords".into());
    let mut evals = evaluate_with(
        &sets,
        &explanations(job),
        &plan.eval_docs,
        &plan.stability,
        &o.eval,
        Some(counts.get()?),
    )?;
    let labels = job.corpus.labels.names().to_vec();
    let control = faith::control_sets(counts.get()?, &labels, &evals, o.eval.control_seed);
    // Faithfulness needs the models, not the counts.
    drop(counts);
    let s = stage.finish(observer, "coverage and distinctiveness");
    record(&mut out, "evaluate", s);

    let stage = Stage::start(
        observer,
        "faithfulness: deleting and keeping keywords".into(),
    );
    let faith_job = faith::FaithJob {
        corpus: job.corpus,
        layout,
        seeds: &plan.seeds,
        split: &o.split,
        device: plan.device,
        control: &control,
        control_seed: o.eval.control_seed,
        max_batch_tokens: o.ig.max_batch_tokens,
    };
    faith::attach(&faith_job, &sets, &mut evals)?;
    write_evaluations(&layout.evaluation(), &evals)?;
    StageStamp::new("evaluation", &eval_in).write(&layout.stamp("evaluation"))?;
    let s = stage.finish(observer, &layout.evaluation().display().to_string());
    record(&mut out, "faithfulness", s);
    Ok(out)
}

/// Records a stage's seconds and peak resident memory.
fn record(out: &mut Aggregated, stage: &str, seconds: f64) {
    out.ran = true;
    out.times.insert(stage.into(), json!(seconds));
    for (key, mib) in memory::stage_figures(stage) {
        out.times.insert(key, json!(mib));
    }
}

/// The class word counts of the corpus (`counts/`), counted again unless
/// their stamp names the same corpus; returns the stage's inputs.
pub(crate) fn count_stage(
    job: &AggregateJob<'_>,
    out: &mut Aggregated,
    observer: &mut dyn Observer,
) -> Result<StageInputs> {
    let layout = &job.plan.layout;
    let counts_dir = layout.counts();
    let count_in = StageInputs::new("count").text(job.corpus_key);
    let counted = [sacx_data::DF_FILE, sacx_data::LANGUAGE_COUNTS_FILE]
        .iter()
        .all(|f| counts_dir.join(f).is_file());
    if !(counted && StageStamp::matches(&layout.stamp("count"), &count_in)) {
        let stage = Stage::start(observer, "counting class words".into());
        // From the corpus in memory: the run reads its corpus once.
        let (counts, languages) =
            ClassWordCounts::from_corpus_by_language(job.corpus, &job.plan.segmenter)?;
        save_counts(&counts, &languages, &counts_dir)?;
        drop((counts, languages));
        StageStamp::new("count", &count_in).write(&layout.stamp("count"))?;
        let s = stage.finish(observer, &counts_dir.display().to_string());
        record(out, "count", s);
    }
    Ok(count_in)
}

/// The stability of the IG keyword lists of the first seeds of the plan
/// (`--seeds auto`), ranked as the keywords stage ranks them, with the class
/// counts; `None` with fewer than two seeds.
pub(crate) fn seeds_stability(
    job: &AggregateJob<'_>,
    seeds: &[u64],
) -> Result<Option<KeywordStability>> {
    let plan = job.plan;
    let paths: Vec<PathBuf> = seeds
        .iter()
        .map(|&s| plan.layout.seed(s).explanations())
        .collect();
    let inputs = explanation_inputs(&paths, &[])?;
    let counts = read_counts(&plan.layout.counts())?;
    Ok(keyword_stability(
        &inputs,
        &plan.keywords,
        Some(&counts),
        &plan.stability,
    )?)
}

fn explanations(job: &AggregateJob<'_>) -> Vec<PathBuf> {
    let plan = job.plan;
    plan.seeds
        .iter()
        .map(|&s| plan.layout.seed(s).explanations())
        .collect()
}

/// The IG keywords: ranked again unless the stamp names the same inputs;
/// returned as the later stages read them ([`Keywords::into_ranked_lists`]).
fn keywords(
    job: &AggregateJob<'_>,
    inputs: &StageInputs,
    counts: &mut LazyCounts<'_>,
    out: &mut Aggregated,
    observer: &mut dyn Observer,
) -> Result<Keywords> {
    let (plan, layout) = (job.plan, &job.plan.layout);
    let file = layout.keywords().join(sacx_aggregate::KEYWORDS_JSON);
    if StageStamp::matches(&layout.stamp("keywords"), inputs) && file.is_file() {
        return Ok(read_keywords(&file)?.into_ranked_lists());
    }
    let explanations = explanations(job);
    let sources = explanation_inputs(&explanations, &[])?;
    let stage = Stage::start(
        observer,
        format!(
            "ranking keywords over {} shards of {} runs",
            sources.sources().len(),
            plan.seeds.len()
        ),
    );
    let ig = sacx_aggregate::aggregate(&sources, &plan.keywords, Some(counts.get()?))?;
    ig.write(&layout.keywords())?;
    StageStamp::new("keywords", inputs).write(&layout.stamp("keywords"))?;
    let s = stage.finish(observer, &layout.keywords().display().to_string());
    observer.event(Event::Keywords {
        keywords: &ig,
        dir: &layout.keywords(),
    });
    record(out, "keywords", s);
    Ok(ig.into_ranked_lists())
}

/// The classical baselines' keywords: computed again unless the stamp names
/// the same inputs.
fn baselines(
    job: &AggregateJob<'_>,
    inputs: &StageInputs,
    classes: &[String],
    counts: &mut LazyCounts<'_>,
    out: &mut Aggregated,
    observer: &mut dyn Observer,
) -> Result<Vec<Keywords>> {
    let layout = &job.plan.layout;
    let files: Vec<PathBuf> = job
        .plan
        .baselines
        .iter()
        .map(|(m, _)| {
            layout
                .baseline(&m.to_string())
                .join(sacx_aggregate::KEYWORDS_JSON)
        })
        .collect();
    if StageStamp::matches(&layout.stamp("baselines"), inputs) && files.iter().all(|f| f.is_file())
    {
        return files
            .iter()
            .map(|f| Ok(read_keywords(f)?.into_ranked_lists()))
            .collect();
    }
    let stage = Stage::start(observer, "classical baselines".into());
    let mut sets = Vec::new();
    for (method, params) in &job.plan.baselines {
        let kw = sacx_aggregate::baseline(counts.get()?, classes, params)?;
        kw.write(&layout.baseline(&method.to_string()))?;
        sets.push(kw.into_ranked_lists());
    }
    StageStamp::new("baselines", inputs).write(&layout.stamp("baselines"))?;
    let s = stage.finish(observer, &format!("{} methods", sets.len()));
    record(out, "baselines", s);
    Ok(sets)
}

/// Counts the corpus of `args` (the bundled one when it names no file),
/// streaming the files: per class, and per language and over the corpus.
pub fn count(args: &CorpusArgs) -> Result<(ClassWordCounts, LanguageCounts, LoadReport)> {
    let opts = args.load_options()?;
    let seg = args.segmenter();
    Ok(if args.corpus.is_empty() {
        ClassWordCounts::count_reader_by_language(bundled::NAME, bundled::BYTES, &opts, &seg)?
    } else {
        ClassWordCounts::count_files_by_language(&args.corpus, &opts, &seg)?
    })
}

/// Writes `tf.json`, `df.json` and `languages.json` into `dir` (atomically).
pub fn save_counts(counts: &ClassWordCounts, languages: &LanguageCounts, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the directory", e))?;
    counts.save(&dir.join(sacx_data::TF_FILE), &dir.join(sacx_data::DF_FILE))?;
    languages.save(&dir.join(sacx_data::LANGUAGE_COUNTS_FILE))?;
    Ok(())
}

/// Reads `tf.json` and `df.json` from a counts directory, and `languages.json`
/// when there is one (counts of the original pipeline have none).
pub fn read_counts(dir: &Path) -> Result<ClassCounts> {
    let (tf, df) = (dir.join(sacx_data::TF_FILE), dir.join(sacx_data::DF_FILE));
    if !df.exists() {
        return Err(Error::NoCounts {
            dir: dir.to_path_buf(),
        });
    }
    let counts = ClassCounts::from_json_files(&df, tf.exists().then_some(tf.as_path()))?;
    let languages = dir.join(sacx_data::LANGUAGE_COUNTS_FILE);
    Ok(if languages.is_file() {
        counts.with_languages(LanguageCounts::load(&languages)?)
    } else {
        counts
    })
}

/// Expands explanation paths into aggregation inputs: files stay, directories
/// become their shard files, and a run directory all its seeds' shards (in
/// numeric seed order).
pub fn explanation_inputs(paths: &[PathBuf], labels: &[String]) -> Result<Inputs> {
    let Some(first) = paths.first() else {
        return Err(Error::NoExplanations { path: None });
    };
    let mut files = Vec::new();
    for path in paths {
        files.extend(expand(path)?);
    }
    if files.is_empty() {
        return Err(Error::NoExplanations {
            path: Some(first.clone()),
        });
    }
    let mut inputs = Inputs::new().paths(files);
    if !labels.is_empty() {
        inputs = inputs.labels(labels.iter().cloned());
    }
    Ok(inputs)
}

fn expand(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(Error::io(
            path,
            "read",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let run = RunLayout::new(path);
    if run.runs().is_dir() {
        let mut out = Vec::new();
        for seed in run.seeds()? {
            let dir = run.seed(seed).explanations();
            if dir.is_dir() {
                out.extend(sacx_data::explanation::list_shards(&dir)?);
            }
        }
        return Ok(out);
    }
    Ok(sacx_data::explanation::list_shards(path)?)
}

/// Reads a `keywords.json` (or the one inside a directory).
pub fn read_keywords(path: &Path) -> Result<Keywords> {
    let file = if path.is_dir() {
        path.join(sacx_aggregate::KEYWORDS_JSON)
    } else {
        path.to_path_buf()
    };
    Ok(Keywords::read(&file)?)
}

/// Evaluates every keyword set on the documents of the explanations; with class
/// word counts, corpus coverage is measured on the whole corpus.
pub fn evaluate_sets(
    sets: &[Keywords],
    explanations: &[PathBuf],
    eval: &EvalArgs,
    threshold: f32,
    counts: Option<&ClassCounts>,
) -> Result<Vec<Evaluation>> {
    let docs = eval.doc_options(threshold)?;
    evaluate_with(sets, explanations, &docs, &eval.stability()?, eval, counts)
}

/// [`evaluate_sets`] with the evaluation documents' options already checked.
fn evaluate_with(
    sets: &[Keywords],
    explanations: &[PathBuf],
    doc_options: &sacx_aggregate::EvalDocOptions,
    stability: &StabilityParams,
    eval: &EvalArgs,
    counts: Option<&ClassCounts>,
) -> Result<Vec<Evaluation>> {
    let inputs = explanation_inputs(explanations, &[])?;
    let vocabulary: HashSet<String> = sets
        .iter()
        .flat_map(|k| k.classes.iter())
        .flat_map(|c| c.keywords.iter().map(|w| w.word.clone()))
        .collect();
    let docs = EvalDocuments::from_explanations(&inputs, doc_options, Some(&vocabulary))?;
    let mut evals = sets
        .iter()
        .map(|k| {
            let mut e = evaluate(k, &docs, &eval.k)?;
            if let Some(c) = counts {
                e = e.with_corpus_counts(k, c);
                if let Some(l) = c.languages() {
                    e = e.with_generic_words(k, &l.generic_words(eval.generic_words));
                }
            }
            Ok(e)
        })
        .collect::<Result<Vec<_>>>()?;
    drop(docs);
    for (k, e) in sets.iter().zip(&mut evals) {
        e.stability = set_stability(k, &inputs, stability, counts)?;
    }
    Ok(evals)
}

/// The stability of an IG set's lists across its runs (`None` for baselines,
/// a single run, or a ranking that used class counts when none are given).
fn set_stability(
    set: &Keywords,
    inputs: &Inputs,
    stability: &StabilityParams,
    counts: Option<&ClassCounts>,
) -> Result<Option<KeywordStability>> {
    let Some(params) = set.ranking_parameters() else {
        return Ok(None);
    };
    let used_counts = set
        .parameters
        .get("corpus_filter")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if used_counts && counts.is_none() {
        return Ok(None);
    }
    Ok(keyword_stability(
        inputs,
        &params,
        counts.filter(|_| used_counts),
        stability,
    )?)
}

/// Writes the evaluations as one JSON array, atomically
/// ([`sacx_aggregate::write_evaluations`], the file's one writer).
pub fn write_evaluations(path: &Path, evals: &[Evaluation]) -> Result<()> {
    Ok(sacx_aggregate::write_evaluations(path, evals)?)
}
