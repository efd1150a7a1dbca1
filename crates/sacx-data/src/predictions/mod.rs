//! The predictions directory of `sacx predict` (feature `parquet`): a
//! manifest and one Parquet part per chunk of the pool, the writer and the
//! reader together.
//!
//! ```text
//! DIR/predictions.json        manifest: format, version, labels, threshold, seeds,
//!                             chunk_docs, model, inputs; documents and parts once complete
//! DIR/part-NNNNN.parquet      pool rows [i*chunk_docs, (i+1)*chunk_docs), in input order
//! DIR/part-NNNNN.jsonl        the same rows as JSON Lines (when asked for)
//! DIR/metrics.json            classification metrics, when the pool had gold labels
//! ```
//!
//! Columns of a part: `row` (uint64, position in the pool), `id`, `lang`
//! (utf8), `prob` (`list<float32>`, one per label: the seed-ensemble mean), one
//! `prob_seed_<S>` per seed (same shape), `predicted` (`list<utf8>`: labels
//! whose ensemble probability is `>= threshold`), `gold` (`list<utf8>`, null
//! when the input gave no labels).
//!
//! ```
//! use sacx_data::predictions::{Manifest, PartRow, Predictions, PredictionsWriter};
//! let dir = tempfile::tempdir()?;
//! let out = dir.path().join("pred");
//! let manifest = Manifest::new(vec!["a".into(), "b".into()], 0.5, vec![1], 2, "model", "m1", vec![]);
//! let writer = PredictionsWriter::create(&out, manifest)?;
//! let row = |row: u64, p: f32| PartRow {
//!     row, id: format!("d{row}"), lang: "en".into(), probs: vec![p, 1.0 - p],
//!     seed_probs: vec![vec![p, 1.0 - p]], predicted: vec![], gold: None,
//! };
//! writer.write_part(0, &[row(0, 0.1), row(1, 0.9)])?;
//! writer.write_part(1, &[row(2, 0.4)])?;
//! writer.finish(3)?;
//! let preds = Predictions::open(&out)?.with_seed_probs();
//! assert_eq!((preds.len(), preds.labels().len()), (3, 2));
//! let rows: Vec<_> = preds.rows()?.collect::<Result<_, _>>()?;
//! assert_eq!(rows[2].id, "d2");
//! assert_eq!(rows[1].probs, vec![0.9, 1.0 - 0.9f32]);
//! assert_eq!(rows[1].seed_probs, vec![vec![0.9, 1.0 - 0.9f32]]); // one per seed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod part;
mod reader;
mod verify;
mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use part::{PartRow, schema, seed_column};
pub use reader::Predictions;
pub use verify::MODEL_KEY;
pub use writer::PredictionsWriter;

/// The manifest's `format`.
pub const FORMAT: &str = "sacx-predictions";
/// The manifest's `version` this crate writes and reads.
pub const VERSION: u32 = 1;
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "predictions.json";
/// The metrics file's name (written when the pool had gold labels).
pub const METRICS_FILE: &str = "metrics.json";
/// Bytes read at each end of an input file for its fingerprint.
pub const FINGERPRINT_BYTES: u64 = 1 << 20;

/// One document's predictions read back.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    /// Position in the pool, from 0.
    pub row: u64,
    /// Document id.
    pub id: String,
    /// Language code.
    pub lang: String,
    /// Seed-ensemble mean probability per label, in [`Predictions::labels`] order.
    pub probs: Vec<f32>,
    /// Each seed's probabilities (the `prob_seed_S` columns, in column
    /// order), same layout as `probs`; empty unless the reader was asked for
    /// them ([`Predictions::with_seed_probs`]).
    pub seed_probs: Vec<Vec<f32>>,
    /// Gold label names, `None` when the input had none.
    pub gold: Option<Vec<String>>,
}

/// One input file as the manifest identifies it: its size and an FNV-1a
/// digest of its first and last [`FINGERPRINT_BYTES`] (reading a whole pool
/// of many GB twice only to recognise it would cost as much as predicting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// The path as given.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// FNV-1a of the size, the first and the last MiB.
    pub fingerprint: String,
}

