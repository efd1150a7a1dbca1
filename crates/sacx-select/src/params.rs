//! The parameters of a selection, linfa-style: a builder, `build()?` checks the
//! ranges, defaults in [`Default`].
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest per-class count (documents or ranks) accepted.
const MAX_COUNT: usize = 1_000_000;

/// How many documents to select per class and how to find them.
///
/// The sizes that are not given follow from the requested counts, so that
/// asking for more documents also widens what they are drawn from:
/// `top_n = 10 × exploit`, `random_sample = 10 × top_n`,
/// `min_obs = max(3, top_n / 100)`, `keyword_docs = explore / 2`
/// (see [`SelectParams::default`]).
///
/// ```
/// use sacx_select::SelectParams;
/// let p = SelectParams::builder().exploit(50).seed(7).build()?;
/// assert_eq!((p.top_n(), p.random_sample(), p.min_obs()), (500, 5000, 5));
/// assert!(SelectParams::builder().max_n(4).build().is_err());
/// # Ok::<(), sacx_select::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct SelectParams {
    exploit: usize,
    top_n: Option<usize>,
    random_sample: Option<usize>,
    max_n: usize,
    skip: usize,
    min_obs: Option<u64>,
    min_lift: f64,
    motifs: usize,
    explore: usize,
    uncertain: usize,
    keyword_motifs: usize,
    keyword_docs: Option<usize>,
    max_words: usize,
    seed: u64,
}

/// [`SelectParams`] as read, before validation.
#[derive(Deserialize)]
struct Unchecked {
    exploit: usize,
    top_n: Option<usize>,
    random_sample: Option<usize>,
    max_n: usize,
    skip: usize,
    min_obs: Option<u64>,
    min_lift: f64,
    motifs: usize,
    explore: usize,
    uncertain: usize,
    keyword_motifs: usize,
    keyword_docs: Option<usize>,
    max_words: usize,
    seed: u64,
}

impl TryFrom<Unchecked> for SelectParams {
    type Error = Error;
    fn try_from(u: Unchecked) -> Result<Self> {
        SelectParamsBuilder(SelectParams {
            exploit: u.exploit,
            top_n: u.top_n,
            random_sample: u.random_sample,
            max_n: u.max_n,
            skip: u.skip,
            min_obs: u.min_obs,
            min_lift: u.min_lift,
            motifs: u.motifs,
            explore: u.explore,
            uncertain: u.uncertain,
            keyword_motifs: u.keyword_motifs,
            keyword_docs: u.keyword_docs,
            max_words: u.max_words,
            seed: u.seed,
        })
        .build()
    }
}

impl Default for SelectParams {
    /// Per class: 100 exploit documents sampled from the top 1000 ranks
    /// (`top_n = 10 × exploit`: a tenth of the top, so that exploit is a sample
    /// and not only the very top, and enough top documents to count motifs in);
    /// a random sample of the pool ten times as large (`10 × top_n`: a motif's
    /// background share is estimated from ten times more documents than its top
    /// share, 10 000 here); motifs of up to 3 words with up to 2 skipped words,
    /// kept when at least `max(3, top_n / 100)` top documents hold them (1 % of
    /// the top, at least 3: fewer is noise) and their lift is at least 2; the
    /// 10 best motifs; 100 explore documents; 100 uncertainty documents; the
    /// class's 10 first stable IG keywords as motifs, with `explore / 2`
    /// documents from them; the first 256 words of a document; seed 0.
    fn default() -> Self {
        SelectParams {
            exploit: 100,
            top_n: None,
            random_sample: None,
            max_n: 3,
            skip: 2,
            min_obs: None,
            min_lift: 2.0,
            motifs: 10,
            explore: 100,
            uncertain: 100,
            keyword_motifs: 10,
            keyword_docs: None,
            max_words: 256,
            seed: 0,
        }
    }
}

impl SelectParams {
    /// A builder starting from the defaults.
    pub fn builder() -> SelectParamsBuilder {
        SelectParamsBuilder(Self::default())
    }
    /// Exploit documents per class (sampled from the top `top_n` ranks).
    pub fn exploit(&self) -> usize {
        self.exploit
    }
    /// Top ranks per class: what exploit is sampled from and where motifs are
    /// counted (default `10 × exploit`).
    pub fn top_n(&self) -> usize {
        self.top_n.unwrap_or(self.exploit.saturating_mul(10)).max(1)
    }
    /// Size of the random sample of the pool motifs are compared with
    /// (default `10 × top_n`; the whole pool when it is smaller).
    pub fn random_sample(&self) -> usize {
        self.random_sample
            .unwrap_or(self.top_n().saturating_mul(10))
            .max(1)
    }
    /// Most words in a motif (1..=3).
    pub fn max_n(&self) -> usize {
        self.max_n
    }
    /// Most words skipped inside a motif, in total (the k of k-skip-n-grams).
    pub fn skip(&self) -> usize {
        self.skip
    }
    /// Fewest top documents a kept motif occurs in (default `max(3, top_n / 100)`).
    pub fn min_obs(&self) -> u64 {
        self.min_obs
            .unwrap_or_else(|| (self.top_n() as u64 / 100).max(3))
    }
    /// Smallest lift of a kept motif.
    pub fn min_lift(&self) -> f64 {
        self.min_lift
    }
    /// Most motifs kept per class (highest lift first).
    pub fn motifs(&self) -> usize {
        self.motifs
    }
    /// Explore documents per class (holding a kept motif).
    pub fn explore(&self) -> usize {
        self.explore
    }
    /// Uncertainty documents per class (probability closest to the threshold).
    pub fn uncertain(&self) -> usize {
        self.uncertain
    }
    /// Stable IG keywords per class used as motifs (the first of each list).
    pub fn keyword_motifs(&self) -> usize {
        self.keyword_motifs
    }
    /// Documents per class holding an IG keyword motif (default `explore / 2`).
    pub fn keyword_docs(&self) -> usize {
        self.keyword_docs.unwrap_or(self.explore / 2)
    }
    /// Words of a document (from its start) in which motifs are counted and found.
    pub fn max_words(&self) -> usize {
        self.max_words
    }
    /// The seed of every sample.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The parameters with every derived default resolved, for the summary.
    pub fn resolved(&self) -> serde_json::Value {
        serde_json::json!({
            "exploit": self.exploit, "top_n": self.top_n(),
            "random_sample": self.random_sample(), "max_n": self.max_n,
            "skip": self.skip, "min_obs": self.min_obs(), "min_lift": self.min_lift,
            "motifs": self.motifs, "explore": self.explore, "uncertain": self.uncertain,
            "keyword_motifs": self.keyword_motifs, "keyword_docs": self.keyword_docs(),
            "max_words": self.max_words, "seed": self.seed,
        })
    }
}

