//! The crate's error type.
use std::path::PathBuf;

/// Everything that can go wrong in this crate. Every variant names the offending
/// file, line, value or parameter so that the message alone tells the user what to fix.
///
/// A variant with an underlying error keeps it as its `source()` and does not repeat
/// its text, so printing the chain shows each cause once.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure on a named path (the message is the path; the I/O error is
    /// the source).
    #[error("{path}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A shard file that cannot be read (bad magic, version, header or record),
    /// or another data error.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// A well-formed but inconsistent explanation record.
    #[error("{path}: document {doc:?}: {reason}")]
    Record {
        /// The shard or TSV file the record came from.
        path: PathBuf,
        /// The record's document id.
        doc: String,
        /// What is inconsistent, quoting the offending value.
        reason: String,
    },
    /// Two inputs disagree on the label list.
    #[error(
        "{path}: label list {found:?} differs from {expected:?} (first input or Inputs::labels)"
    )]
    LabelMismatch {
        /// The input whose labels differ.
        path: PathBuf,
        /// The label list in force.
        expected: Vec<String>,
        /// The labels of this input.
        found: Vec<String>,
    },
    /// TSV input given without a label list to map classes and probabilities to.
    #[error("{path}: TSV explanations carry no label list; give the labels (in model order)")]
    NoLabels {
        /// The first TSV file.
        path: PathBuf,
    },
    /// One explanation file given twice (its documents would count twice).
    #[error("{path}: given twice as explanations; give each file once")]
    InputTwice {
        /// The file, as given the second time.
        path: PathBuf,
    },
    /// No input files were given.
    #[error("no explanation input given")]
    NoInput,
    /// A parameter outside its documented range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
    /// A JSON file that cannot be parsed or written (serde's error is the source).
    #[error("{path}: not valid {what}")]
    Json {
        /// The JSON file.
        path: PathBuf,
        /// What the file should hold (`keywords.json`, an evaluation).
        what: &'static str,
        /// serde's error, with line and column.
        source: serde_json::Error,
    },
    /// A JSON file that parses but has the wrong content.
    #[error("{path}: {reason}")]
    JsonContent {
        /// The JSON file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Two class names map to the same output file name.
    #[error("classes {first:?} and {second:?} would both be written to {file:?}")]
    ClassFileName {
        /// The first class.
        first: String,
        /// The second class.
        second: String,
        /// The shared file name.
        file: String,
    },
    /// A baseline that cannot be computed from the counts given.
    #[error("baseline {method}: {reason}")]
    Baseline {
        /// The method (`log-odds`, `chi2`, `ctfidf`).
        method: String,
        /// What is missing.
        reason: String,
    },
}

impl Error {
    /// Shorthand for an I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// Shorthand for an [`Error::InvalidParameter`]; `expected` says what is accepted.
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Error {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(name, value, expected))
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
