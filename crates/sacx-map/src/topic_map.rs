//! A whole map: the documents, their vectors, both reductions, the clusters
//! and their summaries, saved as safetensors + JSON (docs/architecture.md,
//! "Map directory") and searched by vector.
use crate::layout::{MapParams, layout_observed};
use crate::progress::{Progress, Quiet};
use crate::steps::Steps;
use crate::summary::{MapDoc, summarize};
use crate::vectors::dot;
use crate::{DocVectors, Error, ParagraphVectors, PvParams, Result, knn_label_precision, nmi};
use sacx_data::map::tensors::{Raw, Read};
use sacx_data::map::{MapContents, SavedMap, read_json, write_json};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub use sacx_data::map::{
    CLUSTERS_FILE, DOCUMENTS_JSON, FORMAT, LAYOUT_FILE, MAP_JSON, MapMetrics, PV_FILE,
    PV_VOCAB_JSON, VECTORS_FILE,
};

/// Neighbours of the kNN label precision.
const PRECISION_K: usize = 10;

/// Where the document vectors came from (the format lives in
/// [`sacx_data::map::Source`]).
pub type Source = sacx_data::map::Source<PvParams>;

/// The contents of `map.json` (the format lives in [`sacx_data::map::MapInfo`]).
pub type MapInfo = sacx_data::map::MapInfo<MapParams, PvParams>;

/// A map in memory.
#[derive(Clone, Debug)]
pub struct TopicMap {
    /// What `map.json` holds.
    pub info: MapInfo,
    /// The documents, in map order.
    pub docs: Vec<MapDoc>,
    /// Their vectors.
    pub vectors: DocVectors,
    /// `n × c` clustering-space coordinates.
    pub cluster_space: Vec<f32>,
    /// `n × 2` picture coordinates.
    pub plot: Vec<f32>,
    /// Each document's cluster.
    pub labels: Vec<Option<usize>>,
    /// The paragraph-vector model, for that source.
    pub pv: Option<ParagraphVectors>,
}

/// What to build a map from.
pub struct MapInput<'a> {
    /// The documents' metadata.
    pub docs: Vec<MapDoc>,
    /// Their words (for c-TF-IDF).
    pub words: &'a [Vec<&'a str>],
    /// Their vectors.
    pub vectors: DocVectors,
    /// Seconds it took to compute them.
    pub vectors_s: f64,
    /// Where they came from.
    pub source: Source,
    /// The paragraph-vector model, for that source.
    pub pv: Option<ParagraphVectors>,
    /// IG keywords by class, best first (empty when there are none).
    pub keywords: BTreeMap<String, Vec<String>>,
}

impl TopicMap {
    /// Reduces, clusters and summarises `input`.
    pub fn build(input: MapInput, params: &MapParams) -> Result<TopicMap> {
        Self::build_observed(input, "", params, &Steps::none(), &Quiet)
    }

