//! Classical keyword baselines computed from class word counts, written through the same
//! [`Keywords`] type (so the same files and metrics apply). Formulas in `docs/metrics.md`.
use crate::counts::{ClassCount, ClassCounts};
use crate::keywords::{ClassKeywords, KEYWORDS_FORMAT, Keyword, Keywords};
use crate::params::Method;
use crate::rank::rank_order;
use crate::select::has_letter;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Validated parameters of a baseline.
///
/// | parameter | default | range |
/// |---|---|---|
/// | `method` | log-odds | log-odds, chi2, ctfidf |
/// | `top_n` | 100 | 1 ..= 1 000 000 |
/// | `min_word_freq` | 3 | any (class document frequency must be above it) |
/// | `prior_scale` | 1.0 | finite, > 0 (log-odds: prior counts = scale × pooled counts) |
///
/// Built with [`BaselineParams::builder`]; deserializing validates the same way.
///
/// ```
/// use sacx_aggregate::{BaselineParams, Method};
/// let p = BaselineParams::builder().method(Method::Chi2).top_n(20).build()?;
/// assert_eq!((p.method(), p.top_n()), (Method::Chi2, 20));
/// assert!(BaselineParams::builder().method(Method::Ig).build().is_err());
/// # Ok::<(), sacx_aggregate::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedBaselineParams")]
pub struct BaselineParams {
    method: Method,
    top_n: usize,
    min_word_freq: u64,
    prior_scale: f64,
}

/// [`BaselineParams`] as read, before validation.
#[derive(Deserialize)]
struct UncheckedBaselineParams {
    method: Method,
    top_n: usize,
    min_word_freq: u64,
    prior_scale: f64,
}

impl TryFrom<UncheckedBaselineParams> for BaselineParams {
    type Error = Error;
    fn try_from(u: UncheckedBaselineParams) -> Result<Self> {
        BaselineParams::builder()
            .method(u.method)
            .top_n(u.top_n)
            .min_word_freq(u.min_word_freq)
            .prior_scale(u.prior_scale)
            .build()
    }
}

impl Default for BaselineParams {
    /// Log-odds, 100 words per class, words in more than 3 of the class's
    /// documents, prior scale 1.
    fn default() -> Self {
        Self {
            method: Method::LogOdds,
            top_n: 100,
            min_word_freq: 3,
            prior_scale: 1.0,
        }
    }
}

impl BaselineParams {
    /// A builder starting from the defaults.
    pub fn builder() -> BaselineParamsBuilder {
        BaselineParamsBuilder(Self::default())
    }
    /// The baseline method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// Keywords per class.
    pub fn top_n(&self) -> usize {
        self.top_n
    }
    /// Corpus filter threshold: a word's class document frequency must be above it.
    pub fn min_word_freq(&self) -> u64 {
        self.min_word_freq
    }
    /// Log-odds prior scale.
    pub fn prior_scale(&self) -> f64 {
        self.prior_scale
    }
}

/// Builds a validated [`BaselineParams`].
#[derive(Clone, Debug)]
pub struct BaselineParamsBuilder(BaselineParams);

impl BaselineParamsBuilder {
    /// The method (log-odds, chi2 or ctfidf).
    pub fn method(mut self, method: Method) -> Self {
        self.0.method = method;
        self
    }
    /// Keywords per class.
    pub fn top_n(mut self, n: usize) -> Self {
        self.0.top_n = n;
        self
    }
    /// Corpus filter threshold.
    pub fn min_word_freq(mut self, n: u64) -> Self {
        self.0.min_word_freq = n;
        self
    }
    /// Log-odds prior scale.
    pub fn prior_scale(mut self, s: f64) -> Self {
        self.0.prior_scale = s;
        self
    }
    /// Checks the ranges; returns the parameters.
    pub fn build(self) -> Result<BaselineParams> {
        let p = self.0;
        if p.method == Method::Ig {
            return Err(Error::param(
                "method",
                "ig",
                "a baseline method (log-odds, chi2, ctfidf); IG keywords come from aggregate()",
            ));
        }
        if !(1..=1_000_000).contains(&p.top_n) {
            return Err(Error::param("top_n", p.top_n, "1..=1000000"));
        }
        if !(p.prior_scale.is_finite() && p.prior_scale > 0.0) {
            return Err(Error::param("prior_scale", p.prior_scale, "finite and > 0"));
        }
        Ok(p)
    }
}

