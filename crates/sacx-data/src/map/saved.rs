//! Reading a saved map directory without its vectors or models, and the
//! map's JSON files.
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;

use super::tensors::Read;
use super::{
    CLUSTERS_FILE, DOCUMENTS_JSON, FORMAT, LAYOUT_FILE, MAP_JSON, MapDoc, MapInfo, map_file,
};
use crate::{Error, Result};

/// A saved map as far as it can be read without its vectors and models:
/// `map.json`, `documents.json`, `layout.safetensors` and
/// `clusters.safetensors`, checked against each other.
#[derive(Clone, Debug)]
pub struct SavedMap<P = serde_json::Value, Pv = serde_json::Value> {
    /// What `map.json` holds.
    pub info: MapInfo<P, Pv>,
    /// The documents, in map order.
    pub docs: Vec<MapDoc>,
    /// `n × cluster_components` clustering-space coordinates.
    pub cluster_space: Vec<f32>,
    /// The width of the clustering space as stored.
    pub cluster_components: usize,
    /// `n × 2` picture coordinates.
    pub plot: Vec<f32>,
    /// Each document's cluster (`None`: noise).
    pub labels: Vec<Option<usize>>,
}

impl<P: DeserializeOwned, Pv: DeserializeOwned> SavedMap<P, Pv> {
    /// Reads the map saved in `dir`, checking the format and every size
    /// against `map.json`.
    pub fn load(dir: &Path) -> Result<Self> {
        let info: MapInfo<P, Pv> = read_json(&dir.join(MAP_JSON))?;
        if info.format != FORMAT {
            return Err(map_file(
                &dir.join(MAP_JSON),
                format!("format {:?}, expected {FORMAT:?}", info.format),
            ));
        }
        let docs: Vec<MapDoc> = read_json(&dir.join(DOCUMENTS_JSON))?;
        let n = info.documents;
        if docs.len() != n {
            return Err(map_file(
                &dir.join(DOCUMENTS_JSON),
                format!("{} documents, map.json says {n}", docs.len()),
            ));
        }
        let layout = Read::open(&dir.join(LAYOUT_FILE))?;
        let (shape, cluster_space) = layout.f32("cluster_space", &[Some(n), None])?;
        let (_, plot) = layout.f32("plot", &[Some(n), Some(2)])?;
        let raw = Read::open(&dir.join(CLUSTERS_FILE))?.i32("labels", &[Some(n)])?;
        let labels = raw.iter().map(|&l| usize::try_from(l).ok()).collect();
        Ok(SavedMap {
            info,
            docs,
            cluster_space,
            cluster_components: shape.get(1).copied().unwrap_or(0),
            plot,
            labels,
        })
    }
}

/// What drawing a map needs, whichever type holds it: a [`SavedMap`] read
/// here, or a `sacx_map::TopicMap` just built or loaded with its vectors.
pub trait MapContents {
    /// The reduction and clustering parameters' type.
    type Params;
    /// The paragraph vectors' parameters' type.
    type PvParams;
    /// What `map.json` holds.
    fn info(&self) -> &MapInfo<Self::Params, Self::PvParams>;
    /// The documents, in map order.
    fn docs(&self) -> &[MapDoc];
    /// `n × 2` picture coordinates, row by row.
    fn plot(&self) -> &[f32];
    /// Each document's cluster (`None`: noise).
    fn clusters(&self) -> &[Option<usize>];
}

impl<P, Pv> MapContents for SavedMap<P, Pv> {
    type Params = P;
    type PvParams = Pv;
    fn info(&self) -> &MapInfo<P, Pv> {
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

/// Writes `value` as pretty JSON with a final newline to `path`, atomically.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| map_file(path, e.to_string()))?;
    bytes.push(b'\n');
    crate::write_atomic(path, &bytes)
}

/// Reads a JSON file of a map.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| map_file(path, format!("not a sacx map file ({e})")))
}

#[cfg(test)]
mod tests {
    use super::super::tensors::{Raw, write};
    use super::super::{MapMetrics, Source, Timings};
    use super::*;

    fn save(dir: &Path, documents: usize) {
        let info: MapInfo = MapInfo {
            format: FORMAT.into(),
            source: Source::Classifier {
                run: "run".into(),
                seeds: vec![1, 2],
                fingerprint: "f".into(),
            },
            params: serde_json::json!({"cluster_components": 3}),
            min_cluster_size: 5,
            documents,
            dim: 4,
            vectors_s: 0.0,
            timings: Timings::default(),
            metrics: MapMetrics {
                knn10_label_precision: 0.5,
                nmi_first_class: 0.1,
                nmi_language: 0.2,
                clusters: 1,
                noise: 1,
            },
            clusters: Vec::new(),
        };
        write_json(&dir.join(MAP_JSON), &info).unwrap();
        let doc = |id: &str| MapDoc {
            id: id.into(),
            lang: "en".into(),
            labels: vec!["A".into()],
            snippet: "x".into(),
        };
        write_json(&dir.join(DOCUMENTS_JSON), &[doc("a"), doc("b")]).unwrap();
        write(
            &dir.join(LAYOUT_FILE),
            &[
                ("cluster_space", Raw::f32(vec![2, 3], &[0.0; 6])),
                ("plot", Raw::f32(vec![2, 2], &[1.0, 2.0, 3.0, 4.0])),
            ],
        )
        .unwrap();
        write(
            &dir.join(CLUSTERS_FILE),
            &[("labels", Raw::i32(vec![2], &[0, -1]))],
        )
        .unwrap();
    }

    #[test]
    fn a_saved_map_reads_back_without_its_vectors() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), 2);
        let map: SavedMap = SavedMap::load(dir.path()).unwrap();
        assert_eq!(map.docs().len(), 2);
        assert_eq!(map.plot(), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(map.clusters(), [Some(0), None]);
        assert_eq!(map.cluster_components, 3);
        assert_eq!(map.info().params["cluster_components"], 3);
    }

    #[test]
    fn a_map_whose_files_disagree_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), 3);
        let e = SavedMap::<serde_json::Value>::load(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(DOCUMENTS_JSON) && e.contains("2 documents, map.json says 3"),
            "{e}"
        );
        save(dir.path(), 2);
        std::fs::write(dir.path().join(CLUSTERS_FILE), b"junk").unwrap();
        let e = SavedMap::<serde_json::Value>::load(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(CLUSTERS_FILE) && e.contains("not a safetensors file"),
            "{e}"
        );
    }
}
