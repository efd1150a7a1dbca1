//! Paragraph-vector training on several threads, deterministic for a seed
//! and a thread count.
//!
//! Each epoch is cut into rounds, and each round into one piece of documents
//! per thread (contiguous in the training order, whole vector groups, about
//! [`PvParams::sync_words`] words each). In a round every thread trains its
//! piece's document vectors (rows no other thread touches) against its own
//! copy of the word and output weights. After every round the rows of the
//! `sync_words / 2` most frequent words (vocabulary ids are by frequency)
//! are merged: the copies' changes summed into the shared weights, and every
//! copy given the result. The other rows, which the threads rarely share,
//! are merged the same way after every epoch, only those a thread moved.
//!
//! Why: the sum is what sequential training gives only if no update changes
//! the gradients of the round's other updates. A frequent word's row is
//! pushed by thousands of updates in a long round, by both threads from the
//! same stale value, so a long round overshoots it. Merged once per epoch
//! that cost 0.018 of kNN-10 label precision on the bundled corpus; merging
//! every moved row after rounds of 20,000 words still cost 0.013 and spent
//! a third of the time copying rows; merging the frequent rows after rounds
//! of 5,000 words costs nothing measurable (0.5290 against one thread's
//! 0.5298, mean of 3 seeds) at 1.7× one thread's words/s (docs/benchmarks.md).
//! The merge of the frequent rows costs about 7 % of a round's work (each
//! word trains about 42 rows; a merge reads and writes each of `sync_words
//! / 2` rows of two matrices in three copies).
use super::PvParams;
use super::train::{Lcg, Mark, Order, Sampler, Shard, Weights, train_shard};

/// The rows of one matrix, from row `from` on, that one thread moved since
/// they were last merged.
pub(crate) struct RowSet {
    from: usize,
    bits: Vec<u64>,
    rows: Vec<u32>,
}

impl RowSet {
    fn new(rows: usize, from: usize) -> Self {
        RowSet {
            from,
            bits: vec![0; rows.div_ceil(64)],
            rows: Vec::new(),
        }
    }

    #[inline]
    fn contains(&self, row: usize) -> bool {
        self.bits[row >> 6] & (1 << (row & 63)) != 0
    }

    fn clear(&mut self) {
        for &r in &self.rows {
            self.bits[r as usize >> 6] = 0;
        }
        self.rows.clear();
    }
}

impl Mark for RowSet {
    #[inline]
    fn mark(&mut self, row: usize) {
        if row < self.from {
            return;
        }
        let (word, bit) = (row >> 6, 1u64 << (row & 63));
        if self.bits[word] & bit == 0 {
            self.bits[word] |= bit;
            self.rows.push(row as u32);
        }
    }
}

/// One thread's copy of the weights and what it moved.
struct Replica {
    words: Vec<f32>,
    output: Vec<f32>,
    words_moved: RowSet,
    output_moved: RowSet,
}

/// The threads' copies and the rounds of an epoch (the same every epoch).
pub(super) struct Replicas {
    copies: Vec<Replica>,
    /// Per round, per thread: its range of vector rows.
    rounds: Vec<Vec<(usize, usize)>>,
    /// Rows merged after every round (the most frequent words); the others
    /// after every epoch.
    hot: usize,
}

impl Replicas {
    /// Copies of `words` and `output` for each of `params.threads()` threads
    /// (at most one per vector row), and the rounds.
    pub(super) fn new(
        words: &[f32],
        output: &[f32],
        order: &Order,
        ids: &[Vec<u32>],
        params: &PvParams,
    ) -> Self {
        let threads = params.threads().min(order.rows.max(1));
        let vocab = words.len() / params.dim();
        let hot = (params.sync_words() as usize / 2).min(vocab);
        let copies = (0..threads)
            .map(|_| Replica {
                words: words.to_vec(),
                output: output.to_vec(),
                words_moved: RowSet::new(vocab, hot),
                output_moved: RowSet::new(vocab, hot),
            })
            .collect();
        Replicas {
            copies,
            rounds: rounds(order, ids, threads, params.sync_words()),
            hot,
        }
    }

