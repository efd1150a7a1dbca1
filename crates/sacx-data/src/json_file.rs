//! The read and write shared by the small versioned JSON files of a run
//! (`run.json`, `seeds-auto.json`, the stage stamps): pretty JSON written
//! atomically; a missing file reads as `None`; another format tag is refused
//! naming it.
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Writes `value` as pretty JSON with a final newline, atomically; `what`
/// names the content in an error.
pub(crate) fn write_pretty<T: Serialize>(path: &Path, value: &T, what: &'static str) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        expected: what,
        source,
    })?;
    bytes.push(b'\n');
    crate::write_atomic(path, &bytes)
}

/// Reads a file of format `format` (its tag given by `tag`); `Ok(None)` when
/// there is none. An empty tag is accepted when `untagged_ok` (files written
/// before the tag existed); any other tag is refused, naming it.
pub(crate) fn read_versioned<T: DeserializeOwned>(
    path: &Path,
    format: &'static str,
    what: &'static str,
    untagged_ok: bool,
    tag: impl Fn(&T) -> &str,
) -> Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let value: T = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        expected: what,
        source,
    })?;
    let found = tag(&value);
    if found != format && !(untagged_ok && found.is_empty()) {
        return Err(Error::Version {
            path: path.to_path_buf(),
            found: found.to_string(),
            expected: format,
        });
    }
    Ok(Some(value))
}
