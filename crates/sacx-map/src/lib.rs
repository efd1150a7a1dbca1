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

mod classifier;
mod dedup;
mod error;
mod hdbscan;
pub mod knn;
mod layout;
mod metrics;
mod progress;
mod pv;
mod steps;
mod summary;
mod topic_map;
pub mod topicality;
mod umap;
mod vectors;

pub use classifier::classifier_vectors;
pub use layout::{Layout, MapParams, MapParamsBuilder, Timings, layout, layout_observed};
pub use metrics::{knn_label_precision, nmi};
pub use summary::{ClusterSummary, MapDoc, summarize};
pub use topic_map::{
    CLUSTERS_FILE, ClusterHit, DOCUMENTS_JSON, DocHit, FORMAT, LAYOUT_FILE, MAP_JSON, MapInfo,
    MapInput, MapMetrics, PV_FILE, PV_VOCAB_JSON, SearchHits, Source, TopicMap, VECTORS_FILE,
};

pub use error::{Error, Result};
pub use hdbscan::{
    Clustering, HdbscanParams, HdbscanParamsBuilder, Selection, hdbscan, hdbscan_observed,
};
pub use progress::{Progress, Quiet, Step};
pub use pv::{ParagraphVectors, PvParams, PvParamsBuilder, PvTraining, Vocab};
pub use steps::{STEPS_DIR, Steps, digest};
pub use umap::{UmapParams, UmapParamsBuilder, fit_ab, umap, umap_observed};
pub use vectors::DocVectors;
