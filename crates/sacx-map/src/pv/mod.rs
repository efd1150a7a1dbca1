//! Paragraph vectors: PV-DBOW with negative sampling (Le & Mikolov 2014),
//! optionally training skip-gram word vectors alongside (gensim's `Doc2Vec(dm=0,
//! dbow_words=1)`), seeded and multi-threaded, with inference for unseen text.
//!
//! Training on several threads stays deterministic: each epoch is cut into
//! short rounds, in which every thread trains its own documents' vectors
//! against a private copy of the word and output weights; after each round
//! the frequent words' rows, and after each epoch the other rows a thread
//! moved, have their changes summed into the shared weights and copied back
//! (`parallel.rs`). The same seed and
//! thread count give the same vectors, bit for bit; a different thread
//! count gives different (equally good) vectors.
mod infer;
mod parallel;
mod train;
mod vocab;

pub(crate) use train::Lcg;
pub use train::PvTraining;
pub use vocab::Vocab;

use crate::{Error, Result};
use sacx_data::map::tensors::{Raw, Read};

sacx_data::validated_params! {
    error crate::Error;
    /// The parameters of paragraph-vector training; the defaults are gensim's
    /// `Doc2Vec(dm=0, dbow_words=1, vector_size=100, window=6, min_count=1,
    /// epochs=40)` with its other defaults (negative 5, sample 1e-3, alpha
    /// 0.025 → 0.0001).
    ///
    /// ```
    /// let p = sacx_map::PvParams::builder().dim(50).build()?;
    /// assert_eq!((p.dim(), p.window(), p.epochs()), (50, 6, 40));
    /// assert!(sacx_map::PvParams::builder().negative(0).build().is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub struct PvParams, builder PvParamsBuilder, raw PvParamsRaw = "PvParamsRaw",
    check PvParams::check {
        /// Vector width. Default 100, range 1–4096.
        copy dim: usize = 100,
        /// Skip-gram window (words each side, at most; each position draws a
        /// reduced window in `1..=window`). Default 6, range 1–100.
        copy window: usize = 6,
        /// Words seen fewer times are ignored. Default 1, range 1–10⁹.
        copy min_count: u64 = 1,
        /// Passes over the corpus. Default 40, range 1–10,000.
        copy epochs: usize = 40,
        /// Negative samples per positive pair. Default 5, range 1–100.
        copy negative: usize = 5,
        /// Downsampling threshold of frequent words (0: off). Default 1e-3, range [0, 1].
        copy sample: f64 = 1e-3,
        /// Initial learning rate. Default 0.025, range (0, 1].
        copy alpha: f64 = 0.025,
        /// Final learning rate (linear decay). Default 0.0001, range (0, alpha].
        copy min_alpha: f64 = 0.0001,
        /// Also train word vectors by skip-gram (`dbow_words=1`). Default true.
        copy train_words: bool = true,
        /// Seed of the initial vectors and of every random draw. Default 1.
        copy seed: u64 = 1,
        /// Threads, which are also the training shards (the vectors depend
        /// on the count, not on the machine: two threads on one core give
        /// the same vectors). Default 2: on the bundled corpus kNN-10 label
        /// precision 0.5290 against one thread's 0.5298 (mean of 3 seeds)
        /// at 1.7× its words/s (docs/benchmarks.md); each thread holds a
        /// copy of the word and output weights. Range 1–256.
        copy threads: usize = 2,
        /// Documents that share an id (translations of one text) train one
        /// shared vector ([`ParagraphVectors::train_shared`]); a corpus whose
        /// ids are all distinct trains as without. Default false: on the
        /// bundled corpus it takes the language out of the map (NMI against
        /// the language 0.95 → 0.01) but leaves no topic clusters either
        /// (docs/benchmarks.md, "Topic map").
        #[serde(default)]
        copy shared_ids: bool = false,
        /// With more than one thread: words each thread trains between two
        /// merges of the rows of the `sync_words / 2` most frequent words
        /// (the other rows merge after each epoch; `parallel.rs`). Default
        /// 5,000, range 100–10⁹.
        #[serde(default = "default_sync_words")]
        copy sync_words: u64 = DEFAULT_SYNC_WORDS,
    }
}

/// [`PvParams::sync_words`]'s default.
const DEFAULT_SYNC_WORDS: u64 = 5_000;

