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

mod builder;
mod engine;
mod error;
mod explain;
pub mod faithfulness;
mod parallel;
mod params;
mod pooled;
mod quadrature;
pub mod run;
pub mod tsv;
mod words;

pub use error::{Error, Result};
pub use explain::{ExplainDoc, Explainer, ResolvedBaseline};
pub use params::{Baseline, IgParams, IgParamsBuilder, Normalize, TargetPolicy, WordMerge};
pub use quadrature::{Method, Rule};
pub use run::{DocSource, OutputOptions, Progress, RunInfo, Summary, explain_to_dir};
pub use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardReader, ShardWriter, TargetAttribution,
};
