//! The crate's error type.
use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure on a named path.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A data or shard-file error.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// A parameter outside its range.
    #[error("invalid {name} '{value}': expected {expected}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// A document that cannot be explained as given.
    #[error("document '{doc_id}': {reason}")]
    BadDocument {
        /// The document's id.
        doc_id: String,
        /// What is wrong.
        reason: String,
    },
    /// A model that does not keep the contract it declared (for example a
    /// pooling window outside its stage output).
    #[error("the model breaks its contract: {0}")]
    ModelContract(String),
    /// An error raised by libtorch.
    #[error("libtorch: {0}")]
    Torch(String),
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
