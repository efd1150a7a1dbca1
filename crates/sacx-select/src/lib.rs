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

mod error;
mod find;
mod mine;
mod motif;
mod output;
mod params;
mod peer_select;
mod peers;
mod pool;
mod sample;
mod scan;
mod select;

pub use error::{Error, Result};
pub use mine::{MotifStat, lift};
pub use motif::{document_words, skip_grams};
pub use output::{
    ClassSummary, Reason, SUMMARY_FORMAT, Selected, Selection, Summary, check_replaceable,
    summary_path,
};
pub use params::{SelectParams, SelectParamsBuilder};
pub use peer_select::select_with;
pub use peers::{PeerInput, Strategy, peer_scores, top_n};
pub use pool::{MemoryPool, Pool, PoolPass, ScoredDoc};
pub use select::{Context, select};
