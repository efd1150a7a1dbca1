//! Streaming a corpus one record at a time, in file and line order, without
//! holding it in memory: what a consumer that passes over a large pool several
//! times needs (`sacx select`), where [`crate::Corpus::load`] would hold every
//! document.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::options::LoadOptions;
use crate::reader::{ChunkReader, Record, Source};
use crate::report::LoadReport;

/// The records of corpus files, in file and line order, read chunk by chunk
/// (lines parsed in parallel, as by [`crate::Corpus::load`]); blank lines and
/// empty texts are skipped and counted in [`CorpusStream::report`], a bad line
/// is an error naming file and line (or counted with
/// [`LoadOptions::skip_bad_lines`]). Labels are not checked against a label
/// set: a pool to select from has none.
///
/// ```
/// use sacx_data::{CorpusStream, LoadOptions};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("pool.jsonl");
/// std::fs::write(&path, "{\"id\":\"a\",\"text\":\"one\"}\n\n{\"id\":\"b\",\"text\":\"two\"}\n")?;
/// let opts = LoadOptions::builder().require_ids(true).build()?;
/// let ids: Vec<String> = CorpusStream::open(&[&path], &opts)?
///     .map(|r| r.map(|rec| rec.id))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(ids, ["a", "b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CorpusStream {
    paths: VecDeque<PathBuf>,
    index: usize,
    n_files: usize,
    opts: LoadOptions,
    current: Option<ChunkReader>,
    pending: VecDeque<Record>,
    report: LoadReport,
    failed: bool,
}

impl CorpusStream {
    /// A stream over `paths`; the first file is opened (and its format
    /// resolved) at once, so a missing file fails here, the others when reached.
    pub fn open<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions) -> Result<CorpusStream> {
        let mut stream = CorpusStream {
            paths: paths.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            index: 0,
            n_files: paths.len(),
            opts: opts.clone(),
            current: None,
            pending: VecDeque::new(),
            report: LoadReport::default(),
            failed: false,
        };
        for path in &stream.paths {
            // Every file must exist before a long pass starts.
            std::fs::metadata(path).map_err(|e| crate::Error::io(path, e))?;
        }
        stream.open_next()?;
        Ok(stream)
    }

    /// What was read so far: lines, skipped bad lines, empty texts.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    fn open_next(&mut self) -> Result<bool> {
        let Some(path) = self.paths.pop_front() else {
            self.current = None;
            return Ok(false);
        };
        let lang = self.opts.file_language(self.index, self.n_files)?;
        self.index += 1;
        let file = std::fs::File::open(&path).map_err(|e| crate::Error::io(&path, e))?;
        let name = path.display().to_string();
        let multi = self.n_files > 1;
        let source = Source::from_reader(&name, file, &self.opts, lang, multi)?;
        self.current = Some(ChunkReader::new(source));
        Ok(true)
    }

    fn fill(&mut self) -> Result<bool> {
        while self.pending.is_empty() {
            let Some(reader) = self.current.as_mut() else {
                return Ok(false);
            };
            match reader.next_records(&self.opts, &mut self.report)? {
                Some(records) => self.pending.extend(records),
                None => {
                    if !self.open_next()? {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }
}

impl Iterator for CorpusStream {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.failed {
            return None;
        }
        match self.fill() {
            Ok(true) => self.pending.pop_front().map(Ok),
            Ok(false) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
