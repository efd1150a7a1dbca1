//! Keyword-ranking parameters: a validated struct built through [`KeywordParamsBuilder`].
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which (document, target class) pairs of a run contribute words (`--style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    /// Every explained target.
    All,
    /// Only documents whose predicted label set (probability above the prediction
    /// threshold) equals the gold label set.
    Exact,
    /// Only targets that are gold labels of the document (true positives when the
    /// target is predicted). The study's setting.
    Contains,
    /// Only targets that are not gold labels of the document.
    False,
}

/// How a (class, word) pair is judged stable across runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum Stability {
    /// Stable when selected in at least `share` × R runs (R = number of runs given).
    SelectionFrequency {
        /// Required share of runs, in (0, 1].
        share: f64,
    },
    /// Stable when the population standard deviation of its scores is below `threshold`.
    Std {
        /// Standard-deviation threshold, finite and > 0.
        threshold: f64,
    },
}

/// Where the letterless-word filter sits relative to the per-document cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutOrder {
    /// Remove words without a letter, then keep the `words_per_doc` best (correct).
    LetterlessFirst,
    /// Keep the `words_per_doc` best, then remove letterless words (the original
    /// `kws.py`; documents with many numbers or symbols keep fewer words).
    Original,
}

/// How a class's stable words are ordered (`--ranking`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ranking {
    /// The support ranking times the corpus association of the word with the class
    /// ([`Association`], to the power `association_power`): a keyword must be both
    /// relied on by the models and tied to the class by the corpus (the default).
    /// Without class word counts it is the support ranking.
    Contrast,
    /// Attribution mass per explained class document times the share of the word's
    /// mass that goes to this class (support × specificity; the second wave's
    /// default). Stability counts the runs that explained the class.
    Support,
    /// Mean selected score, as the published SACX pipeline (`kws.py`). Stability
    /// counts every run.
    Original,
}

/// The corpus factor of the contrast ranking (`--association`): how strongly the
/// class word counts tie a word to a class, in [0, 1], with no stop-word list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Association {
    /// `1 − 1/RR`, RR the relative risk of the word's document rate in the class
    /// against the rest (half-counts added): the share of its rate that is in
    /// excess of elsewhere.
    RelativeRisk,
    /// The same with the lower one-sided 95 % confidence bound of RR: a word
    /// seen in few documents must be far more frequent in the class to count.
    RelativeRiskBound,
    /// The phi coefficient of the class-vs-rest document table (0 when the
    /// word is under-represented in the class): `φ² · N` is the χ² baseline's
    /// statistic.
    Phi,
    /// One minus the normalised entropy of the word's document rates over the
    /// classes: 0 for a word spread evenly over every class.
    Entropy,
}

/// Keyword method (`--method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Integrated Gradients attributions aggregated across runs.
    Ig,
    /// Weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008).
    LogOdds,
    /// Pearson's chi-squared of the class-vs-rest document contingency table.
    Chi2,
    /// Class-based TF-IDF.
    Ctfidf,
}

macro_rules! names {
    ($t:ty, $what:literal, $($v:path => [$($name:literal),+]),+ $(,)?) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let name = match self { $($v => [$($name),+][0]),+ };
                f.write_str(name)
            }
        }
        impl FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                let lower = s.to_ascii_lowercase();
                $( if [$($name),+].contains(&lower.as_str()) { return Ok($v); } )+
                let all: Vec<&str> = vec![$([$($name),+][0]),+];
                Err(Error::param($what, s, format!("one of {}", all.join(", "))))
            }
        }
    };
}

