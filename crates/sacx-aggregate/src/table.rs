//! Step 3: the streaming (class, word) accumulator.
//!
//! Memory is one entry per distinct (class, word) pair — count, exact fixed-point sums
//! of scores and squared scores, and a bit set of runs — plus the interned words; it
//! never grows with the number of records. Sums are kept as integers scaled by 2^64, so
//! merging partial tables is exact, associative and commutative: the result does not
//! depend on how the input was split into shards or threads.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Fixed-point scale of the score sums (2^64).
pub(crate) const SCALE: f64 = 18_446_744_073_709_551_616.0;

/// A small, fast, deterministic hasher (the multiply-rotate scheme of rustc's FxHash).
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

/// Hash map with [`Fx`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Aggregated statistics of one (class, word) pair.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PairStats<'a> {
    pub class: u32,
    /// Index of `word` in the table's word list (`0..word_count()`).
    pub word_id: u32,
    pub word: &'a str,
    pub occurrences: u64,
    pub mean: f64,
    pub std: f64,
    pub runs: u32,
}

/// Per-pair accumulators, stored column-wise.
#[derive(Debug, Default)]
pub(crate) struct PairTable {
    words: FxMap<Box<str>, u32>,
    word_list: Vec<Box<str>>,
    slots: FxMap<u64, u32>,
    keys: Vec<(u32, u32)>,
    count: Vec<u64>,
    sum: Vec<i128>,
    sumsq: Vec<i128>,
    runs: Vec<u64>,
    stride: usize,
    /// Explained (document, target) pairs per class and run, `class * n_runs + run`.
    pairs: Vec<u64>,
    n_runs: usize,
}

impl PairTable {
    /// An empty table for `n_runs` runs.
    pub fn new(n_runs: usize) -> Self {
        Self {
            stride: n_runs.div_ceil(64).max(1),
            n_runs,
            ..Self::default()
        }
    }

    /// Number of distinct (class, word) pairs.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Number of distinct words.
    pub fn word_count(&self) -> usize {
        self.word_list.len()
    }

    /// Counts one explained (document, target `class`) pair of `run` that passed
    /// the style filter, whether or not any of its words was selected.
    pub fn add_pair(&mut self, class: u32, run: u32) {
        let i = class as usize * self.n_runs + run as usize;
        if self.pairs.len() <= i {
            self.pairs.resize((class as usize + 1) * self.n_runs, 0);
        }
        self.pairs[i] += 1;
    }

    /// Explained pairs of `class` in each run (zeros for a class never seen).
    pub fn class_pairs(&self, class: u32) -> Vec<u64> {
        let from = class as usize * self.n_runs;
        (0..self.n_runs)
            .map(|r| self.pairs.get(from + r).copied().unwrap_or(0))
            .collect()
    }

