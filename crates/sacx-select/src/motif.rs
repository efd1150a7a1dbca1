//! k-skip-n-grams of a document's words: the motifs of explore.
//!
//! A document's words are its [`Segmenter`] words in keyword form (case-folded
//! as the class word counts and the keywords are), the first `max_words` of
//! them. A k-skip-n-gram is `m ≤ n` words taken in order, `w[i1] … w[im]`
//! with `i1 < … < im`, skipping at most `k` words in total
//! (`Σ (i[j+1] − i[j] − 1) ≤ k`). Its motif is the words alone (not the gaps),
//! so "open source" is one motif whether the words are adjacent or not.
use std::collections::HashMap;

use sacx_data::{Fnv1a, Segmenter};

/// The keyword forms of the first `max_words` words of `text`.
pub fn document_words(seg: &Segmenter, text: &str, max_words: usize) -> Vec<String> {
    seg.words(text)
        .take(max_words)
        .map(|w| seg.fold(w.text).into_owned())
        .collect()
}

/// The word hashes of the first `max_words` words of `text` (keyword forms),
/// without building the words.
pub(crate) fn document_word_hashes(seg: &Segmenter, text: &str, max_words: usize) -> Vec<u64> {
    seg.words(text)
        .take(max_words)
        .map(|w| word_hash(&seg.fold(w.text)))
        .collect()
}

/// Whether the words (as hashes) `doc` hold the motif `motif` as a
/// k-skip-n-gram: its words in order, at most `skip` words skipped in total.
pub(crate) fn holds(doc: &[u64], motif: &[u64], skip: usize) -> bool {
    fn rest(doc: &[u64], from: usize, motif: &[u64], skip: usize) -> bool {
        let Some((first, tail)) = motif.split_first() else {
            return true;
        };
        (0..=skip).any(|gap| {
            doc.get(from + gap)
                .is_some_and(|h| h == first && rest(doc, from + gap + 1, tail, skip - gap))
        })
    }
    let Some((first, tail)) = motif.split_first() else {
        return false;
    };
    (0..doc.len()).any(|i| doc[i] == *first && rest(doc, i + 1, tail, skip))
}

/// The hash of a word: FNV-1a of its bytes.
pub(crate) fn word_hash(w: &str) -> u64 {
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
    found: &mut HashMap<u64, Vec<String>, HashHasher>,
) {
    let hashes: Vec<u64> = words.iter().map(|w| word_hash(w.as_ref())).collect();
    for_each_gram(words.len(), max_n, skip, |idx| {
        let h = idx.iter().fold(0, |h, &i| extend(h, hashes[i]));
        if wanted.binary_search(&h).is_ok() {
            found
                .entry(h)
                .or_insert_with(|| idx.iter().map(|&i| words[i].as_ref().to_string()).collect());
        }
    });
}

/// A `BuildHasher` for maps keyed by motif hashes, which are already well
/// mixed: the key is its own hash (SipHash would cost more than the counting).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HashHasher;

/// The hasher of [`HashHasher`]: passes a `u64` through.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = crate::sample::mix64(self.0 ^ u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl std::hash::BuildHasher for HashHasher {
    type Hasher = PassThrough;
    fn build_hasher(&self) -> PassThrough {
        PassThrough(0)
    }
}

/// A map keyed by motif hash.
pub(crate) type HashMapU64<V> = HashMap<u64, V, HashHasher>;
/// A set of motif hashes.
pub(crate) type HashSetU64 = std::collections::HashSet<u64, HashHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_agrees_with_the_grams() {
        let w = ["a", "b", "c", "d", "a"];
        let hashes: Vec<u64> = w.iter().map(|x| word_hash(x)).collect();
        for skip in 0..3 {
            let grams = gram_hashes(&w, 3, skip);
            for m in [
                &["a", "c"][..],
                &["a", "d"],
                &["b", "a"],
                &["d", "b"],
                &["a", "b", "d"],
                &["c"],
            ] {
                let mh: Vec<u64> = m.iter().map(|x| word_hash(x)).collect();
                let by_grams = grams.binary_search(&motif_hash(m)).is_ok();
                assert_eq!(holds(&hashes, &mh, skip), by_grams, "{m:?} skip {skip}");
            }
        }
    }

    #[test]
    fn hashes_match_the_grams() {
        let w = ["x", "y", "z", "x"];
        let mut expected: Vec<u64> = skip_grams(&w, 3, 1).iter().map(|g| motif_hash(g)).collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(gram_hashes(&w, 3, 1), expected);
    }
}
