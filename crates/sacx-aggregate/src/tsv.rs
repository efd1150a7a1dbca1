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
use crate::record_ref::{DocRef, TargetRef};
use crate::table::Fx;
use crate::{Error, Result};
use sacx_data::explanation::{DocExplanation, TargetAttribution};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::hash::BuildHasherDefault;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Tokens of the model's vocabulary that are not words; skipped.
const SPECIAL_TOKENS: &[&str] = &[
    "<s>", "</s>", "<pad>", "<unk>", "<mask>", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]",
];

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

/// Size of one read from the file (lines are cut out of this buffer in place).
const READ_CHUNK: usize = 1 << 20;
/// Bytes kept free after the data so that 16-byte loads never leave the buffer.
const PAD: usize = 16;

/// Where the tabs of a line are, found in the same pass as its end.
struct LineInfo {
    /// Offsets of the first 8 tabs in the line.
    tabs: [usize; 8],
    /// Number of tabs in the line.
    n_tabs: usize,
    /// Whether the line holds a `"`.
    quote: bool,
}

impl LineInfo {
    const fn new() -> Self {
        Self {
            tabs: [0; 8],
            n_tabs: 0,
            quote: false,
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
struct Lines {
    file: File,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl Lines {
    fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            file: File::open(path).map_err(Error::io(path))?,
            buf: vec![0; READ_CHUNK + PAD],
            start: 0,
            end: 0,
            eof: false,
        })
    }

    /// The next line without its `\n`, with its tabs, or `None` at the end of the file.
    fn next_line(&mut self, path: &Path, info: &mut LineInfo) -> Result<Option<&[u8]>> {
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
            if self.buf.len() - PAD - self.end < READ_CHUNK / 2 {
                self.buf.resize((self.buf.len() - PAD) * 2 + PAD, 0);
            }
            let limit = self.buf.len() - PAD;
            let n = read_some(&mut self.file, &mut self.buf[self.end..limit])
                .map_err(Error::io(path))?;
            self.end += n;
            self.eof = n == 0;
        }
    }
}

/// Finds the first `\n` in `buf[start..end]`, recording the tabs (offsets from `start`)
/// and quotes before it; `None` when there is none. `buf` extends at least 16 bytes
/// past `end`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn scan_line(buf: &[u8], start: usize, end: usize, info: &mut LineInfo) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so its intrinsics are always
    // available; every load reads the 16 bytes of a bounds-checked slice, unaligned.
    unsafe {
        let (tab, nl, quote) = (
            _mm_set1_epi8(b'\t' as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'"' as i8),
        );
        let mut i = start;
        while i < end {
            let block = &buf[i..i + 16];
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let mut valid = if end - i >= 16 {
                0xffff
            } else {
                (1u32 << (end - i)) - 1
            };
            let n = _mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u32 & valid;
            if n != 0 {
                // Only bytes before the newline belong to the line.
                valid = (n & n.wrapping_neg()) - 1;
            }
            let mut t = _mm_movemask_epi8(_mm_cmpeq_epi8(v, tab)) as u32 & valid;
            info.quote |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u32 & valid != 0;
            while t != 0 {
                info.tab(i + t.trailing_zeros() as usize - start);
                t &= t - 1;
            }
            if n != 0 {
                return Some(i + n.trailing_zeros() as usize);
            }
            i += 16;
        }
    }
    None
}

