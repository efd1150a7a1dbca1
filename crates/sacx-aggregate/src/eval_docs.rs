//! The documents keyword lists are evaluated on, and the labels they count under.
use crate::input::{Inputs, Unit, in_blocks};
use crate::select::predicted;
use crate::table::FxMap;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::str::FromStr;

/// Which labels a document counts under in the coverage metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelSource {
    /// The gold labels.
    True,
    /// The classes predicted by a majority of the runs that explained the document.
    Predicted,
    /// Majority predictions that are also gold labels (true positives). The study's setting.
    TruePositive,
}

impl fmt::Display for LabelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LabelSource::True => "true",
            LabelSource::Predicted => "predicted",
            LabelSource::TruePositive => "true-positive",
        })
    }
}

impl FromStr for LabelSource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "true" | "tl" => Ok(LabelSource::True),
            "predicted" | "p" => Ok(LabelSource::Predicted),
            "true-positive" | "tp" => Ok(LabelSource::TruePositive),
            _ => Err(Error::param(
                "label_source",
                s,
                "true, predicted or true-positive",
            )),
        }
    }
}

/// One evaluation document: its distinct words and its class indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalDocument {
    /// Document key (language and id for explained documents).
    pub id: String,
    /// Distinct words (possibly only those that occur in some keyword list),
    /// as ascending indices into [`EvalDocuments::vocabulary`]: four bytes a
    /// word, where a set of strings took about sixty.
    pub words: Vec<u32>,
    /// Class indices into [`EvalDocuments::labels`], ascending.
    pub labels: Vec<u32>,
}

/// Evaluation documents with their label list.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalDocuments {
    /// Class names; document labels index into it.
    pub labels: Vec<String>,
    /// The documents.
    pub docs: Vec<EvalDocument>,
    /// Where the document labels come from.
    pub source: LabelSource,
    /// Every word of the documents, sorted; document words index into it.
    pub vocabulary: Vec<String>,
}

/// The index of `word` in a sorted vocabulary.
fn word_index(vocabulary: &[String], word: &str) -> Option<u32> {
    vocabulary
        .binary_search_by(|v| v.as_str().cmp(word))
        .ok()
        .map(|i| i as u32)
}

impl EvalDocument {
    /// Whether the document holds the word with index `id` (see
    /// [`EvalDocuments::word_id`]).
    pub fn has(&self, id: Option<u32>) -> bool {
        id.is_some_and(|id| self.words.binary_search(&id).is_ok())
    }
}

/// Options of [`EvalDocuments::from_explanations`]; built with
/// [`EvalDocOptions::builder`].
///
/// | option | default | range |
/// |---|---|---|
/// | `source` | true positives | true, predicted, true-positive |
/// | `majority` | 0.5 | (0, 1]: a class counts as a document's prediction when predicted by at least this share of the runs that explained it |
/// | `prediction_threshold` | 0.5 | (0, 1): a run predicts a class when its probability is above it |
///
/// ```
/// use sacx_aggregate::{EvalDocOptions, LabelSource};
/// let o = EvalDocOptions::builder().source(LabelSource::True).majority(1.0).build()?;
/// assert_eq!((o.source(), o.majority()), (LabelSource::True, 1.0));
/// assert!(EvalDocOptions::builder().majority(0.0).build().is_err());
/// # Ok::<(), sacx_aggregate::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EvalDocOptions {
    source: LabelSource,
    majority: f64,
    prediction_threshold: f32,
}

impl EvalDocOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> EvalDocOptionsBuilder {
        EvalDocOptionsBuilder(Self::default())
    }
    /// The label source.
    pub fn source(&self) -> LabelSource {
        self.source
    }
    /// The share of runs whose prediction makes a document's prediction.
    pub fn majority(&self) -> f64 {
        self.majority
    }
    /// The probability above which a run predicts a class.
    pub fn prediction_threshold(&self) -> f32 {
        self.prediction_threshold
    }
}

