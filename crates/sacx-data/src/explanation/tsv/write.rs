//! The writer of the original TSV (columns [`COLUMNS`], in that order).
use super::COLUMNS;
use crate::Result;
use crate::explanation::DocExplanation;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn array<T: std::fmt::Display>(values: &[T]) -> String {
    let inner: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", inner.join(" "))
}

/// Renders records as the original TSV (with the header row when `header`).
pub fn render_tsv(records: &[DocExplanation], header: bool) -> String {
    let mut out = String::new();
    if header {
        // pandas' numbered header: an empty index name, then one number a column.
        for i in 0..COLUMNS.len() {
            let _ = write!(out, "\t{i}");
        }
        out.push('\n');
    }
    let mut row = 0usize;
    for r in records {
        let gold = array(&r.gold);
        let probs = array(&r.probs);
        if r.targets.is_empty() {
            for w in &r.words {
                let _ = writeln!(
                    out,
                    "{row}\t{}\t{gold}\tNone\t{}\tNone\t{probs}",
                    r.doc_id,
                    clean(w)
                );
                row += 1;
            }
        }
        for t in &r.targets {
            for (w, s) in r.words.iter().zip(&t.scores) {
                let _ = writeln!(
                    out,
                    "{row}\t{}\t{gold}\t{}\t{}\t{s}\t{probs}",
                    r.doc_id,
                    t.class,
                    clean(w)
                );
                row += 1;
            }
        }
    }
    out
}

/// Words never contain tabs or newlines in practice; make sure.
fn clean(word: &str) -> String {
    word.replace(['\t', '\n', '\r'], " ")
}

/// Writes records as the original TSV (a standalone file with its header),
/// atomically ([`crate::write_atomic`]).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sacx_data::explanation::tsv::{TsvOptions, TsvReader, write_tsv};
/// use sacx_data::explanation::{DocExplanation, TargetAttribution};
/// let doc = DocExplanation {
///     doc_id: "d1".into(),
///     lang: String::new(),
///     gold: vec![1],
///     probs: vec![0.25, 0.75],
///     words: vec!["play".into(), "game".into()],
///     targets: vec![TargetAttribution {
///         class: 1,
///         scores: vec![0.5, -0.25],
///         delta: 0.0,
///         rel_delta: 0.0,
///         steps: 0,
///     }],
/// };
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("run.tsv");
/// write_tsv(&path, std::slice::from_ref(&doc))?;
/// let labels = ["A".to_string(), "B".to_string()];
/// let options = TsvOptions::builder().normalize(false).build()?;
/// let back: Vec<DocExplanation> =
///     TsvReader::open(&path, &labels, &options)?.collect::<Result<_, _>>()?;
/// assert_eq!(back, [doc]);
/// # Ok(())
/// # }
/// ```
pub fn write_tsv(path: &Path, records: &[DocExplanation]) -> Result<()> {
    crate::write_atomic(path, render_tsv(records, true).as_bytes())
}

/// The path of TSV shard `index` in `dir`, beside its binary shard
/// ([`crate::explanation::shard_path`]): `shard-<index, 5 digits>.tsv`.
pub fn tsv_shard_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("shard-{index:05}.tsv"))
}
