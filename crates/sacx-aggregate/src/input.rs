//! Explanation inputs: shard files (one or more per run) and TSV files in the original
//! pipeline's format (one file per run), streamed record by record.
use crate::record_ref::for_each_shard_record;
use crate::{Error, Result};
use sacx_data::explanation::DocRef;
use sacx_data::explanation::ShardReader;
use sacx_data::explanation::tsv::{TsvOptions, for_each_tsv_record};
use std::path::{Path, PathBuf};

/// Largest absolute attribution score accepted (scores are accumulated exactly in
/// fixed point; IG word scores are normalised and lie in [-1, 1]).
pub const MAX_ABS_SCORE: f32 = 65536.0;

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A sacx explanation shard; its run is the header's `run`.
    Shard(PathBuf),
    /// A TSV file in the original format (`id, label, pred, token, score, probs`),
    /// holding one run's explanations.
    Tsv {
        /// The file.
        path: PathBuf,
        /// The run it belongs to.
        run: String,
    },
}

impl Source {
    /// A source from a path: `.tsv`/`.csv` files are TSV explanations whose run is the
    /// path as given (every seed's file is `shard-00000.tsv`, so a file name alone
    /// would merge the seeds into one run); anything else is a shard.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext == "tsv" || ext == "csv" {
            let run = path.display().to_string();
            Source::Tsv { path, run }
        } else {
            Source::Shard(path)
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Source::Shard(p) => p,
            Source::Tsv { path, .. } => path,
        }
    }
}

/// The explanation inputs of one aggregation: files, the label list and TSV options.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    sources: Vec<Source>,
    labels: Option<Vec<String>>,
    tsv: TsvOptions,
}

impl Inputs {
    /// No inputs yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds one source.
    pub fn source(mut self, source: Source) -> Self {
        self.sources.push(source);
        self
    }
    /// Adds a shard file.
    pub fn shard(self, path: impl Into<PathBuf>) -> Self {
        self.source(Source::Shard(path.into()))
    }
    /// Adds a TSV file of run `run`.
    pub fn tsv(self, path: impl Into<PathBuf>, run: impl Into<String>) -> Self {
        self.source(Source::Tsv {
            path: path.into(),
            run: run.into(),
        })
    }
    /// Adds paths through [`Source::from_path`].
    pub fn paths<P: Into<PathBuf>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.sources
            .extend(paths.into_iter().map(Source::from_path));
        self
    }
    /// The label list in model order (required for TSV-only input; checked against
    /// shard headers otherwise).
    pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }
    /// Options for reading TSV files.
    pub fn tsv_options(mut self, options: TsvOptions) -> Self {
        self.tsv = options;
        self
    }
    /// The sources given.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Reads the shard headers, settles the label list and numbers the runs.
    pub(crate) fn plan(&self) -> Result<Plan> {
        if self.sources.is_empty() {
            return Err(Error::NoInput);
        }
        let mut labels = self.labels.clone();
        let mut runs: Vec<String> = Vec::new();
        let mut units = Vec::with_capacity(self.sources.len());
        let mut seen = std::collections::HashSet::new();
        for source in &self.sources {
            // One file given twice (under any spelling) would count its run twice.
            let path = source.path();
            if !seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())) {
                return Err(Error::InputTwice { path: path.into() });
            }
            let run = match source {
                Source::Shard(path) => {
                    let reader = ShardReader::open(path)?;
                    let header = reader.header();
                    match &labels {
                        None => labels = Some(header.labels.clone()),
                        Some(l) if *l != header.labels => {
                            return Err(Error::LabelMismatch {
                                path: path.clone(),
                                expected: l.clone(),
                                found: header.labels.clone(),
                            });
                        }
                        Some(_) => {}
                    }
                    header.run.clone()
                }
                Source::Tsv { run, .. } => run.clone(),
            };
            let index = match runs.iter().position(|r| *r == run) {
                Some(i) => i,
                None => {
                    runs.push(run);
                    runs.len() - 1
                }
            };
            units.push(Unit {
                source: source.clone(),
                run: index as u32,
            });
        }
        let labels = labels.ok_or_else(|| Error::NoLabels {
            path: self.sources[0].path().into(),
        })?;
        Ok(Plan {
            labels,
            runs,
            units,
            tsv: self.tsv.clone(),
        })
    }
}

