//! Keyword ranking and evaluation options.
use crate::Result;
use sacx_aggregate::{
    Association, BaselineParams, CutOrder, EvalDocOptions, KeywordParams, LabelSource, Method,
    Ranking, Stability, StabilityParams, Style,
};

/// How keywords are ranked across runs (the original `kws.py`, corrected).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct KeywordArgs {
    /// How stable words are ordered: contrast (support × the corpus association of
    /// the word with the class), support (attribution mass per class document × the
    /// share of the word's mass going to the class) or original (mean score, as the
    /// published SACX pipeline).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().ranking))]
    pub ranking: Ranking,
    /// Support and contrast rankings: exponent of the specificity (score = mass ×
    /// specificity^p; 0 ranks by mass alone; 0 ≤ p ≤ 8).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().specificity_power))]
    pub specificity_power: f64,
    /// Contrast ranking: the corpus association, relative-risk-bound (the share
    /// of the word's document rate in the class above its rate elsewhere, from
    /// the lower 95 % bound of the relative risk), relative-risk (the same from
    /// the point estimate), phi (of the class-vs-rest table: χ²'s order) or
    /// entropy (one minus the normalised entropy of its rates over the classes).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().association))]
    pub association: Association,
    /// Contrast ranking: exponent of the association (score = support score ×
    /// association^q; 0 ≤ q ≤ 8).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().association_power))]
    pub association_power: f64,
    /// Per (run, document, class), keep this many best-scoring words.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().words_per_doc))]
    pub words_per_doc: usize,
    /// Which pairs count: all, exact (predicted set = gold set), contains (target
    /// is gold), false (target is not gold).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().style))]
    pub style: Style,
    /// A word is stable in a class when it is selected in at least this share of
    /// the runs (0 < s ≤ 1).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().selection_freq, conflicts_with = "std_threshold"))]
    pub selection_freq: f64,
    /// Judge stability by the standard deviation of the scores instead (stable when
    /// below this; the original's alternative, 0.2).
    #[cfg_attr(feature = "clap", arg(long))]
    pub std_threshold: Option<f64>,
    /// Keep a word only when its document frequency in the class is above this
    /// (needs class word counts); applied before the top-N cut.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().min_word_freq))]
    pub min_word_freq: u64,
    /// Keywords kept per class.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = KeywordArgs::default().top_n))]
    pub top_n: usize,
    /// Reproduce the original order of the per-document cut (cut first, then drop
    /// words without a letter).
    #[cfg_attr(feature = "clap", arg(long))]
    pub original_cut_order: bool,
    /// Do not rank each language's documents on their own (by default a corpus
    /// of two languages or more also gets every class's keywords per language).
    #[cfg_attr(feature = "clap", arg(long))]
    pub no_language_lists: bool,
}

impl KeywordArgs {
    /// The validated ranking parameters; `threshold` is the decision threshold.
    pub fn params(&self, threshold: f32) -> Result<KeywordParams> {
        let mut b = KeywordParams::builder()
            .ranking(self.ranking)
            .specificity_power(self.specificity_power)
            .association(self.association)
            .association_power(self.association_power)
            .per_language(!self.no_language_lists)
            .words_per_doc(self.words_per_doc)
            .style(self.style)
            .min_word_freq(self.min_word_freq)
            .top_n(self.top_n)
            .unstable_n(self.top_n)
            .prediction_threshold(threshold)
            .cut_order(if self.original_cut_order {
                CutOrder::Original
            } else {
                CutOrder::LetterlessFirst
            });
        b = match self.std_threshold {
            Some(t) => b.std_threshold(t),
            None => b.selection_frequency(self.selection_freq),
        };
        Ok(b.build()?)
    }

    /// Parameters of a classical baseline with the same list length and filter.
    pub fn baseline_params(&self, method: Method) -> Result<BaselineParams> {
        Ok(BaselineParams::builder()
            .method(method)
            .top_n(self.top_n)
            .min_word_freq(self.min_word_freq)
            .build()?)
    }
}

/// How keyword lists are evaluated.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct EvalArgs {
    /// Keyword-list lengths K to evaluate at.
    #[cfg_attr(feature = "clap", arg(long = "eval-k", value_delimiter = ',', default_values_t = EvalArgs::default().k))]
    pub k: Vec<usize>,
    /// Document labels for coverage: true, predicted, or true-positive (majority
    /// over runs).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvalArgs::default().eval_labels))]
    pub eval_labels: LabelSource,
    /// Seed of the random control words of the faithfulness figures.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvalArgs::default().control_seed))]
    pub control_seed: u64,
    /// The generic words of the evaluation: the corpus's this many most
    /// document-frequent words (the generic-word share of each list).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvalArgs::default().generic_words))]
    pub generic_words: usize,
    /// Length K of the lists whose stability across seeds is estimated
    /// (IG, two runs or more).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvalArgs::default().stability_k))]
    pub stability_k: usize,
    /// Random splits of the runs into two halves for the stability estimate.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = EvalArgs::default().stability_splits))]
    pub stability_splits: usize,
}

impl EvalArgs {
    /// Options for building the evaluation documents.
    pub fn doc_options(&self, threshold: f32) -> Result<EvalDocOptions> {
        Ok(EvalDocOptions::builder()
            .source(self.eval_labels)
            .prediction_threshold(threshold)
            .build()?)
    }

    /// Parameters of the keyword-stability estimate.
    pub fn stability(&self) -> Result<StabilityParams> {
        Ok(StabilityParams::builder()
            .k(self.stability_k)
            .splits(self.stability_splits)
            .build()?)
    }
}

/// The library defaults ([`KeywordParams::default`], [`EvalDocOptions::default`]).
impl Default for KeywordArgs {
    fn default() -> Self {
        let p = KeywordParams::default();
        let (selection_freq, std_threshold) = match p.stability() {
            Stability::SelectionFrequency { share } => (share, None),
            Stability::Std { threshold } => (0.6, Some(threshold)),
        };
        KeywordArgs {
            ranking: p.ranking(),
            specificity_power: p.specificity_power(),
            association: p.association(),
            association_power: p.association_power(),
            words_per_doc: p.words_per_doc(),
            style: p.style(),
            selection_freq,
            std_threshold,
            min_word_freq: p.min_word_freq(),
            top_n: p.top_n(),
            original_cut_order: p.cut_order() == CutOrder::Original,
            no_language_lists: !p.per_language(),
        }
    }
}

impl Default for EvalArgs {
    fn default() -> Self {
        EvalArgs {
            k: vec![100, 10],
            eval_labels: EvalDocOptions::default().source(),
            control_seed: 0,
            generic_words: 150,
            stability_k: StabilityParams::default().k(),
            stability_splits: StabilityParams::default().splits(),
        }
    }
}
