//! `stages/<stage>.json`: a finished stage's stamp. A stage of a run writes its
//! stamp after its outputs, with a fingerprint of everything its outputs depend
//! on (options, the outputs of earlier stages, the seed set). A later start whose
//! fingerprint equals the stamp's skips the stage; any other fingerprint redoes
//! it. One versioned type, its writer and its reader.
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fnv::Fnv1a;

/// Format tag of a stage stamp.
pub const STAMP_FORMAT: &str = "sacx-stage/1";

/// What a finished stage depended on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStamp {
    /// [`STAMP_FORMAT`].
    pub format: String,
    /// The stage's name (`keywords`, `evaluation`, …).
    pub stage: String,
    /// FNV-1a (hex) over the stage's inputs: see [`StageInputs`].
    pub inputs: String,
}

impl StageStamp {
    /// A stamp of `stage` with the fingerprint `inputs`.
    pub fn new(stage: &str, inputs: &StageInputs) -> Self {
        Self {
            format: STAMP_FORMAT.to_string(),
            stage: stage.to_string(),
            inputs: inputs.hex(),
        }
    }

    /// Reads a stamp; `Ok(None)` when there is none. Another format version
    /// is refused with a message naming it.
    pub fn read(path: &Path) -> Result<Option<Self>> {
        crate::json_file::read_versioned(
            path,
            STAMP_FORMAT,
            "a sacx stage stamp",
            false,
            |s: &Self| s.format.as_str(),
        )
    }

    /// Whether the stamp at `path` names these inputs (a missing, unreadable or
    /// other-version stamp does not: the stage is redone).
    pub fn matches(path: &Path, inputs: &StageInputs) -> bool {
        matches!(Self::read(path), Ok(Some(s)) if s.inputs == inputs.hex())
    }

    /// Writes the stamp atomically (creating its directory).
    pub fn write(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        crate::json_file::write_pretty(path, self, "a serialisable stage stamp")
    }
}

/// The fingerprint of a stage's inputs, fed piece by piece.
///
/// ```
/// use sacx_data::stamp::StageInputs;
/// let a = StageInputs::new("keywords").text("top-n=10").number(3);
/// let b = StageInputs::new("keywords").text("top-n=10").number(4);
/// assert_ne!(a.hex(), b.hex());
/// ```
#[derive(Clone, Debug)]
pub struct StageInputs(Fnv1a);

impl StageInputs {
    /// Starts the fingerprint of `stage`.
    pub fn new(stage: &str) -> Self {
        Self(Fnv1a::new()).text(stage)
    }
    /// Adds a string (length-prefixed, so pieces cannot run together).
    pub fn text(mut self, s: &str) -> Self {
        self.0.update(&(s.len() as u64).to_le_bytes());
        self.0.update(s.as_bytes());
        self
    }
    /// Adds a number.
    pub fn number(mut self, n: u64) -> Self {
        self.0.update(&n.to_le_bytes());
        self
    }
    /// Adds a file's bytes, or a marker when it cannot be read.
    pub fn file(self, path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => self.number(Fnv1a::of(&bytes)),
            Err(_) => self.text("<missing>"),
        }
    }
    /// The fingerprint, as hex.
    pub fn hex(&self) -> String {
        self.0.hex()
    }
}
