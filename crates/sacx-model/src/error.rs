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
    /// A parameter outside its documented range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
    /// A device specification that cannot be parsed or used.
    #[error("device `{spec}`: {reason}")]
    Device {
        /// The specification as given (`auto`, `cpu`, `cuda:N`).
        spec: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A libtorch operation failed (out of memory, a shape mismatch, ...).
    #[error("libtorch operation failed")]
    Torch(#[from] tch::TchError),
    /// A JSON file that cannot be read or written.
    #[error("{path}: invalid JSON")]
    Json {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A checkpoint file that is missing.
    #[error("checkpoint file missing: {path}")]
    MissingFile {
        /// The file that should exist.
        path: PathBuf,
    },
    /// A checkpoint file whose content is not what it should be.
    #[error("corrupt checkpoint file {path}: {reason}")]
    Corrupt {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The labels of a checkpoint differ from those of the data.
    #[error(
        "label set mismatch: checkpoint has {checkpoint_count} labels, data has {data_count}; first difference: {difference}"
    )]
    LabelMismatch {
        /// Labels in the checkpoint.
        checkpoint_count: usize,
        /// Labels in the data.
        data_count: usize,
        /// The first differing position, as text.
        difference: String,
    },
    /// Resuming with settings that differ from the interrupted run.
    #[error("cannot resume from {path}: {field} was {previous} but is now {requested}")]
    ResumeMismatch {
        /// The run directory.
        path: PathBuf,
        /// The differing setting.
        field: &'static str,
        /// Its value in the interrupted run.
        previous: String,
        /// Its value now.
        requested: String,
    },
    /// The output directory already holds a run and resuming was not asked for.
    #[error("{path} already holds a training run; resume it or choose another directory")]
    OutputExists {
        /// The run directory.
        path: PathBuf,
    },
    /// The training loss became NaN or infinite.
    #[error(
        "non-finite training loss {loss} at epoch {epoch}, batch {batch}; the last good checkpoint is kept"
    )]
    NonFiniteLoss {
        /// The epoch (1-based).
        epoch: usize,
        /// The batch within the epoch (1-based).
        batch: usize,
        /// The loss value.
        loss: f64,
    },
    /// An example that the model cannot take.
    #[error("example {index}: {reason}")]
    InvalidExample {
        /// Position of the example in its list.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A replica of a model did not rebuild the model's parameters (an
    /// internal inconsistency between two builds of one specification).
    #[error("cannot replicate the model: {reason}")]
    Replica {
        /// What differed.
        reason: String,
    },
    /// A token id outside the model's vocabulary.
    #[error("token id {id} outside the vocabulary 0..{vocab_size}")]
    TokenOutOfRange {
        /// The offending id.
        id: i64,
        /// The vocabulary size.
        vocab_size: usize,
    },
    /// A split with no examples where some are needed.
    #[error("the {split} split is empty")]
    EmptySplit {
        /// The split's name.
        split: &'static str,
    },
    /// A malformed word-vector file.
    #[error("{path}:{line}: {reason}")]
    WordVectors {
        /// The vector file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// A Hugging Face model directory (or one of its files) that sacx cannot use.
    #[error("{path}: {reason}")]
    HfModel {
        /// The directory or file involved.
        path: PathBuf,
        /// What is wrong with it, in one line.
        reason: String,
    },
    /// An error from sacx-data (corpus or tokenizer).
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(name, value, expected))
    }

    /// An [`Error::HfModel`] for `path`.
    pub(crate) fn hf(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::HfModel {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An [`Error::Json`] for `path`.
    pub(crate) fn json(path: impl Into<PathBuf>, source: serde_json::Error) -> Self {
        Error::Json {
            path: path.into(),
            source,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
