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
mod hdbscan;
pub mod knn;
mod pv;
mod umap;
mod vectors;

pub use error::{Error, Result};
pub use hdbscan::{Clustering, HdbscanParams, HdbscanParamsBuilder, Selection, hdbscan};
pub use pv::{ParagraphVectors, PvParams, PvParamsBuilder, PvTraining, Vocab};
pub use umap::{UmapParams, UmapParamsBuilder, fit_ab, umap};
pub use vectors::DocVectors;
