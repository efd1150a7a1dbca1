//! The writer of the original TSV: what `explain_multilabel.py` wrote with
//! `pandas.DataFrame(rows, columns=COLUMNS).to_csv(path, sep="\t")`.
use super::COLUMNS;
use super::python::{py_float, py_str};
use crate::Result;
use crate::explanation::DocExplanation;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A field as Python's `csv` writer (pandas' `to_csv`, tab-separated) writes
/// it: quoted, with quotes doubled, when it holds a tab, a quote or a line
/// break; as it is otherwise.
fn csv_field(out: &mut String, field: &str) {
    if field.contains(['\t', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Python's `str()` of a list of class names (`['HI', 'IN']`).
fn name_list<S: AsRef<str>>(names: impl Iterator<Item = S>) -> String {
    let items: Vec<String> = names.map(|n| py_str(n.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// The class name of index `class` (its index as text when `labels` is short).
fn name(labels: &[String], class: u32) -> std::borrow::Cow<'_, str> {
    match labels.get(class as usize) {
        Some(l) => l.as_str().into(),
        None => class.to_string().into(),
    }
}

/// Renders records as the original TSV (with pandas' header row, `\tid\tlabel\t…`,
/// when `header`): per (document, target, word) the row index, the document
/// id, the gold labels as a Python list of class names (`None` without any),
/// the target as a one-name list (`['IN']`), the word, the score and the
/// probabilities as a Python list (`[0.91, 0.02]`), numbers as Python's
/// `repr` writes them. A document without a target gets one row per word
/// with target and score `None`. `labels` is the label list in model order.
pub fn render_tsv(records: &[DocExplanation], labels: &[String], header: bool) -> String {
    let mut out = String::new();
    if header {
        for c in COLUMNS {
            out.push('\t');
            out.push_str(c);
        }
        out.push('\n');
    }
    let mut row = 0usize;
    for r in records {
        let gold = match r.gold.is_empty() {
            true => "None".to_string(),
            false => name_list(r.gold.iter().map(|&g| name(labels, g))),
        };
        let probs: Vec<String> = r.probs.iter().map(|&p| py_float(f64::from(p))).collect();
        let probs = format!("[{}]", probs.join(", "));
        let mut line = |target: Option<u32>, word: &str, score: Option<f32>| {
            let _ = write!(out, "{row}\t");
            csv_field(&mut out, &r.doc_id);
            out.push('\t');
            csv_field(&mut out, &gold);
            out.push('\t');
            match target {
                Some(t) => csv_field(&mut out, &name_list(std::iter::once(name(labels, t)))),
                None => out.push_str("None"),
            }
            out.push('\t');
            csv_field(&mut out, word);
            out.push('\t');
            match score {
                Some(s) => out.push_str(&py_float(f64::from(s))),
                None => out.push_str("None"),
            }
            out.push('\t');
            csv_field(&mut out, &probs);
            out.push('\n');
            row += 1;
        };
        if r.targets.is_empty() {
            for w in &r.words {
                line(None, w, None);
            }
        }
        for t in &r.targets {
            for (w, s) in r.words.iter().zip(&t.scores) {
                line(Some(t.class), w, Some(*s));
            }
        }
    }
    out
}

/// Writes records as the original TSV (a standalone file with its header;
/// `labels` in model order), atomically ([`crate::write_atomic`]).
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
/// let labels = ["A".to_string(), "B".to_string()];
/// write_tsv(&path, std::slice::from_ref(&doc), &labels)?;
/// let text = std::fs::read_to_string(&path)?;
/// assert!(text.starts_with("\tid\tlabel\tpred\ttoken\tscore\tprobs\n0\td1\t['B']\t['B']\tplay\t0.5\t[0.25, 0.75]\n"));
/// let options = TsvOptions::builder().normalize(false).build()?;
/// let back: Vec<DocExplanation> =
///     TsvReader::open(&path, &labels, &options)?.collect::<Result<_, _>>()?;
/// assert_eq!(back, [doc]);
/// # Ok(())
/// # }
/// ```
pub fn write_tsv(path: &Path, records: &[DocExplanation], labels: &[String]) -> Result<()> {
    crate::write_atomic(path, render_tsv(records, labels, true).as_bytes())
}

/// The path of TSV shard `index` in `dir`, beside its binary shard
/// ([`crate::explanation::shard_path`]): `shard-<index, 5 digits>.tsv`.
pub fn tsv_shard_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("shard-{index:05}.tsv"))
}