/// Portable version of the x86-64 scanner above.
#[cfg(not(target_arch = "x86_64"))]
fn scan_line(buf: &[u8], start: usize, end: usize, info: &mut LineInfo) -> Option<usize> {
    for (i, &b) in buf[start..end].iter().enumerate() {
        match b {
            b'\n' => return Some(start + i),
            b'\t' => info.tab(i),
            b'"' => info.quote = true,
            _ => {}
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

/// The document being read: words in one text arena, target scores in one flat vector,
/// all buffers reused from document to document.
#[derive(Default)]
struct DocBuf {
    open: bool,
    doc_id: String,
    gold: Vec<u32>,
    probs: Vec<f32>,
    text: String,
    /// End of each word in `text`.
    ends: Vec<usize>,
    /// (class, start, end) of each target's scores in `scores`.
    targets: Vec<(u32, usize, usize)>,
    scores: Vec<f32>,
    /// Target of the group being read (`None`: the no-prediction group).
    group: Option<u32>,
    groups: usize,
    /// Position in the words while checking a later group's tokens.
    pos: usize,
    group_start: usize,
}

impl DocBuf {
    fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn n_words(&self) -> usize {
        self.ends.len()
    }

    fn view(&self) -> DocRef<'_> {
        DocRef {
            doc_id: &self.doc_id,
            lang: "",
            gold: Cow::Borrowed(&self.gold),
            probs: Cow::Borrowed(&self.probs),
            words: (0..self.n_words()).map(|i| self.word(i)).collect(),
            targets: self
                .targets
                .iter()
                .map(|&(class, s, e)| TargetRef {
                    class,
                    scores: Cow::Borrowed(&self.scores[s..e]),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 0,
                })
                .collect(),
        }
    }

    fn to_record(&self) -> DocExplanation {
        DocExplanation {
            doc_id: self.doc_id.clone(),
            lang: String::new(),
            gold: self.gold.clone(),
            probs: self.probs.clone(),
            words: (0..self.n_words())
                .map(|i| self.word(i).to_string())
                .collect(),
            targets: self
                .targets
                .iter()
                .map(|&(class, s, e)| TargetAttribution {
                    class,
                    scores: self.scores[s..e].to_vec(),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 0,
                })
                .collect(),
        }
    }
}

type Emit<'e> = dyn FnMut(&DocBuf) -> Result<()> + 'e;

/// The line-by-line state machine shared by [`TsvReader`] and [`for_each_tsv_record`].
struct Parser {
    path: PathBuf,
    labels: Vec<String>,
    normalize: bool,
    line_no: u64,
    seen: HashSet<Box<[u8]>, BuildHasherDefault<Fx>>,
    doc: DocBuf,
    /// The last `pred` field and what it parsed to.
    pred_cache: Option<(Vec<u8>, Option<u32>)>,
    /// Scratch for normalised tokens.
    word: String,
}

/// The six fields of a data line.
struct Fields<'a> {
    id: &'a [u8],
    label: &'a [u8],
    pred: &'a [u8],
    token: &'a [u8],
    score: &'a [u8],
    probs: &'a [u8],
}

fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

impl Parser {
    fn new(path: &Path, labels: &[String], options: &TsvOptions) -> Self {
        Self {
            path: path.into(),
            labels: labels.to_vec(),
            normalize: options.normalize,
            line_no: 0,
            seen: HashSet::default(),
            doc: DocBuf::default(),
            pred_cache: None,
            word: String::new(),
        }
    }

    fn err(&self, reason: String) -> Error {
        Error::Tsv {
            path: self.path.clone(),
            line: self.line_no,
            reason,
        }
    }

    fn utf8<'a>(&self, b: &'a [u8], what: &str) -> Result<&'a str> {
        std::str::from_utf8(b)
            .map_err(|_| self.err(format!("{what} {:?} is not valid UTF-8", text(b))))
    }

    /// Handles one line (without its `\n`, tabs and quotes in `info`); `emit` receives
    /// each completed document.
    fn line(&mut self, raw: &[u8], info: &LineInfo, emit: &mut Emit<'_>) -> Result<()> {
        self.line_no += 1;
        let mut line = raw;
        while let [rest @ .., b'\r' | b'\n'] = line {
            line = rest;
        }
        if line.is_empty() {
            return Ok(());
        }
        if info.quote {
            // Quoted fields: the general splitter.
            let s = self.utf8(line, "line")?;
            let fields = split_fields(s).map_err(|r| self.err(r))?;
            let bytes: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
            return self.fields(&bytes, emit);
        }
        // Trailing `\r`s removed above hold no tab, so the tabs all lie within `line`.
        let n = info.n_tabs + 1;
        if n > 7 {
            return self.field_count(n);
        }
        let mut f: [&[u8]; 7] = [&[]; 7];
        let mut start = 0;
        for (k, &tab) in info.tabs[..info.n_tabs].iter().enumerate() {
            f[k] = &line[start..tab];
            start = tab + 1;
        }
        f[info.n_tabs] = &line[start..];
        self.fields(&f[..n], emit)
    }

    fn field_count(&self, n: usize) -> Result<()> {
        Err(self.err(format!(
            "{n} fields; expected [index,] id, label, pred, token, score, probs"
        )))
    }

    fn fields(&mut self, f: &[&[u8]], emit: &mut Emit<'_>) -> Result<()> {
        if self.line_no == 1 && is_header(f) {
            return Ok(());
        }
        let f = match f.len() {
            6 | 7 => &f[f.len() - 6..],
            n => return self.field_count(n),
        };
        self.record(
            &Fields {
                id: f[0],
                label: f[1],
                pred: f[2],
                token: f[3],
                score: f[4],
                probs: f[5],
            },
            emit,
        )
    }

    fn record(&mut self, line: &Fields<'_>, emit: &mut Emit<'_>) -> Result<()> {
        if !self.doc.open || !eq_bytes(self.doc.doc_id.as_bytes(), line.id) {
            if self.doc.open {
                self.close_group()?;
                self.doc.open = false;
                emit(&self.doc)?;
            }
            let id = self.utf8(line.id, "document id")?;
            if !self.seen.insert(line.id.into()) {
                return Err(self.err(format!(
                    "document {id:?} appears again after other documents; a document's lines must be contiguous"
                )));
            }
            let gold = parse_classes(self.utf8(line.label, "label")?, &self.labels)
                .map_err(|r| self.err(r))?;
            let probs = parse_probs(self.utf8(line.probs, "probs")?).map_err(|r| self.err(r))?;
            let d = &mut self.doc;
            d.doc_id.clear();
            d.doc_id.push_str(id);
            d.gold = gold;
            d.probs = probs;
            d.text.clear();
            d.ends.clear();
            d.targets.clear();
            d.scores.clear();
            d.group = None;
            d.groups = 0;
            d.pos = 0;
            d.group_start = 0;
            d.open = true;
        }
        let pred = match &self.pred_cache {
            Some((raw, pred)) if eq_bytes(raw, line.pred) => *pred,
            _ => {
                let pred = parse_pred(self.utf8(line.pred, "pred")?, &self.labels)
                    .map_err(|r| self.err(r))?;
                self.pred_cache = Some((line.pred.to_vec(), pred));
                pred
            }
        };
        self.add_line(pred, line)
    }

    fn add_line(&mut self, pred: Option<u32>, line: &Fields<'_>) -> Result<()> {
        if self.doc.groups == 0 || self.doc.group != pred {
            self.close_group()?;
            if pred.is_some() && self.doc.targets.iter().any(|t| Some(t.0) == pred) {
                return Err(self.err(format!(
                    "target {:?} of document {:?} appears again after another target; a target's lines must be contiguous",
                    text(line.pred),
                    self.doc.doc_id
                )));
            }
            let d = &mut self.doc;
            d.group = pred;
            d.groups += 1;
            d.pos = 0;
            d.group_start = d.scores.len();
        }
        let mut scratch = std::mem::take(&mut self.word);
        let kept = self.add_word(line, &mut scratch);
        self.word = scratch;
        if !kept? {
            return Ok(());
        }
        if pred.is_some() {
            let score = parse_score(line.score).ok_or_else(|| {
                self.err(format!(
                    "score {:?} is not a number (token {:?})",
                    text(line.score),
                    text(line.token)
                ))
            })?;
            self.doc.scores.push(score);
        }
        Ok(())
    }

    /// Stores or checks the word of `line`; false when the token is dropped.
    fn add_word(&mut self, line: &Fields<'_>, scratch: &mut String) -> Result<bool> {
        let token = line.token;
        let Some(word) = word(token, self.normalize, scratch)
            .ok_or_else(|| self.err(format!("token {:?} is not valid UTF-8", text(token))))?
        else {
            return Ok(false);
        };
        let d = &mut self.doc;
        if d.groups == 1 {
            d.text.push_str(word);
            d.ends.push(d.text.len());
        } else {
            let expected = (d.pos < d.n_words()).then(|| d.word(d.pos));
            if !expected.is_some_and(|e| eq_bytes(e.as_bytes(), word.as_bytes())) {
                let reason = format!(
                    "token {:?} of document {:?} differs from the first target's token {:?} at word {}",
                    text(token),
                    d.doc_id,
                    expected,
                    d.pos
                );
                return Err(self.err(reason));
            }
            d.pos += 1;
        }
        Ok(true)
    }

    /// Ends the current target group, recording its scores.
    fn close_group(&mut self) -> Result<()> {
        let d = &mut self.doc;
        if d.groups > 1 && d.pos != d.n_words() {
            return Err(self.err(format!(
                "document {:?}: a target has {} tokens but the first has {}",
                self.doc.doc_id,
                self.doc.pos,
                self.doc.n_words()
            )));
        }
        if let Some(class) = d.group {
            d.targets.push((class, d.group_start, d.scores.len()));
        }
        Ok(())
    }

    /// Ends the file: emits the last document.
    fn finish(&mut self, emit: &mut Emit<'_>) -> Result<()> {
        if self.doc.open {
            self.close_group()?;
            self.doc.open = false;
            emit(&self.doc)?;
        }
        Ok(())
    }
}

