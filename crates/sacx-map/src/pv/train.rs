//! PV-DBOW training: negative-sampling updates, sharded over threads.
use super::parallel::Replicas;
use super::vocab::AliasTable;
use super::{ParagraphVectors, PvParams, Vocab};
use crate::progress::{Progress, Step};
use crate::vectors::{axpy, dot};
use crate::{DocVectors, Error, Result};
use std::time::Instant;

/// Sigmoid saturates beyond ±`MAX_EXP` (word2vec's table range).
const MAX_EXP: f32 = 6.0;
/// The positive target and the most negatives a pair can have (`negative` ≤ 100).
const MAX_TARGETS: usize = 101;
/// Entries of the sigmoid table.
const SIGMOID_SIZE: usize = 1024;

/// A trained model with the training documents' vectors and its speed.
#[derive(Debug, Clone)]
pub struct PvTraining {
    /// The model (vocabulary, word vectors, output weights).
    pub model: ParagraphVectors,
    /// One unit vector per training document, in input order.
    pub vectors: DocVectors,
    /// Words of the corpus (kept by `min_count`) times epochs.
    pub words: u64,
    /// Wall-clock seconds of the training passes (not the vocabulary).
    pub seconds: f64,
}

impl PvTraining {
    /// Corpus words per second of training (`words / seconds`), the figure
    /// gensim reports as raw words/s.
    pub fn words_per_second(&self) -> f64 {
        self.words as f64 / self.seconds.max(1e-9)
    }
}

/// word2vec's linear congruential generator: cheap, and the same stream on
/// every platform.
#[derive(Clone, Copy)]
pub(crate) struct Lcg(u64);

impl Lcg {
    /// A generator from a seed and a stream number, mixed (splitmix64).
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Lcg(z ^ (z >> 31))
    }

    /// 48 random bits.
    #[inline]
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(25_214_903_917).wrapping_add(11);
        self.0 >> 16
    }

    /// 64 random bits (two steps).
    #[inline]
    pub(crate) fn wide(&mut self) -> u64 {
        (self.next() << 16) ^ self.next()
    }

    /// Uniform in `[-0.5, 0.5) / dim`, gensim's initial vectors.
    pub(crate) fn init(&mut self, dim: usize) -> f32 {
        ((self.next() & 0xFF_FFFF) as f32 / 16_777_216.0 - 0.5) / dim as f32
    }
}

/// Everything a negative-sampling update reads.
pub(crate) struct Sampler<'a> {
    pub(crate) dim: usize,
    pub(crate) negative: usize,
    pub(crate) keep: &'a [u32],
    pub(crate) table: &'a AliasTable,
    sigmoid: Vec<f32>,
}

impl<'a> Sampler<'a> {
    pub(crate) fn new(params: &PvParams, keep: &'a [u32], table: &'a AliasTable) -> Self {
        let sigmoid = (0..SIGMOID_SIZE)
            .map(|i| {
                let x = (i as f32 / SIGMOID_SIZE as f32 * 2.0 - 1.0) * MAX_EXP;
                1.0 / (1.0 + (-x).exp())
            })
            .collect();
        Sampler {
            dim: params.dim(),
            negative: params.negative(),
            keep,
            table,
            sigmoid,
        }
    }

    #[inline]
    fn sigmoid(&self, f: f32) -> f32 {
        if f >= MAX_EXP {
            1.0
        } else if f <= -MAX_EXP {
            0.0
        } else {
            let i = ((f + MAX_EXP) * (SIGMOID_SIZE as f32 / MAX_EXP / 2.0)) as usize;
            self.sigmoid[i.min(SIGMOID_SIZE - 1)]
        }
    }

    /// The words of `doc` kept by downsampling this time.
    pub(crate) fn subsample(&self, doc: &[u32], rng: &mut Lcg, out: &mut Vec<u32>) {
        out.clear();
        out.extend(doc.iter().copied().filter(|&w| {
            let t = self.keep[w as usize];
            t == u32::MAX || (rng.next() as u32) < t
        }));
    }

    /// The `k`-th target of a pair and its label: `target` first, then
    /// negatives drawn from the table (`None`: a draw that hit `target`).
    #[inline]
    fn target(&self, k: usize, target: u32, rng: &mut Lcg) -> Option<(usize, f32)> {
        if k == 0 {
            return Some((target as usize, 1.0));
        }
        let t = self.table.draw(rng.wide());
        (t != target).then_some((t as usize, 0.0))
    }

