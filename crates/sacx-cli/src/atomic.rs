//! Atomic writes for the files the binary itself produces.
use anyhow::{Context, Result};
use std::path::Path;

/// Creates the parent directory of `path` if missing, then writes `bytes` with
/// [`sacx_data::write_atomic`], so the file is either complete or absent.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
    }
    Ok(sacx_data::write_atomic(path, bytes)?)
}
