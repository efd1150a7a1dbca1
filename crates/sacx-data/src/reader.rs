//! Reading corpus sources line by line: gzip detection, format detection and
//! the per-line parsers shared by corpus loading and streaming word counts.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::options::{Format, LoadOptions};
use crate::report::{LoadReport, SkippedLine};

/// Bytes of raw lines gathered before a chunk is parsed in parallel.
const CHUNK_BYTES: usize = 4 << 20;

/// A line-oriented input with its resolved format and file language.
pub(crate) struct Source {
    pub name: String,
    pub reader: Box<dyn BufRead + Send>,
    pub format: Format,
    pub lang: Option<String>,
    /// Whether several sources are read together (then default ids name the file).
    pub multi: bool,
}

/// Wraps a reader, decompressing gzip when the data starts with gzip's magic bytes.
fn maybe_gunzip<R: Read + Send + 'static>(
    mut reader: R,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        let n = reader.read(&mut magic[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let head = Cursor::new(magic[..got].to_vec());
    let whole = head.chain(reader);
    if got == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(whole),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, whole)))
    }
}

/// Resolves [`Format::Auto`] from the name, sniffing the first byte if the name says nothing.
fn resolve_format(name: &str, format: Format, reader: &mut dyn BufRead) -> std::io::Result<Format> {
    if format != Format::Auto {
        return Ok(format);
    }
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    if [".jsonl", ".ndjson", ".json"]
        .iter()
        .any(|e| base.ends_with(e))
    {
        return Ok(Format::Jsonl);
    }
    if [".tsv", ".txt"].iter().any(|e| base.ends_with(e)) {
        return Ok(Format::Tsv);
    }
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Format::Jsonl);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                return Ok(if buf[i] == b'{' {
                    Format::Jsonl
                } else {
                    Format::Tsv
                });
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

impl Source {
    /// A source over in-memory or streamed data named `name`.
    pub fn from_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
        lang: Option<String>,
        multi: bool,
    ) -> Result<Source> {
        let io = |e| Error::io(name, e);
        let mut reader = maybe_gunzip(reader).map_err(io)?;
        let format = resolve_format(name, opts.format(), &mut reader).map_err(io)?;
        Ok(Source {
            name: name.to_string(),
            reader,
            format,
            lang,
            multi,
        })
    }

    /// Sources for corpus files, with languages assigned per [`LoadOptions::languages`].
    pub fn from_paths<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions) -> Result<Vec<Source>> {
        let n = paths.len();
        let mut sources = Vec::with_capacity(n);
        for (i, path) in paths.iter().enumerate() {
            let path = path.as_ref();
            let lang = opts.file_language(i, n)?;
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let name = path.display().to_string();
            sources.push(Source::from_reader(&name, file, opts, lang, n > 1)?);
        }
        Ok(sources)
    }
}

/// One parsed document, before labels are checked against the label set.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub line: usize,
    pub id: String,
    pub lang: String,
    pub text: String,
    pub labels: Vec<String>,
    /// Whether the line gave labels: a JSON `labels` field (even `[]`), or a
    /// non-empty TSV labels column.
    pub has_labels: bool,
}

