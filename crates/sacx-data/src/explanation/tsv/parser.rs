//! The line-by-line state machine: fields of a line into documents.
use super::TsvOptions;
use super::doc::DocBuf;
use super::fields::{is_header, parse_classes, parse_pred, parse_probs, parse_score, split_fields};
use super::lines::LineInfo;
use super::word::word;
use crate::{Error, Result};
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Receives each completed document; its error type is the caller's.
pub(super) type Emit<'e, E> = dyn FnMut(&DocBuf) -> std::result::Result<(), E> + 'e;

/// The line-by-line state machine shared by [`TsvReader`] and [`for_each_tsv_record`].
pub(super) struct Parser {
    pub(super) path: PathBuf,
    labels: Vec<String>,
    normalize: bool,
    line_no: u64,
    /// Line breaks inside the quoted fields of the last line handled.
    pending_breaks: u64,
    seen: HashSet<Box<[u8]>>,
    pub(super) doc: DocBuf,
    /// The last `pred` field and what it parsed to.
    pred_cache: Option<(Vec<u8>, Option<u32>)>,
    /// Scratch for normalised tokens.
    word: String,
    /// The current document's `label` and `probs` fields as first read: every
    /// later line of the document must repeat them.
    first: (Vec<u8>, Vec<u8>),
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
    pub(super) fn new(path: &Path, labels: &[String], options: &TsvOptions) -> Self {
        Self {
            path: path.into(),
            labels: labels.to_vec(),
            normalize: options.normalize(),
            line_no: 0,
            pending_breaks: 0,
            seen: HashSet::default(),
            doc: DocBuf::default(),
            pred_cache: None,
            word: String::new(),
            first: (Vec::new(), Vec::new()),
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
    pub(super) fn line<E: From<Error>>(
        &mut self,
        raw: &[u8],
        info: &LineInfo,
        emit: &mut Emit<'_, E>,
    ) -> std::result::Result<(), E> {
        // The first line of this one in the file (the one before spanned
        // `pending_breaks` more).
        self.line_no += 1 + self.pending_breaks;
        self.pending_breaks = info.breaks;
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
            return Ok(self.field_count(n)?);
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

    fn fields<E: From<Error>>(
        &mut self,
        f: &[&[u8]],
        emit: &mut Emit<'_, E>,
    ) -> std::result::Result<(), E> {
        if self.line_no == 1 && is_header(f) {
            return Ok(());
        }
        let f = match f.len() {
            6 | 7 => &f[f.len() - 6..],
            n => return Ok(self.field_count(n)?),
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

    fn record<E: From<Error>>(
        &mut self,
        line: &Fields<'_>,
        emit: &mut Emit<'_, E>,
    ) -> std::result::Result<(), E> {
        let same_id = self.doc.open && eq_bytes(self.doc.doc_id.as_bytes(), line.id);
        // Translations share an id and sit next to each other; their class
        // probabilities tell them apart.
        let translation = same_id && !eq_bytes(&self.first.1, line.probs);
        if !same_id || translation {
            if self.doc.open {
                self.close_group()?;
                self.doc.open = false;
                emit(&self.doc)?;
            }
            let id = self.utf8(line.id, "document id")?;
            if !translation && !self.seen.insert(line.id.into()) {
                return Err(self
                    .err(format!(
                        "document {id:?} appears again after other documents; a document's lines must be contiguous"
                    ))
                    .into());
            }
            let gold = parse_classes(self.utf8(line.label, "label")?, &self.labels)
                .map_err(|r| self.err(r))?;
            let probs = parse_probs(self.utf8(line.probs, "probs")?).map_err(|r| self.err(r))?;
            self.first = (line.label.to_vec(), line.probs.to_vec());
            self.doc.start(id, gold, probs);
        } else if !eq_bytes(&self.first.0, line.label) {
            return Err(self
                .err(format!(
                    "label {:?} of document {:?} differs from its first line's {:?}",
                    text(line.label),
                    self.doc.doc_id,
                    text(&self.first.0)
                ))
                .into());
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
        Ok(self.add_line(pred, line)?)
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
            let score = parse_score(line.score)
                .filter(|s| s.is_finite())
                .ok_or_else(|| {
                    self.err(format!(
                        "score {:?} is not a finite number (token {:?})",
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
            word.push_to(&mut d.text);
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
    pub(super) fn finish<E: From<Error>>(
        &mut self,
        emit: &mut Emit<'_, E>,
    ) -> std::result::Result<(), E> {
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
