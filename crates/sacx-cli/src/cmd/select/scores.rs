//! The pool of `sacx select --scores`: a score file zipped with the pool's
//! corpus by row. One type, so that another score source (the Parquet
//! predictions of `sacx predict`) replaces it without touching the rest.
use anyhow::{Context as _, Result, bail};
use sacx_data::{DocStream, LoadOptions};
use sacx_select::{Pool, PoolPass, ScoredDoc};
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    labels: Vec<String>,
    #[serde(default)]
    threshold: Option<f32>,
}

#[derive(Deserialize)]
struct Line {
    id: serde_json::Value,
    probs: Vec<f32>,
}

/// A score file and the corpus it scores, read side by side.
pub struct ScoresPool {
    scores: PathBuf,
    corpus: Vec<PathBuf>,
    opts: LoadOptions,
    labels: Vec<String>,
    threshold: f32,
}

fn pool_err(msg: String) -> sacx_select::Error {
    sacx_select::Error::Pool(msg.into())
}

impl ScoresPool {
    /// Reads the header of `scores` and checks that the corpus files exist.
    pub fn open(scores: &Path, corpus: &[PathBuf], opts: LoadOptions) -> Result<ScoresPool> {
        let file = File::open(scores).with_context(|| format!("--scores {}", scores.display()))?;
        let mut first = String::new();
        BufReader::new(file)
            .read_line(&mut first)
            .with_context(|| format!("{}", scores.display()))?;
        let header: Header = serde_json::from_str(first.trim_end()).map_err(|e| {
            anyhow::anyhow!(
                "{} line 1: expected the header {{\"labels\": [...], \"threshold\": T}} ({e})",
                scores.display()
            )
        })?;
        if corpus.is_empty() {
            bail!("--corpus: give the pool's corpus files, in the order they were scored");
        }
        DocStream::open(corpus, &opts)?;
        Ok(ScoresPool {
            scores: scores.to_path_buf(),
            corpus: corpus.to_vec(),
            opts,
            labels: header.labels,
            threshold: header.threshold.unwrap_or(0.5),
        })
    }

    /// Sets every class's threshold.
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    fn parse(&self, line_no: usize, line: &str) -> sacx_select::Result<(String, Vec<f32>)> {
        let at = || format!("{} line {line_no}", self.scores.display());
        let l: Line = serde_json::from_str(line).map_err(|e| {
            pool_err(format!(
                "{}: expected {{\"id\": ..., \"probs\": [...]}} ({e})",
                at()
            ))
        })?;
        let id = match l.id {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            v => {
                return Err(pool_err(format!(
                    "{}: \"id\" must be a string or number, found {v}",
                    at()
                )));
            }
        };
        Ok((id, l.probs))
    }
}

impl Pool for ScoresPool {
    fn labels(&self) -> &[String] {
        &self.labels
    }
    fn thresholds(&self) -> Vec<f32> {
        vec![self.threshold; self.labels.len()]
    }
    fn pass(&self) -> sacx_select::Result<PoolPass<'_>> {
        let file = File::open(&self.scores)
            .map_err(|e| pool_err(format!("{}: {e}", self.scores.display())))?;
        let mut lines = BufReader::with_capacity(1 << 16, file)
            .lines()
            .enumerate()
            .skip(1);
        let mut docs = DocStream::open(&self.corpus, &self.opts)?;
        let iter = std::iter::from_fn(move || {
            let next = lines
                .by_ref()
                .find(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()));
            match (next, docs.next()) {
                (None, None) => None,
                (Some((i, line)), doc) => Some(self.zip(i + 1, line, doc)),
                (None, Some(_)) => Some(Err(pool_err(format!(
                    "{}: ends before the corpus does; score every document of --corpus",
                    self.scores.display()
                )))),
            }
        });
        Ok(Box::new(iter))
    }
}

impl ScoresPool {
    fn zip(
        &self,
        line_no: usize,
        line: std::io::Result<String>,
        doc: Option<sacx_data::Result<sacx_data::PoolDoc>>,
    ) -> sacx_select::Result<ScoredDoc> {
        let line = line.map_err(|e| pool_err(format!("{}: {e}", self.scores.display())))?;
        let (id, probs) = self.parse(line_no, &line)?;
        let Some(doc) = doc else {
            return Err(pool_err(format!(
                "{} line {line_no}: id {id:?} has no document: the corpus ends first",
                self.scores.display()
            )));
        };
        let doc = doc?;
        if doc.id != id {
            return Err(pool_err(format!(
                "{} line {line_no}: id {id:?}, but the corpus document there ({} line {}) has id {:?}; the scores must follow the corpus order",
                self.scores.display(),
                self.corpus
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                doc.line,
                doc.id
            )));
        }
        Ok(ScoredDoc {
            id,
            text: doc.text,
            probs,
            members: Vec::new(),
        })
    }
}