    /// [`TopicMap::build`], reporting each step to `progress` and keeping
    /// each finished one in `steps` under `inputs`, a digest of what the
    /// vectors were computed from (see [`layout_observed`]).
    pub fn build_observed(
        input: MapInput,
        inputs: &str,
        params: &MapParams,
        steps: &Steps,
        progress: &dyn Progress,
    ) -> Result<TopicMap> {
        let n = input.vectors.rows();
        if n != input.docs.len() || n != input.words.len() {
            return Err(Error::input(format!(
                "{n} vectors for {} documents and {} word lists",
                input.docs.len(),
                input.words.len()
            )));
        }
        let geo = layout_observed(&input.vectors, inputs, params, steps, progress)?;
        let labels = geo.clustering.labels.clone();
        let ids: Vec<Vec<&str>> = input
            .docs
            .iter()
            .map(|d| d.labels.iter().map(String::as_str).collect())
            .collect();
        let mut names: BTreeMap<&str, u32> = BTreeMap::new();
        ids.iter().flatten().for_each(|l| {
            let next = names.len() as u32;
            names.entry(l).or_insert(next);
        });
        let label_ids: Vec<Vec<u32>> = ids
            .iter()
            .map(|ls| ls.iter().map(|l| names[l]).collect())
            .collect();
        let groups: Vec<i64> = labels.iter().map(|l| l.map_or(-1, |c| c as i64)).collect();
        let first: Vec<&str> = input
            .docs
            .iter()
            .map(|d| d.labels.first().map_or("", String::as_str))
            .collect();
        let langs: Vec<&str> = input.docs.iter().map(|d| d.lang.as_str()).collect();
        let metrics = MapMetrics {
            knn10_label_precision: knn_label_precision(&geo.knn, &label_ids, PRECISION_K),
            nmi_first_class: nmi(&groups, &first),
            nmi_language: nmi(&groups, &langs),
            clusters: geo.clustering.clusters(),
            noise: geo.clustering.noise(),
        };
        let clusters = summarize(
            &input.docs,
            input.words,
            &labels,
            &input.keywords,
            10,
            &geo.knn,
            params.neighbours_cluster() - 1,
        );
        let info = MapInfo {
            format: FORMAT.into(),
            source: input.source,
            params: params.clone(),
            min_cluster_size: params.min_cluster_size_for(geo.distinct),
            documents: n,
            dim: input.vectors.dim(),
            vectors_s: input.vectors_s,
            timings: geo.timings,
            metrics,
            clusters,
        };
        Ok(TopicMap {
            info,
            docs: input.docs,
            vectors: input.vectors,
            cluster_space: geo.cluster_space,
            plot: geo.plot,
            labels,
            pv: input.pv,
        })
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the map has no document.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Writes every file of the map into `dir` (which must exist), each atomically.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let n = self.len();
        let c = self.info.params.cluster_components();
        sacx_data::map::tensors::write(
            &dir.join(VECTORS_FILE),
            &[(
                "vectors",
                Raw::f32(vec![n, self.vectors.dim()], self.vectors.as_slice()),
            )],
        )?;
        sacx_data::map::tensors::write(
            &dir.join(LAYOUT_FILE),
            &[
                ("cluster_space", Raw::f32(vec![n, c], &self.cluster_space)),
                ("plot", Raw::f32(vec![n, 2], &self.plot)),
            ],
        )?;
        let labels: Vec<i32> = self
            .labels
            .iter()
            .map(|l| l.map_or(-1, |c| c as i32))
            .collect();
        sacx_data::map::tensors::write(
            &dir.join(CLUSTERS_FILE),
            &[("labels", Raw::i32(vec![n], &labels))],
        )?;
        if let Some(pv) = &self.pv {
            sacx_data::map::tensors::write(&dir.join(PV_FILE), &pv.tensors())?;
            write_json(&dir.join(PV_VOCAB_JSON), &pv.vocab().pairs())?;
        }
        write_json(&dir.join(DOCUMENTS_JSON), &self.docs)?;
        // Last: a directory with map.json holds a whole map.
        Ok(write_json(&dir.join(MAP_JSON), &self.info)?)
    }

    /// Reads the map saved in `dir`, checking every file against `map.json`.
    pub fn load(dir: &Path) -> Result<TopicMap> {
        let saved = SavedMap::<MapParams, PvParams>::load(dir)?;
        let (n, info) = (saved.info.documents, saved.info);
        let c = info.params.cluster_components();
        if saved.cluster_components != c {
            return Err(Error::format(
                &dir.join(LAYOUT_FILE),
                format!(
                    "a clustering space of {} components, map.json says {c}",
                    saved.cluster_components
                ),
            ));
        }
        let (_, v) =
            Read::open(&dir.join(VECTORS_FILE))?.f32("vectors", &[Some(n), Some(info.dim)])?;
        let pv = match &info.source {
            Source::ParagraphVectors { params } => Some(load_pv(dir, params)?),
            Source::Classifier { .. } => None,
        };
        Ok(TopicMap {
            vectors: DocVectors::saved(info.dim, v)?,
            info,
            docs: saved.docs,
            cluster_space: saved.cluster_space,
            plot: saved.plot,
            labels: saved.labels,
            pv,
        })
    }
}