/// What a line turned out to be.
pub(crate) enum Parsed {
    Blank,
    Doc(Record),
    Bad(usize, String),
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What a wrong value is, for error messages: `null`, or its type and a short
/// excerpt (`a number 42`).
fn found(v: &Value) -> String {
    if v.is_null() {
        return "null".into();
    }
    format!("{} {}", type_name(v), excerpt(v))
}

/// A short excerpt of a value for error messages.
fn excerpt(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

struct Fields {
    id: Option<String>,
    lang: Option<String>,
    text: String,
    labels: Vec<String>,
    has_labels: bool,
}

fn parse_json(line: &str) -> std::result::Result<Fields, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON ({e})"))?;
    let Value::Object(mut obj) = value else {
        return Err(format!(
            "expected a JSON object, found {}",
            type_name(&value)
        ));
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        None => return Err("missing \"text\" field".into()),
        Some(v) => {
            return Err(format!("\"text\" must be a string, found {}", found(&v)));
        }
    };
    let has_labels = !matches!(obj.get("labels"), None | Some(Value::Null));
    let labels = match obj.remove("labels") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut labels = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::String(s) => labels.push(s),
                    v => {
                        return Err(format!(
                            "\"labels\" must be an array of strings, found {} at position {i}",
                            found(&v)
                        ));
                    }
                }
            }
            labels
        }
        Some(v) => {
            return Err(format!(
                "\"labels\" must be an array of strings, found {}",
                found(&v)
            ));
        }
    };
    let id = match obj.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(v) => {
            return Err(format!(
                "\"id\" must be a string or number, found {}",
                found(&v)
            ));
        }
    };
    let lang = match obj.remove("lang") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(v) => {
            return Err(format!(
                "\"lang\" must be a non-empty string, found {}",
                found(&v)
            ));
        }
    };
    Ok(Fields {
        id,
        lang,
        text,
        labels,
        has_labels,
    })
}

fn parse_tsv(line: &str) -> std::result::Result<Fields, String> {
    let Some((labels, text)) = line.split_once('\t') else {
        return Err("expected two tab-separated columns labels<TAB>text, found no tab".into());
    };
    if text.contains('\t') {
        return Err(format!(
            "expected two tab-separated columns labels<TAB>text, found {}; a tab inside the text must be replaced",
            line.split('\t').count()
        ));
    }
    let labels = labels
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect::<Vec<_>>();
    Ok(Fields {
        id: None,
        lang: None,
        text: text.to_string(),
        has_labels: !labels.is_empty(),
        labels,
    })
}

/// Parses one raw line (without its newline).
fn parse_line(src: &SourceInfo<'_>, opts: &LoadOptions, line_no: usize, raw: &[u8]) -> Parsed {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let line = match std::str::from_utf8(raw) {
        // A byte-order mark before the first line is not part of the data.
        Ok(s) if line_no == 1 => s.strip_prefix('\u{feff}').unwrap_or(s),
        Ok(s) => s,
        Err(e) => {
            return Parsed::Bad(
                line_no,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            );
        }
    };
    if line.trim().is_empty() {
        return Parsed::Blank;
    }
    let fields = match src.format {
        Format::Tsv => parse_tsv(line),
        _ => parse_json(line),
    };
    let mut f = match fields {
        Ok(f) => f,
        Err(reason) => return Parsed::Bad(line_no, reason),
    };
    // A label given twice counts once (first occurrence kept).
    let mut seen = std::collections::HashSet::new();
    f.labels.retain(|l| seen.insert(l.clone()));
    // SACX TSV has no id column: where ids are required (a pool matched by
    // id), a line is named after its file and line number, the same in every
    // command that reads the file.
    let tsv_ids = src.format == Format::Tsv && opts.require_ids();
    if f.id.is_none() && opts.require_ids() && !tsv_ids {
        let reason = "no \"id\" field, and this input is matched by id: give every line an \"id\"";
        return Parsed::Bad(line_no, reason.into());
    }
    let id = f.id.unwrap_or_else(|| {
        if tsv_ids {
            let file = Path::new(src.name).file_name().map_or_else(
                || src.name.to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            format!("{file}:line-{line_no}")
        } else if src.multi {
            format!("{}:line-{line_no}", src.name)
        } else {
            format!("line-{line_no}")
        }
    });
    let lang = f
        .lang
        .or_else(|| src.lang.clone())
        .unwrap_or_else(|| opts.default_language().to_string());
    let text = if opts.preprocess() {
        crate::fold::preprocess(&f.text).into_owned()
    } else {
        f.text
    };
    Parsed::Doc(Record {
        line: line_no,
        id,
        lang,
        text,
        labels: f.labels,
        has_labels: f.has_labels,
    })
}

struct SourceInfo<'a> {
    name: &'a str,
    format: Format,
    lang: Option<String>,
    multi: bool,
}

