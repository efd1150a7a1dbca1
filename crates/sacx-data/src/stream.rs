//! Streaming documents of corpus files one at a time, in file and line order,
//! without holding the corpus: the input of `sacx predict` and of anything
//! that reads a pool too large for memory.

use std::collections::VecDeque;
use std::path::Path;

use crate::error::Result;
use crate::options::LoadOptions;
use crate::reader::{Chunks, Record, Source};
use crate::report::LoadReport;

/// One document of a stream, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDoc {
    /// Position in the stream, from 0: the document's row in outputs made from it.
    pub row: u64,
    /// The file (source name) it came from.
    pub file: String,
    /// 1-based line in that file.
    pub line: usize,
    /// Document id (`line-N` when the line has none and ids are not required).
    pub id: String,
    /// Language code.
    pub lang: String,
    /// The text.
    pub text: String,
    /// The label names as given, or `None` when the line gives no labels (no
    /// JSON `labels` field or `null`; an empty TSV labels column). A JSON
    /// `"labels": []` is `Some(vec![])`: a document known to have no class.
    pub labels: Option<Vec<String>>,
}

/// Documents of corpus files, read in chunks of a few MiB (each chunk's lines
/// parsed in parallel) and handed out one by one: memory holds one chunk,
/// whatever the size of the files. Lines are checked as by
/// [`crate::Corpus::load`] (formats, languages, gzip, bad lines, empty texts
/// counted and skipped); labels are kept as names and never checked against a
/// label set, so the caller decides what an unknown label means.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("pool.jsonl");
/// std::fs::write(&path, "{\"id\":\"a\",\"text\":\"Hello\"}\n{\"id\":\"b\",\"text\":\"Hi\",\"labels\":[\"x\"]}\n")?;
/// let opts = sacx_data::LoadOptions::builder().require_ids(true).build()?;
/// let docs: Vec<_> = sacx_data::DocStream::open(&[&path], &opts)?.collect::<Result<_, _>>()?;
/// assert_eq!((docs[1].row, docs[1].id.as_str()), (1, "b"));
/// assert_eq!(docs[0].labels, None);
/// assert_eq!(docs[1].labels, Some(vec!["x".to_string()]));
/// # Ok(())
/// # }
/// ```
pub struct DocStream {
    sources: VecDeque<Chunks>,
    buffer: VecDeque<(String, Record)>,
    opts: LoadOptions,
    report: LoadReport,
    row: u64,
    failed: bool,
}

impl DocStream {
    /// Opens every file (a missing or unreadable file is an error here, before
    /// any document is read).
    pub fn open<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions) -> Result<DocStream> {
        let sources = Source::from_paths(paths, opts)?;
        Ok(DocStream {
            sources: sources.into_iter().map(Chunks::new).collect(),
            buffer: VecDeque::new(),
            opts: opts.clone(),
            report: LoadReport::default(),
            row: 0,
            failed: false,
        })
    }

    /// What reading did so far: lines, bad lines skipped, empty texts.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Fills the buffer with the next non-empty chunk; false at the end.
    fn fill(&mut self) -> Result<bool> {
        while self.buffer.is_empty() {
            let Some(src) = self.sources.front_mut() else {
                return Ok(false);
            };
            match src.next_chunk(&self.opts, &mut self.report)? {
                Some(records) => {
                    let name = src.name().to_string();
                    self.buffer
                        .extend(records.into_iter().map(|r| (name.clone(), r)));
                }
                None => {
                    self.sources.pop_front();
                }
            }
        }
        Ok(true)
    }
}

impl Iterator for DocStream {
    type Item = Result<PoolDoc>;

    fn next(&mut self) -> Option<Result<PoolDoc>> {
        if self.failed {
            return None;
        }
        match self.fill() {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                self.failed = true;
                return Some(Err(e));
            }
        }
        let (file, rec) = self.buffer.pop_front()?;
        let row = self.row;
        self.row += 1;
        self.report
            .add_document(&rec.lang, rec.labels.iter().map(String::as_str));
        Some(Ok(PoolDoc {
            row,
            file,
            line: rec.line,
            id: rec.id,
            lang: rec.lang,
            text: rec.text,
            labels: rec.has_labels.then_some(rec.labels),
        }))
    }
}
