//! The original pipeline's explanation TSV: the writer ([`render_tsv`],
//! [`write_tsv`]) and the reader ([`TsvReader`]) side by side, over the one
//! column list [`COLUMNS`].
//!
//! sacx writes what the original wrote (below), byte for byte in the columns
//! the original `kws.py` reads: pandas' header, then per (document, target,
//! word) the row index and the [`COLUMNS`]; gold labels and target as Python
//! lists of class names, scores and probabilities as Python's `repr` writes
//! floats (`0.10000000149011612`, `1e-05`), fields holding a tab, a quote or a
//! line break quoted the CSV way. The original `kws.py` runs unchanged on it
//! (the test suite runs it).
//!
//! The reader accepts that, what the original wrote, and what earlier sacx
//! versions wrote (pandas' numbered header `\t0\t1\t2\t3\t4\t5`, class
//! indices as numpy arrays `[0 5]`, probabilities `[0.9 0.1]`).
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
//! the header line are optional; fields may be quoted the CSV way (`"a""b"`), and a
//! quoted field may hold tabs and line breaks.

mod doc;
mod fields;
mod lines;
mod parser;
mod python;
mod word;
mod write;

use crate::explanation::{DocExplanation, DocRef};
use crate::{Error, Result};
use doc::DocBuf;
use lines::{LineInfo, Lines};
use parser::Parser;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use write::{render_tsv, tsv_shard_path, write_tsv};

/// The columns of a data line after the row index, in order: document id, gold
/// labels, explained target, word, score, class probabilities. The writer
/// writes them in this order; the reader accepts them by these names (or
/// numbered) in the header.
pub const COLUMNS: [&str; 6] = ["id", "label", "pred", "token", "score", "probs"];

/// How TSV tokens are turned into words. Built with [`TsvOptions::builder`];
/// every value is valid, so [`TsvOptionsBuilder::build`] never fails today (it
/// returns a `Result` like every other options builder).
///
/// | field | default | meaning |
/// | --- | --- | --- |
/// | `normalize` | `true` | lower-case tokens and strip every character that is neither alphanumeric, `_` nor whitespace (the original's `str.lower()` and `[^\w\s]` removal); tokens left empty are dropped |
///
/// ```
/// let o = sacx_data::explanation::tsv::TsvOptions::builder().normalize(false).build()?;
/// assert!(!o.normalize());
/// assert!(sacx_data::explanation::tsv::TsvOptions::default().normalize());
/// # Ok::<(), sacx_data::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsvOptions {
    normalize: bool,
}

impl Default for TsvOptions {
    fn default() -> Self {
        Self { normalize: true }
    }
}

impl TsvOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> TsvOptionsBuilder {
        TsvOptionsBuilder {
            opts: Self::default(),
        }
    }

    /// Whether tokens are normalised.
    pub fn normalize(&self) -> bool {
        self.normalize
    }
}

/// Builds a [`TsvOptions`].
#[derive(Clone, Debug)]
pub struct TsvOptionsBuilder {
    opts: TsvOptions,
}

impl TsvOptionsBuilder {
    /// Sets whether tokens are normalised (default true).
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.opts.normalize = normalize;
        self
    }

    /// The options.
    pub fn build(self) -> Result<TsvOptions> {
        Ok(self.opts)
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
            self.parser
                .line::<Error>(line, &info, &mut |doc: &DocBuf| {
                    out = Some(doc.to_record());
                    Ok(())
                })?;
            if out.is_some() {
                return Ok(out);
            }
        }
        self.parser.finish::<Error>(&mut |doc: &DocBuf| {
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
/// [`DocExplanation`] (the aggregation path; same parser as [`TsvReader`]). `f`'s
/// error type is the caller's; this crate's errors convert into it.
pub fn for_each_tsv_record<E: From<Error>>(
    path: &Path,
    labels: &[String],
    options: &TsvOptions,
    mut f: impl FnMut(&DocRef<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut lines = Lines::open(path)?;
    let mut parser = Parser::new(path, labels, options);
    let mut emit = |doc: &DocBuf| f(&doc.view());
    let mut info = LineInfo::new();
    while let Some(line) = lines.next_line(path, &mut info)? {
        parser.line(line, &info, &mut emit)?;
    }
    parser.finish(&mut emit)
}