    /// One epoch: every round's pieces side by side, then merged.
    pub(super) fn epoch(
        &mut self,
        sampler: &Sampler,
        params: &PvParams,
        epoch: usize,
        order: &Order,
        ids: &[Vec<u32>],
        w: &mut Weights,
    ) {
        let dim = params.dim();
        let n = order.docs.len();
        let mut rngs: Vec<Lcg> = (0..self.copies.len())
            .map(|s| Lcg::new(params.seed(), (epoch as u64) << 16 | s as u64))
            .collect();
        let (rounds, copies) = (&self.rounds, &mut self.copies);
        for round in rounds {
            let (lo, hi) = (round[0].0, round[round.len() - 1].1);
            let mut rest = &mut w.vectors[lo * dim..hi * dim];
            let mut shards = Vec::with_capacity(round.len());
            for (&(a, b), copy) in round.iter().zip(copies.iter_mut()) {
                let (mine, tail) = std::mem::take(&mut rest).split_at_mut((b - a) * dim);
                rest = tail;
                shards.push(Shard {
                    first: order.starts[a],
                    docs: (order.starts[a]..order.starts[b])
                        .map(|p| (ids[order.docs[p]].as_slice(), order.rows_of[p] - a))
                        .collect(),
                    vectors: mine,
                    words: &mut copy.words,
                    output: &mut copy.output,
                    moved: (&mut copy.words_moved, &mut copy.output_moved),
                });
            }
            std::thread::scope(|scope| {
                let mut it = shards.iter_mut().zip(rngs.iter_mut());
                let here = it.next();
                for (shard, rng) in it {
                    scope.spawn(move || train_shard(sampler, params, epoch, n, rng, shard));
                }
                if let Some((shard, rng)) = here {
                    train_shard(sampler, params, epoch, n, rng, shard);
                }
            });
            drop(shards);
            merge_hot(copies, w, self.hot * dim);
        }
        merge(copies, w, dim);
    }
}

/// The first `len` values of every copy merged into `w` (the rows merged
/// after every round).
fn merge_hot(copies: &mut [Replica], w: &mut Weights, len: usize) {
    let (mut words, mut output): (Vec<_>, Vec<_>) = copies
        .iter_mut()
        .map(|c| (&mut c.words, &mut c.output))
        .unzip();
    merge_range(w.words, &mut words, 0..len);
    merge_range(w.output, &mut output, 0..len);
}

/// The copies' changes of every moved row summed into `w`, and `w`'s rows
/// copied back into every copy.
fn merge(copies: &mut [Replica], w: &mut Weights, dim: usize) {
    let mut words = (Vec::new(), Vec::new());
    let mut output = (Vec::new(), Vec::new());
    for c in copies.iter_mut() {
        words.0.push(&mut c.words);
        words.1.push(&mut c.words_moved);
        output.0.push(&mut c.output);
        output.1.push(&mut c.output_moved);
    }
    merge_rows(w.words, &mut words.0, &mut words.1, dim);
    merge_rows(w.output, &mut output.0, &mut output.1, dim);
}

/// [`merge_range`] of every row `r` some copy moved (`moved[s]` is copy
/// `s`'s record), each once; the records cleared.
fn merge_rows(
    base: &mut [f32],
    copies: &mut [&mut Vec<f32>],
    moved: &mut [&mut RowSet],
    dim: usize,
) {
    for s in 0..moved.len() {
        let rows = std::mem::take(&mut moved[s].rows);
        for &r in &rows {
            let r = r as usize;
            if moved[..s].iter().any(|m| m.contains(r)) {
                continue; // merged with an earlier copy's rows
            }
            merge_range(base, copies, r * dim..(r + 1) * dim);
        }
        moved[s].rows = rows;
    }
    for m in moved.iter_mut() {
        m.clear();
    }
}

/// `base[i] += Σ (copy[i] − base[i])` over the copies in order, for every
/// `i` in `range`, then every copy's value set to it.
fn merge_range(base: &mut [f32], copies: &mut [&mut Vec<f32>], range: std::ops::Range<usize>) {
    let first = range.start;
    for (i, x) in (first..).zip(&mut base[range]) {
        let old = *x;
        let mut sum = old;
        for copy in copies.iter() {
            sum += copy[i] - old;
        }
        *x = sum;
        for copy in copies.iter_mut() {
            copy[i] = sum;
        }
    }
}

