//! How a topic map is built (`sacx map`, `sacx run --map`): paragraph-vector
//! training, UMAP and HDBSCAN settings, each defaulting to the library's.
use crate::Result;
use sacx_map::{MapParams, PvParams, Selection};

/// The map's options; every default is the library's.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default)]
pub struct MapOptions {
    /// Paragraph vectors: vector width.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().dim()))]
    pub pv_dim: usize,
    /// Paragraph vectors: skip-gram window.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().window()))]
    pub pv_window: usize,
    /// Paragraph vectors: words seen fewer times are ignored.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().min_count()))]
    pub pv_min_count: u64,
    /// Paragraph vectors: passes over the corpus.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().epochs()))]
    pub pv_epochs: usize,
    /// Paragraph vectors: negative samples per word.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().negative()))]
    pub pv_negative: usize,
    /// Paragraph vectors: downsampling threshold of frequent words (0: off).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().sample()))]
    pub pv_sample: f64,
    /// HDBSCAN minimum cluster size; 0: max(5, round(√documents / 2)).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().min_cluster_size()))]
    pub min_cluster_size: usize,
    /// HDBSCAN min_samples; 0: the minimum cluster size (above --exact-max
    /// documents at most --neighbours-cluster).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().min_samples()))]
    pub min_samples: usize,
    /// HDBSCAN cluster selection: eom (excess of mass) or leaf.
    #[cfg_attr(feature = "clap", arg(long, default_value = "eom", value_parser = ["eom", "leaf"]))]
    pub selection: String,
    /// UMAP neighbours of the clustering space.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().neighbours_cluster()))]
    pub neighbours_cluster: usize,
    /// UMAP neighbours of the picture.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().neighbours_plot()))]
    pub neighbours_plot: usize,
    /// UMAP min_dist of both reductions.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().min_dist()))]
    pub min_dist: f32,
    /// UMAP epochs; 0: 500 up to 10,000 documents, else 200.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().epochs()))]
    pub umap_epochs: usize,
    /// Documents up to which neighbours and the HDBSCAN tree are exact (NN-descent above).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().exact_max()))]
    pub exact_max: usize,
    /// Seed of the paragraph vectors, UMAP and the NN-descent graph.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = MapParams::default().seed()))]
    pub map_seed: u64,
    /// Threads of paragraph-vector training (also its shards: the vectors depend on it).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().threads()))]
    pub map_threads: usize,
    /// Paragraph vectors: documents that share an id (translations) train one
    /// shared vector (true or false).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = PvParams::default().shared_ids(), action = clap::ArgAction::Set, value_name = "BOOL"))]
    pub pv_shared_ids: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        let (p, m) = (PvParams::default(), MapParams::default());
        MapOptions {
            pv_dim: p.dim(),
            pv_window: p.window(),
            pv_min_count: p.min_count(),
            pv_epochs: p.epochs(),
            pv_negative: p.negative(),
            pv_sample: p.sample(),
            min_cluster_size: m.min_cluster_size(),
            min_samples: m.min_samples(),
            selection: "eom".into(),
            neighbours_cluster: m.neighbours_cluster(),
            neighbours_plot: m.neighbours_plot(),
            min_dist: m.min_dist(),
            umap_epochs: m.epochs(),
            exact_max: m.exact_max(),
            map_seed: m.seed(),
            map_threads: p.threads(),
            pv_shared_ids: p.shared_ids(),
        }
    }
}

impl MapOptions {
    /// The checked paragraph-vector parameters.
    pub fn pv_params(&self) -> Result<PvParams> {
        Ok(PvParams::builder()
            .dim(self.pv_dim)
            .window(self.pv_window)
            .min_count(self.pv_min_count)
            .epochs(self.pv_epochs)
            .negative(self.pv_negative)
            .sample(self.pv_sample)
            .seed(self.map_seed)
            .threads(self.map_threads)
            .shared_ids(self.pv_shared_ids)
            .build()?)
    }

    /// The checked reduction and clustering parameters.
    pub fn map_params(&self) -> Result<MapParams> {
        Ok(MapParams::builder()
            .min_cluster_size(self.min_cluster_size)
            .min_samples(self.min_samples)
            .selection(self.selection.parse::<Selection>()?)
            .neighbours_cluster(self.neighbours_cluster)
            .neighbours_plot(self.neighbours_plot)
            .min_dist(self.min_dist)
            .epochs(self.umap_epochs)
            .exact_max(self.exact_max)
            .seed(self.map_seed)
            .build()?)
    }
}
