//! `params.json`: the options that define a run's results. Written on the
//! first start; every later start must match it.
use crate::options::{
    CorpusArgs, IgArgs, ModelArgs, RunOptions, SplitArgs, TokenizerArgs, TrainArgs,
};
use crate::run::write_json;
use crate::{Error, Result};
use sacx_aggregate::Method;
use sacx_data::Corpus;
use sacx_data::layout::RunLayout;
use serde_json::{Value, json};

/// Format tag of `params.json`. Files written before the tag existed hold
/// the same shape and are read as this version.
pub const IDENTITY_FORMAT: &str = "sacx-run-identity/1";

/// What makes two runs' results comparable: the corpus (as loaded, by
/// fingerprint), the split, tokenizer, model, training, explanation and the
/// baselines. Built from the options by [`RunIdentity::of`], which names every
/// option, so that a new option does not compile until it is placed in or out
/// of the identity there.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunIdentity {
    /// The loaded corpus and how it was read.
    pub corpus: CorpusIdentity,
    /// How each seed splits the corpus.
    pub split: SplitArgs,
    /// How texts become tokens.
    pub tokenizer: TokenizerArgs,
    /// The classifier.
    pub model: ModelArgs,
    /// How it is trained (without the device, which changes speed only).
    pub train: TrainIdentity,
    /// How predictions are explained.
    pub ig: IgArgs,
    /// The baselines computed beside IG.
    pub baselines: Vec<Method>,
}

/// The corpus part of [`RunIdentity`]: the loaded documents by count and
/// fingerprint (the same file under another path is the same corpus; an
/// edited file is another) and the options that shaped them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CorpusIdentity {
    /// Corpus format option.
    pub format: String,
    /// Languages of the corpus files.
    pub language: Vec<String>,
    /// Explicit label set.
    pub labels: Vec<String>,
    /// Whether malformed lines were skipped.
    pub skip_bad_lines: bool,
    /// Whether punctuation was spaced as the original pipeline did.
    pub preprocess: bool,
    /// Whether keyword case is kept.
    pub keep_case: bool,
    /// Documents loaded (extra labelled ones merged).
    pub documents: usize,
    /// [`fingerprint`] of the loaded documents.
    pub fingerprint: String,
}

/// The training part of [`RunIdentity`]: every training option but the device.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainIdentity {
    #[allow(missing_docs)]
    pub epochs: usize,
    #[allow(missing_docs)]
    pub batch_size: usize,
    #[allow(missing_docs)]
    pub accumulation: usize,
    #[allow(missing_docs)]
    pub lr: Option<f64>,
    #[allow(missing_docs)]
    pub weight_decay: f64,
    #[allow(missing_docs)]
    pub warmup: f64,
    #[allow(missing_docs)]
    pub clip_norm: f64,
    #[allow(missing_docs)]
    pub patience: usize,
    #[allow(missing_docs)]
    pub monitor: String,
    #[allow(missing_docs)]
    pub balance_classes: f32,
    #[allow(missing_docs)]
    pub threshold: f64,
    #[allow(missing_docs)]
    pub apply_best_threshold: bool,
    /// The CPU thread count changes libtorch's results in the last bits.
    pub threads: Option<usize>,
}

impl RunIdentity {
    /// The identity of a run of `options` on the loaded `corpus`.
    pub fn of(options: &RunOptions, corpus: &Corpus) -> Self {
        // Every option is named: a new one must be placed in or out here.
        let RunOptions {
            corpus: corpus_args,
            // Seeds: a run grows by seeds; each seed's results are its own.
            seeds: _,
            // --seeds auto only decides how many seeds; each is its own.
            auto_seeds: _,
            seed_list: _,
            // Where and how the run is written, not what it computes.
            out: _,
            seeds_only: _,
            force: _,
            baselines,
            split,
            tokenizer,
            model,
            train,
            ig,
            // Recomputed from the explanations on every start (their stages
            // are stamped with these options), so a finished run can be
            // re-ranked and re-evaluated.
            keywords: _,
            eval: _,
            // The map is rebuilt from the results.
            map: _,
            map_options: _,
        } = options;
        let CorpusArgs {
            // Replaced by the loaded documents' count and fingerprint.
            corpus: _,
            labelled: _,
            format,
            language,
            labels,
            skip_bad_lines,
            preprocess,
            keep_case,
        } = corpus_args;
        let TrainArgs {
            epochs,
            batch_size,
            accumulation,
            lr,
            weight_decay,
            warmup,
            clip_norm,
            patience,
            monitor,
            balance_classes,
            threshold,
            apply_best_threshold,
            threads,
            // Changes speed, not results.
            device: _,
        } = train;
        audit(split, tokenizer, model, ig);
        RunIdentity {
            corpus: CorpusIdentity {
                format: format.clone(),
                language: language.clone(),
                labels: labels.clone(),
                skip_bad_lines: *skip_bad_lines,
                preprocess: *preprocess,
                keep_case: *keep_case,
                documents: corpus.docs.len(),
                fingerprint: fingerprint(corpus),
            },
            split: split.clone(),
            tokenizer: tokenizer.clone(),
            model: model.clone(),
            train: TrainIdentity {
                epochs: *epochs,
                batch_size: *batch_size,
                accumulation: *accumulation,
                lr: *lr,
                weight_decay: *weight_decay,
                warmup: *warmup,
                clip_norm: *clip_norm,
                patience: *patience,
                monitor: monitor.clone(),
                balance_classes: *balance_classes,
                threshold: *threshold,
                apply_best_threshold: *apply_best_threshold,
                threads: *threads,
            },
            ig: ig.clone(),
            baselines: baselines.clone(),
        }
    }