names!(Style, "style",
    Style::All => ["all"],
    Style::Exact => ["exact"],
    Style::Contains => ["contains", "tp"],
    Style::False => ["false", "false_classf"],
);
names!(Method, "method",
    Method::Ig => ["ig"],
    Method::LogOdds => ["log-odds", "logodds"],
    Method::Chi2 => ["chi2", "chi-squared"],
    Method::Ctfidf => ["ctfidf", "c-tf-idf"],
);
names!(Ranking, "ranking",
    Ranking::Contrast => ["contrast"],
    Ranking::Support => ["support"],
    Ranking::Original => ["original", "mean"],
);
names!(Association, "association",
    Association::RelativeRisk => ["relative-risk", "rr"],
    Association::RelativeRiskBound => ["relative-risk-bound", "rr-bound"],
    Association::Entropy => ["entropy"],
    Association::Phi => ["phi"],
);
names!(CutOrder, "cut_order",
    CutOrder::LetterlessFirst => ["letterless-first"],
    CutOrder::Original => ["original"],
);

/// Validated parameters of the IG keyword ranking (issue 6, steps 1–6).
///
/// | parameter | default | range |
/// |---|---|---|
/// | `ranking` | contrast | contrast, support, original |
/// | `specificity_power` | 3 | 0 ..= 8 (support and contrast: score = mass × specificity^power …; the second wave's support ranking used 2) |
/// | `association` | relative-risk-bound | relative-risk-bound, relative-risk, phi, entropy (contrast: … × association^power) |
/// | `association_power` | 3 | 0 ..= 8 |
/// | `per_language` | true | lists per language too, for two languages or more |
/// | `words_per_doc` | 100 | 1 ..= 1 000 000 |
/// | `cut_order` | letterless-first | letterless-first, original |
/// | `style` | contains | all, exact, contains, false |
/// | `stability` | selection frequency 0.6 | share in (0, 1]; std threshold finite, > 0 |
/// | `min_word_freq` | 3 | any; used only when class word counts are given |
/// | `top_n` | 100 | 1 ..= 1 000 000 |
/// | `unstable_n` | 100 | 0 ..= 1 000 000 |
/// | `prediction_threshold` | 0.5 | (0, 1) |
///
/// Deserializing (a saved `keywords.json`'s parameters) validates like
/// [`KeywordParamsBuilder::build`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedKeywordParams")]
pub struct KeywordParams {
    ranking: Ranking,
    specificity_power: f64,
    association: Association,
    association_power: f64,
    per_language: bool,
    words_per_doc: usize,
    cut_order: CutOrder,
    style: Style,
    stability: Stability,
    min_word_freq: u64,
    top_n: usize,
    unstable_n: usize,
    prediction_threshold: f32,
}

/// [`KeywordParams`] as read, before validation (same fields, same defaults
/// for parameters saved before they existed).
#[derive(Deserialize)]
struct UncheckedKeywordParams {
    #[serde(default = "original_ranking")]
    ranking: Ranking,
    #[serde(default = "default_power")]
    specificity_power: f64,
    #[serde(default = "default_association")]
    association: Association,
    #[serde(default = "default_association_power")]
    association_power: f64,
    #[serde(default)]
    per_language: bool,
    words_per_doc: usize,
    cut_order: CutOrder,
    style: Style,
    stability: Stability,
    min_word_freq: u64,
    top_n: usize,
    unstable_n: usize,
    prediction_threshold: f32,
}

impl TryFrom<UncheckedKeywordParams> for KeywordParams {
    type Error = Error;
    fn try_from(u: UncheckedKeywordParams) -> Result<Self> {
        KeywordParamsBuilder {
            params: KeywordParams {
                ranking: u.ranking,
                specificity_power: u.specificity_power,
                association: u.association,
                association_power: u.association_power,
                per_language: u.per_language,
                words_per_doc: u.words_per_doc,
                cut_order: u.cut_order,
                style: u.style,
                stability: u.stability,
                min_word_freq: u.min_word_freq,
                top_n: u.top_n,
                unstable_n: u.unstable_n,
                prediction_threshold: u.prediction_threshold,
            },
        }
        .build()
    }
}

/// Parameters saved before rankings existed were made by the original ranking.
/// (Saved parameters without a specificity power were made with 2.)
fn original_ranking() -> Ranking {
    Ranking::Original
}

