//! Reader of the original pipeline's explanation TSV files.
//!
//! The original `explain_multilabel.py` wrote, through `pandas.DataFrame.to_csv(sep="\t")`,
//! a header line `\tid\tlabel\tpred\ttoken\tscore\tprobs` and one line per
//! (document, target class, token):
//!
//! ```text
//! <row index>  <doc id>  ['HI', 'IN']  ['HI']  recipe  0.0731  [0.91, 0.02, 0.77, ...]
//! ```
//!
//! `label` is the Python list of gold class names (`None` when the document has none),
//! `pred` a one-element list with the explained target (`None`, with score `None`, for a
//! document without any prediction), `probs` the Python list of every class's sigmoid
//! probability in model order. Lines of one document are contiguous, and within a
//! document the lines of one target; every target repeats the same tokens. Class names
//! may also be given as indices (`[0, 3]`, `[0 3]`, `2`). The leading row-index column and
//! the header line are optional; fields may be quoted the CSV way (`"a""b"`).

mod doc;
mod fields;
mod lines;
mod parser;
mod word;

use crate::Result;
use crate::record_ref::DocRef;
use doc::DocBuf;
use lines::{LineInfo, Lines};
use parser::Parser;
use sacx_data::explanation::DocExplanation;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How TSV tokens are turned into words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsvOptions {
    /// Lower-case tokens and strip every character that is neither alphanumeric, `_`
    /// nor whitespace (the original's `str.lower()` and `[^\w\s]` removal); tokens left
    /// empty are dropped. Default true.
    pub normalize: bool,
}

impl Default for TsvOptions {
    fn default() -> Self {
        Self { normalize: true }
    }
}

/// Streams [`DocExplanation`]s out of one TSV file, one per document.
pub struct TsvReader {
    lines: Lines,
    parser: Parser,
    done: bool,
}

impl TsvReader {
    /// Opens `path`; `labels` is the label list in model order.
    pub fn open(path: &Path, labels: &[String], options: &TsvOptions) -> Result<Self> {
        Ok(Self {
            lines: Lines::open(path)?,
            parser: Parser::new(path, labels, options),
            done: false,
        })
    }

    /// The next document, or `None` at the end of the file.
    pub fn next_doc(&mut self) -> Result<Option<DocExplanation>> {
        let mut out = None;
        while !self.done {
            let mut info = LineInfo::new();
            let Some(line) = self.lines.next_line(&self.parser.path, &mut info)? else {
                self.done = true;
                break;
            };
            self.parser.line(line, &info, &mut |doc: &DocBuf| {
                out = Some(doc.to_record());
                Ok(())
            })?;
            if out.is_some() {
                return Ok(out);
            }
        }
        self.parser.finish(&mut |doc: &DocBuf| {
            out = Some(doc.to_record());
            Ok(())
        })?;
        Ok(out)
    }
}

impl Iterator for TsvReader {
    type Item = Result<DocExplanation>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_doc() {
            Ok(Some(d)) => Some(Ok(d)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                self.parser.doc.open = false;
                Some(Err(e))
            }
        }
    }
}

/// Streams the documents of one TSV file into `f` as borrowed views, without building a
/// [`DocExplanation`] (the aggregation path; same parser as [`TsvReader`]).
pub(crate) fn for_each_tsv_record(
    path: &Path,
    labels: &[String],
    options: &TsvOptions,
    mut f: impl FnMut(&DocRef<'_>) -> Result<()>,
) -> Result<()> {
    let mut lines = Lines::open(path)?;
    let mut parser = Parser::new(path, labels, options);
    let mut emit = |doc: &DocBuf| f(&doc.view());
    let mut info = LineInfo::new();
    while let Some(line) = lines.next_line(path, &mut info)? {
        parser.line(line, &info, &mut emit)?;
    }
    parser.finish(&mut emit)
}
