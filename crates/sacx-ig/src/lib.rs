#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod error;
pub mod record;
pub mod shard;

pub use error::{Error, Result};
pub use record::{DocExplanation, ShardHeader, TargetAttribution};
pub use shard::{ShardReader, ShardWriter};
