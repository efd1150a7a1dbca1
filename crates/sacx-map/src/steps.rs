//! A map's finished steps kept on disk while it is built, so that a killed
//! map resumes where it stopped (docs/architecture.md, "Map directory").
//!
//! Each step (vectors, kNN graph, both UMAP layouts, clusters) is one
//! safetensors file under `steps/`, written atomically once the step is
//! done, with a digest of everything it was computed from (the inputs'
//! digest and the step's parameters) in its metadata. A step is reused when
//! its file's digest is the one the current build would compute from; a
//! file with another digest (other options, another corpus) is recomputed
//! and replaced. The directory stays with the map: building it again with
//! other layout or clustering options reuses the vectors and the graph
//! (delete `steps/` to save the space: about 0.8 KB per document).
use crate::hdbscan::Clustering;
use crate::knn::Knn;
use crate::{DocVectors, Error, ParagraphVectors, PvParams, Result};
use sacx_data::map::tensors::{Raw, Read, write_with};
use std::path::{Path, PathBuf};

/// The subdirectory of a map directory that holds its finished steps.
pub const STEPS_DIR: &str = "steps";
/// Metadata key of a step file's inputs digest.
const INPUTS: &str = "inputs";

/// FNV-1a over `parts`, each ended by a separator: the digest of a step's
/// inputs.
pub fn digest(parts: &[&str]) -> String {
    let mut h = sacx_data::Fnv1a::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(&[0xff]);
    }
    h.hex()
}

/// Where a map's finished steps are kept (or nowhere).
#[derive(Clone, Debug, Default)]
pub struct Steps {
    dir: Option<PathBuf>,
}

impl Steps {
    /// No step is kept: everything is computed.
    pub fn none() -> Steps {
        Steps { dir: None }
    }

    /// Steps kept under `map_dir/steps/` (created when the first is saved).
    pub fn in_map(map_dir: &Path) -> Steps {
        Steps {
            dir: Some(map_dir.join(STEPS_DIR)),
        }
    }

    /// The step `name`'s file when it was computed from `inputs`.
    fn find(&self, name: &str, inputs: &str) -> Option<Read> {
        let path = self.dir.as_ref()?.join(format!("{name}.safetensors"));
        let read = Read::open(&path).ok()?;
        (read.meta(INPUTS).as_deref() == Some(inputs)).then_some(read)
    }

    fn save(
        &self,
        name: &str,
        inputs: &str,
        tensors: &[(&str, Raw)],
        meta: &[(&str, &str)],
    ) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })?;
        let mut all = vec![(INPUTS, inputs)];
        all.extend_from_slice(meta);
        Ok(write_with(
            &dir.join(format!("{name}.safetensors")),
            tensors,
            &all,
        )?)
    }

    /// The vectors (and paragraph-vector model) computed from `inputs`, if kept.
    pub fn vectors(
        &self,
        inputs: &str,
        pv: Option<&PvParams>,
    ) -> Result<Option<(DocVectors, Option<ParagraphVectors>)>> {
        let Some(r) = self.find("vectors", inputs) else {
            return Ok(None);
        };
        let (shape, v) = r.f32("vectors", &[None, None])?;
        let vectors = DocVectors::saved(shape[1], v)?;
        let model = match pv {
            None => None,
            Some(p) => {
                let vocab: Vec<(String, u64)> =
                    serde_json::from_str(&r.meta("vocab").unwrap_or_default()).map_err(|e| {
                        Error::input(format!("a kept vocabulary that does not parse ({e})"))
                    })?;
                Some(ParagraphVectors::from_tensors(&r, p, vocab)?)
            }
        };
        Ok(Some((vectors, model)))
    }

    /// Keeps the vectors (and paragraph-vector model) computed from `inputs`.
    pub fn save_vectors(
        &self,
        inputs: &str,
        v: &DocVectors,
        pv: Option<&ParagraphVectors>,
    ) -> Result<()> {
        if self.dir.is_none() {
            return Ok(());
        }
        let mut tensors = vec![("vectors", Raw::f32(vec![v.rows(), v.dim()], v.as_slice()))];
        let mut vocab = String::new();
        if let Some(pv) = pv {
            tensors.extend(pv.tensors());
            vocab = serde_json::to_string(&pv.vocab().pairs())
                .map_err(|e| Error::input(e.to_string()))?;
        }
        self.save("vectors", inputs, &tensors, &[("vocab", &vocab)])
    }

    /// The kNN graph computed from `inputs`, if kept.
    pub(crate) fn knn(&self, inputs: &str) -> Result<Option<Knn>> {
        let Some(r) = self.find("knn", inputs) else {
            return Ok(None);
        };
        let (shape, distances) = r.f32("distances", &[None, None])?;
        let indices = r.i32("indices", &[Some(shape[0]), Some(shape[1])])?;
        Ok(Some(Knn::from_parts(
            shape[1],
            indices.into_iter().map(|i| i as u32).collect(),
            distances,
        )))
    }

    pub(crate) fn save_knn(&self, inputs: &str, knn: &Knn) -> Result<()> {
        let (n, k) = (knn.rows(), knn.k());
        let idx: Vec<i32> = (0..n)
            .flat_map(|i| knn.indices(i).iter().map(|&j| j as i32))
            .collect();
        let dist: Vec<f32> = (0..n)
            .flat_map(|i| knn.distances(i).iter().copied())
            .collect();
        self.save(
            "knn",
            inputs,
            &[
                ("indices", Raw::i32(vec![n, k], &idx)),
                ("distances", Raw::f32(vec![n, k], &dist)),
            ],
            &[],
        )
    }

    /// A layout (`name`: `umap-cluster` or `umap-plot`) computed from `inputs`, if kept.
    pub(crate) fn layout(&self, name: &str, inputs: &str) -> Result<Option<Vec<f32>>> {
        match self.find(name, inputs) {
            Some(r) => Ok(Some(r.f32("coordinates", &[None, None])?.1)),
            None => Ok(None),
        }
    }

    pub(crate) fn save_layout(
        &self,
        name: &str,
        inputs: &str,
        coords: &[f32],
        dims: usize,
    ) -> Result<()> {
        let n = coords.len() / dims.max(1);
        self.save(
            name,
            inputs,
            &[("coordinates", Raw::f32(vec![n, dims], coords))],
            &[],
        )
    }

    /// The clusters computed from `inputs`, if kept.
    pub(crate) fn clusters(&self, inputs: &str) -> Result<Option<Clustering>> {
        let Some(r) = self.find("clusters", inputs) else {
            return Ok(None);
        };
        let labels = r.i32("labels", &[None])?;
        let stability: Vec<f64> = serde_json::from_str(&r.meta("stability").unwrap_or_default())
            .map_err(|e| {
                Error::input(format!("kept cluster stabilities that do not parse ({e})"))
            })?;
        Ok(Some(Clustering {
            labels: labels
                .into_iter()
                .map(|l| usize::try_from(l).ok())
                .collect(),
            stability,
        }))
    }

    pub(crate) fn save_clusters(&self, inputs: &str, c: &Clustering) -> Result<()> {
        let labels: Vec<i32> = c
            .labels
            .iter()
            .map(|l| l.map_or(-1, |x| x as i32))
            .collect();
        let stability =
            serde_json::to_string(&c.stability).map_err(|e| Error::input(e.to_string()))?;
        self.save(
            "clusters",
            inputs,
            &[("labels", Raw::i32(vec![labels.len()], &labels))],
            &[("stability", &stability)],
        )
    }
}