/// Byte-slice equality for the short fields compared on every line, 8 bytes at a time
/// (inlined, unlike the `memcmp` call of `==`).
#[inline]
fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        if x != y {
            return false;
        }
    }
    ca.remainder()
        .iter()
        .zip(cb.remainder())
        .all(|(x, y)| x == y)
}

/// Whether a byte is kept by the normalisation (`\w` or whitespace, ASCII case).
#[inline]
fn keep_ascii(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Bytes an already normalised ASCII word consists of: kept and not upper-case.
static NORMAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = (c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '))
            && !c.is_ascii_uppercase();
        b += 1;
    }
    t
};

/// The word form of a raw token: `None` in the outer option for invalid UTF-8, `None`
/// inside when the token is dropped. Normalised text that differs from the token is
/// written to `scratch`.
#[inline]
fn word<'a>(token: &'a [u8], normalize: bool, scratch: &'a mut String) -> Option<Option<&'a str>> {
    if matches!(token.first(), Some(b'<' | b'['))
        && SPECIAL_TOKENS.iter().any(|t| t.as_bytes() == token)
    {
        return Some(None);
    }
    if normalize && token.iter().all(|&b| NORMAL[b as usize]) {
        // SAFETY: every byte is ASCII (`NORMAL` holds only ASCII bytes), so valid UTF-8.
        let t = unsafe { std::str::from_utf8_unchecked(token) };
        return Some((!t.is_empty()).then_some(t));
    }
    word_slow(token, normalize, scratch)
}

