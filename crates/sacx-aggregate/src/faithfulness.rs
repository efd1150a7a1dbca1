//! Faithfulness figures of a keyword set (comprehensiveness and sufficiency against
//! the models, with a random-word control), built from the per-class sums that
//! `sacx-ig` measures. Formulas in `docs/metrics.md`.
use crate::counts::ClassCounts;
use crate::keywords::Keywords;
use crate::metrics::PerClass;
use crate::select::has_letter;
use sacx_data::FaithSums;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};

/// Three figures of one word set per class, and their means over classes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaithFigures {
    /// Mean over the class's documents of `p_c(d) − p_c(d \ K_c)`.
    pub comprehensiveness_prob: PerClass,
    /// Mean over the class's documents of `z_c(d) − z_c(d \ K_c)` (logits).
    pub comprehensiveness_logit: PerClass,
    /// Mean over the class's documents of `p_c(d ∩ K_c)`.
    pub sufficiency_prob: PerClass,
}

/// Per class the mean `f(sums) / n` (undefined for a class without documents).
fn per_class_mean(classes: &[String], sums: &[FaithSums], f: fn(&FaithSums) -> f64) -> PerClass {
    let values = sums
        .iter()
        .map(|s| (s.n > 0).then(|| f(s) / s.n as f64))
        .collect();
    PerClass::new(classes, values)
}

impl FaithFigures {
    fn new(classes: &[String], sums: &[FaithSums]) -> Self {
        Self {
            comprehensiveness_prob: per_class_mean(classes, sums, |s| s.drop_prob),
            comprehensiveness_logit: per_class_mean(classes, sums, |s| s.drop_logit),
            sufficiency_prob: per_class_mean(classes, sums, |s| s.only_prob),
        }
    }
}

/// Faithfulness of one keyword set's top K words, measured with each run's model on
/// its own validation documents of each class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Faithfulness {
    /// The keyword set's figures. A class without keywords deletes nothing: its
    /// comprehensiveness is 0 and its sufficiency the empty document's probability.
    pub keywords: FaithFigures,
    /// The same figures for K words drawn at random from the corpus vocabulary
    /// ([`control_words`]).
    pub control: FaithFigures,
    /// Mean over the class's documents of `p_c(d)`, the unmodified probability.
    pub full_prob: PerClass,
    /// (run, document) pairs measured per class.
    pub documents: BTreeMap<String, u64>,
    /// Seed of the control draw.
    pub control_seed: u64,
}

impl Faithfulness {
    /// Figures from per-class sums (in `classes` order) of the keyword set and of
    /// the control.
    pub fn new(
        classes: &[String],
        keywords: &[FaithSums],
        control: &[FaithSums],
        control_seed: u64,
    ) -> Self {
        Self {
            keywords: FaithFigures::new(classes, keywords),
            control: FaithFigures::new(classes, control),
            full_prob: per_class_mean(classes, keywords, |s| s.full_prob),
            documents: classes
                .iter()
                .cloned()
                .zip(keywords.iter().map(|s| s.n))
                .collect(),
            control_seed,
        }
    }
}

/// The first `k` keywords of each of `classes` in `set` (empty for a class the set
/// does not list).
pub fn top_words(set: &Keywords, classes: &[String], k: usize) -> Vec<HashSet<String>> {
    classes
        .iter()
        .map(|c| {
            set.class(c)
                .map(|ck| ck.keywords.iter().take(k).map(|w| w.word.clone()).collect())
                .unwrap_or_default()
        })
        .collect()
}

/// Per class, `k` distinct words drawn uniformly from the corpus vocabulary (every
/// word with a letter in the class word counts), seeded: the control of the
/// faithfulness figures. The draw orders the vocabulary by a hash of
/// (`seed`, class index, word) and keeps the first `k`, so it is the same on every
/// machine.
pub fn control_words(
    counts: &ClassCounts,
    classes: &[String],
    k: usize,
    seed: u64,
) -> Vec<HashSet<String>> {
    let vocab: BTreeSet<&str> = counts
        .class_names()
        .filter_map(|c| counts.class(c))
        .flat_map(|cc| cc.df.keys().map(String::as_str))
        .filter(|w| has_letter(w))
        .collect();
    let mut words: Vec<&str> = vocab.into_iter().collect();
    (0..classes.len())
        .map(|c| {
            let key = |w: &str| {
                let mut h = crate::table::Fx::default();
                (seed, c as u64, w).hash(&mut h);
                h.finish()
            };
            if words.len() > k && k > 0 {
                words.select_nth_unstable_by_key(k - 1, |w| (key(w), *w));
            }
            words.iter().take(k).map(|w| w.to_string()).collect()
        })
        .collect()
}
