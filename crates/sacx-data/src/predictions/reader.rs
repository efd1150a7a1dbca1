//! Reading a complete predictions directory back, streaming.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::part::decode;
use super::{Manifest, PredictionRow, part_path, read_manifest};
use crate::error::{Error, Result};

/// Rows decoded per record batch: the reader's memory bound.
const BATCH_ROWS: usize = 8192;

/// A complete predictions directory.
#[derive(Debug, Clone)]
pub struct Predictions {
    dir: PathBuf,
    manifest: Manifest,
    /// Whether rows carry each seed's probabilities ([`Predictions::with_seed_probs`]).
    seed_probs: bool,
}

impl Predictions {
    /// Opens `dir`: checks the manifest and that every part is there; an
    /// incomplete directory (a prediction killed or still running) is an error.
    pub fn open(dir: &Path) -> Result<Predictions> {
        let manifest = read_manifest(dir)?;
        let path = dir.join(super::MANIFEST_FILE);
        let (Some(_), Some(parts)) = (manifest.documents, manifest.parts) else {
            return Err(Error::Predictions {
                path,
                reason: "incomplete: the prediction was interrupted or is still running; run it again to finish it".into(),
            });
        };
        if let Some(missing) = (0..parts).find(|&i| !part_path(dir, i, "parquet").is_file()) {
            return Err(Error::Predictions {
                path: part_path(dir, missing, "parquet"),
                reason: format!("missing: the manifest lists {parts} parts"),
            });
        }
        Ok(Predictions {
            dir: dir.to_path_buf(),
            manifest,
            seed_probs: false,
        })
    }

    /// Rows read from now on carry each seed's probabilities
    /// ([`PredictionRow::seed_probs`]; empty otherwise, which reads less).
    pub fn with_seed_probs(mut self) -> Self {
        self.seed_probs = true;
        self
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Label names, in probability order.
    pub fn labels(&self) -> &[String] {
        &self.manifest.labels
    }

    /// The decision threshold.
    pub fn threshold(&self) -> f32 {
        self.manifest.threshold
    }

    /// Number of documents.
    pub fn len(&self) -> u64 {
        self.manifest.documents.unwrap_or(0)
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row in pool order, one record batch of the columns `row`, `id`,
    /// `lang`, `prob`, `gold` in memory at a time.
    pub fn rows(&self) -> Result<Box<dyn Iterator<Item = Result<PredictionRow>> + Send + '_>> {
        Ok(Box::new(Rows {
            owner: self,
            next_part: 0,
            reader: None,
            buffer: VecDeque::new(),
            failed: false,
        }))
    }

    fn open_part(&self, index: u64) -> Result<(PathBuf, ParquetRecordBatchReader)> {
        let path = part_path(&self.dir, index, "parquet");
        let err = |e: parquet::errors::ParquetError| Error::Parquet {
            path: path.clone(),
            source: Box::new(e),
        };
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(err)?;
        let wanted = ["row", "id", "lang", "prob", "gold"];
        let roots: Vec<usize> = builder
            .schema()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                wanted.contains(&f.name().as_str())
                    || (self.seed_probs && f.name().starts_with("prob_seed_"))
            })
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(err)?;
        Ok((path, reader))
    }
}

struct Rows<'a> {
    owner: &'a Predictions,
    next_part: u64,
    reader: Option<(PathBuf, ParquetRecordBatchReader)>,
    buffer: VecDeque<PredictionRow>,
    failed: bool,
}

impl Rows<'_> {
    /// Refills the buffer; false at the end of the last part.
    fn fill(&mut self) -> Result<bool> {
        let parts = self.owner.manifest.parts.unwrap_or(0);
        let classes = self.owner.manifest.labels.len();
        while self.buffer.is_empty() {
            let Some((path, reader)) = self.reader.as_mut() else {
                if self.next_part >= parts {
                    return Ok(false);
                }
                self.reader = Some(self.owner.open_part(self.next_part)?);
                self.next_part += 1;
                continue;
            };
            match reader.next() {
                Some(Ok(batch)) => self.buffer.extend(decode(&batch, classes, path)?),
                Some(Err(e)) => {
                    return Err(Error::Parquet {
                        path: path.clone(),
                        source: Box::new(e),
                    });
                }
                None => self.reader = None,
            }
        }
        Ok(true)
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<PredictionRow>;

    fn next(&mut self) -> Option<Result<PredictionRow>> {
        if self.failed {
            return None;
        }
        match self.fill() {
            Ok(true) => self.buffer.pop_front().map(Ok),
            Ok(false) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