/// Ranks keywords per class with a baseline method. `classes` fixes the output order;
/// classes missing from the counts get empty lists.
///
/// ```
/// # fn main() -> Result<(), sacx_aggregate::Error> {
/// use sacx_aggregate::{BaselineParams, ClassCounts, Method, baseline};
/// let docs = vec![
///     (vec!["play", "game"], vec!["Game"]),
///     (vec!["play", "the", "game"], vec!["Game"]),
///     (vec!["sing", "the", "song"], vec!["Music"]),
///     (vec!["sing", "a", "song"], vec!["Music"]),
/// ];
/// let counts = ClassCounts::from_documents(docs);
/// let params = BaselineParams::builder()
///     .method(Method::Chi2)
///     .min_word_freq(1)
///     .build()?;
/// let classes = ["Game".to_string(), "Music".to_string()];
/// let k = baseline(&counts, &classes, &params)?;
/// let game: Vec<&str> = k.classes[0].keywords.iter().map(|w| w.word.as_str()).collect();
/// assert!(game.contains(&"play") && !game.contains(&"the"));
/// # Ok(())
/// # }
/// ```
pub fn baseline(
    counts: &ClassCounts,
    classes: &[String],
    params: &BaselineParams,
) -> Result<Keywords> {
    let p = params;
    let needs_tf = matches!(p.method, Method::LogOdds | Method::Ctfidf);
    if needs_tf && !counts.has_tf() {
        return Err(Error::Baseline {
            method: p.method.to_string(),
            reason: "needs term frequencies (class_tf.json)".into(),
        });
    }
    let pooled = Pooled::new(counts, needs_tf);
    let mut out = Vec::with_capacity(classes.len());
    for class in classes {
        out.push(match counts.class(class) {
            Some(cc) => class_keywords(class, cc, &pooled, p)?,
            None => ClassKeywords {
                class: class.clone(),
                keywords: vec![],
                unstable: vec![],
                counter: vec![],
                explained: 0,
                explained_runs: 0,
                note: Some("no documents in the class word counts".into()),
            },
        });
    }
    Ok(Keywords {
        format: KEYWORDS_FORMAT.into(),
        method: p.method,
        parameters: crate::keywords::parameters_value(p),
        runs: vec![],
        classes: out,
        languages: vec![],
    })
}

/// Counts pooled over every class: the reference the class is compared with.
struct Pooled<'a> {
    /// TF (log-odds, c-TF-IDF) or DF (chi-squared) counts are compared.
    needs_tf: bool,
    /// Per word: its count summed over classes.
    words: HashMap<&'a str, f64>,
    /// Per class: its total (tokens for TF, documents for DF).
    totals: HashMap<&'a str, f64>,
    /// Sum of the totals.
    grand: f64,
    /// Number of classes.
    n_classes: usize,
}

impl<'a> Pooled<'a> {
    /// Pools `counts` (classes in sorted order: deterministic sums).
    fn new(counts: &'a ClassCounts, needs_tf: bool) -> Self {
        let mut words: HashMap<&str, f64> = HashMap::new();
        let mut totals: HashMap<&str, f64> = HashMap::new();
        let mut grand = 0.0;
        let mut n_classes = 0;
        for (c, cc) in counts.classes() {
            let mut t = 0.0;
            for (w, &n) in column(cc, needs_tf) {
                *words.entry(w.as_str()).or_default() += n as f64;
                t += n as f64;
            }
            let total = if needs_tf { t } else { cc.n_docs as f64 };
            totals.insert(c, total);
            grand += total;
            n_classes += 1;
        }
        Self {
            needs_tf,
            words,
            totals,
            grand,
            n_classes,
        }
    }
}

/// The counts a method compares: TF or DF.
fn column(cc: &ClassCount, needs_tf: bool) -> &HashMap<String, u64> {
    if needs_tf { &cc.tf } else { &cc.df }
}

