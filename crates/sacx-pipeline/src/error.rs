//! The crate's error type.
use std::path::PathBuf;

/// Everything that can go wrong in a pipeline run. Stage errors keep the
/// library error as it is (each names its file, line or value); the variants
/// of this crate name the run directory or the option at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A corpus, tokenizer, shard or count error.
    #[error(transparent)]
    Data(#[from] sacx_data::Error),
    /// A training, checkpoint or device error.
    #[error(transparent)]
    Model(#[from] sacx_model::Error),
    /// An attribution error.
    #[error(transparent)]
    Ig(#[from] sacx_ig::Error),
    /// A keyword ranking or evaluation error.
    #[error(transparent)]
    Aggregate(#[from] sacx_aggregate::Error),
    /// A report error.
    #[error(transparent)]
    Report(#[from] sacx_report::Error),
    /// A selection error (active-learning simulation).
    #[error(transparent)]
    Select(#[from] sacx_select::Error),
    /// A map could not be built, saved, loaded or searched.
    #[error(transparent)]
    Map(#[from] sacx_map::Error),
    /// A parameter outside its range.
    #[error(transparent)]
    InvalidParameter(#[from] sacx_data::InvalidParameter),
    /// Options that do not fit together (one set for another model than the
    /// one chosen).
    #[error("{option}: {reason}")]
    Conflict {
        /// The option (its field name in [`RunOptions`](crate::RunOptions), as
        /// the command line spells it).
        option: &'static str,
        /// Why it does not fit.
        reason: String,
    },
    /// A corpus file that does not exist.
    #[error("{path}: no such corpus file")]
    NoCorpusFile {
        /// The file given.
        path: PathBuf,
    },
    /// A corpus with no document left after loading.
    #[error("{corpus}: no documents left to use ({detail})")]
    EmptyCorpus {
        /// The corpus's name.
        corpus: String,
        /// Lines read and dropped, by reason.
        detail: String,
    },
    /// A non-empty map directory that holds no sacx map.
    #[error(
        "{path}: the directory is not empty and holds no sacx map (no map.json); choose a new or empty directory for the map"
    )]
    NotMapDir {
        /// The directory.
        path: PathBuf,
    },
    /// A non-empty output directory that holds no sacx run.
    #[error(
        "{path}: the directory is not empty and holds no sacx run (no sacx params.json); choose a new or empty output directory"
    )]
    NotOwned {
        /// The directory.
        path: PathBuf,
    },
    /// A run directory that another live process writes.
    #[error("{path}: {holder}; wait for it to finish or stop it")]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it (`held by sacx process 1234`).
        holder: String,
    },
    /// A run directory made with other options.
    #[error(
        "{path}: this directory holds a run with other options ({difference}){}; resume it with the same options or use another output directory",
        if *.thread_count { THREADS_WHY } else { "" }
    )]
    OtherOptions {
        /// The `params.json` file.
        path: PathBuf,
        /// Where the saved and the requested options first differ.
        difference: String,
        /// Whether the difference is the CPU thread count (which changes
        /// libtorch's results in the last bits).
        thread_count: bool,
    },
    /// A run directory written by a sacx whose `params.json` format this one
    /// does not read.
    #[error(
        "{path}: a run of format {found}, but this sacx reads {}; resume it with the sacx version that made it, or start the run in another output directory",
        crate::identity::IDENTITY_FORMAT
    )]
    OtherRunFormat {
        /// The `params.json` file.
        path: PathBuf,
        /// The format tag it holds.
        found: String,
    },
    /// A plan file of another format than this sacx reads.
    #[error(
        "{path}: a plan of format '{found}', but this sacx reads {}; write the plan again with this sacx (sacx slurm)",
        crate::plan::PLAN_FORMAT
    )]
    OtherPlanFormat {
        /// The plan file.
        path: PathBuf,
        /// The format tag it holds.
        found: String,
    },
    /// A seed whose data or files are not what its earlier stages left.
    #[error("seed {seed}: {reason}")]
    Seed {
        /// The seed.
        seed: u64,
        /// What is wrong.
        reason: String,
    },
    /// A counts directory without `df.json`.
    #[error("{dir}: no df.json here; count the class words into it first (sacx count-words)")]
    NoCounts {
        /// The directory.
        dir: PathBuf,
    },
    /// No explanation shards where some are needed.
    #[error("{}", no_explanations(.path.as_deref()))]
    NoExplanations {
        /// The first path given, when one was.
        path: Option<PathBuf>,
    },
    /// A file sacx wrote earlier that cannot be read back.
    #[error("{path}: {what}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the file should be.
        what: &'static str,
        /// serde's error, with line and column.
        source: serde_json::Error,
    },
    /// An I/O failure on a named path.
    #[error("{path}: cannot {action}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What was being done (`create the directory`, `write`).
        action: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A model path that is neither a checkpoint nor a run directory with
    /// trained seeds.
    #[error("{path}: {reason}")]
    NoModel {
        /// The path given.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The run was stopped by a test hook (`SACX_TEST_ABORT_AFTER_SHARDS`).
    #[error("stopped after {shards} shards (SACX_TEST_ABORT_AFTER_SHARDS)")]
    TestAbort {
        /// Shards written in this process before stopping.
        shards: usize,
    },
}

impl Error {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// An option value no stage accepts, in the shape every crate uses
    /// ([`sacx_data::InvalidParameter`]).
    pub(crate) fn param(
        option: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter(sacx_data::InvalidParameter::new(option, value, expected))
    }
}

/// Why a different thread count refuses a resume.
const THREADS_WHY: &str = " (libtorch's CPU results depend on the thread count, so a resumed run must use the same thread count)";

fn no_explanations(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) => format!("no explanation shards found under {}", p.display()),
        None => "no explanations given: name shard files, directories or TSV files".into(),
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
