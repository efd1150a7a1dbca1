//! Checks, before any long work, that an output path can be written: the one
//! helper every command runs on its `--out`, so that a mistyped path fails at
//! once, naming the path as given, instead of after the work and naming a
//! temporary file.
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What an output path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// A directory the command creates if missing and fills.
    Dir,
    /// One file, written into a directory that must exist.
    File,
}

/// Checks that `path` can be written as `kind`, writing nothing that stays:
/// a directory output may be missing (its nearest existing ancestor must be a
/// writable directory) but not a file; a file output's directory must exist
/// and be writable, and the path must not be a directory. Writability is
/// tried with a file created and removed at once.
///
/// ```
/// use sacx_data::{OutputKind, check_output};
/// let dir = tempfile::tempdir()?;
/// check_output(&dir.path().join("new/run"), OutputKind::Dir)?;
/// check_output(&dir.path().join("x.jsonl"), OutputKind::File)?;
/// let err = check_output(&dir.path().join("nodir/x.jsonl"), OutputKind::File).unwrap_err();
/// assert!(err.to_string().contains("does not exist"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_output(path: &Path, kind: OutputKind) -> Result<()> {
    let fail = |reason: String| {
        Err(Error::NotWritable {
            path: path.to_path_buf(),
            reason,
        })
    };
    if kind == OutputKind::File && path.is_dir() {
        return fail("it is a directory, and a file is written here; choose another path".into());
    }
    if kind == OutputKind::Dir && path.exists() && !path.is_dir() {
        return fail("it is a file, not a directory; choose another path".into());
    }
    let dir = match kind {
        OutputKind::Dir if path.is_dir() => path.to_path_buf(),
        OutputKind::Dir => match nearest_existing(path) {
            Some(d) => d,
            None => return fail("no part of it exists; choose another path".into()),
        },
        OutputKind::File => parent(path),
    };
    if !dir.exists() {
        return fail(format!(
            "the directory {} does not exist; create it or choose another path",
            dir.display()
        ));
    }
    if !dir.is_dir() {
        return fail(format!(
            "{} is a file, not a directory; choose another path",
            dir.display()
        ));
    }
    if let Err(e) = probe(&dir) {
        return fail(format!(
            "the directory {} cannot be written ({e}); choose another path or change its permissions",
            dir.display()
        ));
    }
    Ok(())
}

/// The directory `path` is in (`.` for a bare name).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The nearest ancestor of `path` that exists (`.` for a relative path none
/// of whose parts exist).
fn nearest_existing(path: &Path) -> Option<PathBuf> {
    let mut cur = parent(path);
    loop {
        if cur.exists() {
            return Some(cur);
        }
        let next = parent(&cur);
        if next == cur {
            return None;
        }
        cur = next;
    }
}

/// Creates and removes a hidden file in `dir`.
fn probe(dir: &Path) -> std::io::Result<()> {
    static N: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        ".sacx-write-check.{}.{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let path = dir.join(name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)
}