    /// [`Sampler::pair`] against frozen output weights (inference).
    pub(crate) fn pair_frozen(
        &self,
        input: &[f32],
        target: u32,
        output: &[f32],
        neu1e: &mut [f32],
        alpha: f32,
        rng: &mut Lcg,
    ) {
        let d = self.dim;
        neu1e.fill(0.0);
        for k in 0..=self.negative {
            if let Some((t, label)) = self.target(k, target, rng) {
                let o = &output[t * d..(t + 1) * d];
                let g = (label - self.sigmoid(dot(input, o))) * alpha;
                axpy(g, o, neu1e);
            }
        }
    }

    /// One positive pair (`input` predicts `target`) and its negatives:
    /// accumulates the input's gradient step into `neu1e` (cleared first) and
    /// moves the output rows.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn pair(
        &self,
        input: &[f32],
        target: u32,
        output: &mut [f32],
        moved: &mut impl Mark,
        neu1e: &mut [f32],
        alpha: f32,
        rng: &mut Lcg,
    ) {
        let d = self.dim;
        neu1e.fill(0.0);
        // All scores first, then all updates: the rows' loads (cache misses,
        // most of the time) are independent and overlap.
        let mut rows = [0usize; MAX_TARGETS];
        let mut grads = [0f32; MAX_TARGETS];
        let mut m = 0;
        for k in 0..=self.negative {
            if let Some((t, label)) = self.target(k, target, rng) {
                rows[m] = t;
                grads[m] = label;
                m += 1;
            }
        }
        for &r in &rows[..m] {
            prefetch(&output[r * d..(r + 1) * d]);
        }
        for j in 0..m {
            let o = &output[rows[j] * d..(rows[j] + 1) * d];
            grads[j] = (grads[j] - self.sigmoid(dot(input, o))) * alpha;
        }
        for j in 0..m {
            moved.mark(rows[j]);
            let o = &mut output[rows[j] * d..(rows[j] + 1) * d];
            axpy(grads[j], o, neu1e);
            axpy(grads[j], input, o);
        }
    }
}

/// Asks the CPU to bring `row` into the cache (a hint: no result depends on
/// it), so that the rows of a pair's targets, scattered over the output
/// weights, load at once instead of one after the other.
#[inline(always)]
fn prefetch(row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    for line in row.chunks(16) {
        // SAFETY: a prefetch reads nothing and cannot fault; the address is
        // inside `row`.
        #[allow(unsafe_code)]
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                line.as_ptr().cast(),
            )
        };
    }
}

/// Which rows of a weight matrix a thread moved, for merging the threads'
/// copies (`parallel.rs`); one thread alone records nothing ([`Unmarked`]).
pub(crate) trait Mark {
    /// Row `row` is about to move.
    fn mark(&mut self, row: usize);
}

/// The record of a thread that has the weights to itself.
pub(crate) struct Unmarked;

impl Mark for Unmarked {
    #[inline]
    fn mark(&mut self, _: usize) {}
}

/// One thread's share of a pass: its documents, their vectors, and the
/// weights it trains.
pub(super) struct Shard<'a, M: Mark> {
    /// Position of its first document in the training order.
    pub(super) first: usize,
    /// Its documents' words and each one's row in `vectors`.
    pub(super) docs: Vec<(&'a [u32], usize)>,
    pub(super) vectors: &'a mut [f32],
    pub(super) words: &'a mut [f32],
    pub(super) output: &'a mut [f32],
    /// The rows of `words` and of `output` it moved.
    pub(super) moved: (&'a mut M, &'a mut M),
}

/// Which vector each document trains: `groups[i]` is document `i`'s row
/// (documents of one group share a vector), the rows numbered from 0 with
/// none skipped. `None`: a vector per document.
pub(crate) type Groups<'a> = Option<&'a [u32]>;