#[cold]
fn word_slow<'a>(
    token: &'a [u8],
    normalize: bool,
    scratch: &'a mut String,
) -> Option<Option<&'a str>> {
    if !normalize {
        let t = std::str::from_utf8(token).ok()?;
        return Some((!t.is_empty()).then_some(t));
    }
    if token.is_ascii() {
        scratch.clear();
        scratch.extend(
            token
                .iter()
                .filter(|&&b| keep_ascii(b))
                .map(|&b| b.to_ascii_lowercase() as char),
        );
    } else {
        let t = std::str::from_utf8(token).ok()?;
        let keep = |c: char| c.is_alphanumeric() || c == '_' || c.is_whitespace();
        if t.chars().all(|c| keep(c) && !c.is_uppercase()) {
            return Some(Some(t));
        }
        scratch.clear();
        scratch.extend(t.chars().filter(|&c| keep(c)).flat_map(char::to_lowercase));
    }
    Some((!scratch.is_empty()).then_some(scratch.as_str()))
}

/// Parses a score as `str::parse::<f32>` would after trimming, bit for bit.
///
/// Fast path (Clinger): a plain decimal `[-+]digits[.digits]` whose digits form an
/// integer m < 2^24 with at most 10 fraction digits k is m / 10^k, both exact in f32, so
/// the one correctly rounded division is the correctly rounded value of the decimal.
/// Anything else goes to the standard parser.
#[inline]
fn parse_score(b: &[u8]) -> Option<f32> {
    const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let (neg, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    let (mut m, mut frac, mut dot, mut n) = (0u32, 0usize, false, 0usize);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m.wrapping_mul(10).wrapping_add((c - b'0') as u32);
                n += 1;
                frac += dot as usize;
                if n > 8 {
                    return parse_score_slow(b);
                }
            }
            b'.' if !dot => dot = true,
            _ => return parse_score_slow(b),
        }
    }
    if n == 0 || m >= 1 << 24 || frac > 10 {
        return parse_score_slow(b);
    }
    let v = m as f32 / POW10[frac];
    Some(if neg { -v } else { v })
}

#[cold]
fn parse_score_slow(b: &[u8]) -> Option<f32> {
    std::str::from_utf8(b).ok()?.trim().parse().ok()
}

fn is_header(f: &[&[u8]]) -> bool {
    let names: [&[u8]; 6] = [b"id", b"label", b"pred", b"token", b"score", b"probs"];
    f == names || (f.len() == 7 && f[1..] == names)
}

