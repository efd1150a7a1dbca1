//! Keyword ranking and evaluation options.
use anyhow::Result;
use sacx_aggregate::{
    BaselineParams, CutOrder, EvalDocOptions, KeywordParams, LabelSource, Method, Ranking, Style,
};

/// How keywords are ranked across runs (the original `kws.py`, corrected).
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct KeywordArgs {
    /// How stable words are ordered: support (attribution mass per class document
    /// × the share of the word's mass going to the class) or original (mean score,
    /// as the published SACX pipeline).
    #[arg(long, default_value_t = KeywordParams::default().ranking())]
    pub ranking: Ranking,
    /// Support ranking: exponent of the specificity (score = mass × specificity^p;
    /// 0 ranks by mass alone; 0 ≤ p ≤ 8).
    #[arg(long, default_value_t = KeywordParams::default().specificity_power())]
    pub specificity_power: f64,
    /// Per (run, document, class), keep this many best-scoring words.
    #[arg(long, default_value_t = 100)]
    pub words_per_doc: usize,
    /// Which pairs count: all, exact (predicted set = gold set), contains (target
    /// is gold), false (target is not gold).
    #[arg(long, default_value = "contains")]
    pub style: Style,
    /// A word is stable in a class when it is selected in at least this share of
    /// the runs (0 < s ≤ 1).
    #[arg(long, default_value_t = 0.6, conflicts_with = "std_threshold")]
    pub selection_freq: f64,
    /// Judge stability by the standard deviation of the scores instead (stable when
    /// below this; the original's alternative, 0.2).
    #[arg(long)]
    pub std_threshold: Option<f64>,
    /// Keep a word only when its document frequency in the class is above this
    /// (needs class word counts); applied before the top-N cut.
    #[arg(long, default_value_t = 3)]
    pub min_word_freq: u64,
    /// Keywords kept per class.
    #[arg(long, default_value_t = 100)]
    pub top_n: usize,
    /// Reproduce the original order of the per-document cut (cut first, then drop
    /// words without a letter).
    #[arg(long)]
    pub original_cut_order: bool,
}

impl KeywordArgs {
    /// The validated ranking parameters; `threshold` is the decision threshold.
    pub fn params(&self, threshold: f32) -> Result<KeywordParams> {
        let mut b = KeywordParams::builder()
            .ranking(self.ranking)
            .specificity_power(self.specificity_power)
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
#[derive(clap::Args, Debug, Clone, serde::Serialize)]
pub struct EvalArgs {
    /// Keyword-list lengths K to evaluate at.
    #[arg(long = "eval-k", value_delimiter = ',', default_values_t = [100usize, 10])]
    pub k: Vec<usize>,
    /// Document labels for coverage: true, predicted, or true-positive (majority
    /// over runs).
    #[arg(long, default_value = "true-positive")]
    pub eval_labels: LabelSource,
    /// Seed of the random control words of the faithfulness figures.
    #[arg(long, default_value_t = 0)]
    pub control_seed: u64,
}

impl EvalArgs {
    /// Options for building the evaluation documents.
    pub fn doc_options(&self, threshold: f32) -> Result<EvalDocOptions> {
        Ok(EvalDocOptions::builder()
            .source(self.eval_labels)
            .prediction_threshold(threshold)
            .build()?)
    }
}