/// A resolved input: the label list, the runs and which run each file belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub labels: Vec<String>,
    pub runs: Vec<String>,
    pub units: Vec<Unit>,
    pub tsv: TsvOptions,
}

/// One file of a run.
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub source: Source,
    pub run: u32,
}

impl Plan {
    /// Streams the validated records of one unit into `f`.
    pub fn for_each_record(
        &self,
        unit: &Unit,
        mut f: impl FnMut(&DocRef<'_>) -> Result<()>,
    ) -> Result<()> {
        let n = self.labels.len();
        match &unit.source {
            Source::Shard(path) => for_each_shard_record(path, |record| {
                check_record(path, record, n)?;
                f(record)
            })?,
            Source::Tsv { path, .. } => {
                for_each_tsv_record(path, &self.labels, &self.tsv, |view| {
                    check_record(path, view, n)?;
                    f(view)
                })?;
            }
        }
        Ok(())
    }
}

/// Reads the files `units` with `read`, in parallel blocks of two files per
/// thread, and hands each result to `merge` in input order. Memory: one
/// block's results at a time, however many files there are (a rayon fold
/// over all files keeps as many partial results alive as it splits the list
/// into, which grows with the input).
pub(crate) fn in_blocks<T: Send>(
    units: &[Unit],
    read: impl Fn(&Unit) -> Result<T> + Sync,
    mut merge: impl FnMut(T),
) -> Result<()> {
    use rayon::prelude::*;
    let block = 2 * rayon::current_num_threads().max(1);
    for chunk in units.chunks(block) {
        let parts = chunk.par_iter().map(&read).collect::<Result<Vec<_>>>()?;
        parts.into_iter().for_each(&mut merge);
    }
    Ok(())
}

/// Rejects records whose parts do not fit together.
pub(crate) fn check_record(path: &Path, r: &DocRef<'_>, n_labels: usize) -> Result<()> {
    let bad = |reason: String| Error::Record {
        path: path.into(),
        doc: r.doc_id.to_string(),
        reason,
    };
    if r.probs.len() != n_labels {
        return Err(bad(format!(
            "{} probabilities for {n_labels} labels",
            r.probs.len()
        )));
    }
    if let Some(g) = r.gold.iter().find(|&&g| g as usize >= n_labels) {
        return Err(bad(format!(
            "gold label index {g} out of range (0..{n_labels})"
        )));
    }
    for t in &r.targets {
        if t.class as usize >= n_labels {
            return Err(bad(format!(
                "target class {} out of range (0..{n_labels})",
                t.class
            )));
        }
        if t.scores.len() != r.words.len() {
            return Err(bad(format!(
                "target class {} has {} scores for {} words",
                t.class,
                t.scores.len(),
                r.words.len()
            )));
        }
        if let Some((i, s)) = t
            .scores
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && s.abs() <= MAX_ABS_SCORE))
        {
            return Err(bad(format!(
                "score {s} of word {:?} (target {}) is not finite or exceeds {MAX_ABS_SCORE}",
                r.words[i], t.class
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_runs_are_named_by_their_path_and_a_file_given_twice_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = ["r1", "r2", "r3"]
            .iter()
            .map(|r| {
                let p = dir.path().join(r).join("shard-00000.tsv");
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, "").unwrap();
                p
            })
            .collect();
        // Three seeds' files, all named shard-00000.tsv: three runs.
        let plan = Inputs::new()
            .paths(paths.clone())
            .labels(["A"])
            .plan()
            .unwrap();
        let want: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(plan.runs, want);
        // The same file twice (under another spelling) is an error naming it.
        let again = dir.path().join("r2/../r1/shard-00000.tsv");
        let err = Inputs::new()
            .paths([paths[0].clone(), again.clone()])
            .labels(["A"])
            .plan()
            .unwrap_err()
            .to_string();
        assert!(err.contains(&again.display().to_string()), "{err}");
        assert!(err.contains("twice"), "{err}");
    }
}
