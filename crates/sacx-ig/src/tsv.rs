//! The original pipeline's explanation TSV, so existing tools can read sacx output.
//!
//! The original (`explain_multilabel.py`) wrote a pandas DataFrame with
//! `to_csv(sep="\t")`: a header row `\t0\t1\t2\t3\t4\t5`, then one row per
//! (document, target, word): row index, document id, gold label indices as a
//! numpy array (`[0 5]`), target class index, word, score, and the class scores
//! as a numpy array. Documents without a target get one row per word with
//! target and score `None`. sacx writes the same columns (`id, label, pred,
//! token, score, probs`); the last column holds the class probabilities.
use crate::Result;
use sacx_data::explanation::DocExplanation;
use std::fmt::Write as _;
use std::path::Path;

fn array<T: std::fmt::Display>(values: &[T]) -> String {
    let inner: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", inner.join(" "))
}

/// Renders records as the original TSV (with the header row when `header`).
pub fn render_tsv(records: &[DocExplanation], header: bool) -> String {
    let mut out = String::new();
    if header {
        out.push_str("\t0\t1\t2\t3\t4\t5\n");
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

/// Writes records as the original TSV (a standalone file with its header), atomically.
pub(crate) fn write_tsv(path: &Path, records: &[DocExplanation]) -> Result<()> {
    Ok(sacx_data::write_atomic(
        path,
        render_tsv(records, true).as_bytes(),
    )?)
}
