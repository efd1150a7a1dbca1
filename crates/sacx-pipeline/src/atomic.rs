//! Atomic writes of the files the pipeline itself produces.
use crate::{Error, Result};
use std::path::Path;

/// Creates the parent directory of `path` if missing, then writes `bytes` with
/// [`sacx_data::write_atomic`], so the file is either complete or absent.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the directory", e))?;
    }
    Ok(sacx_data::write_atomic(path, bytes)?)
}