fn default_power() -> f64 {
    2.0
}

fn default_association() -> Association {
    Association::RelativeRiskBound
}

fn default_association_power() -> f64 {
    3.0
}

impl Default for KeywordParams {
    fn default() -> Self {
        Self {
            ranking: Ranking::Contrast,
            specificity_power: 3.0,
            association: default_association(),
            association_power: default_association_power(),
            per_language: true,
            words_per_doc: 100,
            cut_order: CutOrder::LetterlessFirst,
            style: Style::Contains,
            stability: Stability::SelectionFrequency { share: 0.6 },
            min_word_freq: 3,
            top_n: 100,
            unstable_n: 100,
            prediction_threshold: 0.5,
        }
    }
}

impl KeywordParams {
    /// A builder starting from the defaults.
    pub fn builder() -> KeywordParamsBuilder {
        KeywordParamsBuilder {
            params: Self::default(),
        }
    }
    /// How stable words are ordered.
    pub fn ranking(&self) -> Ranking {
        self.ranking
    }
    /// Exponent of the specificity in the support ranking's score.
    pub fn specificity_power(&self) -> f64 {
        self.specificity_power
    }
    /// The corpus factor of the contrast ranking.
    pub fn association(&self) -> Association {
        self.association
    }
    /// Exponent of the corpus factor in the contrast ranking's score.
    pub fn association_power(&self) -> f64 {
        self.association_power
    }
    /// Whether each class also gets its stable keywords per language (when the
    /// explanations hold two languages or more).
    pub fn per_language(&self) -> bool {
        self.per_language
    }
    /// Words kept per (run, document, target class).
    pub fn words_per_doc(&self) -> usize {
        self.words_per_doc
    }
    /// Position of the letterless filter.
    pub fn cut_order(&self) -> CutOrder {
        self.cut_order
    }
    /// Which pairs count.
    pub fn style(&self) -> Style {
        self.style
    }
    /// Stability criterion.
    pub fn stability(&self) -> Stability {
        self.stability
    }
    /// A word is kept only if its document frequency in the class is above this.
    pub fn min_word_freq(&self) -> u64 {
        self.min_word_freq
    }
    /// Keywords kept per class (stable list).
    pub fn top_n(&self) -> usize {
        self.top_n
    }
    /// Unstable words written per class.
    pub fn unstable_n(&self) -> usize {
        self.unstable_n
    }
    /// A class is predicted when its probability is above this.
    pub fn prediction_threshold(&self) -> f32 {
        self.prediction_threshold
    }
}

/// Builder of [`KeywordParams`]; [`KeywordParamsBuilder::build`] validates.
#[derive(Clone, Debug)]
pub struct KeywordParamsBuilder {
    params: KeywordParams,
}

impl KeywordParamsBuilder {
    /// How stable words are ordered.
    pub fn ranking(mut self, ranking: Ranking) -> Self {
        self.params.ranking = ranking;
        self
    }
    /// Exponent of the specificity in the support ranking's score (0: mass alone).
    pub fn specificity_power(mut self, power: f64) -> Self {
        self.params.specificity_power = power;
        self
    }
    /// The corpus factor of the contrast ranking.
    pub fn association(mut self, association: Association) -> Self {
        self.params.association = association;
        self
    }
    /// Exponent of the corpus factor in the contrast ranking's score (0: none).
    pub fn association_power(mut self, power: f64) -> Self {
        self.params.association_power = power;
        self
    }
    /// Whether to rank each language's explanations on their own too.
    pub fn per_language(mut self, on: bool) -> Self {
        self.params.per_language = on;
        self
    }
    /// Words kept per (run, document, target class).
    pub fn words_per_doc(mut self, n: usize) -> Self {
        self.params.words_per_doc = n;
        self
    }
    /// Position of the letterless filter.
    pub fn cut_order(mut self, order: CutOrder) -> Self {
        self.params.cut_order = order;
        self
    }
    /// Which pairs count.
    pub fn style(mut self, style: Style) -> Self {
        self.params.style = style;
        self
    }
    /// Stability by selection frequency with the given share of runs.
    pub fn selection_frequency(mut self, share: f64) -> Self {
        self.params.stability = Stability::SelectionFrequency { share };
        self
    }
    /// Stability by standard deviation below `threshold`.
    pub fn std_threshold(mut self, threshold: f64) -> Self {
        self.params.stability = Stability::Std { threshold };
        self
    }
    /// Corpus filter: keep words whose class document frequency is above `n`.
    pub fn min_word_freq(mut self, n: u64) -> Self {
        self.params.min_word_freq = n;
        self
    }
    /// Keywords kept per class.
    pub fn top_n(mut self, n: usize) -> Self {
        self.params.top_n = n;
        self
    }
    /// Unstable words written per class.
    pub fn unstable_n(mut self, n: usize) -> Self {
        self.params.unstable_n = n;
        self
    }
    /// Prediction threshold on class probabilities.
    pub fn prediction_threshold(mut self, t: f32) -> Self {
        self.params.prediction_threshold = t;
        self
    }