/// Splits a line on tabs, undoing CSV quoting (`"..."` with `""` for a quote).
fn split_fields(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::with_capacity(7);
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            value.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => value.push(c),
                    None => return Err(format!("unterminated quoted field {rest:?}")),
                }
            };
            let after = &quoted[end..];
            fields.push(match quoted[..end - 1].contains('"') {
                true => Cow::Owned(value),
                false => Cow::Borrowed(&quoted[..end - 1]),
            });
            match after.strip_prefix('\t') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(fields),
                None => return Err(format!("text {after:?} after a quoted field")),
            }
        } else {
            match rest.split_once('\t') {
                Some((field, next)) => {
                    fields.push(Cow::Borrowed(field));
                    rest = next;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// Parses a class list (`['HI', 'IN']`, `[0 3]`, `HI`, `None`) into sorted indices.
fn parse_classes(field: &str, labels: &[String]) -> std::result::Result<Vec<u32>, String> {
    let inner = field.trim();
    if inner.is_empty() || inner == "None" {
        return Ok(Vec::new());
    }
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    let mut out = Vec::new();
    for item in inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let name = item.trim_matches(|c| c == '\'' || c == '"');
        let index = match labels.iter().position(|l| l == name) {
            Some(i) => i as u32,
            None => match name.parse::<usize>() {
                Ok(i) if i < labels.len() => i as u32,
                _ => {
                    return Err(format!(
                        "unknown class {name:?} in {field:?}; labels are {labels:?}"
                    ));
                }
            },
        };
        out.push(index);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn parse_pred(field: &str, labels: &[String]) -> std::result::Result<Option<u32>, String> {
    let classes = parse_classes(field, labels)?;
    match classes.as_slice() {
        [] => Ok(None),
        [c] => Ok(Some(*c)),
        _ => Err(format!("pred {field:?} names more than one class")),
    }
}

fn parse_probs(field: &str) -> std::result::Result<Vec<f32>, String> {
    let inner = field.trim();
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<f32>()
                .map_err(|_| format!("probability {s:?} in {field:?} is not a number"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_fields() {
        let f = split_fields("0\td1\t\"say \"\"hi\"\"\"\tx").unwrap();
        assert_eq!(f, vec!["0", "d1", "say \"hi\"", "x"]);
        assert!(
            split_fields("a\t\"open")
                .unwrap_err()
                .contains("unterminated")
        );
    }

    #[test]
    fn scores_parse_bit_for_bit_like_the_standard_parser() {
        let cases = [
            "0.0699",
            "-0.0699",
            "+1.5",
            "0",
            "-0",
            "0.1",
            "1e-3",
            " 0.25 ",
            "16777215",
            "16777216",
            "123456789",
            "0.00000000001",
            "3.4028235e38",
            "inf",
            "NaN",
            ".5",
            "5.",
            "-.5",
            "1.2.3",
            "",
            "-",
            "abc",
            "0.1234567",
            "9.999999",
            "None",
        ];
        for c in cases {
            let want = c.trim().parse::<f32>().ok().map(f32::to_bits);
            assert_eq!(parse_score(c.as_bytes()).map(f32::to_bits), want, "{c:?}");
        }
        // Every 4-decimal score in [-1, 1], as the original pipeline writes them.
        for i in -10_000..=10_000 {
            let c = format!("{:.4}", i as f64 / 10_000.0);
            assert_eq!(
                parse_score(c.as_bytes()).map(f32::to_bits),
                c.parse::<f32>().ok().map(f32::to_bits),
                "{c}"
            );
        }
    }

    #[test]
    fn line_scanner_finds_line_ends_tabs_and_quotes() {
        let text = b"a\tb\t\"c\"\nxyz\n\n0123456789abcdef\t0123456789abcdef\t\tq";
        let mut buf = text.to_vec();
        buf.extend_from_slice(&[b'\n'; PAD]); // padding must not be read as data
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

    #[test]
    fn parses_class_lists_in_every_written_form() {
        let labels: Vec<String> = ["HI", "IN", "OP"].iter().map(|s| s.to_string()).collect();
        assert_eq!(parse_classes("['OP', 'HI']", &labels).unwrap(), vec![0, 2]);
        assert_eq!(parse_classes("[2 0]", &labels).unwrap(), vec![0, 2]);
        assert_eq!(parse_classes("None", &labels).unwrap(), Vec::<u32>::new());
        assert!(
            parse_classes("['XX']", &labels)
                .unwrap_err()
                .contains("\"XX\"")
        );
        assert_eq!(parse_pred("['IN']", &labels).unwrap(), Some(1));
        assert_eq!(parse_probs("[0.5, 0.25]").unwrap(), vec![0.5, 0.25]);
    }
}
