//! Who may write into a run directory: a directory sacx did not create is not
//! written into (unless forced), and one run at a time holds it (a lock file
//! with the holder's pid; the kernel releases the lock when the holder dies, so a
//! lock left by a killed run is taken over). Slurm array tasks (`--seeds-only`)
//! share the directory's lock and each holds its own seed's directory.
use crate::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Name of the lock file inside a run directory.
pub const LOCK_FILE: &str = ".sacx.lock";

/// Whether `dir` looks like a directory sacx wrote: its `params.json` is a sacx
/// parameter file, or it holds only what `sacx slurm` writes before the jobs run
/// (with, while a Slurm array task writes `params.json`, that write's temporary
/// file: the other tasks start at the same moment and must not take the
/// directory for a stranger's).
pub fn is_run_dir(dir: &Path) -> bool {
    let params = std::fs::read_to_string(sacx_data::layout::RunLayout::new(dir).params())
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("sacx_version").is_some() && v.get("options").is_some());
    params
        || std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().all(|e| {
                let name = e.file_name();
                name == LOCK_FILE
                    || (name == "slurm" && dir.join("slurm/seeds.sbatch").is_file())
                    || (name.to_str().is_some_and(is_params_temporary)
                        && dir.join("slurm/seeds.sbatch").is_file())
            })
        })
}

/// Whether `name` is the temporary file of an atomic write of `params.json`.
fn is_params_temporary(name: &str) -> bool {
    name.starts_with(".params.json.tmp") && sacx_data::is_temporary_name(name)
}

/// Refuses a non-empty directory that is not a sacx run, unless `force`.
pub fn check_owned(dir: &Path, force: bool) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(()); // missing: sacx creates it
    };
    if force || entries.next().is_none() || is_run_dir(dir) {
        return Ok(());
    }
    Err(Error::NotOwned {
        path: dir.to_path_buf(),
    })
}

/// The held lock of a run directory; released when dropped or when the process
/// ends.
pub struct DirLock {
    _file: File,
}

/// How a lock is held.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The only writer (`sacx run`, `sacx report`).
    Exclusive,
    /// One of several writers of disjoint parts (Slurm array tasks).
    Shared,
}

/// Takes the lock of `dir`, or says which live process holds it.
pub fn lock(dir: &Path, mode: Mode) -> Result<DirLock> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, "open the lock file", e))?;
    let taken = match mode {
        Mode::Exclusive => file.try_lock(),
        Mode::Shared => file.try_lock_shared(),
    };
    match taken {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Locked {
                path: dir.to_path_buf(),
                holder: format!(
                    "another sacx run (pid {}) is writing into this directory",
                    if holder.is_empty() { "unknown" } else { holder }
                ),
            });
        }
        Err(TryLockError::Error(e)) => {
            return Err(Error::io(&path, "lock", e));
        }
    }
    if mode == Mode::Shared {
        return Ok(DirLock { _file: file });
    }
    let pid = std::process::id().to_string();
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(pid.as_bytes()))
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(&path, "write the lock file", e))?;
    Ok(DirLock { _file: file })
}

/// Removes the temporary files a killed run left anywhere below `dir`; call it
/// only while holding the directory's exclusive lock (no other writer is alive).
/// Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize> {
    let mut removed = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(sacx_data::is_temporary_name)
            {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, "remove", e))?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slurm_directory_stays_owned_while_a_task_writes_its_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("slurm")).unwrap();
        std::fs::write(root.join("slurm/seeds.sbatch"), "#!/bin/bash\n").unwrap();
        std::fs::write(root.join(LOCK_FILE), "").unwrap();
        assert!(is_run_dir(root));
        // Another array task's params.json, between its write and its rename.
        std::fs::write(root.join(".params.json.tmp.4242.0"), "{").unwrap();
        assert!(is_run_dir(root));
        assert!(check_owned(root, false).is_ok());
        // A user's own file is still a stranger's directory.
        std::fs::write(root.join("notes.txt"), "mine").unwrap();
        assert!(!is_run_dir(root));
        // So is any other temporary name without sacx slurm's scripts.
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(".params.json.tmp.4242.0"), "{").unwrap();
        assert!(!is_run_dir(other.path()));
    }

    #[test]
    fn temporary_names_are_the_ones_sacx_writes() {
        for name in [
            ".keywords.json.tmp4242",
            "shard-00001.bin.tmp",
            ".df.json.tmp.77",
            ".model.safetensors.tmp",
            ".report.html.tmp.4242.17",
        ] {
            assert!(sacx_data::is_temporary_name(name), "{name}");
        }
        for name in ["tmp", "notes.tmpl", "report.html", "a.tmp.x"] {
            assert!(!sacx_data::is_temporary_name(name), "{name}");
        }
    }
}