/// Trains PV-DBOW on `docs` (each a list of words), one vector per group.
pub(crate) fn train<S: AsRef<str>>(
    docs: &[Vec<S>],
    groups: Groups,
    params: &PvParams,
    progress: &dyn Progress,
) -> Result<PvTraining> {
    let vocab = Vocab::build(docs, params.min_count());
    if vocab.is_empty() {
        return Err(Error::input(format!(
            "no word is seen at least min_count = {} times in the {} documents; lower min_count or give a corpus with text",
            params.min_count(),
            docs.len()
        )));
    }
    let ids: Vec<Vec<u32>> = docs.iter().map(|d| vocab.ids(d)).collect();
    let order = Order::new(groups, ids.len())?;
    let (dim, v) = (params.dim(), vocab.len());
    let mut rng = Lcg::new(params.seed(), u64::MAX);
    let mut words: Vec<f32> = (0..v * dim).map(|_| rng.init(dim)).collect();
    let mut output = vec![0f32; v * dim];
    let mut vectors: Vec<f32> = (0..order.rows * dim).map(|_| rng.init(dim)).collect();
    let keep = vocab.keep_thresholds(params.sample());
    let table = vocab.negative_table();
    let sampler = Sampler::new(params, &keep, &table);
    let corpus_words: u64 = ids.iter().map(|d| d.len() as u64).sum();
    let start = Instant::now();
    let threads = params.threads().min(order.rows.max(1));
    let mut replicas = (threads > 1).then(|| Replicas::new(&words, &output, &order, &ids, params));
    for epoch in 0..params.epochs() {
        let mut weights = Weights {
            vectors: &mut vectors,
            words: &mut words,
            output: &mut output,
        };
        match replicas.as_mut() {
            Some(r) => r.epoch(&sampler, params, epoch, &order, &ids, &mut weights),
            None => one_thread(&sampler, params, epoch, &order, &ids, &mut weights),
        }
        progress.advance(Step::Vectors, epoch + 1, params.epochs());
    }
    let seconds = start.elapsed().as_secs_f64();
    let per_doc: Vec<f32> = match groups {
        None => vectors,
        Some(g) => g
            .iter()
            .flat_map(|&r| {
                vectors[r as usize * dim..(r as usize + 1) * dim]
                    .iter()
                    .copied()
            })
            .collect(),
    };
    // The matrices are `vocab × dim` by construction, and the sampling
    // table is the one training drew from.
    let model = ParagraphVectors {
        params: params.clone(),
        vocab,
        words,
        output,
        table,
    };
    Ok(PvTraining {
        model,
        vectors: DocVectors::new(dim, per_doc)?,
        words: corpus_words * params.epochs() as u64,
        seconds,
    })
}

/// The training order: documents by group (each group's documents in
/// input order), so that a shard holds whole groups.
pub(super) struct Order {
    /// Document indices in training order.
    pub(super) docs: Vec<usize>,
    /// Each one's vector row.
    pub(super) rows_of: Vec<usize>,
    /// Vector rows.
    pub(super) rows: usize,
    /// For each row, the position in `docs` of its first document (and one
    /// past the last at the end).
    pub(super) starts: Vec<usize>,
}

impl Order {
    pub(super) fn new(groups: Groups, n: usize) -> Result<Self> {
        let Some(g) = groups else {
            return Ok(Order {
                docs: (0..n).collect(),
                rows_of: (0..n).collect(),
                rows: n,
                starts: (0..=n).collect(),
            });
        };
        if g.len() != n {
            return Err(Error::input(format!(
                "{} vector groups for {n} documents",
                g.len()
            )));
        }
        let rows = g.iter().max().map_or(0, |m| *m as usize + 1);
        let mut docs: Vec<usize> = (0..n).collect();
        docs.sort_by_key(|&i| (g[i], i));
        let rows_of: Vec<usize> = docs.iter().map(|&i| g[i] as usize).collect();
        let mut starts = vec![0usize; rows + 1];
        for &r in &rows_of {
            starts[r + 1] += 1;
        }
        for r in 0..rows {
            starts[r + 1] += starts[r];
        }
        if starts.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::input(
                "a vector group with no document (groups must be numbered 0, 1, … without gaps)",
            ));
        }
        Ok(Order {
            docs,
            rows_of,
            rows,
            starts,
        })
    }
}

/// The matrices an epoch trains.
pub(super) struct Weights<'a> {
    pub(super) vectors: &'a mut [f32],
    pub(super) words: &'a mut [f32],
    pub(super) output: &'a mut [f32],
}

/// One epoch on one thread, in the training order.
fn one_thread(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    order: &Order,
    ids: &[Vec<u32>],
    w: &mut Weights,
) {
    let mut rng = Lcg::new(params.seed(), (epoch as u64) << 16);
    let mut shard = Shard {
        first: 0,
        docs: (0..order.docs.len())
            .map(|p| (ids[order.docs[p]].as_slice(), order.rows_of[p]))
            .collect(),
        vectors: &mut *w.vectors,
        words: &mut *w.words,
        output: &mut *w.output,
        moved: (&mut Unmarked, &mut Unmarked),
    };
    train_shard(
        sampler,
        params,
        epoch,
        order.docs.len(),
        &mut rng,
        &mut shard,
    );
}

/// One epoch over one shard's documents. On a CPU with AVX2 the same code is
/// compiled for it (eight lanes instead of four): each lane sums the same
/// terms in the same order, so the vectors are the same bit for bit.
pub(super) fn train_shard<M: Mark>(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    n: usize,
    rng: &mut Lcg,
    shard: &mut Shard<M>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        #[allow(unsafe_code)]
        return unsafe { train_shard_avx2(sampler, params, epoch, n, rng, shard) };
    }
    train_shard_body(sampler, params, epoch, n, rng, shard)
}