/// Reads a source chunk by chunk, parsing each chunk's lines in parallel, and
/// hands each chunk's well-formed, non-empty records to `sink` in line order.
/// Bad lines fail (naming file and line) or are counted in `report`; empty texts
/// are counted in `report`.
pub(crate) fn read_records<F>(
    src: Source,
    opts: &LoadOptions,
    report: &mut LoadReport,
    mut sink: F,
) -> Result<()>
where
    F: FnMut(Vec<Record>, &mut LoadReport) -> Result<()>,
{
    let mut chunks = Chunks::new(src);
    while let Some(records) = chunks.next_chunk(opts, report)? {
        sink(records, report)?;
    }
    Ok(())
}

/// A source read chunk by chunk on demand (the pull side of [`read_records`]).
pub(crate) struct Chunks {
    name: String,
    reader: Box<dyn BufRead + Send>,
    format: Format,
    lang: Option<String>,
    multi: bool,
    line_no: usize,
    done: bool,
}

impl Chunks {
    pub(crate) fn new(src: Source) -> Chunks {
        let Source {
            name,
            reader,
            format,
            lang,
            multi,
        } = src;
        Chunks {
            name,
            reader,
            format,
            lang,
            multi,
            line_no: 0,
            done: false,
        }
    }

    /// The source's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The next chunk's well-formed, non-empty records (possibly none), or
    /// `None` at the end of the source.
    pub(crate) fn next_chunk(
        &mut self,
        opts: &LoadOptions,
        report: &mut LoadReport,
    ) -> Result<Option<Vec<Record>>> {
        if self.done {
            return Ok(None);
        }
        let chunk = read_chunk(
            &mut self.reader,
            &self.name,
            &mut self.line_no,
            &mut self.done,
        )?;
        let info = SourceInfo {
            name: &self.name,
            format: self.format,
            lang: self.lang.clone(),
            multi: self.multi,
        };
        let parsed: Vec<Parsed> = chunk
            .par_iter()
            .map(|(n, raw)| parse_line(&info, opts, *n, raw))
            .collect();
        drop(chunk);
        keep_records(parsed, &self.name, opts, report).map(Some)
    }
}

/// The next lines of `reader`, about [`CHUNK_BYTES`] of them, numbered from
/// `line_no + 1`; sets `done` at the end of the input.
fn read_chunk(
    reader: &mut Box<dyn BufRead + Send>,
    name: &str,
    line_no: &mut usize,
    done: &mut bool,
) -> Result<Vec<(usize, Vec<u8>)>> {
    let mut chunk: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut bytes = 0;
    while bytes < CHUNK_BYTES {
        let mut buf = Vec::new();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(name, e))?;
        if n == 0 {
            *done = true;
            break;
        }
        *line_no += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        bytes += buf.len();
        chunk.push((*line_no, buf));
    }
    Ok(chunk)
}

/// The well-formed, non-empty records of a parsed chunk; a bad line fails, or
/// is counted when bad lines are skipped; empty texts are counted.
fn keep_records(
    parsed: Vec<Parsed>,
    name: &str,
    opts: &LoadOptions,
    report: &mut LoadReport,
) -> Result<Vec<Record>> {
    let mut records = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Parsed::Blank => {}
            Parsed::Bad(line, reason) => {
                report.lines += 1;
                if !opts.skip_bad_lines() {
                    return Err(Error::BadLine {
                        file: name.to_string(),
                        line,
                        reason,
                    });
                }
                report.bad_lines.push(SkippedLine {
                    file: name.to_string(),
                    line,
                    reason,
                });
            }
            Parsed::Doc(rec) => {
                report.lines += 1;
                if rec.text.trim().is_empty() {
                    report.empty.push(SkippedLine {
                        file: name.to_string(),
                        line: rec.line,
                        reason: "empty text".into(),
                    });
                } else {
                    records.push(rec);
                }
            }
        }
    }
    Ok(records)
}
