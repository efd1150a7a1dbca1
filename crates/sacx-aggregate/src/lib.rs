#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

mod aggregate;
mod align;
mod association;
mod baseline;
mod counts;
mod curve;
mod error;
mod eval_docs;
mod faithfulness;
mod input;
mod keywords;
mod languages;
mod metrics;
mod params;
mod rank;
mod record_ref;
mod select;
mod stability;
mod table;

pub use aggregate::aggregate;
pub use align::Translation;
pub use baseline::{BaselineParams, BaselineParamsBuilder, baseline, chi2, log_odds};
pub use counts::{ClassCount, ClassCounts};
pub use curve::extrapolate;
pub use error::{Error, Result};
pub use eval_docs::{
    EvalDocOptions, EvalDocOptionsBuilder, EvalDocument, EvalDocuments, LabelSource,
};
pub use faithfulness::{FaithFigures, Faithfulness, control_words, top_words};
pub use input::{Inputs, MAX_ABS_SCORE, Source};
pub use keywords::{
    ClassKeywords, KEYWORDS_FORMAT, KEYWORDS_JSON, Keyword, Keywords, TSV_COLUMNS, file_stem,
};
pub use languages::{LanguageClass, LanguageKeywords, MIN_LANGUAGE_DOCS};
pub use metrics::{
    CoverageDistinctiveness, EVALUATION_JSON, Evaluation, MetricsAtK, PerClass, evaluate,
    read_evaluations, write_evaluations,
};
pub use params::{
    Association, CutOrder, KeywordParams, KeywordParamsBuilder, Method, Ranking, Stability, Style,
};
pub use rank::is_stable;
pub use sacx_data::explanation::tsv::{TsvOptions, TsvOptionsBuilder, TsvReader};
pub use stability::{
    AgreementPoint, ClassStability, KeywordStability, RunTables, StabilityParams,
    StabilityParamsBuilder, jaccard, keyword_stability, rbo, spearman_brown,
};
