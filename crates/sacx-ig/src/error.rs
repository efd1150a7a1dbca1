//! The crate's error type.
use std::path::PathBuf;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O failure on a named path.
    #[error("I/O error on {path}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A data or shard-file error.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// An error of the model (a failed tensor operation inside it, for example).
    #[error(transparent)]
    Model(#[from] sacx_model::Error),
    /// A parameter outside its range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
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
    /// A libtorch operation failed (out of memory, a shape mismatch, ...).
    #[error("libtorch operation failed")]
    Torch(#[from] tch::TchError),
}

impl Error {
    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(name, value, expected))
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
