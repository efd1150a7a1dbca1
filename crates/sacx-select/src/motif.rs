//! k-skip-n-grams of a document's words: the motifs of explore.
//!
//! A document's words are its [`Segmenter`] words in keyword form (case-folded
//! as the class word counts and the keywords are), the first `max_words` of
//! them. A k-skip-n-gram is `m ≤ n` words taken in order, `w[i1] … w[im]`
//! with `i1 < … < im`, skipping at most `k` words in total
//! (`Σ (i[j+1] − i[j] − 1) ≤ k`). Its motif is the words alone (not the gaps),
//! so "open source" is one motif whether the words are adjacent or not.
use sacx_data::{Fnv1a, Segmenter};

/// The keyword forms of the first `max_words` words of `text`.
pub fn document_words(seg: &Segmenter, text: &str, max_words: usize) -> Vec<String> {
    seg.words(text)
        .take(max_words)
        .map(|w| seg.fold(w.text).into_owned())
        .collect()
}

/// The hash of a word: FNV-1a of its bytes.
fn word_hash(w: &str) -> u64 {
    Fnv1a::of(w.as_bytes())
}

/// Extends a motif hash by one word hash (SplitMix64 over the running hash
/// and the word's), so that a gram's hash costs one mix per word.
fn extend(h: u64, w: u64) -> u64 {
    crate::sample::mix64(h ^ w).wrapping_add(0x9e37_79b9_7f4a_7c15)
}

/// The hash of a motif's words, in order.
pub(crate) fn motif_hash<S: AsRef<str>>(words: &[S]) -> u64 {
    words
        .iter()
        .fold(0, |h, w| extend(h, word_hash(w.as_ref())))
}

/// Calls `f` with the word indices of every k-skip-m-gram of `n_words` words,
/// `1 ≤ m ≤ max_n ≤ 3`, at most `skip` skipped words in total, by first word
/// then length then gaps.
fn for_each_gram(n_words: usize, max_n: usize, skip: usize, mut f: impl FnMut(&[usize])) {
    for i in 0..n_words {
        f(&[i]);
        if max_n < 2 {
            continue;
        }
        for j in (i + 1)..n_words.min(i + 2 + skip) {
            f(&[i, j]);
            if max_n < 3 {
                continue;
            }
            let left = skip - (j - i - 1);
            for l in (j + 1)..n_words.min(j + 2 + left) {
                f(&[i, j, l]);
            }
        }
    }
}

/// Every k-skip-n-gram of `words` (`n = max_n ≤ 3`, `k = skip`), with
/// repetitions, in order of first word, then length, then gaps.
///
/// ```
/// let w = ["a", "b", "c"];
/// let grams = sacx_select::skip_grams(&w, 2, 1);
/// let grams: Vec<String> = grams.iter().map(|g| g.join(" ")).collect();
/// assert_eq!(grams, ["a", "a b", "a c", "b", "b c", "c"]);
/// ```
pub fn skip_grams<S: AsRef<str>>(words: &[S], max_n: usize, skip: usize) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    for_each_gram(words.len(), max_n.min(3), skip, |idx| {
        out.push(idx.iter().map(|&i| words[i].as_ref()).collect());
    });
    out
}

/// The distinct motif hashes of `words`, sorted (a document counts a motif once).
pub(crate) fn gram_hashes<S: AsRef<str>>(words: &[S], max_n: usize, skip: usize) -> Vec<u64> {
    let hashes: Vec<u64> = words.iter().map(|w| word_hash(w.as_ref())).collect();
    let mut out = Vec::new();
    for_each_gram(words.len(), max_n, skip, |idx| {
        out.push(idx.iter().fold(0, |h, &i| extend(h, hashes[i])));
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of the motifs of `words` whose hash is in `wanted` (sorted), one
/// entry per hash.
pub(crate) fn motif_words<S: AsRef<str>>(
    words: &[S],
    max_n: usize,
    skip: usize,
    wanted: &[u64],
    found: &mut std::collections::HashMap<u64, Vec<String>>,
) {
    for_each_gram(words.len(), max_n, skip, |idx| {
        let ws: Vec<&str> = idx.iter().map(|&i| words[i].as_ref()).collect();
        let h = motif_hash(&ws);
        if wanted.binary_search(&h).is_ok() {
            found
                .entry(h)
                .or_insert_with(|| ws.iter().map(|w| w.to_string()).collect());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_the_grams() {
        let w = ["x", "y", "z", "x"];
        let mut expected: Vec<u64> = skip_grams(&w, 3, 1).iter().map(|g| motif_hash(g)).collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(gram_hashes(&w, 3, 1), expected);
    }
}
