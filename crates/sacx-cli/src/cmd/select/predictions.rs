//! The pool of `sacx select --predictions`: the Parquet predictions of `sacx
//! predict` zipped with the pool's corpus by row (the ensemble probabilities,
//! the run's threshold). One predictions directory may score all the corpus
//! files, or each file may have its own (a pool scored file by file, as the
//! array tasks of `sacx slurm select` do): the pool is then the directories'
//! rows one after the other, each checked against its own file.
use anyhow::{Result, bail};
use sacx_data::predictions::{PredictionRow, Predictions};
use sacx_data::{DocStream, LoadOptions, PoolDoc};
use sacx_select::{Pool, PoolPass, ScoredDoc};
use std::path::{Path, PathBuf};

/// Predictions directories and the corpus files they score, read side by side.
pub struct PredictionsPool {
    parts: Vec<Part>,
    opts: LoadOptions,
    threshold: f32,
}

/// One predictions directory and the corpus files it scored.
struct Part {
    dir: PathBuf,
    predictions: Predictions,
    corpus: Vec<PathBuf>,
}

fn pool_err(msg: String) -> sacx_select::Error {
    sacx_select::Error::Pool(msg.into())
}

impl PredictionsPool {
    /// Opens the predictions (complete ones only, of one model) and checks
    /// that the corpus files exist: one directory for every file, or one
    /// directory per file in the same order.
    pub fn open(
        dirs: &[PathBuf],
        corpus: &[PathBuf],
        opts: LoadOptions,
    ) -> Result<PredictionsPool> {
        if corpus.is_empty() {
            bail!("--corpus: give the pool's corpus files, in the order sacx predict read them");
        }
        let groups: Vec<Vec<PathBuf>> = match dirs.len() {
            0 => bail!("--predictions: give the output directory of sacx predict"),
            1 => vec![corpus.to_vec()],
            n if n == corpus.len() => corpus.iter().map(|c| vec![c.clone()]).collect(),
            n => bail!(
                "--predictions: {n} directories but {} --corpus files; give one directory for all the files, or one per file in the same order",
                corpus.len()
            ),
        };
        let mut parts: Vec<Part> = Vec::with_capacity(dirs.len());
        for (dir, corpus) in dirs.iter().zip(groups) {
            let predictions = Predictions::open(dir)?;
            if let Some(first) = parts.first() {
                check_same_model(first, dir, &predictions)?;
            }
            DocStream::open(&corpus, &opts)?;
            parts.push(Part {
                dir: dir.clone(),
                predictions,
                corpus,
            });
        }
        Ok(PredictionsPool {
            threshold: parts[0].predictions.threshold(),
            parts,
            opts,
        })
    }

    /// Sets every class's threshold (default: the run's).
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    /// Reads each seed's probabilities too (the committee strategy).
    pub fn read_seed_probs(&mut self) {
        for part in &mut self.parts {
            part.predictions = part.predictions.clone().with_seed_probs();
        }
    }
}

/// Refuses predictions of another model than the first directory's.
fn check_same_model(first: &Part, dir: &Path, predictions: &Predictions) -> Result<()> {
    let (a, b) = (first.predictions.manifest(), predictions.manifest());
    let what = if a.labels != b.labels {
        "other labels"
    } else if a.threshold.to_bits() != b.threshold.to_bits() {
        "another threshold"
    } else if a.model_fingerprint != b.model_fingerprint {
        "another model"
    } else {
        return Ok(());
    };
    bail!(
        "--predictions {}: {what} than {} ({} vs {}); give the predictions of one model",
        dir.display(),
        first.dir.display(),
        b.model,
        a.model
    )
}

impl Part {
    /// The rows of this directory zipped with the documents of its files.
    fn pass<'a>(&'a self, opts: &LoadOptions) -> sacx_select::Result<PoolPass<'a>> {
        let mut rows = self.predictions.rows()?;
        let mut docs = DocStream::open(&self.corpus, opts)?;
        Ok(Box::new(std::iter::from_fn(move || {
            match (rows.next(), docs.next()) {
                (None, None) => None,
                (Some(row), doc) => Some(self.zip(row, doc)),
                (None, Some(_)) => Some(Err(pool_err(format!(
                    "{}: ends before the corpus does; predict every document of --corpus",
                    self.dir.display()
                )))),
            }
        })))
    }

    fn zip(
        &self,
        row: sacx_data::Result<PredictionRow>,
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
            members: row.seed_probs,
        })
    }
}

impl Pool for PredictionsPool {
    fn labels(&self) -> &[String] {
        self.parts[0].predictions.labels()
    }
    fn thresholds(&self) -> Vec<f32> {
        vec![self.threshold; self.labels().len()]
    }
    fn pass(&self) -> sacx_select::Result<PoolPass<'_>> {
        let opts = &self.opts;
        // One directory open at a time: a pool of many files holds one file.
        let iter = self.parts.iter().flat_map(move |part| -> PoolPass<'_> {
            match part.pass(opts) {
                Ok(docs) => docs,
                Err(e) => Box::new(std::iter::once(Err(e))),
            }
        });
        Ok(Box::new(iter))
    }
}
