//! Atomic file writes: the one way every sacx crate replaces a file.
use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of concurrent writes within one process.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// A temporary name next to `path`, unique to this process and this call:
/// `.<name>.tmp.<pid>.<n>`, hidden and in the same directory (so the rename
/// stays on one file system).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.tmp.{}.{n}", std::process::id()))
}

/// Whether `name` is a temporary file a sacx write leaves behind when it is
/// killed before its rename: `….tmp` (a shard being streamed), `….tmp<pid>` or
/// `….tmp.<pid>` (earlier versions) and `….tmp.<pid>.<n>` ([`write_atomic`]).
///
/// ```
/// assert!(sacx_data::is_temporary_name(".keywords.json.tmp.4242.0"));
/// assert!(sacx_data::is_temporary_name("shard-00001.bin.tmp"));
/// assert!(!sacx_data::is_temporary_name("notes.tmpl"));
/// ```
pub fn is_temporary_name(name: &str) -> bool {
    let Some(at) = name.rfind(".tmp") else {
        return false;
    };
    let rest = &name[at + 4..];
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    !rest.starts_with('.')
        && !rest.ends_with('.')
        && !rest.contains("..")
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Writes `bytes` to `path` atomically: to a uniquely named temporary file in
/// the same directory, synced to disk, then renamed over `path`. A reader sees
/// the old file or the whole new one, never a partial one; on failure the
/// temporary file is removed and the error names the path that failed.
///
/// The directory must exist.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.json");
/// sacx_data::write_atomic(&path, b"{}")?;
/// sacx_data::write_atomic(&path, b"[1]")?;
/// assert_eq!(std::fs::read(&path)?, b"[1]");
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |tmp| std::fs::File::create(tmp)?.write_all(bytes))
}

/// [`write_atomic`] of a file that `write` creates at the temporary path it
/// is given (a writer that streams, so that a large file is never whole in
/// memory); the file is synced, then renamed over `path`.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temp_path(path);
    let written = (|| {
        write(&tmp)?;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&tmp)?
            .sync_all()
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Io { path: tmp, source });
    }
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_leaves_no_temporary_and_names_the_path_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_ne!(temp_path(&path), temp_path(&path));
        let missing = dir.path().join("no/such/dir/b.txt");
        let e = write_atomic(&missing, b"x").unwrap_err();
        assert!(e.to_string().contains("b.txt"), "{e}");
    }
}