/// The ranked keywords of one class of the counts.
fn class_keywords(
    class: &str,
    cc: &ClassCount,
    pooled: &Pooled<'_>,
    p: &BaselineParams,
) -> Result<ClassKeywords> {
    let n_c = pooled.totals.get(class).copied().unwrap_or(0.0);
    let grand = pooled.grand;
    let mut list: Vec<Keyword> = Vec::new();
    for (w, &y) in column(cc, pooled.needs_tf) {
        let df = cc.df.get(w).copied().unwrap_or(0);
        if y == 0 || df <= p.min_word_freq || !has_letter(w) {
            continue;
        }
        let (y_c, y_all) = (
            y as f64,
            pooled.words.get(w.as_str()).copied().unwrap_or(0.0),
        );
        let score = match p.method {
            Method::LogOdds => log_odds(
                y_c,
                n_c,
                y_all - y_c,
                grand - n_c,
                y_all,
                grand,
                p.prior_scale,
            ),
            Method::Chi2 => chi2(y_c, n_c, y_all - y_c, grand - n_c),
            Method::Ctfidf => {
                Some(y_c / n_c * (1.0 + grand / pooled.n_classes as f64 / y_all).ln())
            }
            Method::Ig => {
                return Err(Error::Baseline {
                    method: p.method.to_string(),
                    reason: "not a baseline method".into(),
                });
            }
        };
        let Some(score) = score.filter(|s| s.is_finite()) else {
            continue;
        };
        list.push(Keyword {
            word: w.clone(),
            score_mean: score,
            score_std: 0.0,
            occurrences: cc.tf.get(w).copied().unwrap_or(0),
            runs: 0,
            documents: df,
            gold_labels: vec![],
            corpus_freq: Some(df),
            score,
            mass: 0.0,
            specificity: 0.0,
            association: None,
            translations: Vec::new(),
        });
    }
    if list.len() > p.top_n {
        list.select_nth_unstable_by(p.top_n - 1, rank_order);
        list.truncate(p.top_n);
        // The list held every candidate word; keep only what is kept (a run
        // holds the lists until its evaluation ends).
        list.shrink_to_fit();
    }
    list.sort_by(rank_order);
    let note = list.is_empty().then(|| {
        format!(
            "{} documents in the corpus: no word with a letter occurs in more than {} of them",
            cc.n_docs, p.min_word_freq
        )
    });
    Ok(ClassKeywords {
        class: class.to_string(),
        keywords: list,
        unstable: vec![],
        counter: vec![],
        explained: 0,
        explained_runs: 0,
        note,
    })
}

/// Weighted log-odds ratio with an informative Dirichlet prior, z-scored (Monroe et al.
/// 2008): class counts `y_c` of `n_c` against the rest `y_r` of `n_r`; prior
/// `α_w = s · y_all`, `α_0 = s · n_all`.
pub fn log_odds(
    y_c: f64,
    n_c: f64,
    y_r: f64,
    n_r: f64,
    y_all: f64,
    n_all: f64,
    s: f64,
) -> Option<f64> {
    let (a, a0) = (s * y_all, s * n_all);
    let (dc, dr) = (n_c + a0 - y_c - a, n_r + a0 - y_r - a);
    if dc <= 0.0 || dr <= 0.0 {
        return None;
    }
    let delta = ((y_c + a) / dc).ln() - ((y_r + a) / dr).ln();
    let var = 1.0 / (y_c + a) + 1.0 / (y_r + a);
    Some(delta / var.sqrt())
}

/// Pearson's χ² of the 2×2 table (class documents with the word `a` of `n_c`, other
/// documents with it `b` of `n_r`); `None` for words under-represented in the class or
/// tables with an empty margin.
pub fn chi2(a: f64, n_c: f64, b: f64, n_r: f64) -> Option<f64> {
    let (c, d) = (n_c - a, n_r - b);
    let n = n_c + n_r;
    let den = (a + b) * (c + d) * n_c * n_r;
    if den <= 0.0 || a * n_r <= b * n_c {
        return None;
    }
    Some(n * (a * d - b * c).powi(2) / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_by_hand() {
        // a=3 of 4 class docs, b=1 of 6 others: N=10, AD-BC = 3·5 − 1·1 = 14,
        // margins (a+b)=4, (c+d)=6, n_c=4, n_r=6 → 10·196 / (4·6·4·6) = 3.402777…
        assert!((chi2(3.0, 4.0, 1.0, 6.0).unwrap() - 1960.0 / 576.0).abs() < 1e-12);
        assert_eq!(chi2(1.0, 4.0, 3.0, 6.0), None); // under-represented
    }

    #[test]
    fn log_odds_by_hand() {
        // y_c=4 of 10, y_r=1 of 10, s=1 → α=5, α0=20.
        // δ = ln(9/21) − ln(6/24); σ² = 1/9 + 1/6.
        let z = log_odds(4.0, 10.0, 1.0, 10.0, 5.0, 20.0, 1.0).unwrap();
        let expected =
            ((9.0f64 / 21.0).ln() - (6.0f64 / 24.0).ln()) / (1.0f64 / 9.0 + 1.0 / 6.0).sqrt();
        assert!((z - expected).abs() < 1e-12);
    }
}
