//! The `metrics.json` format: multilabel metrics (overall and per language),
//! how they are computed from probabilities and how the file is written.
//!
//! This is pure arithmetic on `f32` rows, kept here (without libtorch) so that
//! readers of a run directory, such as the HTML report, need no model crate;
//! `sacx_model::metrics` re-exports it.
//!
//! Conventions: a class is predicted when its probability is `>= threshold`.
//! Precision with no prediction, recall with no support and F1 with both zero
//! are 0. Macro averages run over the classes with support in the evaluated
//! documents. P@k counts gold labels among the k highest scores (ties broken by
//! class index), divided by k, averaged over all documents. nDCG@k uses binary
//! gains, `DCG = Σ rel_i / log2(i + 2)`, normalised by the ideal DCG of
//! `min(k, |gold|)` hits, averaged over documents with at least one gold label.
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, InvalidParameter, Result};

/// The k of P@k and nDCG@k.
pub const TOP_K: [usize; 3] = [1, 3, 5];

/// Precision, recall, F1 and counts of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Class name.
    pub label: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Gold occurrences.
    pub support: usize,
    /// Predicted occurrences.
    pub predicted: usize,
}

/// Metrics of one set of documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSet {
    /// Documents evaluated.
    pub documents: usize,
    /// Micro-averaged precision.
    pub micro_precision: f64,
    /// Micro-averaged recall.
    pub micro_recall: f64,
    /// Micro-averaged F1.
    pub micro_f1: f64,
    /// Macro-averaged F1 (classes with support).
    pub macro_f1: f64,
    /// Fraction of documents whose predicted set equals the gold set.
    pub subset_accuracy: f64,
    /// P@1, P@3, P@5 keyed `"1"`, `"3"`, `"5"`.
    pub precision_at: BTreeMap<String, f64>,
    /// nDCG@1, nDCG@3, nDCG@5 keyed `"1"`, `"3"`, `"5"`.
    pub ndcg_at: BTreeMap<String, f64>,
    /// Per-class report, in label order.
    pub per_class: Vec<ClassMetrics>,
}

/// The global threshold that maximises micro-F1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestThreshold {
    /// The threshold (midway between two observed scores).
    pub threshold: f64,
    /// Micro-F1 at that threshold.
    pub micro_f1: f64,
}

/// Everything written to `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The decision threshold used for the threshold-based figures.
    pub threshold: f64,
    /// All documents.
    pub overall: MetricSet,
    /// Per language code.
    pub per_language: BTreeMap<String, MetricSet>,
    /// The micro-F1-maximising threshold over all documents (reported only,
    /// unless the run applied it, in which case `threshold` equals it).
    pub best_threshold: BestThreshold,
}

