//! PV-DBOW training: negative-sampling updates, sharded over threads.
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
    #[inline]
    pub(crate) fn pair(
        &self,
        input: &[f32],
        target: u32,
        output: &mut [f32],
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
        for j in 0..m {
            let o = &output[rows[j] * d..(rows[j] + 1) * d];
            grads[j] = (grads[j] - self.sigmoid(dot(input, o))) * alpha;
        }
        for j in 0..m {
            let o = &mut output[rows[j] * d..(rows[j] + 1) * d];
            axpy(grads[j], o, neu1e);
            axpy(grads[j], input, o);
        }
    }
}

/// One thread's share: its documents, their vectors, and the weights it trains.
struct Shard<'a> {
    /// Position of its first document in the training order.
    first: usize,
    /// Its documents' words and each one's row in `vectors`.
    docs: Vec<(&'a [u32], usize)>,
    vectors: &'a mut [f32],
    words: Vec<f32>,
    output: Vec<f32>,
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
    for epoch in 0..params.epochs() {
        let mut weights = Weights {
            vectors: &mut vectors,
            words: &mut words,
            output: &mut output,
        };
        run_epoch(&sampler, params, epoch, &order, &ids, &mut weights);
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
struct Order {
    /// Document indices in training order.
    docs: Vec<usize>,
    /// Each one's vector row.
    rows_of: Vec<usize>,
    /// Vector rows.
    rows: usize,
    /// For each row, the position in `docs` of its first document (and one
    /// past the last at the end).
    starts: Vec<usize>,
}

impl Order {
    fn new(groups: Groups, n: usize) -> Result<Self> {
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
struct Weights<'a> {
    vectors: &'a mut [f32],
    words: &'a mut Vec<f32>,
    output: &'a mut Vec<f32>,
}

/// One pass over every shard (contiguous ranges of vector rows), then the
/// shards' weight changes summed in.
fn run_epoch(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    order: &Order,
    ids: &[Vec<u32>],
    w: &mut Weights,
) {
    let dim = params.dim();
    let threads = params.threads().min(order.rows.max(1));
    let shard_of = |lo: usize, hi: usize, vectors, words, output| Shard {
        first: order.starts[lo],
        docs: (order.starts[lo]..order.starts[hi])
            .map(|p| (ids[order.docs[p]].as_slice(), order.rows_of[p] - lo))
            .collect(),
        vectors,
        words,
        output,
    };
    let n = order.docs.len();
    if threads <= 1 {
        let (words, output) = (std::mem::take(w.words), std::mem::take(w.output));
        let mut shard = shard_of(0, order.rows, &mut *w.vectors, words, output);
        train_shard(sampler, params, epoch, n, 0, &mut shard);
        *w.words = shard.words;
        *w.output = shard.output;
        return;
    }
    let mut shards = Vec::with_capacity(threads);
    let mut rest = &mut *w.vectors;
    for s in 0..threads {
        let (lo, hi) = (s * order.rows / threads, (s + 1) * order.rows / threads);
        let (mine, tail) = rest.split_at_mut((hi - lo) * dim);
        rest = tail;
        shards.push(shard_of(lo, hi, mine, w.words.clone(), w.output.clone()));
    }
    std::thread::scope(|scope| {
        for (s, shard) in shards.iter_mut().enumerate() {
            scope.spawn(move || train_shard(sampler, params, epoch, n, s as u64, shard));
        }
    });
    merge(w.words, shards.iter().map(|s| s.words.as_slice()).collect());
    merge(
        w.output,
        shards.iter().map(|s| s.output.as_slice()).collect(),
    );
}

/// `base += Σ (copy − base)` over the copies, in parallel chunks.
fn merge(base: &mut [f32], copies: Vec<&[f32]>) {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 16;
    base.par_chunks_mut(CHUNK).enumerate().for_each(|(c, b)| {
        let off = c * CHUNK;
        for (i, x) in b.iter_mut().enumerate() {
            let old = *x;
            let mut sum = old;
            for copy in &copies {
                sum += copy[off + i] - old;
            }
            *x = sum;
        }
    });
}

/// One epoch over one shard's documents.
fn train_shard(
    sampler: &Sampler,
    params: &PvParams,
    epoch: usize,
    n: usize,
    stream: u64,
    shard: &mut Shard,
) {
    let dim = params.dim();
    let window = params.window() as u64;
    let total = (params.epochs() * n.max(1)) as f64;
    let (a0, a1) = (params.alpha(), params.min_alpha());
    let mut rng = Lcg::new(params.seed(), (epoch as u64) << 16 | stream);
    let mut neu1e = vec![0f32; dim];
    let mut kept = Vec::new();
    for (i, &(doc, row)) in shard.docs.iter().enumerate() {
        let progress = (epoch * n + shard.first + i) as f64 / total;
        let alpha = (a0 - (a0 - a1) * progress).max(a1) as f32;
        sampler.subsample(doc, &mut rng, &mut kept);
        if params.train_words() {
            skip_gram(
                sampler,
                &kept,
                window,
                alpha,
                &mut rng,
                &mut neu1e,
                &mut shard.words,
                &mut shard.output,
            );
        }
        let dv = &mut shard.vectors[row * dim..(row + 1) * dim];
        for &w in &kept {
            sampler.pair(dv, w, &mut shard.output, &mut neu1e, alpha, &mut rng);
            axpy(1.0, &neu1e, dv);
        }
    }
}

/// Skip-gram over one document's kept words: each word predicts its
/// neighbours within a reduced window.
#[allow(clippy::too_many_arguments)]
fn skip_gram(
    sampler: &Sampler,
    kept: &[u32],
    window: u64,
    alpha: f32,
    rng: &mut Lcg,
    neu1e: &mut [f32],
    words: &mut [f32],
    output: &mut [f32],
) {
    let dim = sampler.dim;
    for (pos, &target) in kept.iter().enumerate() {
        let reach = (window - rng.next() % window) as usize;
        let lo = pos.saturating_sub(reach);
        let hi = (pos + reach + 1).min(kept.len());
        for (p2, &ctx) in kept.iter().enumerate().take(hi).skip(lo) {
            if p2 == pos {
                continue;
            }
            let c = ctx as usize * dim;
            sampler.pair(&words[c..c + dim], target, output, neu1e, alpha, rng);
            axpy(1.0, neu1e, &mut words[c..c + dim]);
        }
    }
}
