#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod engine;
mod error;
pub mod explain;
pub mod faithfulness;
pub mod params;
mod pooled;
pub mod quadrature;
pub mod run;
pub mod tsv;
pub mod words;

pub use error::{Error, Result};
pub use explain::{ExplainDoc, Explainer, ResolvedBaseline};
pub use params::{Baseline, IgParams, IgParamsBuilder, Normalize, TargetPolicy, WordMerge};
pub use quadrature::Method;
pub use run::{DocSource, OutputOptions, Progress, RunInfo, Summary, explain_to_dir};
pub use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardReader, ShardWriter, TargetAttribution,
};
