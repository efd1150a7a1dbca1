//! A whole map: the documents, their vectors, both reductions, the clusters
//! and their summaries, saved as safetensors + JSON (docs/architecture.md,
//! "Map directory") and searched by vector.
use crate::layout::{MapParams, Timings, layout};
use crate::summary::{ClusterSummary, MapDoc, summarize};
use crate::tensors::{Raw, Read};
use crate::vectors::dot;
use crate::{
    DocVectors, Error, ParagraphVectors, PvParams, Result, Vocab, knn_label_precision, nmi,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// Neighbours of the kNN label precision.
const PRECISION_K: usize = 10;

/// Where the document vectors came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// Paragraph vectors trained on the corpus with these parameters.
    ParagraphVectors {
        /// The training parameters.
        params: PvParams,
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

/// The contents of `map.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapInfo {
    /// [`FORMAT`].
    pub format: String,
    /// The vectors' source.
    pub source: Source,
    /// Reduction and clustering parameters.
    pub params: MapParams,
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
    pub words: &'a [Vec<String>],
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
        let n = input.vectors.rows();
        if n != input.docs.len() || n != input.words.len() {
            return Err(Error::input(format!(
                "{n} vectors for {} documents and {} word lists",
                input.docs.len(),
                input.words.len()
            )));
        }
        let geo = layout(&input.vectors, params)?;
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
        let clusters = summarize(&input.docs, input.words, &labels, &input.keywords, 10);
        let info = MapInfo {
            format: FORMAT.into(),
            source: input.source,
            params: params.clone(),
            min_cluster_size: params.min_cluster_size_for(n),
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
        crate::tensors::write(
            &dir.join(VECTORS_FILE),
            &[(
                "vectors",
                Raw::f32(vec![n, self.vectors.dim()], self.vectors.as_slice()),
            )],
        )?;
        crate::tensors::write(
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
        crate::tensors::write(
            &dir.join(CLUSTERS_FILE),
            &[("labels", Raw::i32(vec![n], &labels))],
        )?;
        if let Some(pv) = &self.pv {
            let (v, d) = (pv.vocab().len(), pv.params().dim());
            crate::tensors::write(
                &dir.join(PV_FILE),
                &[
                    ("word_vectors", Raw::f32(vec![v, d], pv.word_vectors())),
                    ("output_weights", Raw::f32(vec![v, d], pv.output_weights())),
                ],
            )?;
            let vocab: Vec<(&String, u64)> = pv
                .vocab()
                .words()
                .iter()
                .zip(pv.vocab().counts().iter().copied())
                .collect();
            write_json(&dir.join(PV_VOCAB_JSON), &vocab)?;
        }
        write_json(&dir.join(DOCUMENTS_JSON), &self.docs)?;
        // Last: a directory with map.json holds a whole map.
        write_json(&dir.join(MAP_JSON), &self.info)
    }

    /// Reads the map saved in `dir`, checking every file against `map.json`.
    pub fn load(dir: &Path) -> Result<TopicMap> {
        let info: MapInfo = read_json(&dir.join(MAP_JSON))?;
        if info.format != FORMAT {
            return Err(Error::format(
                &dir.join(MAP_JSON),
                format!("format {:?}, expected {FORMAT:?}", info.format),
            ));
        }
        let docs: Vec<MapDoc> = read_json(&dir.join(DOCUMENTS_JSON))?;
        let n = info.documents;
        if docs.len() != n {
            return Err(Error::format(
                &dir.join(DOCUMENTS_JSON),
                format!("{} documents, map.json says {n}", docs.len()),
            ));
        }
        let (_, v) =
            Read::open(&dir.join(VECTORS_FILE))?.f32("vectors", &[Some(n), Some(info.dim)])?;
        let layout = Read::open(&dir.join(LAYOUT_FILE))?;
        let c = info.params.cluster_components();
        let (_, cluster_space) = layout.f32("cluster_space", &[Some(n), Some(c)])?;
        let (_, plot) = layout.f32("plot", &[Some(n), Some(2)])?;
        let raw = Read::open(&dir.join(CLUSTERS_FILE))?.i32("labels", &[Some(n)])?;
        let labels = raw.iter().map(|&l| usize::try_from(l).ok()).collect();
        let pv = match &info.source {
            Source::ParagraphVectors { params } => Some(load_pv(dir, params)?),
            Source::Classifier { .. } => None,
        };
        Ok(TopicMap {
            vectors: DocVectors::new(info.dim, v)?,
            info,
            docs,
            cluster_space,
            plot,
            labels,
            pv,
        })
    }
}

fn load_pv(dir: &Path, params: &PvParams) -> Result<ParagraphVectors> {
    let vocab: Vec<(String, u64)> = read_json(&dir.join(PV_VOCAB_JSON))?;
    let (v, d) = (vocab.len(), params.dim());
    let t = Read::open(&dir.join(PV_FILE))?;
    let (_, words) = t.f32("word_vectors", &[Some(v), Some(d)])?;
    let (_, output) = t.f32("output_weights", &[Some(v), Some(d)])?;
    ParagraphVectors::from_parts(params.clone(), Vocab::from_counts(vocab), words, output)
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| Error::format(path, e.to_string()))?;
    bytes.push(b'\n');
    sacx_data::write_atomic(path, &bytes).map_err(|e| Error::format(path, e.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::format(path, format!("not a sacx map file ({e})")))
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
        sims.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
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