/// The rounds of an epoch: the vector rows cut, at row boundaries, into
/// `rounds × threads` pieces of about equal words, `rounds` being the
/// smallest count whose pieces hold at most `sync_words` words on average.
fn rounds(
    order: &Order,
    ids: &[Vec<u32>],
    threads: usize,
    sync_words: u64,
) -> Vec<Vec<(usize, usize)>> {
    let row_words: Vec<u64> = (0..order.rows)
        .map(|r| {
            (order.starts[r]..order.starts[r + 1])
                .map(|p| ids[order.docs[p]].len() as u64)
                .sum()
        })
        .collect();
    let total: u64 = row_words.iter().sum();
    let per_round = sync_words.max(1) * threads as u64;
    let count = total.div_ceil(per_round).max(1) as usize;
    let pieces = count * threads;
    // Piece k ends at the first row boundary where the words reach k/pieces of the total.
    let mut ends = Vec::with_capacity(pieces);
    let (mut row, mut sum) = (0usize, 0u64);
    for k in 1..=pieces {
        let goal = (total as u128 * k as u128 / pieces as u128) as u64;
        while row < order.rows && (sum < goal || k == pieces) {
            sum += row_words[row];
            row += 1;
        }
        ends.push(row);
    }
    let mut start = 0;
    let mut out = Vec::with_capacity(count);
    for r in 0..count {
        let mut round = Vec::with_capacity(threads);
        for &end in &ends[r * threads..(r + 1) * threads] {
            round.push((start, end));
            start = end;
        }
        out.push(round);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_moved_by_any_copy_take_the_sum_of_the_changes() {
        let dim = 2;
        let mut base = vec![1.0f32; 3 * dim];
        let (mut a, mut b) = (base.clone(), base.clone());
        let (mut ma, mut mb) = (RowSet::new(3, 0), RowSet::new(3, 0));
        // Copy a moves rows 0 and 1, copy b rows 1 and 2.
        a[0] = 2.0;
        a[2] = 1.5;
        b[3] = 0.5;
        b[5] = 3.0;
        for r in [0, 1, 0] {
            ma.mark(r);
        }
        for r in [1, 2] {
            mb.mark(r);
        }
        merge_rows(
            &mut base,
            &mut [&mut a, &mut b],
            &mut [&mut ma, &mut mb],
            dim,
        );
        assert_eq!(base, vec![2.0, 1.0, 1.5, 0.5, 1.0, 3.0]);
        assert_eq!(a, base);
        assert_eq!(b, base);
        assert!(ma.rows.is_empty() && !mb.contains(2));
    }

    fn order_of(groups: &[u32]) -> Order {
        Order::new(Some(groups), groups.len()).unwrap()
    }

    #[test]
    fn rounds_cover_every_row_once_in_order_with_balanced_words() {
        // 100 documents of 1..=10 words, 50 groups of two.
        let ids: Vec<Vec<u32>> = (0..100).map(|i| vec![0; 1 + i % 10]).collect();
        let groups: Vec<u32> = (0..100).map(|i| i / 2).collect();
        let order = order_of(&groups);
        let total: u64 = ids.iter().map(|d| d.len() as u64).sum();
        for (threads, sync) in [(2, 100), (3, 40), (2, 1_000_000)] {
            let rounds = rounds(&order, &ids, threads, sync);
            assert_eq!(rounds.len() as u64, total.div_ceil(sync * threads as u64));
            let flat: Vec<(usize, usize)> = rounds.concat();
            assert_eq!(flat.len(), rounds.len() * threads);
            assert_eq!((flat[0].0, flat[flat.len() - 1].1), (0, 50));
            assert!(flat.windows(2).all(|w| w[0].1 == w[1].0));
            let words = |(a, b): (usize, usize)| -> u64 {
                (order.starts[a]..order.starts[b])
                    .map(|p| ids[order.docs[p]].len() as u64)
                    .sum()
            };
            let mean = total / flat.len() as u64;
            // Each piece within one group's words (at most 19) of its share.
            assert!(
                flat.iter().all(|&p| words(p).abs_diff(mean) <= 20),
                "{flat:?}"
            );
        }
    }

    #[test]
    fn two_threads_give_the_same_vectors_for_the_same_seed() {
        let docs: Vec<Vec<String>> = (0..300)
            .map(|i| {
                (0..12)
                    .map(|j| format!("w{}", (i * 7 + j * 3) % 97))
                    .collect()
            })
            .collect();
        let p = |sync: u64| {
            PvParams::builder()
                .dim(16)
                .epochs(3)
                .threads(2)
                .sync_words(sync)
                .build()
                .unwrap()
        };
        let train = |params: &PvParams| {
            crate::ParagraphVectors::train(&docs, params)
                .unwrap()
                .vectors
        };
        let a = train(&p(500));
        assert_eq!(a, train(&p(500)), "same seed and threads, same vectors");
        assert_ne!(
            a,
            train(&p(100_000)),
            "the merges are where the threads meet"
        );
        let one = PvParams::builder()
            .dim(16)
            .epochs(3)
            .threads(1)
            .build()
            .unwrap();
        assert_ne!(a, train(&one));
    }
}
