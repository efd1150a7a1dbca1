//! Writing a predictions directory part by part, resumably.

use std::path::{Path, PathBuf};

use super::part::{PartRow, encode_jsonl, encode_parquet};
use super::{MANIFEST_FILE, Manifest, Predictions, part_path, read_manifest, verify};
use crate::error::{Error, Result};
use crate::write_atomic;

/// Writes the parts of a predictions directory. Each part is encoded in
/// memory and written atomically (temporary file, rename), so a part that
/// exists is complete and a killed prediction resumes at the first missing
/// part; the manifest says the whole is complete only after the last one.
pub struct PredictionsWriter {
    dir: PathBuf,
    manifest: Manifest,
}

impl PredictionsWriter {
    /// Opens `dir` for writing `manifest`'s predictions: a missing or empty
    /// directory is created; a directory holding predictions made with the same
    /// model, inputs and chunk size is resumed (its parts are kept); any other
    /// non-empty directory is refused before anything is written.
    pub fn create(dir: &Path, manifest: Manifest) -> Result<PredictionsWriter> {
        let path = dir.join(MANIFEST_FILE);
        if path.is_file() {
            let saved = read_manifest(dir)?;
            if let Some((what, was, now)) = saved.difference(&manifest) {
                return Err(Error::OtherPredictions {
                    path,
                    what,
                    was,
                    now,
                });
            }
        } else if std::fs::read_dir(dir).is_ok_and(|mut e| e.next().is_some()) {
            return Err(Error::NotPredictions {
                path: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        remove_leftovers(dir)?;
        let writer = PredictionsWriter {
            dir: dir.to_path_buf(),
            manifest: Manifest {
                documents: None,
                parts: None,
                ..manifest
            },
        };
        writer.write_manifest()?;
        Ok(writer)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest being written.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn write_manifest(&self) -> Result<()> {
        let path = self.dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|source| Error::Json {
            path: path.clone(),
            expected: "a manifest that serialises",
            source,
        })?;
        write_atomic(&path, &json)
    }

    /// Whether part `index` is on disk (with its JSONL file when asked for).
    pub fn is_done(&self, index: u64) -> bool {
        part_path(&self.dir, index, "parquet").is_file()
            && (!self.manifest.jsonl || part_path(&self.dir, index, "jsonl").is_file())
    }

    /// Writes part `index` (its JSONL file first, when asked for, so that an
    /// existing Parquet part always has its JSONL beside it).
    pub fn write_part(&self, index: u64, rows: &[PartRow]) -> Result<()> {
        let seeds = &self.manifest.seeds;
        if self.manifest.jsonl {
            let path = part_path(&self.dir, index, "jsonl");
            write_atomic(&path, &encode_jsonl(&path, rows, seeds)?)?;
        }
        let path = part_path(&self.dir, index, "parquet");
        let meta = verify::part_metadata(&self.manifest.model_fingerprint);
        write_atomic(&path, &encode_parquet(&path, rows, seeds, meta)?)
    }

    /// Checks that part `index`, on disk, holds what [`Self::write_part`]
    /// would write there: `expected` (row, document id) in order, scored by
    /// the manifest's model (and the same rows in its JSONL file when asked
    /// for). A part that does not is an error naming it: a resumed prediction
    /// never trusts a part of other rows, documents or model.
    pub fn check_part(&self, index: u64, expected: &[(u64, &str)]) -> Result<()> {
        let path = part_path(&self.dir, index, "parquet");
        verify::check_parquet(&path, &self.manifest.model_fingerprint, expected)?;
        if self.manifest.jsonl {
            verify::check_jsonl(&part_path(&self.dir, index, "jsonl"), expected)?;
        }
        Ok(())
    }

    /// Marks the predictions complete with `documents` documents in
    /// `ceil(documents / chunk_docs)` parts, and opens them.
    pub fn finish(mut self, documents: u64) -> Result<Predictions> {
        let chunk = self.manifest.chunk_docs.max(1);
        self.manifest.documents = Some(documents);
        self.manifest.parts = Some(documents.div_ceil(chunk));
        self.write_manifest()?;
        Predictions::open(&self.dir)
    }
}

/// Removes the temporary files a killed write left.
fn remove_leftovers(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if crate::is_temporary_name(&entry.file_name().to_string_lossy()) {
            let p = entry.path();
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}
