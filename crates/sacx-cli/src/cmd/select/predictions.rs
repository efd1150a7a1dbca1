//! The pool of `sacx select --predictions`: the Parquet predictions of `sacx
//! predict` zipped with the pool's corpus by row (the ensemble probabilities,
//! the run's threshold).
use anyhow::{Result, bail};
use sacx_data::predictions::Predictions;
use sacx_data::{DocStream, LoadOptions, PoolDoc};
use sacx_select::{Pool, PoolPass, ScoredDoc};
use std::path::{Path, PathBuf};

/// A predictions directory and the corpus it scores, read side by side.
pub struct PredictionsPool {
    dir: PathBuf,
    predictions: Predictions,
    corpus: Vec<PathBuf>,
    opts: LoadOptions,
    threshold: f32,
}

fn pool_err(msg: String) -> sacx_select::Error {
    sacx_select::Error::Pool(msg.into())
}

impl PredictionsPool {
    /// Opens the predictions (complete ones only) and checks that the corpus files exist.
    pub fn open(dir: &Path, corpus: &[PathBuf], opts: LoadOptions) -> Result<PredictionsPool> {
        let predictions = Predictions::open(dir)?;
        if corpus.is_empty() {
            bail!("--corpus: give the pool's corpus files, in the order sacx predict read them");
        }
        DocStream::open(corpus, &opts)?;
        Ok(PredictionsPool {
            dir: dir.to_path_buf(),
            threshold: predictions.threshold(),
            predictions,
            corpus: corpus.to_vec(),
            opts,
        })
    }

    /// Sets every class's threshold (default: the run's).
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    fn zip(
        &self,
        row: sacx_data::Result<sacx_data::predictions::PredictionRow>,
        doc: Option<sacx_data::Result<PoolDoc>>,
    ) -> sacx_select::Result<ScoredDoc> {
        let row = row?;
        let Some(doc) = doc else {
            return Err(pool_err(format!(
                "{}: row {} (id {:?}) has no document: the corpus ends first; give the files sacx predict read",
                self.dir.display(),
                row.row,
                row.id
            )));
        };
        let doc = doc?;
        if doc.id != row.id {
            return Err(pool_err(format!(
                "{}: row {} is id {:?}, but the corpus document there ({} line {}) is {:?}; give the files sacx predict read, in the same order",
                self.dir.display(),
                row.row,
                row.id,
                doc.file,
                doc.line,
                doc.id
            )));
        }
        Ok(ScoredDoc {
            id: row.id,
            text: doc.text,
            probs: row.probs,
        })
    }
}

impl Pool for PredictionsPool {
    fn labels(&self) -> &[String] {
        self.predictions.labels()
    }
    fn thresholds(&self) -> Vec<f32> {
        vec![self.threshold; self.predictions.labels().len()]
    }
    fn pass(&self) -> sacx_select::Result<PoolPass<'_>> {
        let mut rows = self.predictions.rows()?;
        let mut docs = DocStream::open(&self.corpus, &self.opts)?;
        let iter = std::iter::from_fn(move || match (rows.next(), docs.next()) {
            (None, None) => None,
            (Some(row), doc) => Some(self.zip(row, doc)),
            (None, Some(_)) => Some(Err(pool_err(format!(
                "{}: ends before the corpus does; predict every document of --corpus",
                self.dir.display()
            )))),
        });
        Ok(Box::new(iter))
    }
}