impl InputFile {
    /// Identifies the file at `path`.
    pub fn of(path: &Path) -> Result<InputFile> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |e| Error::io(path, e);
        let mut f = std::fs::File::open(path).map_err(io)?;
        let bytes = f.metadata().map_err(io)?.len();
        let mut h = crate::Fnv1a::new();
        h.update(&bytes.to_le_bytes());
        let mut buf = Vec::new();
        (&mut f)
            .take(FINGERPRINT_BYTES)
            .read_to_end(&mut buf)
            .map_err(io)?;
        h.update(&buf);
        if bytes > FINGERPRINT_BYTES {
            let from = bytes
                .saturating_sub(FINGERPRINT_BYTES)
                .max(FINGERPRINT_BYTES);
            f.seek(SeekFrom::Start(from)).map_err(io)?;
            buf.clear();
            f.read_to_end(&mut buf).map_err(io)?;
            h.update(&buf);
        }
        Ok(InputFile {
            path: path.display().to_string(),
            bytes,
            fingerprint: h.hex(),
        })
    }
}

/// `predictions.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// Label names; `prob[i]` is `labels[i]`.
    pub labels: Vec<String>,
    /// Decision threshold of `predicted`.
    pub threshold: f32,
    /// The seeds of the ensemble, in column order.
    pub seeds: Vec<u64>,
    /// Documents per part.
    pub chunk_docs: u64,
    /// The model as given (a run directory or a checkpoint directory).
    pub model: String,
    /// Digest of the model's checkpoints (their `config.json`, which lists
    /// every weight file's digest).
    pub model_fingerprint: String,
    /// The input files, in order.
    pub inputs: Vec<InputFile>,
    /// Whether `part-NNNNN.jsonl` files are written beside the Parquet parts.
    #[serde(default)]
    pub jsonl: bool,
    /// Documents predicted; set once every part is written.
    pub documents: Option<u64>,
    /// Number of parts; set once every part is written.
    pub parts: Option<u64>,
}

impl Manifest {
    /// A manifest for a prediction not yet made (`documents` and `parts` unset).
    pub fn new(
        labels: Vec<String>,
        threshold: f32,
        seeds: Vec<u64>,
        chunk_docs: u64,
        model: impl Into<String>,
        model_fingerprint: impl Into<String>,
        inputs: Vec<InputFile>,
    ) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            labels,
            threshold,
            seeds,
            chunk_docs,
            model: model.into(),
            model_fingerprint: model_fingerprint.into(),
            inputs,
            jsonl: false,
            documents: None,
            parts: None,
        }
    }

    /// What differs between the identity of `self` (saved) and `other`
    /// (requested): the setting's name, the saved and the requested value.
    pub fn difference(&self, other: &Manifest) -> Option<(&'static str, String, String)> {
        if self.model_fingerprint != other.model_fingerprint
            || self.labels != other.labels
            || self.seeds != other.seeds
            || self.threshold.to_bits() != other.threshold.to_bits()
        {
            return Some(("model", self.model.clone(), other.model.clone()));
        }
        if self.inputs.len() != other.inputs.len()
            || self
                .inputs
                .iter()
                .zip(&other.inputs)
                .any(|(a, b)| (a.bytes, &a.fingerprint) != (b.bytes, &b.fingerprint))
        {
            let show = |m: &Manifest| {
                m.inputs
                    .iter()
                    .map(|i| format!("{} ({} bytes)", i.path, i.bytes))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Some(("corpus", show(self), show(other)));
        }
        if self.chunk_docs != other.chunk_docs {
            return Some((
                "chunk_docs",
                self.chunk_docs.to_string(),
                other.chunk_docs.to_string(),
            ));
        }
        None
    }
}

/// The path of part `index`: `DIR/part-NNNNN.<ext>`.
pub fn part_path(dir: &Path, index: u64, ext: &str) -> PathBuf {
    dir.join(format!("part-{index:05}.{ext}"))
}

/// Reads and checks `DIR/predictions.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.clone(),
        expected: "a sacx predictions manifest",
        source,
    })?;
    if m.format != FORMAT || m.version != VERSION {
        return Err(Error::Predictions {
            path,
            reason: format!(
                "format {} v{}, expected {FORMAT} v{VERSION}",
                m.format, m.version
            ),
        });
    }
    Ok(m)
}
