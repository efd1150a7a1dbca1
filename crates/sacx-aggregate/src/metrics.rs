//! Keyword-quality metrics of the class-explainer study (formulas in `docs/metrics.md`).
use crate::counts::ClassCounts;
use crate::eval_docs::{EvalDocuments, LabelSource};
use crate::keywords::Keywords;
use crate::params::Method;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Name of the file written by [`write_evaluations`].
pub use sacx_data::layout::EVALUATION_JSON;

/// A metric's value per class, and its mean (and population standard deviation) over
/// the classes where it is defined. `None` marks an undefined value (no keywords or no
/// documents).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerClass {
    /// Mean over the classes with a defined value.
    pub mean: Option<f64>,
    /// Population standard deviation over the same classes.
    pub std: Option<f64>,
    /// Per class name.
    pub per_class: BTreeMap<String, Option<f64>>,
}

impl PerClass {
    pub(crate) fn new(classes: &[String], values: Vec<Option<f64>>) -> Self {
        let defined: Vec<f64> = values.iter().flatten().copied().collect();
        let (mean, std) = mean_std(&defined);
        Self {
            mean,
            std,
            per_class: classes.iter().cloned().zip(values).collect(),
        }
    }
}

fn mean_std(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    if xs.is_empty() {
        return (None, None);
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (Some(m), Some(v.sqrt()))
}

fn mean(xs: &[f64]) -> Option<f64> {
    mean_std(xs).0
}

/// Coverage-based distinctiveness: macro coverage against cross-coverage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageDistinctiveness {
    /// macro − cross.
    pub difference: Option<f64>,
    /// macro / cross.
    pub ratio: Option<f64>,
    /// (macro − cross) / macro.
    pub normalised: Option<f64>,
}

/// Every metric for the top `k` keywords of each class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsAtK {
    /// Keywords per class considered.
    pub k: usize,
    /// Share of a class's keywords in no other class's list.
    pub distinctiveness: PerClass,
    /// Per class, mean over its documents of the share of its keywords they contain.
    pub macro_coverage: PerClass,
    /// Mean over documents of the share of their classes' keywords they contain.
    pub micro_coverage: Option<f64>,
    /// Per class, mean over documents *not* of the class of the share of its keywords
    /// they contain.
    pub cross_coverage: PerClass,
    /// Macro coverage against cross-coverage.
    pub coverage_distinctiveness: CoverageDistinctiveness,
    /// Per class, mean over its keywords of the share of the class's documents
    /// containing the keyword.
    pub corpus_coverage: PerClass,
    /// Per class, the share of its keywords among the corpus's most
    /// document-frequent words ([`Evaluation::with_generic_words`]); `None`
    /// without corpus counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_share: Option<PerClass>,
    /// Comprehensiveness and sufficiency against the models, when they were
    /// measured ([`crate::Faithfulness`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faithfulness: Option<crate::Faithfulness>,
}

/// The content of `evaluation.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Format tag, `sacx-evaluation/1`.
    pub format: String,
    /// Method of the evaluated keywords.
    pub method: Method,
    /// Label source of the documents.
    pub label_source: LabelSource,
    /// Documents evaluated on (with at least one label).
    pub n_documents: usize,
    /// Per class, documents with that label.
    pub class_documents: BTreeMap<String, usize>,
    /// Results, one per K.
    pub results: Vec<MetricsAtK>,
    /// IG with two runs or more: how much each class's list would change with
    /// other seeds ([`crate::keyword_stability`]); absent in files of earlier
    /// versions and for baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<crate::KeywordStability>,
}

impl Evaluation {
    /// Measures corpus coverage on the whole corpus instead of the evaluation
    /// documents: for each class c and each of its top-K keywords w, the share
    /// `DF_c(w) / N_c` of the corpus's documents of class c that contain w (from
    /// the class word counts), averaged over the keywords. Without this, corpus
    /// coverage is measured on the evaluation documents, where it equals macro
    /// coverage by construction.
    pub fn with_corpus_counts(mut self, keywords: &Keywords, counts: &ClassCounts) -> Self {
        for r in &mut self.results {
            let classes: Vec<String> = r.corpus_coverage.per_class.keys().cloned().collect();
            let values = classes
                .iter()
                .map(|c| {
                    let list = &keywords.class(c)?.keywords;
                    let n = counts.class(c)?.n_docs;
                    let top: Vec<f64> = list
                        .iter()
                        .take(r.k)
                        .map(|w| counts.df(c, &w.word) as f64 / n as f64)
                        .collect();
                    if n > 0 { mean(&top) } else { None }
                })
                .collect();
            r.corpus_coverage = PerClass::new(&classes, values);
        }
        self
    }

