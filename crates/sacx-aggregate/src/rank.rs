//! Steps 4–6: stability, the corpus filter and the per-class ranking.
use crate::association::CorpusAssociation;
use crate::counts::ClassCounts;
use crate::keywords::{ClassKeywords, Keyword};
use crate::params::{KeywordParams, Ranking, Stability};
use crate::table::{PairStats, PairTable, SCALE};
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

/// Ranking order: score descending, then more runs, then the word (byte order).
pub(crate) fn rank_order(a: &Keyword, b: &Keyword) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.runs.cmp(&a.runs))
        .then_with(|| a.word.cmp(&b.word))
}

/// Counter-evidence order: score ascending (most negative first), then as above.
fn counter_order(a: &Keyword, b: &Keyword) -> Ordering {
    a.score
        .total_cmp(&b.score)
        .then(b.runs.cmp(&a.runs))
        .then_with(|| a.word.cmp(&b.word))
}

/// What the ranking knows of one class's explanations.
struct ClassSupport {
    /// Explained (run, document) pairs, `N_c`.
    pairs: u64,
    /// Runs with at least one pair, `R_c`.
    runs: usize,
}

/// The lists of one class before cutting.
#[derive(Default)]
struct Lists {
    stable: Vec<Keyword>,
    unstable: Vec<Keyword>,
    counter: Vec<Keyword>,
}

/// Splits every pair into its class's keyword, counter-evidence or unstable list,
/// drops words failing the corpus filter, sorts and cuts. `documents` and
/// `gold_labels` are filled later.
pub(crate) fn rank(
    table: &PairTable,
    labels: &[String],
    n_runs: usize,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> Vec<ClassKeywords> {
    let support: Vec<ClassSupport> = (0..labels.len() as u32)
        .map(|c| {
            let per_run = table.class_pairs(c);
            ClassSupport {
                pairs: per_run.iter().sum(),
                runs: per_run.iter().filter(|&&n| n > 0).count(),
            }
        })
        .collect();
    let association = match (params.ranking(), counts) {
        (Ranking::Contrast, Some(c)) => Some(CorpusAssociation::new(c, params.association())),
        _ => None,
    };
    let scorer = Scorer::new(table, &support, params, association);
    let mut lists: Vec<Lists> = (0..labels.len()).map(|_| Lists::default()).collect();
    for p in table.stats() {
        let label = &labels[p.class as usize];
        let corpus_freq = counts.map(|c| c.df(label, p.word));
        if corpus_freq.is_some_and(|f| f <= params.min_word_freq()) {
            continue;
        }
        let (k, runs_needed) = scorer.keyword(&p, label, corpus_freq, n_runs);
        let (m, l) = (k.mass, &mut lists[p.class as usize]);
        if !is_stable(params.stability(), p.runs, p.std, runs_needed) {
            l.unstable.push(k);
        } else if p.mean > 0.0 && m > 0.0 {
            // Contrast: a word the corpus does not tie to the class (association 0)
            // is no keyword of it, however much the models lean on it.
            if k.association != Some(0.0) {
                l.stable.push(k);
            }
        } else if p.mean < 0.0 {
            l.counter.push(k);
        }
    }
    labels
        .iter()
        .zip(lists)
        .zip(&support)
        .map(|((class, l), s)| {
            let keywords = cut(l.stable, params.top_n(), rank_order);
            let note = keywords
                .is_empty()
                .then(|| empty_note(class, s, l.counter.len(), n_runs, params, counts));
            ClassKeywords {
                class: class.clone(),
                keywords,
                unstable: cut(l.unstable, params.unstable_n(), rank_order),
                counter: cut(l.counter, params.top_n(), counter_order),
                explained: s.pairs,
                explained_runs: s.runs as u32,
                note,
            }
        })
        .collect()
}

/// The scores of one (class, word) pair: mass, specificity and the ranking score.
struct Scorer<'a> {
    support: &'a [ClassSupport],
    /// Σ over classes of each word's positive mass: the specificity
    /// denominator, summed in 2^64 fixed point so that it does not depend on
    /// the table's order.
    total: Vec<i128>,
    params: &'a KeywordParams,
    /// The corpus factor of the contrast ranking (`None`: another ranking, or no
    /// class word counts).
    association: Option<CorpusAssociation<'a>>,
}

