//! The corpus-wide stages after the seeds (class word counts, keywords,
//! baselines, evaluation, faithfulness) and the inputs they read, shared with
//! the single-stage commands (`sacx count-words`, `keywords`, `evaluate`).
use crate::observer::{Event, Observer, Stage};
use crate::options::{CorpusArgs, EvalArgs, RunOptions};
use crate::{Error, Result, bundled, faith};
use sacx_aggregate::{ClassCounts, EvalDocuments, Evaluation, Inputs, Keywords, Method, evaluate};
use sacx_data::layout::RunLayout;
use sacx_data::{ClassWordCounts, Corpus, LanguageCounts, LoadReport};
use sacx_model::DeviceSpec;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What the corpus-wide stages need.
pub(crate) struct AggregateJob<'a> {
    pub options: &'a RunOptions,
    pub layout: &'a RunLayout,
    pub seeds: &'a [u64],
    pub corpus: &'a Corpus,
    pub device: DeviceSpec,
}

/// Counts, keywords (IG and baselines), their evaluation and faithfulness;
/// returns the stage times.
pub(crate) fn aggregate(
    job: &AggregateJob<'_>,
    observer: &mut dyn Observer,
) -> Result<BTreeMap<String, Value>> {
    let (o, layout) = (job.options, job.layout);
    let mut times = BTreeMap::new();
    let stage = Stage::start(observer, "counting class words".into());
    let counted = ["df.json", sacx_data::LANGUAGE_COUNTS_FILE]
        .iter()
        .all(|f| layout.counts().join(f).is_file());
    if !counted {
        let (counts, languages, _) = count(&o.corpus)?;
        save_counts(&counts, &languages, &layout.counts())?;
    }
    let counts = read_counts(&layout.counts())?;
    let s = stage.finish(observer, &layout.counts().display().to_string());
    times.insert("count".into(), json!(s));

    let explanations: Vec<PathBuf> = job
        .seeds
        .iter()
        .map(|&s| layout.seed(s).explanations())
        .collect();
    let inputs = explanation_inputs(&explanations, &[])?;
    let stage = Stage::start(
        observer,
        format!(
            "ranking keywords over {} shards of {} runs",
            inputs.sources().len(),
            job.seeds.len()
        ),
    );
    let threshold = o.train.threshold as f32;
    let ig = sacx_aggregate::aggregate(&inputs, &o.keywords.params(threshold)?, Some(&counts))?;
    ig.write(&layout.keywords())?;
    let s = stage.finish(observer, &layout.keywords().display().to_string());
    observer.event(Event::Keywords {
        keywords: &ig,
        dir: &layout.keywords(),
    });
    times.insert("keywords".into(), json!(s));

    let stage = Stage::start(observer, "classical baselines".into());
    let classes: Vec<String> = ig.classes.iter().map(|c| c.class.clone()).collect();
    let mut sets = vec![ig];
    for &method in &o.baselines {
        if method == Method::Ig {
            continue;
        }
        let params = o.keywords.baseline_params(method)?;
        let kw = sacx_aggregate::baseline(&counts, &classes, &params)?;
        kw.write(&layout.baseline(&method.to_string()))?;
        sets.push(kw);
    }
    let s = stage.finish(observer, &format!("{} methods", sets.len() - 1));
    times.insert("baselines".into(), json!(s));

    let stage = Stage::start(observer, "evaluating keywords".into());
    let mut evals = evaluate_sets(&sets, &explanations, &o.eval, threshold, Some(&counts))?;
    let s = stage.finish(observer, "coverage and distinctiveness");
    times.insert("evaluate".into(), json!(s));

    let stage = Stage::start(
        observer,
        "faithfulness: deleting and keeping keywords".into(),
    );
    let faith_job = faith::FaithJob {
        corpus: job.corpus,
        layout,
        seeds: job.seeds,
        split: &o.split,
        device: job.device,
        counts: &counts,
        control_seed: o.eval.control_seed,
        max_batch_tokens: o.ig.max_batch_tokens,
    };
    faith::attach(&faith_job, &sets, &mut evals)?;
    write_evaluations(&layout.evaluation(), &evals)?;
    let s = stage.finish(observer, &layout.evaluation().display().to_string());
    times.insert("faithfulness".into(), json!(s));
    Ok(times)
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
    counts.save(&dir.join("tf.json"), &dir.join("df.json"))?;
    languages.save(&dir.join(sacx_data::LANGUAGE_COUNTS_FILE))?;
    Ok(())
}

/// Reads `tf.json` and `df.json` from a counts directory, and `languages.json`
/// when there is one (counts of the original pipeline have none).
pub fn read_counts(dir: &Path) -> Result<ClassCounts> {
    let (tf, df) = (dir.join("tf.json"), dir.join("df.json"));
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
    let inputs = explanation_inputs(explanations, &[])?;
    let vocabulary: HashSet<String> = sets
        .iter()
        .flat_map(|k| k.classes.iter())
        .flat_map(|c| c.keywords.iter().map(|w| w.word.clone()))
        .collect();
    let docs = EvalDocuments::from_explanations(
        &inputs,
        &eval.doc_options(threshold)?,
        Some(&vocabulary),
    )?;
    sets.iter()
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
        .collect()
}

/// Writes the evaluations as one JSON array, atomically.
pub fn write_evaluations(path: &Path, evals: &[Evaluation]) -> Result<()> {
    let json = serde_json::to_vec_pretty(evals).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        what: "cannot be serialised",
        source,
    })?;
    crate::atomic::write(path, &json)
}
