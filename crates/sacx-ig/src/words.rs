//! From token attributions to word scores: drop special tokens, normalise,
//! merge the tokens of each word.
use crate::params::{Normalize, WordMerge};

/// Word scores of one pair.
///
/// `attr[t]` is token `t`'s attribution and `word_of[t]` its word index (`None`
/// for special tokens, which are excluded). Returns `(word index, score)` for
/// every word that has at least one token, in word order. With
/// [`Normalize::L2`] the token attributions are divided by their L2 norm over
/// the document's non-special tokens first (a zero norm leaves them as they are).
pub fn word_scores(
    attr: &[f32],
    word_of: &[Option<u32>],
    normalize: Normalize,
    merge: WordMerge,
) -> Vec<(u32, f32)> {
    let norm = match normalize {
        Normalize::L2 => {
            let sq: f64 = attr
                .iter()
                .zip(word_of)
                .filter(|(_, w)| w.is_some())
                .map(|(a, _)| f64::from(*a) * f64::from(*a))
                .sum();
            if sq > 0.0 { sq.sqrt() } else { 1.0 }
        }
        Normalize::None => 1.0,
    };
    let mut out: Vec<(u32, f32)> = Vec::new();
    let mut count = 0usize;
    let flush = |out: &mut Vec<(u32, f32)>, count: &mut usize| {
        if let (WordMerge::Mean, Some(last)) = (merge, out.last_mut()) {
            last.1 /= *count as f32;
        }
        *count = 0;
    };
    for (a, w) in attr.iter().zip(word_of) {
        let Some(w) = *w else { continue };
        let v = (f64::from(*a) / norm) as f32;
        match out.last_mut() {
            Some(last) if last.0 == w => {
                count += 1;
                match merge {
                    WordMerge::AbsMax => {
                        // Ties keep the later token, as the original did.
                        if v.abs() >= last.1.abs() {
                            last.1 = v;
                        }
                    }
                    WordMerge::Sum | WordMerge::Mean => last.1 += v,
                }
            }
            _ => {
                flush(&mut out, &mut count);
                out.push((w, v));
                count = 1;
            }
        }
    }
    flush(&mut out, &mut count);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: [Option<u32>; 6] = [None, Some(0), Some(0), Some(1), Some(2), None];

    #[test]
    fn abs_max_keeps_the_sign_of_the_largest_token() {
        let attr = [9.0, 0.5, -2.0, 1.0, 0.0, 9.0];
        let s = word_scores(&attr, &WORDS, Normalize::None, WordMerge::AbsMax);
        assert_eq!(s, vec![(0, -2.0), (1, 1.0), (2, 0.0)]);
    }

    #[test]
    fn l2_normalises_over_non_special_tokens_only() {
        // Non-special tokens: 0, 3, 4, 0 → norm 5.
        let attr = [100.0, 0.0, 3.0, 4.0, 0.0, -100.0];
        let s = word_scores(&attr, &WORDS, Normalize::L2, WordMerge::Sum);
        assert_eq!(s, vec![(0, 0.6), (1, 0.8), (2, 0.0)]);
    }

    #[test]
    fn mean_divides_by_the_word_token_count() {
        let attr = [0.0, 1.0, 3.0, 5.0, -1.0, 0.0];
        let s = word_scores(&attr, &WORDS, Normalize::None, WordMerge::Mean);
        assert_eq!(s, vec![(0, 2.0), (1, 5.0), (2, -1.0)]);
    }

    #[test]
    fn zero_attributions_do_not_divide_by_zero() {
        let s = word_scores(&[0.0; 6], &WORDS, Normalize::L2, WordMerge::AbsMax);
        assert_eq!(s, vec![(0, 0.0), (1, 0.0), (2, 0.0)]);
    }
}
