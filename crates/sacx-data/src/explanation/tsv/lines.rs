//! Cutting lines out of large read blocks, finding each line's tabs and quotes.
use crate::{Error, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Size of one read from the file (lines are cut out of this buffer in place).
const READ_CHUNK: usize = 1 << 20;

/// Where the tabs of a line are, and whether it holds a quote.
pub(super) struct LineInfo {
    /// Offsets of the first 8 tabs in the line.
    pub(super) tabs: [usize; 8],
    /// Number of tabs in the line.
    pub(super) n_tabs: usize,
    /// Whether the line holds a `"`.
    pub(super) quote: bool,
    /// Whether a quoted field is open (an odd number of `"` so far): a `\n`
    /// there belongs to the field (CSV, as pandas' `to_csv` writes a value
    /// holding a line break), not to the end of the line.
    pub(super) open: bool,
    /// Line breaks inside quoted fields (the line spans `breaks + 1` lines of the file).
    pub(super) breaks: u64,
}

impl LineInfo {
    pub(super) const fn new() -> Self {
        Self {
            tabs: [0; 8],
            n_tabs: 0,
            quote: false,
            open: false,
            breaks: 0,
        }
    }

    #[inline]
    fn tab(&mut self, at: usize) {
        if self.n_tabs < 8 {
            self.tabs[self.n_tabs] = at;
        }
        self.n_tabs += 1;
    }
}

/// Lines of a file, read in large blocks; a line never outlives the next call.
pub(super) struct Lines {
    file: File,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl Lines {
    pub(super) fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            file: File::open(path).map_err(|e| Error::io(path, e))?,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            eof: false,
        })
    }

    /// The next line without its `\n`, with its tabs, or `None` at the end of the file;
    /// a line break inside a quoted field does not end the line.
    pub(super) fn next_line(&mut self, path: &Path, info: &mut LineInfo) -> Result<Option<&[u8]>> {
        loop {
            *info = LineInfo::new();
            if let Some(nl) = scan_line(&self.buf, self.start, self.end, info) {
                let s = self.start;
                self.start = nl + 1;
                return Ok(Some(&self.buf[s..nl]));
            }
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let s = self.start;
                self.start = self.end;
                return Ok(Some(&self.buf[s..self.end]));
            }
            // Keep the partial line, read more after it (growing for very long lines);
            // the line is scanned again from its start.
            let partial = self.end - self.start;
            self.buf.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = partial;
            if self.buf.len() - self.end < READ_CHUNK / 2 {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = read_some(&mut self.file, &mut self.buf[self.end..])
                .map_err(|e| Error::io(path, e))?;
            self.end += n;
            self.eof = n == 0;
        }
    }
}

/// Finds the first `\n` outside a quoted field in `buf[start..end]`, recording the tabs
/// (offsets from `start`), quotes and line breaks inside quotes before it; `None` when there is none (the tabs and quotes then describe
/// all of `buf[start..end]`). Each `memchr3` search runs over the rest of the block (a
/// long haystack, so its vector path) and stops at the next byte of interest.
#[inline]
fn scan_line(buf: &[u8], start: usize, end: usize, info: &mut LineInfo) -> Option<usize> {
    let hay = &buf[start..end];
    for at in memchr::memchr3_iter(b'\n', b'\t', b'"', hay) {
        match hay[at] {
            b'\n' if !info.open => return Some(start + at),
            b'\n' => info.breaks += 1,
            b'\t' => info.tab(at),
            _ => {
                info.quote = true;
                info.open = !info.open;
            }
        }
    }
    None
}

fn read_some(file: &mut File, out: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(out) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_scanner_finds_line_ends_tabs_and_quotes() {
        let text = b"a\tb\t\"c\"\nxyz\n\n0123456789abcdef\t0123456789abcdef\t\tq";
        let mut buf = text.to_vec();
        buf.extend_from_slice(&[b'\n'; 16]); // padding must not be read as data
        let (mut start, mut got) = (0, Vec::new());
        loop {
            let mut info = LineInfo::new();
            match scan_line(&buf, start, text.len(), &mut info) {
                Some(nl) => {
                    got.push((start, nl, info.tabs[..info.n_tabs].to_vec(), info.quote));
                    start = nl + 1;
                }
                None => {
                    got.push((
                        start,
                        text.len(),
                        info.tabs[..info.n_tabs].to_vec(),
                        info.quote,
                    ));
                    break;
                }
            }
        }
        assert_eq!(
            got,
            vec![
                (0, 7, vec![1, 3], true),
                (8, 11, vec![], false),
                (12, 12, vec![], false),
                (13, 49, vec![16, 33, 34], false),
            ]
        );
    }
}