    fn word_id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.words.get(word) {
            return id;
        }
        let id = self.word_list.len() as u32;
        self.word_list.push(word.into());
        self.words.insert(word.into(), id);
        id
    }

    fn slot(&mut self, class: u32, word: u32) -> usize {
        let key = ((word as u64) << 32) | class as u64;
        let next = self.keys.len() as u32;
        let slot = *self.slots.entry(key).or_insert(next);
        if slot == next {
            self.keys.push((class, word));
            self.count.push(0);
            self.sum.push(0);
            self.sumsq.push(0);
            self.runs.extend(std::iter::repeat_n(0, self.stride));
        }
        slot as usize
    }

    /// Adds one selected occurrence.
    pub fn add(&mut self, class: u32, word: &str, run: u32, score: f32) {
        let w = self.word_id(word);
        let s = self.slot(class, w);
        let x = score as f64;
        self.count[s] += 1;
        self.sum[s] += (x * SCALE) as i128;
        self.sumsq[s] += (x * x * SCALE) as i128;
        self.runs[s * self.stride + run as usize / 64] |= 1u64 << (run % 64);
    }

    /// Folds `other` into `self`.
    pub fn merge(&mut self, other: PairTable) {
        let mut other = other;
        let mut pairs = std::mem::take(&mut self.pairs);
        if pairs.len() < other.pairs.len() {
            pairs.resize(other.pairs.len(), 0);
        }
        for (a, b) in pairs.iter_mut().zip(&other.pairs) {
            *a += b;
        }
        other.pairs.clear();
        self.merge_pairs(other);
        self.pairs = pairs;
    }

    /// Folds the (class, word) entries of `other` into `self`.
    fn merge_pairs(&mut self, other: PairTable) {
        if other.len() > self.len() && self.len() > 0 {
            let mut other = other;
            std::mem::swap(self, &mut other);
            self.merge_pairs(other);
            return;
        }
        if self.len() == 0 {
            *self = other;
            return;
        }
        for (i, &(class, word)) in other.keys.iter().enumerate() {
            let w = self.word_id(&other.word_list[word as usize]);
            let s = self.slot(class, w);
            self.count[s] += other.count[i];
            self.sum[s] += other.sum[i];
            self.sumsq[s] += other.sumsq[i];
            for k in 0..self.stride {
                self.runs[s * self.stride + k] |= other.runs[i * other.stride + k];
            }
        }
    }

    /// Folds a one-run table (`other`, built with `n_runs = 1`) into `self` as
    /// run `run`, exactly: the same sums as if its occurrences had been added
    /// here with that run index.
    pub fn add_run(&mut self, other: &PairTable, run: u32) {
        for class in 0..(other.pairs.len() / other.n_runs.max(1)) as u32 {
            let n = other.pairs[class as usize * other.n_runs];
            let i = class as usize * self.n_runs + run as usize;
            if self.pairs.len() <= i {
                self.pairs.resize((class as usize + 1) * self.n_runs, 0);
            }
            self.pairs[i] += n;
        }
        for (i, &(class, word)) in other.keys.iter().enumerate() {
            let w = self.word_id(&other.word_list[word as usize]);
            let s = self.slot(class, w);
            self.count[s] += other.count[i];
            self.sum[s] += other.sum[i];
            self.sumsq[s] += other.sumsq[i];
            self.runs[s * self.stride + run as usize / 64] |= 1u64 << (run % 64);
        }
    }

    /// The statistics of every pair (in no particular order).
    pub fn stats(&self) -> impl Iterator<Item = PairStats<'_>> + '_ {
        (0..self.len()).map(move |i| {
            let (class, word) = self.keys[i];
            let n = self.count[i] as f64;
            let mean = self.sum[i] as f64 / SCALE / n;
            let var = (self.sumsq[i] as f64 / SCALE / n - mean * mean).max(0.0);
            let runs = self.runs[i * self.stride..(i + 1) * self.stride]
                .iter()
                .map(|b| b.count_ones())
                .sum();
            PairStats {
                class,
                word_id: word,
                word: &self.word_list[word as usize],
                occurrences: self.count[i],
                mean,
                std: var.sqrt(),
                runs,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_population_std_and_runs_by_hand() {
        // "game" in class 1: scores 0.5 (run 0), 0.25 (run 0), 0.75 (run 2).
        // mean = 1.5 / 3 = 0.5; population variance = (0 + 0.0625 + 0.0625) / 3.
        let mut t = PairTable::new(3);
        t.add(1, "game", 0, 0.5);
        t.add(1, "game", 0, 0.25);
        t.add(0, "game", 1, 0.125);
        let mut u = PairTable::new(3);
        u.add(1, "game", 2, 0.75);
        t.merge(u);
        let mut s: Vec<_> = t.stats().collect();
        s.sort_by_key(|p| p.class);
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].occurrences, s[1].runs), (3, 2));
        assert!((s[1].mean - 0.5).abs() < 1e-15);
        assert!((s[1].std - (0.125f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!((s[0].occurrences, s[0].runs, s[0].std), (1, 1, 0.0));
    }

    #[test]
    fn runs_beyond_64_are_counted() {
        let mut t = PairTable::new(130);
        for run in [0, 63, 64, 129, 129] {
            t.add(0, "w", run, 0.1);
        }
        assert_eq!(t.stats().next().unwrap().runs, 4);
    }
}