impl<'a> Scorer<'a> {
    fn new(
        table: &PairTable,
        support: &'a [ClassSupport],
        params: &'a KeywordParams,
        association: Option<CorpusAssociation<'a>>,
    ) -> Self {
        let mut s = Scorer {
            support,
            total: vec![0i128; table.word_count()],
            params,
            association,
        };
        for p in table.stats() {
            s.total[p.word_id as usize] += (s.mass(&p).max(0.0) * SCALE) as i128;
        }
        s
    }

    /// Attribution mass per explained class document.
    fn mass(&self, p: &PairStats<'_>) -> f64 {
        p.mean * p.occurrences as f64 / self.support[p.class as usize].pairs.max(1) as f64
    }

    /// The pair as a keyword, and the runs it must be selected in to be stable.
    fn keyword(
        &self,
        p: &PairStats<'_>,
        label: &str,
        corpus_freq: Option<u64>,
        n_runs: usize,
    ) -> (Keyword, usize) {
        let m = self.mass(p);
        let t = self.total[p.word_id as usize] as f64 / SCALE;
        let specificity = if m > 0.0 && t > 0.0 { m / t } else { 0.0 };
        let support = self.params.ranking() != Ranking::Original;
        let association = self.association.as_ref().map(|a| a.weight(label, p.word));
        let (score, runs_needed) = if support {
            let power = self.params.specificity_power();
            let corpus = association.map_or(1.0, |a| a.powf(self.params.association_power()));
            (
                m * specificity.powf(power) * corpus,
                self.support[p.class as usize].runs,
            )
        } else {
            (p.mean, n_runs)
        };
        let k = Keyword {
            word: p.word.to_string(),
            score_mean: p.mean,
            score_std: p.std,
            occurrences: p.occurrences,
            runs: p.runs,
            documents: 0,
            gold_labels: Vec::new(),
            corpus_freq,
            score: if m < 0.0 && support { m } else { score },
            mass: m,
            specificity,
            association,
            translations: Vec::new(),
        };
        (k, runs_needed)
    }
}

fn cut(
    mut list: Vec<Keyword>,
    n: usize,
    order: fn(&Keyword, &Keyword) -> Ordering,
) -> Vec<Keyword> {
    if list.len() > n && n > 0 {
        list.select_nth_unstable_by(n - 1, order);
    }
    list.truncate(n);
    // The list held every candidate word: give their room back.
    list.shrink_to_fit();
    list.sort_by(order);
    list
}

/// Why a class got no keywords, in one sentence.
fn empty_note(
    class: &str,
    s: &ClassSupport,
    counter: usize,
    n_runs: usize,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> String {
    let in_corpus = counts
        .and_then(|c| c.class(class))
        .map(|c| format!("{} documents in the corpus, ", c.n_docs))
        .unwrap_or_default();
    if s.pairs == 0 {
        return format!(
            "{in_corpus}none explained as this class in any of the {n_runs} runs (style {}): too few to explain; add documents or runs",
            params.style()
        );
    }
    if counter > 0 {
        return format!(
            "{in_corpus}{} explained in {} of {n_runs} runs, but every stable word pushes the models away from the class ({counter} counter-evidence words): the models have not learned it; add documents, train longer, or use more runs",
            s.pairs, s.runs
        );
    }
    let stability = match params.stability() {
        Stability::SelectionFrequency { share } => {
            let runs = match params.ranking() {
                Ranking::Support | Ranking::Contrast => s.runs,
                Ranking::Original => n_runs,
            };
            format!(
                "selected in at least {} of {runs} runs",
                (share * runs as f64 - SHARE_EPSILON).ceil().max(1.0)
            )
        }
        Stability::Std { threshold } => format!("score deviation below {threshold}"),
    };
    let filter = match (counts.is_some(), params.ranking()) {
        (true, Ranking::Contrast) => format!(
            ", in more than {} class documents, more frequent in the class than elsewhere beyond chance",
            params.min_word_freq()
        ),
        (true, _) => format!(", in more than {} class documents", params.min_word_freq()),
        (false, _) => String::new(),
    };
    format!(
        "{in_corpus}{} explained in {} of {n_runs} runs, but no word had positive attribution and passed stability ({stability}{filter}): too few to rank; add documents or runs, or lower min_word_freq",
        s.pairs, s.runs
    )
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