/// [`train_shard_body`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn train_shard_avx2<M: Mark>(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    n: usize,
    rng: &mut Lcg,
    shard: &mut Shard<M>,
) {
    train_shard_body(sampler, params, epoch, n, rng, shard)
}

#[inline(always)]
fn train_shard_body<M: Mark>(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    n: usize,
    rng: &mut Lcg,
    shard: &mut Shard<M>,
) {
    let dim = params.dim();
    let window = params.window() as u64;
    let total = (params.epochs() * n.max(1)) as f64;
    let (a0, a1) = (params.alpha(), params.min_alpha());
    let mut neu1e = vec![0f32; dim];
    let mut kept = Vec::new();
    let docs = std::mem::take(&mut shard.docs);
    for (i, &(doc, row)) in docs.iter().enumerate() {
        let progress = (epoch * n + shard.first + i) as f64 / total;
        let alpha = (a0 - (a0 - a1) * progress).max(a1) as f32;
        sampler.subsample(doc, rng, &mut kept);
        if params.train_words() {
            skip_gram(sampler, &kept, window, alpha, rng, &mut neu1e, shard);
        }
        let dv = &mut shard.vectors[row * dim..(row + 1) * dim];
        for &w in &kept {
            let (_, out_moved) = &mut shard.moved;
            sampler.pair(dv, w, shard.output, *out_moved, &mut neu1e, alpha, rng);
            axpy(1.0, &neu1e, dv);
        }
    }
}

/// Skip-gram over one document's kept words: each word predicts its
/// neighbours within a reduced window.
#[inline(always)]
fn skip_gram<M: Mark>(
    sampler: &Sampler,
    kept: &[u32],
    window: u64,
    alpha: f32,
    rng: &mut Lcg,
    neu1e: &mut [f32],
    shard: &mut Shard<M>,
) {
    let dim = sampler.dim;
    let (words_moved, output_moved) = &mut shard.moved;
    for (pos, &target) in kept.iter().enumerate() {
        let reach = (window - rng.next() % window) as usize;
        let lo = pos.saturating_sub(reach);
        let hi = (pos + reach + 1).min(kept.len());
        for (p2, &ctx) in kept.iter().enumerate().take(hi).skip(lo) {
            if p2 == pos {
                continue;
            }
            let c = ctx as usize * dim;
            let input = &shard.words[c..c + dim];
            sampler.pair(
                input,
                target,
                shard.output,
                *output_moved,
                neu1e,
                alpha,
                rng,
            );
            words_moved.mark(ctx as usize);
            axpy(1.0, neu1e, &mut shard.words[c..c + dim]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One epoch of `train_shard_body` from fixed weights, compiled for AVX2
    /// or not: the weights it leaves.
    #[cfg(target_arch = "x86_64")]
    fn one_epoch(avx2: bool) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let docs: Vec<Vec<String>> = (0..60)
            .map(|i| {
                (0..15)
                    .map(|j| format!("w{}", (i * 5 + j * j) % 41))
                    .collect()
            })
            .collect();
        let params = PvParams::builder().dim(37).epochs(1).build().unwrap();
        let vocab = Vocab::build(&docs, 1);
        let ids: Vec<Vec<u32>> = docs.iter().map(|d| vocab.ids(d)).collect();
        let (keep, table) = (
            vocab.keep_thresholds(params.sample()),
            vocab.negative_table(),
        );
        let sampler = Sampler::new(&params, &keep, &table);
        let mut init = Lcg::new(5, 0);
        let mut matrix =
            |rows: usize| -> Vec<f32> { (0..rows * 37).map(|_| init.init(37)).collect() };
        let (mut words, mut output, mut vectors) =
            (matrix(vocab.len()), matrix(vocab.len()), matrix(60));
        let mut shard = Shard {
            first: 0,
            docs: ids
                .iter()
                .enumerate()
                .map(|(i, d)| (d.as_slice(), i))
                .collect(),
            vectors: &mut vectors,
            words: &mut words,
            output: &mut output,
            moved: (&mut Unmarked, &mut Unmarked),
        };
        let mut rng = Lcg::new(5, 1);
        if avx2 {
            // SAFETY: only called where the CPU has AVX2.
            #[allow(unsafe_code)]
            unsafe {
                train_shard_avx2(&sampler, &params, 0, 60, &mut rng, &mut shard)
            };
        } else {
            train_shard_body(&sampler, &params, 0, 60, &mut rng, &mut shard);
        }
        (vectors, words, output)
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_avx2_build_trains_the_same_weights_bit_for_bit() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let (a, b) = (one_epoch(true), one_epoch(false));
        assert!(a.0.iter().any(|&x| x != 0.0));
        assert_eq!(a, b);
    }
}
