//! The crate's error type.
use std::path::PathBuf;

/// Everything that can go wrong while reading a run directory or writing its
/// report. A missing input is not an error (its part of the page says so); an
/// input that exists but cannot be read is, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory given is not a directory.
    #[error("{path}: not a run directory")]
    NotARunDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// An I/O failure on a named path.
    #[error("{path}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON file of the run that is not valid JSON, or not in the shape this
    /// sacx reads.
    #[error("{path}: {what}")]
    Json {
        /// The file.
        path: PathBuf,
        /// "not valid JSON" or "not in the format this sacx reads".
        what: &'static str,
        /// serde's error, with line and column.
        source: serde_json::Error,
    },
    /// A shard, topic-map or other data file that cannot be read.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// A keyword or evaluation file that cannot be read.
    #[error(transparent)]
    Aggregate(#[from] sacx_aggregate::Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