/// Builds a validated [`EvalDocOptions`].
#[derive(Clone, Debug)]
pub struct EvalDocOptionsBuilder(EvalDocOptions);

impl EvalDocOptionsBuilder {
    /// Sets the label source.
    pub fn source(mut self, source: LabelSource) -> Self {
        self.0.source = source;
        self
    }
    /// Sets the majority share.
    pub fn majority(mut self, share: f64) -> Self {
        self.0.majority = share;
        self
    }
    /// Sets the prediction threshold.
    pub fn prediction_threshold(mut self, t: f32) -> Self {
        self.0.prediction_threshold = t;
        self
    }
    /// Checks the ranges; returns the options.
    pub fn build(self) -> Result<EvalDocOptions> {
        let o = self.0;
        if !(o.majority > 0.0 && o.majority <= 1.0) {
            return Err(Error::param("majority", o.majority, "(0, 1]"));
        }
        let t = o.prediction_threshold;
        if !(t > 0.0 && t < 1.0) {
            return Err(Error::param("prediction_threshold", t, "(0, 1)"));
        }
        Ok(o)
    }
}

impl Default for EvalDocOptions {
    fn default() -> Self {
        Self {
            source: LabelSource::TruePositive,
            majority: 0.5,
            prediction_threshold: 0.5,
        }
    }
}

#[derive(Default)]
struct DocState {
    gold: Vec<u32>,
    /// Per run that explained it: the classes that run predicted.
    runs: BTreeMap<u32, Vec<u32>>,
    /// Words by index into the given vocabulary.
    ids: BTreeSet<u32>,
    /// Words, when no vocabulary was given.
    names: BTreeSet<String>,
}

impl EvalDocuments {
    /// The index of `word` in [`EvalDocuments::vocabulary`] (`None`: no
    /// document has it).
    pub fn word_id(&self, word: &str) -> Option<u32> {
        word_index(&self.vocabulary, word)
    }