/// Builds validated [`SelectParams`].
#[derive(Clone, Debug)]
pub struct SelectParamsBuilder(SelectParams);

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, v: $ty) -> Self {
            self.0.$name = v;
            self
        }
    };
    ($(#[$doc:meta])* opt $name:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, v: $ty) -> Self {
            self.0.$name = Some(v);
            self
        }
    };
}

impl SelectParamsBuilder {
    setter!(/// Exploit documents per class (0..=1000000; default 100).
        exploit: usize);
    setter!(/// Top ranks per class (exploit..=1000000; default `10 × exploit`).
        opt top_n: usize);
    setter!(/// Random sample size (1..=10000000; default `10 × top_n`).
        opt random_sample: usize);
    setter!(/// Most words in a motif (1..=3; default 3).
        max_n: usize);
    setter!(/// Most skipped words in a motif (0..=4; default 2).
        skip: usize);
    setter!(/// Fewest top documents of a kept motif (>= 1; default `max(3, top_n / 100)`).
        opt min_obs: u64);
    setter!(/// Smallest lift of a kept motif (finite, >= 1; default 2).
        min_lift: f64);
    setter!(/// Most motifs per class (0..=1000; default 10).
        motifs: usize);
    setter!(/// Explore documents per class (0..=1000000; default 100).
        explore: usize);
    setter!(/// Uncertainty documents per class (0..=1000000; default 100).
        uncertain: usize);
    setter!(/// IG keywords per class used as motifs (0..=1000; default 10).
        keyword_motifs: usize);
    setter!(/// Documents per class from keyword motifs (0..=1000000; default `explore / 2`).
        opt keyword_docs: usize);
    setter!(/// Words per document scanned for motifs (1..=100000; default 256).
        max_words: usize);
    setter!(/// Seed of every sample (default 0).
        seed: u64);

    /// Checks the ranges; returns the parameters.
    pub fn build(self) -> Result<SelectParams> {
        let p = self.0;
        let count = |name: &'static str, v: usize| {
            if v > MAX_COUNT {
                Err(Error::param(name, v, "0..=1000000"))
            } else {
                Ok(())
            }
        };
        count("exploit", p.exploit)?;
        count("explore", p.explore)?;
        count("uncertain", p.uncertain)?;
        count("keyword_docs", p.keyword_docs())?;
        let top_n = p.top_n();
        if top_n < p.exploit || top_n > MAX_COUNT {
            let range = format!(
                "{}..=1000000 (at least exploit = {})",
                p.exploit.max(1),
                p.exploit
            );
            return Err(Error::param("top_n", top_n, range));
        }
        if p.random_sample() > 10 * MAX_COUNT {
            return Err(Error::param(
                "random_sample",
                p.random_sample(),
                "1..=10000000",
            ));
        }
        if p.random_sample == Some(0) {
            return Err(Error::param("random_sample", 0, "1..=10000000"));
        }
        if !(1..=3).contains(&p.max_n) {
            return Err(Error::param("max_n", p.max_n, "1..=3"));
        }
        if p.skip > 4 {
            return Err(Error::param("skip", p.skip, "0..=4"));
        }
        if p.min_obs == Some(0) {
            return Err(Error::param("min_obs", 0, ">= 1"));
        }
        if !(p.min_lift.is_finite() && p.min_lift >= 1.0) {
            return Err(Error::param("min_lift", p.min_lift, "a finite number >= 1"));
        }
        if p.motifs > 1000 {
            return Err(Error::param("motifs", p.motifs, "0..=1000"));
        }
        if p.keyword_motifs > 1000 {
            return Err(Error::param("keyword_motifs", p.keyword_motifs, "0..=1000"));
        }
        if !(1..=100_000).contains(&p.max_words) {
            return Err(Error::param("max_words", p.max_words, "1..=100000"));
        }
        Ok(p)
    }
}