fn default_sync_words() -> u64 {
    DEFAULT_SYNC_WORDS
}

impl PvParams {
    fn check(&self) -> Result<()> {
        if !(100..=1_000_000_000).contains(&self.sync_words) {
            return Err(Error::param(
                "sync_words",
                self.sync_words,
                "100..=1000000000",
            ));
        }
        range("dim", self.dim, 1, 4096)?;
        range("window", self.window, 1, 100)?;
        range("epochs", self.epochs, 1, 10_000)?;
        range("negative", self.negative, 1, 100)?;
        range("threads", self.threads, 1, 256)?;
        if !(1..=1_000_000_000).contains(&self.min_count) {
            return Err(Error::param("min_count", self.min_count, "1..=1000000000"));
        }
        if !(0.0..=1.0).contains(&self.sample) {
            return Err(Error::param("sample", self.sample, "a number in [0, 1]"));
        }
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(Error::param("alpha", self.alpha, "a number in (0, 1]"));
        }
        if !(self.min_alpha > 0.0 && self.min_alpha <= self.alpha) {
            return Err(Error::param(
                "min_alpha",
                self.min_alpha,
                format!("a number in (0, alpha = {}]", self.alpha),
            ));
        }
        Ok(())
    }
}

fn range(name: &'static str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Error::param(name, v, format!("{lo}..={hi}")))
    }
}

/// A trained paragraph-vector model: the vocabulary, the word vectors and
/// the output (negative-sampling) weights, enough to infer a vector for any
/// text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParagraphVectors {
    params: PvParams,
    vocab: Vocab,
    /// `vocab × dim` input word vectors (gensim's `wv.vectors`).
    words: Vec<f32>,
    /// `vocab × dim` output weights (gensim's `syn1neg`).
    output: Vec<f32>,
    /// The negative-sampling table of `vocab`.
    table: vocab::AliasTable,
}

impl ParagraphVectors {
    /// A model from its parts (as loaded); the matrices must be `vocab × dim`.
    pub fn from_parts(
        params: PvParams,
        vocab: Vocab,
        words: Vec<f32>,
        output: Vec<f32>,
    ) -> Result<Self> {
        let want = vocab.len() * params.dim();
        if words.len() != want || output.len() != want {
            return Err(Error::input(format!(
                "paragraph vectors: matrices of {} and {} values, expected vocabulary {} × dim {}",
                words.len(),
                output.len(),
                vocab.len(),
                params.dim()
            )));
        }
        let table = vocab.negative_table();
        Ok(ParagraphVectors {
            params,
            vocab,
            words,
            output,
            table,
        })
    }

    /// The training parameters.
    pub fn params(&self) -> &PvParams {
        &self.params
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The input word vectors, `vocab × dim` row-major.
    pub fn word_vectors(&self) -> &[f32] {
        &self.words
    }

    /// The output weights, `vocab × dim` row-major.
    pub fn output_weights(&self) -> &[f32] {
        &self.output
    }

    /// The two weight matrices under their stable tensor names, as
    /// `pv.safetensors` and the kept vectors step hold them.
    pub(crate) fn tensors(&self) -> [(&'static str, Raw); 2] {
        let shape = vec![self.vocab.len(), self.params.dim()];
        [
            (WORD_VECTORS, Raw::f32(shape.clone(), &self.words)),
            (OUTPUT_WEIGHTS, Raw::f32(shape, &self.output)),
        ]
    }

    /// A model read back from the tensors of [`ParagraphVectors::tensors`]
    /// in `file`, with its vocabulary (`[(word, count)]` in id order).
    pub(crate) fn from_tensors(
        file: &Read,
        params: &PvParams,
        vocab: Vec<(String, u64)>,
    ) -> Result<Self> {
        let shape = [Some(vocab.len()), Some(params.dim())];
        let (_, words) = file.f32(WORD_VECTORS, &shape)?;
        let (_, output) = file.f32(OUTPUT_WEIGHTS, &shape)?;
        ParagraphVectors::from_parts(params.clone(), Vocab::from_counts(vocab), words, output)
    }
}

/// Tensor name of the input word vectors.
const WORD_VECTORS: &str = "word_vectors";
/// Tensor name of the output weights.
const OUTPUT_WEIGHTS: &str = "output_weights";
