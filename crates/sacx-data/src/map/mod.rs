//! The map directory of `sacx map` (docs/architecture.md, "Map directory"):
//! file names, `map.json`, `documents.json` and the safetensors files, read
//! and written without libtorch.
//!
//! `sacx-map` builds maps and re-exports these types with its own parameter
//! types filled in (`sacx_map::MapInfo` is `MapInfo<MapParams, PvParams>`); a
//! reader that only draws a map (the HTML report) loads a [`SavedMap`] with the
//! parameters kept as JSON.
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::Error;

mod doc;
mod saved;
pub mod tensors;

pub use doc::{ClusterSummary, MapDoc};
pub use saved::{MapContents, SavedMap, read_json, write_json};

/// The `format` of every map file.
pub const FORMAT: &str = "sacx-map/1";
/// The map's description: source, parameters, metrics, cluster summaries.
pub const MAP_JSON: &str = "map.json";
/// One entry per document (id, language, labels, first words), in map order.
pub const DOCUMENTS_JSON: &str = "documents.json";
/// `vectors`: `f32 [n, dim]`, unit rows.
pub const VECTORS_FILE: &str = "vectors.safetensors";
/// `cluster_space`: `f32 [n, c]`; `plot`: `f32 [n, 2]`.
pub const LAYOUT_FILE: &str = "layout.safetensors";
/// `labels`: `i32 [n]`, the cluster of each document, −1 for noise.
pub const CLUSTERS_FILE: &str = "clusters.safetensors";
/// Paragraph vectors only: `word_vectors`, `output_weights`: `f32 [vocab, dim]`.
pub const PV_FILE: &str = "pv.safetensors";
/// Paragraph vectors only: the vocabulary, `[[word, count], …]` in id order.
pub const PV_VOCAB_JSON: &str = "pv-vocab.json";

/// Where the document vectors came from; `Pv` is the paragraph vectors'
/// training parameters (`sacx_map::PvParams`, or JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source<Pv = serde_json::Value> {
    /// Paragraph vectors trained on the corpus with these parameters.
    ParagraphVectors {
        /// The training parameters.
        params: Pv,
    },
    /// A classifier run's pooled hidden layer, averaged over its seeds.
    Classifier {
        /// The run (or checkpoint) directory, as given.
        run: PathBuf,
        /// Its seeds.
        seeds: Vec<u64>,
        /// The checkpoints' identity (their config files' digest).
        fingerprint: String,
    },
}

/// Quality of the map against the gold labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapMetrics {
    /// kNN-10 label precision of the vectors (cosine).
    pub knn10_label_precision: f64,
    /// NMI of the clusters (noise as one group) against each document's first class.
    pub nmi_first_class: f64,
    /// NMI of the clusters against the language.
    pub nmi_language: f64,
    /// Clusters found (noise excluded).
    pub clusters: usize,
    /// Documents in no cluster.
    pub noise: usize,
}

/// NMI of the clusters against the language above which a map is said to
/// follow the languages rather than the topics.
pub const LANGUAGE_NMI: f64 = 0.8;

impl MapMetrics {
    /// One line when the clusters follow the languages (NMI against the
    /// language above [`LANGUAGE_NMI`]) of a corpus of several, naming the
    /// remedy; `None` otherwise.
    ///
    /// ```
    /// use sacx_data::map::MapMetrics;
    /// let m = MapMetrics { knn10_label_precision: 0.2, nmi_first_class: 0.05,
    ///     nmi_language: 0.99, clusters: 12, noise: 0 };
    /// assert!(m.language_note(12).unwrap().contains("--run"));
    /// assert!(m.language_note(1).is_none());
    /// ```
    pub fn language_note(&self, languages: usize) -> Option<String> {
        (languages > 1 && self.nmi_language > LANGUAGE_NMI).then(|| {
            format!(
                "The clusters follow the {languages} languages (NMI against the language {:.2}), not the topics: paragraph vectors of a multilingual corpus group by language; map with --run RUN_DIR (the run's classifiers) for topic clusters.",
                self.nmi_language
            )
        })
    }
}

/// Seconds spent in each step of a map's layout.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// The cosine kNN graph of the vectors.
    pub knn_s: f64,
    /// UMAP to the clustering space.
    pub umap_cluster_s: f64,
    /// UMAP to the plane.
    pub umap_plot_s: f64,
    /// HDBSCAN.
    pub hdbscan_s: f64,
}

/// The contents of `map.json`; `P` is the reduction and clustering
/// parameters' type (`sacx_map::MapParams`, or JSON), `Pv` that of [`Source`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapInfo<P = serde_json::Value, Pv = serde_json::Value> {
    /// [`FORMAT`].
    pub format: String,
    /// The vectors' source.
    pub source: Source<Pv>,
    /// Reduction and clustering parameters.
    pub params: P,
    /// The minimum cluster size used.
    pub min_cluster_size: usize,
    /// Documents.
    pub documents: usize,
    /// Vector width.
    pub dim: usize,
    /// Seconds to compute the vectors.
    pub vectors_s: f64,
    /// Seconds of the other steps.
    pub timings: Timings,
    /// Quality against the gold labels.
    pub metrics: MapMetrics,
    /// Every cluster, then the noise group.
    pub clusters: Vec<ClusterSummary>,
}

/// An [`Error::MapFile`] of `path`.
fn map_file(path: &Path, reason: impl Into<String>) -> Error {
    Error::MapFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}
