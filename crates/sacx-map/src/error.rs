//! The crate's error type: one variant per concept, each naming the value or
//! file at fault.
use std::path::PathBuf;

/// Why building, saving, loading or searching a map failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter outside its documented range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
    /// The input cannot be mapped (too few documents, no words, …).
    #[error("{what}")]
    Input {
        /// What is wrong and what to do.
        what: String,
    },
    /// A query with no word the paragraph-vector vocabulary knows.
    #[error(
        "the query {query:?} has no word the map's vocabulary knows; use words that occur in the corpus"
    )]
    UnknownQuery {
        /// The query given.
        query: String,
    },
    /// A classifier failed (libtorch or a shape mismatch).
    #[error(transparent)]
    Model(#[from] sacx_model::Error),
    /// libtorch failed outside a classifier.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// A map file is missing, malformed or inconsistent with the others.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A map-file error of `sacx_data::map` keeps this crate's variants: a bad
/// file is [`Error::Format`], a failed read or write [`Error::Io`].
impl From<sacx_data::Error> for Error {
    fn from(e: sacx_data::Error) -> Self {
        match e {
            sacx_data::Error::MapFile { path, reason } => Error::Format { path, reason },
            sacx_data::Error::Io { path, source } => Error::Io { path, source },
            other => Error::Input {
                what: other.to_string(),
            },
        }
    }
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(name, value, expected))
    }

    /// An [`Error::Input`].
    pub(crate) fn input(what: impl Into<String>) -> Self {
        Error::Input { what: what.into() }
    }

    /// An [`Error::Format`] of `path`.
    pub(crate) fn format(path: &std::path::Path, reason: impl Into<String>) -> Self {
        Error::Format {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
