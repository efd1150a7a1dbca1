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
pub mod baseline;
pub mod counts;
mod error;
pub mod eval_docs;
pub mod faithfulness;
pub mod input;
pub mod keywords;
pub mod metrics;
pub mod params;
mod rank;
mod record_ref;
pub mod select;
mod table;

pub use aggregate::aggregate;
pub use baseline::{BaselineParams, BaselineParamsBuilder, baseline};
pub use counts::{ClassCount, ClassCounts};
pub use error::{Error, Result};
pub use eval_docs::{
    EvalDocOptions, EvalDocOptionsBuilder, EvalDocument, EvalDocuments, LabelSource,
};
pub use faithfulness::{FaithFigures, Faithfulness, control_words, top_words};
pub use input::{Inputs, Source};
pub use keywords::{ClassKeywords, KEYWORDS_JSON, Keyword, Keywords};
pub use metrics::{EVALUATION_JSON, Evaluation, MetricsAtK, evaluate};
pub use params::{
    CutOrder, KeywordParams, KeywordParamsBuilder, Method, Ranking, Stability, Style,
};
pub use rank::is_stable;
pub use sacx_data::explanation::tsv::{TsvOptions, TsvOptionsBuilder, TsvReader};