    /// Measures the generic-word share: per class, the share of its top-K
    /// keywords that are among `generic`, the corpus's most document-frequent
    /// words ([`sacx_data::LanguageCounts::generic_words`]); mean over the
    /// classes with keywords.
    pub fn with_generic_words(mut self, keywords: &Keywords, generic: &[&str]) -> Self {
        let generic: std::collections::HashSet<&str> = generic.iter().copied().collect();
        for r in &mut self.results {
            let classes: Vec<String> = keywords.classes.iter().map(|c| c.class.clone()).collect();
            let values = keywords
                .classes
                .iter()
                .map(|c| {
                    let top: Vec<&str> = c
                        .keywords
                        .iter()
                        .take(r.k)
                        .map(|w| w.word.as_str())
                        .collect();
                    (!top.is_empty()).then(|| {
                        top.iter().filter(|w| generic.contains(*w)).count() as f64
                            / top.len() as f64
                    })
                })
                .collect();
            r.generic_share = Some(PerClass::new(&classes, values));
        }
        self
    }
}

/// Writes `evaluation.json`: one [`Evaluation`] per keyword set, as a JSON
/// list, atomically. The one writer of the file.
pub fn write_evaluations(path: &Path, evals: &[Evaluation]) -> Result<()> {
    let json = serde_json::to_vec_pretty(evals).map_err(|source| Error::Json {
        path: path.into(),
        what: EVALUATION_JSON,
        source,
    })?;
    Ok(sacx_data::write_atomic(path, &json)?)
}

/// Reads `evaluation.json` (`Ok(None)` when there is none), sorted by method,
/// IG first. The one reader of the file: a list of evaluations, as
/// [`write_evaluations`] writes, or a single one (what `sacx evaluate` wrote
/// for one keyword set before the list). Anything else is an error naming
/// the file.
pub fn read_evaluations(path: &Path) -> Result<Option<Vec<Evaluation>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                path: path.into(),
                source,
            });
        }
    };
    let json = |source| Error::Json {
        path: path.into(),
        what: "a list of evaluations (evaluation.json)",
        source,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(json)?;
    let mut out: Vec<Evaluation> = if value.is_array() {
        serde_json::from_value(value).map_err(json)?
    } else {
        vec![serde_json::from_value(value).map_err(json)?]
    };
    out.sort_by_key(|e| e.method);
    Ok(Some(out))
}

/// Evaluates every class's keyword list at each K in `ks` on `docs` (classes are
/// matched by name; a class without documents gets undefined coverages).
///
/// ```
/// # fn main() -> Result<(), sacx_aggregate::Error> {
/// use sacx_aggregate::{BaselineParams, ClassCounts, EvalDocuments, Method, baseline, evaluate};
/// let docs = vec![
///     (vec!["play", "game"], vec!["Game"]),
///     (vec!["play", "ball"], vec!["Game"]),
///     (vec!["sing", "song"], vec!["Music"]),
///     (vec!["sing", "loud"], vec!["Music"]),
/// ];
/// let classes = ["Game".to_string(), "Music".to_string()];
/// let params = BaselineParams::builder().method(Method::Chi2).min_word_freq(1).build()?;
/// let keywords = baseline(&ClassCounts::from_documents(docs.clone()), &classes, &params)?;
/// let eval_docs = EvalDocuments::from_labelled(
///     &classes,
///     docs.into_iter().enumerate().map(|(i, (w, l))| (format!("d{i}"), w, l)),
/// )?;
/// let eval = evaluate(&keywords, &eval_docs, &[1])?;
/// // "play" and "sing" each cover both documents of their class.
/// assert_eq!(eval.results[0].macro_coverage.per_class["Game"], Some(1.0));
/// # Ok(())
/// # }
/// ```
pub fn evaluate(keywords: &Keywords, docs: &EvalDocuments, ks: &[usize]) -> Result<Evaluation> {
    if let Some(&k) = ks.iter().find(|&&k| k == 0) {
        return Err(Error::param("k", k, "at least 1"));
    }
    let classes: Vec<String> = keywords.classes.iter().map(|c| c.class.clone()).collect();
    // Document labels re-indexed into the keyword classes.
    let remap: Vec<Option<usize>> = docs
        .labels
        .iter()
        .map(|l| classes.iter().position(|c| c == l))
        .collect();
    let doc_labels: Vec<Vec<usize>> = docs
        .docs
        .iter()
        .map(|d| {
            d.labels
                .iter()
                .filter_map(|&l| remap.get(l as usize).copied().flatten())
                .collect()
        })
        .collect();
    let mut class_documents: BTreeMap<String, usize> =
        classes.iter().map(|c| (c.clone(), 0)).collect();
    for labels in &doc_labels {
        for &c in labels {
            if let Some(n) = classes
                .get(c)
                .and_then(|name| class_documents.get_mut(name))
            {
                *n += 1;
            }
        }
    }
    let results = ks
        .iter()
        .map(|&k| {
            let lists: Vec<Vec<&str>> = keywords
                .classes
                .iter()
                .map(|c| c.keywords.iter().take(k).map(|w| w.word.as_str()).collect())
                .collect();
            metrics_at_k(k, &classes, &lists, docs, &doc_labels)
        })
        .collect();
    Ok(Evaluation {
        format: "sacx-evaluation/1".into(),
        method: keywords.method,
        label_source: docs.source,
        n_documents: doc_labels.iter().filter(|l| !l.is_empty()).count(),
        class_documents,
        results,
        stability: None,
    })
}