    /// Documents from labelled word lists (e.g. a corpus with gold labels); `labels` of
    /// each document are class names, which must be in `classes`.
    pub fn from_labelled<'a, W, L>(
        classes: &[String],
        docs: impl IntoIterator<Item = (String, W, L)>,
    ) -> Result<Self>
    where
        W: IntoIterator<Item = &'a str>,
        L: IntoIterator<Item = &'a str>,
    {
        let mut read = Vec::new();
        for (id, words, labels) in docs {
            let mut idx = Vec::new();
            for l in labels {
                let i = classes.iter().position(|c| c == l).ok_or_else(|| {
                    Error::param(
                        "label",
                        l,
                        format!("document {id:?}: not one of {classes:?}"),
                    )
                })?;
                idx.push(i as u32);
            }
            idx.sort_unstable();
            idx.dedup();
            let words: BTreeSet<String> = words.into_iter().map(str::to_string).collect();
            read.push((id, words, idx));
        }
        let vocabulary: Vec<String> = read
            .iter()
            .flat_map(|(_, w, _)| w.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let docs = read
            .into_iter()
            .map(|(id, words, labels)| EvalDocument {
                id,
                words: words
                    .iter()
                    .filter_map(|w| word_index(&vocabulary, w))
                    .collect(),
                labels,
            })
            .collect();
        Ok(Self {
            labels: classes.to_vec(),
            docs,
            source: LabelSource::True,
            vocabulary,
        })
    }

    /// Documents from explanation inputs: one per (language, document id) over all runs.
    /// Only words in `vocabulary` are kept when it is given (all metrics only look at
    /// keyword membership, so passing the union of the keyword lists saves memory).
    /// Documents left without labels under the chosen source are dropped.
    pub fn from_explanations(
        inputs: &Inputs,
        options: &EvalDocOptions,
        vocabulary: Option<&HashSet<String>>,
    ) -> Result<Self> {
        let plan = inputs.plan()?;
        // With a vocabulary, words are kept as indices into it from the start.
        let given: Option<Vec<String>> = vocabulary.map(|v| {
            let mut words: Vec<String> = v.iter().cloned().collect();
            words.sort_unstable();
            words
        });
        let merge = |mut a: FxMap<String, DocState>, b: FxMap<String, DocState>| {
            for (k, v) in b {
                let d = a.entry(k).or_default();
                if d.runs.is_empty() {
                    d.gold = v.gold;
                }
                d.runs.extend(v.runs);
                d.ids.extend(v.ids);
                d.names.extend(v.names);
            }
            a
        };
        let read_unit = |unit: &Unit| {
            let mut map: FxMap<String, DocState> = FxMap::default();
            plan.for_each_record(unit, |rec| {
                let key = format!("{}\u{1f}{}", rec.lang, rec.doc_id);
                let d = map.entry(key).or_default();
                if d.runs.is_empty() {
                    d.gold = rec.gold.to_vec();
                }
                d.runs
                    .insert(unit.run, predicted(rec, options.prediction_threshold));
                match &given {
                    Some(v) => d
                        .ids
                        .extend(rec.words.iter().filter_map(|w| word_index(v, w))),
                    None => d.names.extend(rec.words.iter().map(|w| w.to_string())),
                }
                Ok(())
            })?;
            Ok::<_, Error>(map)
        };
        // Memory: the documents' state and one block's ([`in_blocks`]).
        let mut states: FxMap<String, DocState> = FxMap::default();
        in_blocks(&plan.units, read_unit, |part| {
            states = merge(std::mem::take(&mut states), part);
        })?;
        let vocabulary = given.unwrap_or_else(|| {
            let all: BTreeSet<&String> = states.values().flat_map(|d| d.names.iter()).collect();
            all.into_iter().cloned().collect()
        });
        let mut docs: Vec<EvalDocument> = states
            .into_iter()
            .filter_map(|(key, d)| {
                let labels = doc_labels(&d, options, plan.labels.len());
                let mut words: Vec<u32> = d.ids.into_iter().collect();
                words.extend(d.names.iter().filter_map(|w| word_index(&vocabulary, w)));
                words.sort_unstable();
                (!labels.is_empty()).then(|| EvalDocument {
                    id: key.replace('\u{1f}', ":"),
                    words,
                    labels,
                })
            })
            .collect();
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Self {
            labels: plan.labels,
            docs,
            source: options.source,
            vocabulary,
        })
    }
}

fn doc_labels(d: &DocState, options: &EvalDocOptions, n_labels: usize) -> Vec<u32> {
    if options.source == LabelSource::True {
        return d.gold.clone();
    }
    let mut votes = vec![0usize; n_labels];
    for preds in d.runs.values() {
        for &c in preds {
            votes[c as usize] += 1;
        }
    }
    let need = options.majority * d.runs.len() as f64 - 1e-9;
    (0..n_labels as u32)
        .filter(|&c| votes[c as usize] as f64 >= need && votes[c as usize] > 0)
        .filter(|c| options.source == LabelSource::Predicted || d.gold.contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_and_true_positive_labels() {
        // 4 runs: class 0 predicted by 2 (= 0.5 × 4, counts), class 1 by 1, class 2 by 3.
        let mut d = DocState {
            gold: vec![0, 1],
            ..Default::default()
        };
        d.runs.insert(0, vec![0, 2]);
        d.runs.insert(1, vec![0, 1, 2]);
        d.runs.insert(2, vec![2]);
        d.runs.insert(3, vec![]);
        let o = |source| EvalDocOptions {
            source,
            ..Default::default()
        };
        assert_eq!(doc_labels(&d, &o(LabelSource::Predicted), 3), vec![0, 2]);
        assert_eq!(doc_labels(&d, &o(LabelSource::TruePositive), 3), vec![0]);
        assert_eq!(doc_labels(&d, &o(LabelSource::True), 3), vec![0, 1]);
    }
}
