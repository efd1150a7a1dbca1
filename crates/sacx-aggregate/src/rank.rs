//! Steps 4–6: stability, the corpus filter and the per-class ranking.
use crate::counts::ClassCounts;
use crate::keywords::{ClassKeywords, Keyword};
use crate::params::{KeywordParams, Stability};
use crate::table::{PairStats, PairTable};
use std::cmp::Ordering;

/// Tolerance of the selection-frequency comparison, so that a word in exactly
/// `share × R` runs counts as stable despite floating-point rounding (0.6 × 5).
const SHARE_EPSILON: f64 = 1e-9;

/// Whether a pair selected in `runs` of `n_runs` runs with score deviation `std` is stable.
pub fn is_stable(stability: Stability, runs: u32, std: f64, n_runs: usize) -> bool {
    match stability {
        Stability::SelectionFrequency { share } => {
            runs as f64 >= share * n_runs as f64 - SHARE_EPSILON
        }
        Stability::Std { threshold } => std < threshold,
    }
}

/// Ranking order: mean score descending, then more runs, then the word (byte order).
pub(crate) fn rank_order(a: &Keyword, b: &Keyword) -> Ordering {
    b.score_mean
        .total_cmp(&a.score_mean)
        .then(b.runs.cmp(&a.runs))
        .then_with(|| a.word.cmp(&b.word))
}

/// Splits every pair into its class's stable or unstable list, drops words failing the
/// corpus filter, sorts and cuts. `documents` and `gold_labels` are filled later.
pub(crate) fn rank(
    table: &PairTable,
    labels: &[String],
    n_runs: usize,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> Vec<ClassKeywords> {
    let mut stable: Vec<Vec<Keyword>> = vec![Vec::new(); labels.len()];
    let mut unstable: Vec<Vec<Keyword>> = vec![Vec::new(); labels.len()];
    for p in table.stats() {
        let PairStats {
            class,
            word,
            occurrences,
            mean,
            std,
            runs,
        } = p;
        let label = &labels[class as usize];
        let corpus_freq = counts.map(|c| c.df(label, word));
        if corpus_freq.is_some_and(|f| f <= params.min_word_freq()) {
            continue;
        }
        let k = Keyword {
            word: word.to_string(),
            score_mean: mean,
            score_std: std,
            occurrences,
            runs,
            documents: 0,
            gold_labels: Vec::new(),
            corpus_freq,
        };
        let lists = if is_stable(params.stability(), runs, std, n_runs) {
            &mut stable
        } else {
            &mut unstable
        };
        lists[class as usize].push(k);
    }
    let cut = |mut list: Vec<Keyword>, n: usize| {
        if list.len() > n && n > 0 {
            list.select_nth_unstable_by(n - 1, rank_order);
        }
        list.truncate(n);
        list.sort_by(rank_order);
        list
    };
    labels
        .iter()
        .zip(stable.into_iter().zip(unstable))
        .map(|(class, (s, u))| ClassKeywords {
            class: class.clone(),
            keywords: cut(s, params.top_n()),
            unstable: cut(u, params.unstable_n()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_frequency_boundary_is_inclusive() {
        let sf = Stability::SelectionFrequency { share: 0.6 };
        // R = 5: 0.6 × 5 = 3 runs exactly.
        assert!(is_stable(sf, 3, 9.0, 5));
        assert!(!is_stable(sf, 2, 0.0, 5));
        // R = 10: 6 runs is the boundary; R = 7: 4.2 → 5 runs needed.
        assert!(is_stable(sf, 6, 0.0, 10));
        assert!(!is_stable(sf, 5, 0.0, 10));
        assert!(!is_stable(sf, 4, 0.0, 7));
        assert!(is_stable(sf, 5, 0.0, 7));
        let std = Stability::Std { threshold: 0.2 };
        assert!(is_stable(std, 1, 0.19, 5));
        assert!(!is_stable(std, 5, 0.2, 5));
    }
}