/// A [`TopicMap`] draws like a saved one (the HTML report's map view).
impl MapContents for TopicMap {
    type Params = MapParams;
    type PvParams = PvParams;
    fn info(&self) -> &MapInfo {
        &self.info
    }
    fn docs(&self) -> &[MapDoc] {
        &self.docs
    }
    fn plot(&self) -> &[f32] {
        &self.plot
    }
    fn clusters(&self) -> &[Option<usize>] {
        &self.labels
    }
}

fn load_pv(dir: &Path, params: &PvParams) -> Result<ParagraphVectors> {
    let vocab: Vec<(String, u64)> = read_json(&dir.join(PV_VOCAB_JSON))?;
    ParagraphVectors::from_tensors(&Read::open(&dir.join(PV_FILE))?, params, vocab)
}

/// One document found by a search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocHit {
    /// Its position in the map.
    pub index: usize,
    /// Its id.
    pub id: String,
    /// Cosine similarity to the query.
    pub similarity: f32,
    /// Its cluster (`None`: noise).
    pub cluster: Option<usize>,
    /// Its gold classes.
    pub labels: Vec<String>,
    /// Its first words.
    pub snippet: String,
}

/// One cluster found by a search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterHit {
    /// The cluster.
    pub cluster: usize,
    /// Cosine similarity of the query to the cluster's mean vector.
    pub similarity: f32,
    /// Its size.
    pub size: usize,
    /// Its top words.
    pub top_words: Vec<String>,
}

/// The answer to a query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHits {
    /// The nearest documents, nearest first.
    pub documents: Vec<DocHit>,
    /// The nearest clusters, nearest first.
    pub clusters: Vec<ClusterHit>,
}

impl TopicMap {
    /// The `k` documents and clusters nearest to the unit vector `query`
    /// (ties by map order).
    pub fn search(&self, query: &[f32], k: usize) -> Result<SearchHits> {
        if query.len() != self.vectors.dim() {
            return Err(Error::input(format!(
                "a query vector of {} values for a map of {}",
                query.len(),
                self.vectors.dim()
            )));
        }
        let mut sims: Vec<(f32, usize)> = (0..self.len())
            .map(|i| (dot(self.vectors.row(i), query), i))
            .collect();
        let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        // The k best, then only those sorted (a million documents sort slowly).
        if k < sims.len() {
            sims.select_nth_unstable_by(k, order);
            sims.truncate(k);
        }
        sims.sort_by(order);
        let documents = sims
            .iter()
            .take(k)
            .map(|&(s, i)| DocHit {
                index: i,
                id: self.docs[i].id.clone(),
                similarity: s,
                cluster: self.labels[i],
                labels: self.docs[i].labels.clone(),
                snippet: self.docs[i].snippet.clone(),
            })
            .collect();
        Ok(SearchHits {
            documents,
            clusters: self.nearest_clusters(query, k),
        })
    }

    fn nearest_clusters(&self, query: &[f32], k: usize) -> Vec<ClusterHit> {
        let d = self.vectors.dim();
        let count = self.info.metrics.clusters;
        let mut sums = vec![vec![0f32; d]; count];
        for (i, l) in self.labels.iter().enumerate() {
            if let Some(c) = l.filter(|&c| c < count) {
                sums[c]
                    .iter_mut()
                    .zip(self.vectors.row(i))
                    .for_each(|(s, x)| *s += x);
            }
        }
        let mut hits: Vec<ClusterHit> = sums
            .into_iter()
            .enumerate()
            .map(|(c, mut v)| {
                crate::vectors::normalize(&mut v);
                let summary = self.info.clusters.iter().find(|s| s.cluster == Some(c));
                ClusterHit {
                    cluster: c,
                    similarity: dot(&v, query),
                    size: summary.map_or(0, |s| s.size),
                    top_words: summary
                        .map(|s| s.top_words.iter().take(5).map(|w| w.0.clone()).collect())
                        .unwrap_or_default(),
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.cluster.cmp(&b.cluster))
        });
        hits.truncate(k);
        hits
    }
}