    /// Validates and returns the parameters.
    pub fn build(self) -> Result<KeywordParams> {
        let p = self.params;
        const MAX: usize = 1_000_000;
        if !(1..=MAX).contains(&p.words_per_doc) {
            return Err(Error::param(
                "words_per_doc",
                p.words_per_doc,
                "1..=1000000",
            ));
        }
        if !(0.0..=8.0).contains(&p.specificity_power) {
            return Err(Error::param(
                "specificity_power",
                p.specificity_power,
                "0..=8",
            ));
        }
        if !(0.0..=8.0).contains(&p.association_power) {
            return Err(Error::param(
                "association_power",
                p.association_power,
                "0..=8",
            ));
        }
        if !(1..=MAX).contains(&p.top_n) {
            return Err(Error::param("top_n", p.top_n, "1..=1000000"));
        }
        if p.unstable_n > MAX {
            return Err(Error::param("unstable_n", p.unstable_n, "0..=1000000"));
        }
        match p.stability {
            Stability::SelectionFrequency { share } if !(share > 0.0 && share <= 1.0) => {
                return Err(Error::param("selection_freq", share, "(0, 1]"));
            }
            Stability::Std { threshold } if !(threshold.is_finite() && threshold > 0.0) => {
                return Err(Error::param("std_threshold", threshold, "finite and > 0"));
            }
            _ => {}
        }
        let t = p.prediction_threshold;
        if !(t > 0.0 && t < 1.0) {
            return Err(Error::param("prediction_threshold", t, "(0, 1)"));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_out_of_range_values_naming_them() {
        let e = KeywordParams::builder().selection_freq_err();
        assert!(e.contains("selection_freq = 1.5"), "{e}");
        let e = KeywordParams::builder()
            .words_per_doc(0)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("words_per_doc = 0"), "{e}");
        let e = KeywordParams::builder()
            .std_threshold(f64::NAN)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("std_threshold"), "{e}");
        let e = KeywordParams::builder()
            .prediction_threshold(1.0)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("prediction_threshold"));
        assert!(
            KeywordParams::builder()
                .selection_frequency(1.0)
                .build()
                .is_ok()
        );
    }

    impl KeywordParamsBuilder {
        fn selection_freq_err(self) -> String {
            self.selection_frequency(1.5)
                .build()
                .unwrap_err()
                .to_string()
        }
    }

    #[test]
    fn names_parse_and_print() {
        assert_eq!("log-odds".parse::<Method>().unwrap(), Method::LogOdds);
        assert_eq!(Method::Ctfidf.to_string(), "ctfidf");
        assert_eq!("false_classf".parse::<Style>().unwrap(), Style::False);
        let e = "bogus".parse::<Style>().unwrap_err().to_string();
        assert!(
            e.contains("bogus") && e.contains("all, exact, contains, false"),
            "{e}"
        );
    }
}
