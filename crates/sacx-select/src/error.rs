//! The crate's error type.
use std::path::PathBuf;

/// Why a selection failed; each variant names the value, row or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter outside its documented range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
    /// Reading the pool's corpus (or a labelled file) failed.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// The pool has no labels, or a label twice.
    #[error("the pool's labels are invalid: {reason}")]
    Labels {
        /// What is wrong.
        reason: String,
    },
    /// A class threshold outside (0, 1).
    #[error("threshold of class {class:?} = {value} is invalid: expected a probability in (0, 1)")]
    Threshold {
        /// The class.
        class: String,
        /// The threshold given.
        value: f32,
    },
    /// A document with a number of probabilities other than the number of labels.
    #[error("pool row {row} (id {id:?}): {got} probabilities, expected one per label ({expected})")]
    ProbCount {
        /// Row in pool order (0-based).
        row: u64,
        /// The document id.
        id: String,
        /// Probabilities given.
        got: usize,
        /// Labels of the pool.
        expected: usize,
    },
    /// A probability that is not a number in [0, 1].
    #[error(
        "pool row {row} (id {id:?}): probability of class {class:?} is {value}, expected a number in [0, 1]"
    )]
    Prob {
        /// Row in pool order (0-based).
        row: u64,
        /// The document id.
        id: String,
        /// The class.
        class: String,
        /// The value given.
        value: f32,
    },
    /// A later pass over the pool did not yield the documents of the first.
    #[error(
        "the pool changed between passes: {reason}; a pool must yield the same documents in the same order on every pass"
    )]
    PoolChanged {
        /// What differed.
        reason: String,
    },
    /// An unknown selection strategy, or one its inputs do not serve.
    #[error("selection strategy {value}: expected {expected}")]
    Strategy {
        /// The strategy (or the strategy and what it lacks).
        value: String,
        /// What is accepted or needed.
        expected: String,
    },
    /// An error of a caller's pool (a score file, a predictions directory).
    #[error(transparent)]
    Pool(Box<dyn std::error::Error + Send + Sync>),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A selection summary that cannot be read as one.
    #[error("{}: not a selection summary of sacx select ({source}); run sacx select again to rewrite it", path.display())]
    Summary {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// An output file exists and was not written by `sacx select`.
    #[error("{}: exists and is not a selection written by sacx; move it away or choose another output file", path.display())]
    NotOwned {
        /// The file.
        path: PathBuf,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(name, value, expected))
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
