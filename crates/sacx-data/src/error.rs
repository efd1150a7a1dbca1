//! The crate's error type.
//!
//! Messages follow one rule: an error whose cause is another error keeps it as
//! its `source()` and never repeats its text, so that printing the chain (as the
//! `sacx` binary does, joined with ": ") shows each cause once. Messages speak in
//! library terms (types, fields), never in command-line flags.

use std::path::PathBuf;

/// Everything that can go wrong in this crate.
///
/// Every variant names the offending file, line or value, so that the one-line
/// message is enough to find and fix the problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An explanation shard file that cannot be read or written.
    #[error("{path}: {reason}")]
    Shard {
        /// The shard file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A shard header or record that bincode cannot encode or decode (bincode's
    /// error is the source).
    #[error("{path}: {what}")]
    ShardCodec {
        /// The shard file.
        path: PathBuf,
        /// What failed: "bad header", "bad record", "cannot encode a record", ...
        what: &'static str,
        /// bincode's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A malformed line in an explanation TSV file.
    #[error("{path}:{line}: {reason}")]
    Tsv {
        /// The TSV file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong, quoting the offending value.
        reason: String,
    },
    /// An output path that cannot be written, found before any work
    /// ([`crate::check_output`]).
    #[error("{path}: cannot be written: {reason}")]
    NotWritable {
        /// The output path, as given.
        path: PathBuf,
        /// Why, and what to do.
        reason: String,
    },
    /// An I/O failure on a named path (the message is the path; the I/O error is
    /// the source).
    #[error("{path}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A malformed corpus line (invalid JSON, missing or non-string text, labels of the
    /// wrong type, invalid UTF-8, a TSV line without a tab).
    #[error(
        "{file}:{line}: {reason}; fix the line or set LoadOptions::skip_bad_lines to skip and count it"
    )]
    BadLine {
        /// The file (or in-memory source name) the line came from.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },

    /// An extra labelled file that cannot be merged into the corpus (a
    /// document without text, an unknown label, conflicting labels).
    #[error("{file}: {reason}")]
    Labelled {
        /// The labelled file.
        file: String,
        /// What is wrong, naming the document.
        reason: String,
    },

    /// The corpus format could not be told from the file name.
    #[error(
        "{file}: cannot tell the corpus format from the name; name it .jsonl or .tsv (optionally .gz) or set LoadOptions::format"
    )]
    UnknownFormat {
        /// The file (or in-memory source name).
        file: String,
    },

    /// The number of languages given does not match the number of corpus files.
    #[error(
        "{files} corpus file(s) but {languages} language(s) given ({given}); give one language for all files or one per file, in the same order"
    )]
    LanguageCount {
        /// Number of corpus files.
        files: usize,
        /// Number of languages.
        languages: usize,
        /// The languages as given, comma separated.
        given: String,
    },

    /// A label appears twice in an explicit label set.
    #[error("label {label:?} is given twice in the label set; list each label once")]
    DuplicateLabel {
        /// The repeated label.
        label: String,
    },

    /// A parameter is outside its documented range.
    #[error(transparent)]
    InvalidParameter(#[from] crate::InvalidParameter),

    /// A document index is out of range for the corpus.
    #[error("document index {index} is out of range: the corpus has {len} documents")]
    DocumentIndex {
        /// The offending index.
        index: usize,
        /// Number of documents.
        len: usize,
    },

    /// There is nothing to train a tokenizer on.
    #[error(
        "cannot train a {kind} tokenizer: the training texts contain no words; check the corpus and the split"
    )]
    NoTrainingWords {
        /// The tokenizer kind.
        kind: String,
    },

    /// The Hugging Face `tokenizers` crate reported an error.
    #[error("{context}")]
    Tokenizer {
        /// What was being done (names the file where there is one).
        context: String,
        /// The library's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A tokenizer directory is incomplete or inconsistent.
    #[error("{path}: {reason}; save the tokenizer again with Tokenizer::save")]
    BadTokenizerDir {
        /// The offending file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A JSON file (class word counts, tokenizer config) could not be parsed or written.
    #[error("{path}: expected {expected}")]
    Json {
        /// The file involved.
        path: PathBuf,
        /// The shape the file should have.
        expected: &'static str,
        /// serde's error, with line and column.
        source: serde_json::Error,
    },

    /// A versioned file of another format version than this sacx reads.
    #[error(
        "{path}: format {found}, but this sacx reads {expected}; redo the step that wrote it with this version, or use the sacx version that wrote it"
    )]
    Version {
        /// The file involved.
        path: PathBuf,
        /// The format tag found in the file.
        found: String,
        /// The format tag this version reads.
        expected: &'static str,
    },

    /// A class-count file that parses but has the wrong content (a class
    /// without `_N_DOCS`, TF and DF files from different counts).
    #[error("{path}: {reason}")]
    Counts {
        /// The file involved.
        path: PathBuf,
        /// What is wrong, quoting the class.
        reason: String,
    },

    /// A file of a map directory that is missing a part, malformed or
    /// inconsistent with the others.
    #[error("{path}: {reason}")]
    MapFile {
        /// The file involved.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A predictions directory or part that is incomplete or malformed.
    #[error("{path}: {reason}")]
    Predictions {
        /// The file involved.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A part on disk that does not hold what a resumed prediction would
    /// write there (other rows, other documents, another model).
    #[error("{path}: {reason}; delete it to score its documents again")]
    StalePart {
        /// The part file.
        path: PathBuf,
        /// What it holds instead.
        reason: String,
    },

    /// A Parquet file that cannot be encoded or decoded (the Parquet or Arrow
    /// error is the source).
    #[error("{path}")]
    Parquet {
        /// The file involved.
        path: PathBuf,
        /// The library's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A predictions directory made with another model, corpus or chunk size.
    #[error(
        "{path}: these predictions were made with another {what} ({was}; now {now}); give the same {what} to resume them, or another output directory"
    )]
    OtherPredictions {
        /// The manifest.
        path: PathBuf,
        /// The setting that differs: `model`, `corpus` or `chunk_docs`.
        what: &'static str,
        /// Its saved value.
        was: String,
        /// The requested value.
        now: String,
    },

    /// A non-empty directory that holds no predictions.
    #[error(
        "{path}: not a predictions directory (no predictions.json) and not empty; give a new or empty output directory"
    )]
    NotPredictions {
        /// The directory.
        path: PathBuf,
    },
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(name: &'static str, value: impl ToString, expected: &'static str) -> Self {
        Error::InvalidParameter(crate::InvalidParameter::new(
            name,
            value.to_string(),
            expected,
        ))
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