/// Computes [`Metrics`] from probabilities `[doc][class]`, gold label indices
/// and languages, all in the same document order.
pub fn evaluate(
    probs: &[Vec<f32>],
    gold: &[Vec<u32>],
    langs: &[String],
    labels: &[String],
    threshold: f64,
) -> std::result::Result<Metrics, InvalidParameter> {
    if probs.len() != gold.len() || probs.len() != langs.len() {
        return Err(InvalidParameter::new(
            "documents",
            probs.len(),
            "as many gold sets and languages as predictions",
        ));
    }
    if let Some(row) = probs.iter().find(|r| r.len() != labels.len()) {
        return Err(InvalidParameter::new(
            "classes",
            row.len(),
            "one probability per label",
        ));
    }
    let all: Vec<usize> = (0..probs.len()).collect();
    let overall = metric_set(probs, gold, &all, labels, threshold);
    let mut by_lang: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in langs.iter().enumerate() {
        by_lang.entry(l).or_default().push(i);
    }
    let per_language = by_lang
        .into_iter()
        .map(|(l, idx)| {
            (
                l.to_string(),
                metric_set(probs, gold, &idx, labels, threshold),
            )
        })
        .collect();
    Ok(Metrics {
        threshold,
        overall,
        per_language,
        best_threshold: best_threshold(probs, gold),
    })
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn metric_set(
    probs: &[Vec<f32>],
    gold: &[Vec<u32>],
    docs: &[usize],
    labels: &[String],
    t: f64,
) -> MetricSet {
    let c = labels.len();
    let (mut tp, mut pred, mut sup) = (vec![0usize; c], vec![0usize; c], vec![0usize; c]);
    let mut exact = 0;
    let mut p_at = [0.0f64; 3];
    let mut ndcg = [0.0f64; 3];
    let mut with_gold = 0;
    for &d in docs {
        let mut is_gold = vec![false; c];
        for &g in &gold[d] {
            is_gold[g as usize] = true;
        }
        let mut same = true;
        for k in 0..c {
            let yes = probs[d][k] as f64 >= t;
            pred[k] += yes as usize;
            sup[k] += is_gold[k] as usize;
            tp[k] += (yes && is_gold[k]) as usize;
            same &= yes == is_gold[k];
        }
        exact += same as usize;
        with_gold += add_ranking(&probs[d], &is_gold, &mut p_at, &mut ndcg) as usize;
    }
    let per_class: Vec<ClassMetrics> = (0..c)
        .map(|k| {
            let (p, r) = (ratio(tp[k], pred[k]), ratio(tp[k], sup[k]));
            ClassMetrics {
                label: labels[k].clone(),
                precision: p,
                recall: r,
                f1: f1(p, r),
                support: sup[k],
                predicted: pred[k],
            }
        })
        .collect();
    let (tps, preds, sups) = (tp.iter().sum(), pred.iter().sum(), sup.iter().sum());
    let (mp, mr) = (ratio(tps, preds), ratio(tps, sups));
    let supported: Vec<&ClassMetrics> = per_class.iter().filter(|m| m.support > 0).collect();
    let macro_f1 = if supported.is_empty() {
        0.0
    } else {
        supported.iter().map(|m| m.f1).sum::<f64>() / supported.len() as f64
    };
    let n = docs.len();
    let key = |k: usize| k.to_string();
    MetricSet {
        documents: n,
        micro_precision: mp,
        micro_recall: mr,
        micro_f1: f1(mp, mr),
        macro_f1,
        subset_accuracy: ratio(exact, n),
        precision_at: TOP_K
            .iter()
            .zip(p_at)
            .map(|(&k, v)| (key(k), if n == 0 { 0.0 } else { v / n as f64 }))
            .collect(),
        ndcg_at: TOP_K
            .iter()
            .zip(ndcg)
            .map(|(&k, v)| {
                (
                    key(k),
                    if with_gold == 0 {
                        0.0
                    } else {
                        v / with_gold as f64
                    },
                )
            })
            .collect(),
        per_class,
    }
}

/// Adds one document's P@k and (when it has a gold label) nDCG@k, for every
/// `k` of [`TOP_K`], to the running sums; returns whether it has a gold label.
fn add_ranking(probs: &[f32], is_gold: &[bool], p_at: &mut [f64; 3], ndcg: &mut [f64; 3]) -> bool {
    let c = is_gold.len();
    let mut order: Vec<usize> = (0..c).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    let n_gold = is_gold.iter().filter(|&&g| g).count();
    for (j, &k) in TOP_K.iter().enumerate() {
        let top = &order[..k.min(c)];
        let hits = top.iter().filter(|&&i| is_gold[i]).count();
        p_at[j] += hits as f64 / k as f64;
        if n_gold > 0 {
            let dcg: f64 = top
                .iter()
                .enumerate()
                .filter(|(_, i)| is_gold[**i])
                .map(|(r, _)| 1.0 / (r as f64 + 2.0).log2())
                .sum();
            let idcg: f64 = (0..k.min(n_gold))
                .map(|r| 1.0 / (r as f64 + 2.0).log2())
                .sum();
            ndcg[j] += dcg / idcg;
        }
    }
    n_gold > 0
}

/// The threshold maximising micro-F1 over all (document, class) scores: each
/// distinct score is a candidate; the reported threshold lies midway to the
/// next lower score. Ties in F1 go to the higher threshold.
pub fn best_threshold(probs: &[Vec<f32>], gold: &[Vec<u32>]) -> BestThreshold {
    let mut pairs: Vec<(f32, bool)> = Vec::new();
    let mut positives = 0usize;
    for (row, g) in probs.iter().zip(gold) {
        for (k, &p) in row.iter().enumerate() {
            let is = g.contains(&(k as u32));
            positives += is as usize;
            pairs.push((p, is));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut best, mut best_f1) = (0.5, 0.0);
    let (mut tp, mut predicted) = (0usize, 0usize);
    let mut i = 0;
    while i < pairs.len() {
        let s = pairs[i].0;
        while i < pairs.len() && pairs[i].0 == s {
            tp += pairs[i].1 as usize;
            predicted += 1;
            i += 1;
        }
        let f = 2.0 * tp as f64 / (predicted + positives) as f64;
        if f > best_f1 {
            best_f1 = f;
            best = match pairs.get(i) {
                Some(&(next, _)) => (s as f64 + next as f64) / 2.0,
                None => s as f64,
            };
        }
    }
    BestThreshold {
        threshold: best,
        micro_f1: best_f1,
    }
}

/// Writes `metrics` as pretty JSON to `path` (atomically).
pub fn write(path: &Path, metrics: &Metrics) -> Result<()> {
    let json = serde_json::to_vec_pretty(metrics).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        expected: "metrics that serialize to JSON",
        source,
    })?;
    crate::write_atomic(path, &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    type Fixture = (Vec<Vec<f32>>, Vec<Vec<u32>>, Vec<String>, Vec<String>);

    fn fixture() -> Fixture {
        // Three classes A, B, C; four documents.
        let probs = vec![
            vec![0.9, 0.6, 0.1], // gold {A}      → pred {A, B}
            vec![0.2, 0.8, 0.7], // gold {B, C}   → pred {B, C}  exact
            vec![0.4, 0.3, 0.1], // gold {A}      → pred {}
            vec![0.1, 0.2, 0.3], // gold {}       → pred {}      exact
        ];
        let gold = vec![vec![0], vec![1, 2], vec![0], vec![]];
        let langs = ["en", "de", "en", "de"].map(String::from).to_vec();
        let labels = ["A", "B", "C"].map(String::from).to_vec();
        (probs, gold, langs, labels)
    }

    #[test]
    fn hand_computed_overall_figures() {
        let (p, g, l, lab) = fixture();
        let m = evaluate(&p, &g, &l, &lab, 0.5).unwrap();
        let o = &m.overall;
        // tp: A1 B1 C1 = 3; predicted: A1 B2 C1 = 4; support: A2 B1 C1 = 4.
        assert!(
            close(o.micro_precision, 0.75)
                && close(o.micro_recall, 0.75)
                && close(o.micro_f1, 0.75)
        );
        // Class A: P 1, R 0.5, F1 2/3; B: P 0.5, R 1, F1 2/3; C: 1, 1, 1.
        let f1s: Vec<f64> = o.per_class.iter().map(|c| c.f1).collect();
        assert!(close(f1s[0], 2.0 / 3.0) && close(f1s[1], 2.0 / 3.0) && close(f1s[2], 1.0));
        assert!(close(o.macro_f1, (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0));
        assert_eq!((o.per_class[0].support, o.per_class[1].predicted), (2, 2));
        assert!(close(o.subset_accuracy, 0.5));
        // P@1: doc0 A hit, doc1 B hit, doc2 A hit, doc3 none → 3/4.
        assert!(close(o.precision_at["1"], 0.75));
        // P@3 (all classes): hits 1, 2, 1, 0 → (1/3 + 2/3 + 1/3 + 0) / 4.
        assert!(close(o.precision_at["3"], (4.0 / 3.0) / 4.0));
        assert!(close(o.precision_at["5"], (4.0 / 5.0) / 4.0));
        // nDCG@1 over the 3 documents with gold labels: 1, 1, 1.
        assert!(close(o.ndcg_at["1"], 1.0));
        // nDCG@3: doc0 1; doc1 ranks B,C first: 1; doc2 ranks A first: 1.
        assert!(close(o.ndcg_at["3"], 1.0));
    }

    #[test]
    fn ndcg_penalises_late_hits_and_languages_split() {
        let probs = vec![vec![0.9, 0.8, 0.1]];
        let gold = vec![vec![1, 2]];
        let labels = ["A", "B", "C"].map(String::from).to_vec();
        let m = evaluate(&probs, &gold, &["fr".to_string()], &labels, 0.5).unwrap();
        // Ranking A, B, C; hits at ranks 2 and 3.
        let dcg = 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2();
        assert!(close(m.overall.ndcg_at["3"], dcg / idcg));
        assert!(close(m.overall.ndcg_at["1"], 0.0));
        let (p, g, l, lab) = fixture();
        let m = evaluate(&p, &g, &l, &lab, 0.5).unwrap();
        assert_eq!(m.per_language.keys().collect::<Vec<_>>(), ["de", "en"]);
        let en = &m.per_language["en"];
        assert_eq!(en.documents, 2);
        // en: doc0 pred {A,B} gold {A}; doc2 pred {} gold {A}: tp 1, pred 2, sup 2.
        assert!(close(en.micro_f1, 0.5));
        assert!(
            close(en.macro_f1, 2.0 / 3.0),
            "only class A has support in en"
        );
        assert!(close(m.per_language["de"].subset_accuracy, 1.0));
    }

    #[test]
    fn best_threshold_maximises_micro_f1() {
        let (p, g, _, _) = fixture();
        let b = best_threshold(&p, &g);
        // Sweep by hand: >=0.4 predicts A0 B0 B1 C1 A2 (+0.4) → tp 4, pred 5, pos 4 → F1 8/9.
        assert!(close(b.micro_f1, 8.0 / 9.0), "{b:?}");
        assert!((b.threshold - 0.35).abs() < 1e-6, "{b:?}"); // midway between 0.4 and 0.3
        let m = evaluate(
            &p,
            &g,
            &vec!["x".to_string(); 4],
            &["A", "B", "C"].map(String::from),
            b.threshold,
        )
        .unwrap();
        assert!(close(m.overall.micro_f1, b.micro_f1));
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let labels = vec!["A".to_string()];
        assert!(evaluate(&[vec![0.1, 0.2]], &[vec![]], &["en".into()], &labels, 0.5).is_err());
        assert!(evaluate(&[vec![0.1]], &[], &["en".into()], &labels, 0.5).is_err());
    }
}