    /// The identity as the JSON `params.json` stores.
    pub fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|source| Error::Json {
            path: "params.json".into(),
            what: "cannot be serialised",
            source,
        })
    }
}

/// The option groups that enter the identity whole: every field is named so
/// that a new field does not compile until it is placed in or out of the
/// identity (a field that changes speed only belongs out: give its group's
/// identity a struct of its own then, as [`TrainIdentity`]).
fn audit(split: &SplitArgs, tokenizer: &TokenizerArgs, model: &ModelArgs, ig: &IgArgs) {
    let SplitArgs {
        train_fraction: _,
        stratify: _,
    } = split;
    let TokenizerArgs {
        tokenizer: _,
        vocab_size: _,
        min_count: _,
        max_len: _,
    } = tokenizer;
    let ModelArgs {
        model: _,
        embedding_dim: _,
        hidden: _,
        dropout: _,
        filter_widths: _,
        filters: _,
        chunks: _,
        layers: _,
        heads: _,
        ff_dim: _,
        pooling: _,
        word_vectors: _,
        freeze_embeddings: _,
        freeze_layers: _,
    } = model;
    // Results: steps, rule, baseline, targets, normalisation, merging,
    // tolerance and step cap. Kept whole since the first version (runs made
    // then must resume): batch tokens, workers, shard size and the TSV copy.
    let IgArgs {
        ig_steps: _,
        ig_method: _,
        baseline: _,
        targets: _,
        normalize: _,
        merge: _,
        max_batch_tokens: _,
        tolerance: _,
        max_steps: _,
        tsv: _,
        ig_workers: _,
        shard_docs: _,
    } = ig;
}

/// The identity of `options` as JSON (see [`RunIdentity`]).
pub fn identity(options: &RunOptions, corpus: &Corpus) -> Result<Value> {
    RunIdentity::of(options, corpus).to_value()
}

/// The serialised `options` less the keys in `leave_out`, with the corpus
/// files and extra labelled files replaced by the count and fingerprint of
/// the loaded documents, and without the device: what [`identity`] does for
/// a run, for any options made of the same groups (`corpus`, `train`).
pub fn defining<T: serde::Serialize>(
    options: &T,
    corpus: &Corpus,
    leave_out: &[&str],
) -> Result<Value> {
    let mut v = serde_json::to_value(options).map_err(|source| Error::Json {
        path: "params.json".into(),
        what: "cannot be serialised",
        source,
    })?;
    if let Some(obj) = v.as_object_mut() {
        for key in leave_out {
            obj.remove(*key);
        }
        if let Some(c) = obj.get_mut("corpus").and_then(Value::as_object_mut) {
            c.remove("corpus");
            c.remove("labelled");
            c.insert("documents".into(), corpus.docs.len().into());
            c.insert("fingerprint".into(), fingerprint(corpus).into());
        }
        // The device changes speed; the CPU thread count changes libtorch's
        // results in the last bits, so it stays in the identity.
        if let Some(t) = obj.get_mut("train").and_then(Value::as_object_mut) {
            t.remove("device");
        }
    }
    Ok(v)
}

/// FNV-1a over every document's id, language, labels and text, in corpus order.
pub fn fingerprint(corpus: &Corpus) -> String {
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

/// Writes `params.json` on the first start; later starts must match it,
/// unless the run holds no result yet (an earlier start failed before any
/// seed's model or explanation was written): then the new options replace
/// the old. Returns the identity.
pub fn check(layout: &RunLayout, options: &RunOptions, corpus: &Corpus) -> Result<Value> {
    let identity = identity(options, corpus)?;
    match check_value(&layout.params(), identity.clone()) {
        Err(Error::OtherOptions { .. }) if !holds_results(layout) => {
            write_identity(&layout.params(), &identity)?;
        }
        other => other?,
    }
    Ok(identity)
}

/// Whether any seed of the run has written a model (even a partial one) or
/// explanations: results that later starts would reuse.
fn holds_results(layout: &RunLayout) -> bool {
    let non_empty = |dir: std::path::PathBuf| {
        std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
    };
    layout.seeds().map_or(true, |seeds| {
        seeds.iter().any(|&s| {
            let seed = layout.seed(s);
            non_empty(seed.model()) || non_empty(seed.explanations())
        })
    })
}

/// Writes `identity` as the options of the parameter file `path` on the first
/// start; later starts must give the same value.
pub fn check_value(path: &std::path::Path, identity: Value) -> Result<()> {
    let path = path.to_path_buf();
    if let Ok(text) = std::fs::read_to_string(&path) {
        let saved: Value = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.clone(),
            what: "not a sacx parameter file",
            source,
        })?;
        if let Some(format) = saved.get("format").and_then(Value::as_str)
            && format != IDENTITY_FORMAT
        {
            return Err(Error::OtherRunFormat {
                path,
                found: format.to_string(),
            });
        }
        // Keys that have left the identity since the file was written (such as
        // the keyword options of earlier versions) do not count.
        let mut saved_options = saved.get("options").cloned().unwrap_or(Value::Null);
        if let (Some(old), Some(now)) = (saved_options.as_object_mut(), identity.as_object()) {
            old.retain(|k, _| now.contains_key(k));
        }
        if saved_options != identity {
            let difference = first_difference(&saved_options, &identity, "");
            return Err(Error::OtherOptions {
                path,
                thread_count: difference.starts_with("train.threads"),
                difference,
            });
        }
        return Ok(());
    }
    write_identity(&path, &identity)
}

fn write_identity(path: &std::path::Path, identity: &Value) -> Result<()> {
    write_json(
        path,
        &json!({
            "format": IDENTITY_FORMAT,
            "sacx_version": env!("CARGO_PKG_VERSION"),
            "options": identity,
        }),
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
