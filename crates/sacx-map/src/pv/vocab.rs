//! The paragraph-vector vocabulary: word ids by frequency, the downsampling
//! probabilities of frequent words and the negative-sampling table.
use std::collections::HashMap;

/// Words kept for training (those seen at least `min_count` times), most
/// frequent first (ties by the word), with their counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: HashMap<String, u32>,
}

impl Vocab {
    /// The vocabulary of `docs` (each a list of words), keeping words seen at
    /// least `min_count` times.
    pub fn build<S: AsRef<str>>(docs: &[Vec<S>], min_count: u64) -> Vocab {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for doc in docs {
            for w in doc {
                *counts.entry(w.as_ref()).or_default() += 1;
            }
        }
        let mut kept: Vec<(&str, u64)> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count)
            .collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        Vocab::from_counts(kept.into_iter().map(|(w, c)| (w.to_string(), c)).collect())
    }

    /// A vocabulary from `(word, count)` pairs in id order (as saved).
    pub fn from_counts(pairs: Vec<(String, u64)>) -> Vocab {
        let index = pairs
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.clone(), i as u32))
            .collect();
        let (words, counts) = pairs.into_iter().unzip();
        Vocab {
            words,
            counts,
            index,
        }
    }

    /// Number of word types.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word was kept.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id of `word`.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The words in id order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The counts in id order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// `(word, count)` in id order: what `pv-vocab.json` holds and
    /// [`Vocab::from_counts`] reads back.
    pub fn pairs(&self) -> Vec<(&String, u64)> {
        self.words.iter().zip(self.counts.iter().copied()).collect()
    }

    /// `doc`'s words as ids, unknown words dropped.
    pub fn ids<S: AsRef<str>>(&self, doc: &[S]) -> Vec<u32> {
        doc.iter().filter_map(|w| self.id(w.as_ref())).collect()
    }

    /// Per word, the probability of keeping one occurrence when frequent words
    /// are downsampled with threshold `sample` (word2vec's rule:
    /// `p = (sqrt(c / t) + 1) · t / c`, `t = sample × total`, capped at 1; 0
    /// turns downsampling off), as a `u32` fraction of `2^32 − 1`.
    pub fn keep_thresholds(&self, sample: f64) -> Vec<u32> {
        let total: u64 = self.counts.iter().sum();
        let t = sample * total as f64;
        self.counts
            .iter()
            .map(|&c| {
                let p = if sample <= 0.0 || c == 0 {
                    1.0
                } else {
                    (((c as f64) / t).sqrt() + 1.0) * t / c as f64
                };
                (p.min(1.0) * u32::MAX as f64) as u32
            })
            .collect()
    }

    /// The negative-sampling distribution, `count^0.75` (word2vec's
    /// smoothed unigrams), as an alias table.
    pub fn negative_table(&self) -> AliasTable {
        AliasTable::new(
            &self
                .counts
                .iter()
                .map(|&c| (c as f64).powf(0.75))
                .collect::<Vec<_>>(),
        )
    }
}

/// Walker's alias method (Vose's construction): a draw from any discrete
/// distribution in constant time from two `u32` per outcome, so the table
/// stays in cache (a word2vec-style table of repeated ids is 10⁷ entries and
/// every draw misses the cache).
#[derive(Debug, Clone, PartialEq)]
pub struct AliasTable {
    /// Per slot, the probability (of `2^32`) of keeping the slot's own outcome.
    keep: Vec<u32>,
    /// Per slot, the other outcome.
    alias: Vec<u32>,
}

impl AliasTable {
    /// The table of `weights` (non-negative, not all zero).
    pub fn new(weights: &[f64]) -> AliasTable {
        let n = weights.len().max(1);
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights
            .iter()
            .map(|w| w * n as f64 / total.max(f64::MIN_POSITIVE))
            .collect();
        scaled.resize(n, 1.0);
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        let mut keep = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            keep[s] = (scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        AliasTable { keep, alias }
    }

    /// The outcome of the 64 random bits `r`.
    #[inline]
    pub fn draw(&self, r: u64) -> u32 {
        let slot = (((r & 0xFFFF_FFFF) * self.keep.len() as u64) >> 32) as usize;
        if ((r >> 32) as u32) < self.keep[slot] {
            slot as u32
        } else {
            self.alias[slot]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_by_frequency_and_min_count_drops_rare_words() {
        let docs = vec![vec!["b", "a", "a"], vec!["c", "a", "b"]];
        let v = Vocab::build(&docs, 2);
        assert_eq!(v.words(), ["a", "b"]);
        assert_eq!(v.counts(), [3, 2]);
        assert_eq!(v.ids(&["c", "b", "a"]), [1, 0]);
    }

    #[test]
    fn frequent_words_are_downsampled_and_rare_ones_kept() {
        let mut docs = vec![vec!["the"; 1000]];
        docs.push(vec!["rare"]);
        let v = Vocab::build(&docs, 1);
        let keep = v.keep_thresholds(1e-3);
        assert!(keep[0] < u32::MAX / 10, "{}", keep[0]);
        assert_eq!(keep[1], u32::MAX);
        let table = v.negative_table();
        let mut rng = crate::pv::Lcg::new(1, 2);
        let draws = 200_000;
        let the = (0..draws).filter(|_| table.draw(rng.wide()) == 0).count() as f64 / draws as f64;
        let want = 1000f64.powf(0.75) / (1000f64.powf(0.75) + 1.0);
        assert!((the - want).abs() < 1e-2, "{the} vs {want}");
    }
}