/// Per list, the share of its words that no other list holds (`None` for an
/// empty list).
fn distinctiveness(lists: &[Vec<&str>]) -> Vec<Option<f64>> {
    let mut lists_with: HashMap<&str, usize> = HashMap::new();
    for list in lists {
        for w in list.iter().collect::<HashSet<_>>() {
            *lists_with.entry(w).or_default() += 1;
        }
    }
    lists
        .iter()
        .map(|l| {
            (!l.is_empty())
                .then(|| l.iter().filter(|w| lists_with[*w] == 1).count() as f64 / l.len() as f64)
        })
        .collect()
}

fn metrics_at_k(
    k: usize,
    classes: &[String],
    lists: &[Vec<&str>],
    docs: &EvalDocuments,
    doc_labels: &[Vec<usize>],
) -> MetricsAtK {
    let n = classes.len();
    let distinct = distinctiveness(lists);
    let mut cov: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut cross: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut micro = Vec::new();
    // Per class and keyword: documents of the class containing the keyword.
    let mut hits: Vec<Vec<usize>> = lists.iter().map(|l| vec![0; l.len()]).collect();
    let mut class_docs = vec![0usize; n];
    // Each keyword's index in the documents' vocabulary, looked up once.
    let ids: Vec<Vec<Option<u32>>> = lists
        .iter()
        .map(|l| l.iter().map(|w| docs.word_id(w)).collect())
        .collect();
    for (doc, labels) in docs.docs.iter().zip(doc_labels) {
        if labels.is_empty() {
            continue;
        }
        let matched: Vec<usize> = ids
            .iter()
            .map(|l| l.iter().filter(|&&w| doc.has(w)).count())
            .collect();
        let (mut found, mut total) = (0usize, 0usize);
        for &c in labels {
            class_docs[c] += 1;
            for (i, &w) in ids[c].iter().enumerate() {
                hits[c][i] += doc.has(w) as usize;
            }
            if !lists[c].is_empty() {
                cov[c].push(matched[c] as f64 / lists[c].len() as f64);
                found += matched[c];
                total += lists[c].len();
            }
        }
        if total > 0 {
            micro.push(found as f64 / total as f64);
        }
        for o in (0..n).filter(|o| !labels.contains(o) && !lists[*o].is_empty()) {
            cross[o].push(matched[o] as f64 / lists[o].len() as f64);
        }
    }
    let macro_coverage = PerClass::new(classes, cov.iter().map(|v| mean(v)).collect());
    let cross_coverage = PerClass::new(classes, cross.iter().map(|v| mean(v)).collect());
    let corpus = (0..n)
        .map(|c| {
            (class_docs[c] > 0 && !lists[c].is_empty()).then(|| {
                hits[c]
                    .iter()
                    .map(|&h| h as f64 / class_docs[c] as f64)
                    .sum::<f64>()
                    / lists[c].len() as f64
            })
        })
        .collect();
    let (m, x) = (macro_coverage.mean, cross_coverage.mean);
    let difference = m.zip(x).map(|(m, x)| m - x);
    MetricsAtK {
        k,
        distinctiveness: PerClass::new(classes, distinct),
        coverage_distinctiveness: CoverageDistinctiveness {
            difference,
            ratio: m.zip(x).and_then(|(m, x)| (x > 0.0).then(|| m / x)),
            normalised: difference
                .zip(m)
                .and_then(|(d, m)| (m > 0.0).then(|| d / m)),
        },
        macro_coverage,
        micro_coverage: mean(&micro),
        cross_coverage,
        corpus_coverage: PerClass::new(classes, corpus),
        generic_share: None,
        faithfulness: None,
    }
}
