//! Steps 1–2 of the ranking: which word occurrences of one record are selected.
use crate::params::{CutOrder, KeywordParams, Style};
use sacx_data::explanation::DocRef;
use std::cmp::Ordering;

/// Whether a word contains at least one letter (Unicode alphabetic character).
pub(crate) fn has_letter(word: &str) -> bool {
    word.chars().any(char::is_alphabetic)
}

/// The predicted label set of a record: classes whose probability is above `threshold`.
pub(crate) fn predicted(record: &DocRef<'_>, threshold: f32) -> Vec<u32> {
    record
        .probs
        .iter()
        .enumerate()
        .filter(|(_, p)| **p > threshold)
        .map(|(c, _)| c as u32)
        .collect()
}

/// Picks, per target class of a record, the word occurrences that enter aggregation.
#[derive(Clone, Debug)]
pub(crate) struct Selector {
    words_per_doc: usize,
    cut_order: CutOrder,
    style: Style,
    threshold: f32,
}

/// Reusable buffers of a [`Selector`] (one per worker).
#[derive(Default)]
pub(crate) struct Scratch {
    letters: Vec<bool>,
    candidates: Vec<(f32, u32)>,
}

/// Descending score, then ascending position: a total order, so ties at the cut are
/// settled the same way every time.
fn by_score(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Selector {
    pub fn new(params: &KeywordParams) -> Self {
        Self {
            words_per_doc: params.words_per_doc(),
            cut_order: params.cut_order(),
            style: params.style(),
            threshold: params.prediction_threshold(),
        }
    }

    /// Calls `f(class, word_index, score)` for every selected occurrence of `record`,
    /// and `pair(class)` once for every target that passes the style filter.
    pub fn select(
        &self,
        record: &DocRef<'_>,
        scratch: &mut Scratch,
        mut pair: impl FnMut(u32),
        mut f: impl FnMut(u32, usize, f32),
    ) {
        let exact = self.style == Style::Exact && predicted(record, self.threshold) == *record.gold;
        let mut letters_ready = false;
        for target in &record.targets {
            let keep = match self.style {
                Style::All => true,
                Style::Exact => exact,
                Style::Contains => record.gold.contains(&target.class),
                Style::False => !record.gold.contains(&target.class),
            };
            if !keep {
                continue;
            }
            pair(target.class);
            if !letters_ready {
                scratch.letters.clear();
                scratch
                    .letters
                    .extend(record.words.iter().map(|w| has_letter(w)));
                letters_ready = true;
            }
            let letters = &scratch.letters;
            let cands = &mut scratch.candidates;
            cands.clear();
            let first = self.cut_order == CutOrder::LetterlessFirst;
            cands.extend(
                target
                    .scores
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !first || letters[*i])
                    .map(|(i, s)| (*s, i as u32)),
            );
            if cands.len() > self.words_per_doc {
                cands.select_nth_unstable_by(self.words_per_doc - 1, by_score);
                cands.truncate(self.words_per_doc);
            }
            for &(score, i) in cands.iter() {
                if first || letters[i as usize] {
                    f(target.class, i as usize, score);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sacx_data::explanation::{DocExplanation, TargetAttribution};

    fn record(
        words: &[&str],
        gold: Vec<u32>,
        probs: Vec<f32>,
        targets: &[(u32, &[f32])],
    ) -> DocExplanation {
        DocExplanation {
            doc_id: "d".into(),
            lang: "en".into(),
            gold,
            probs,
            words: words.iter().map(|w| w.to_string()).collect(),
            targets: targets
                .iter()
                .map(|(c, s)| TargetAttribution {
                    class: *c,
                    scores: s.to_vec(),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 8,
                })
                .collect(),
        }
    }

    fn run(params: KeywordParams, r: &DocExplanation) -> Vec<(u32, String, f32)> {
        let mut out = Vec::new();
        Selector::new(&params).select(
            &DocRef::view(r),
            &mut Scratch::default(),
            |_| {},
            |c, i, s| out.push((c, r.words[i].clone(), s)),
        );
        out.sort_by(|a, b| a.partial_cmp(b).unwrap());
        out
    }

    #[test]
    fn letterless_words_go_before_the_cut_unless_original_order() {
        // Scores: "2020" 0.9 (no letter), "!" 0.8 (no letter), "game" 0.5, "play" 0.4, "x1" 0.1
        let r = record(
            &["2020", "!", "game", "play", "x1"],
            vec![0],
            vec![0.9],
            &[(0, &[0.9, 0.8, 0.5, 0.4, 0.1])],
        );
        let p = KeywordParams::builder()
            .words_per_doc(2)
            .style(Style::All)
            .build()
            .unwrap();
        let got = run(p, &r);
        assert_eq!(got, vec![(0, "game".into(), 0.5), (0, "play".into(), 0.4)]);
        // The original cut first: the two best are letterless, nothing is left.
        let p = KeywordParams::builder()
            .words_per_doc(2)
            .style(Style::All)
            .cut_order(CutOrder::Original)
            .build()
            .unwrap();
        assert!(run(p, &r).is_empty());
        // With 3 words the original keeps only "game".
        let p = KeywordParams::builder()
            .words_per_doc(3)
            .style(Style::All)
            .cut_order(CutOrder::Original)
            .build()
            .unwrap();
        assert_eq!(run(p, &r), vec![(0, "game".into(), 0.5)]);
    }

    #[test]
    fn ties_at_the_cut_keep_the_earlier_word_and_negative_scores_rank_last() {
        let r = record(
            &["a", "b", "c", "d"],
            vec![0],
            vec![0.9],
            &[(0, &[-0.5, 0.2, 0.2, 0.3])],
        );
        let p = KeywordParams::builder()
            .words_per_doc(2)
            .style(Style::All)
            .build()
            .unwrap();
        assert_eq!(run(p, &r), vec![(0, "b".into(), 0.2), (0, "d".into(), 0.3)]);
    }

    #[test]
    fn styles_pick_the_documented_targets() {
        // gold {0}, predicted {0, 1} (probs 0.9, 0.7, 0.1); targets 0 and 1.
        let r = record(
            &["w"],
            vec![0],
            vec![0.9, 0.7, 0.1],
            &[(0, &[0.5]), (1, &[0.6])],
        );
        let classes = |style| {
            let p = KeywordParams::builder().style(style).build().unwrap();
            run(p, &r).into_iter().map(|t| t.0).collect::<Vec<_>>()
        };
        assert_eq!(classes(Style::All), vec![0, 1]);
        assert_eq!(classes(Style::Contains), vec![0]);
        assert_eq!(classes(Style::False), vec![1]);
        assert_eq!(classes(Style::Exact), Vec::<u32>::new());
        // predicted {0} == gold {0}: exact keeps every target of the document.
        let r = record(&["w"], vec![0], vec![0.9, 0.3, 0.1], &[(0, &[0.5])]);
        let p = KeywordParams::builder()
            .style(Style::Exact)
            .build()
            .unwrap();
        assert_eq!(run(p, &r).len(), 1);
    }
}
