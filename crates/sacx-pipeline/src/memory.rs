//! Memory of the running process, per stage: the peak resident set of each
//! stage (recorded in `run.json`), and freed heap handed back to the system
//! between stages so that one stage's peak does not carry into the next.
//!
//! Linux only; elsewhere nothing is measured and nothing is trimmed.

/// Heap blocks of at least this many bytes are mapped on their own and given
/// back to the system when freed.
pub const MMAP_THRESHOLD: i32 = 1 << 20;

/// Makes glibc map every heap block of [`MMAP_THRESHOLD`] bytes or more on
/// its own, and return it to the system when freed.
///
/// libtorch allocates and frees large, differently sized buffers on every
/// model call. With glibc's default, which raises the threshold after each
/// freed large block, those buffers come from the heap, which fragments and
/// never shrinks: the faithfulness stage grew from 0.5 to 2.3 GB on the
/// bundled corpus. With a fixed threshold it stays at its working set, and is
/// faster. Results are unchanged (only where memory lives changes). Called by
/// [`crate::Run::run`] and at the start of the `sacx` binary.
pub fn bound_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only sets a glibc tunable; any value is accepted or
    // refused by glibc itself.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// Starts a stage's measurement: the process's peak resident set is reset to
/// its current resident set, after freed heap was handed back.
pub(crate) fn stage_start() {
    release();
    #[cfg(target_os = "linux")]
    {
        // "5" resets the peak resident set size (VmHWM); without permission,
        // the peak stays the process's, which is still an upper bound.
        let _ = std::fs::write("/proc/self/clear_refs", b"5");
    }
}

/// The peak resident set since the last [`stage_start`], in MiB.
pub(crate) fn stage_peak_mib() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some((kib / 1024.0 * 10.0).round() / 10.0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Hands freed heap back to the system (glibc keeps it otherwise, and it
/// counts in the resident set of every later stage).
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim only walks glibc's own arenas and releases free
    // pages; it has no precondition.
    unsafe {
        libc::malloc_trim(0);
    }
}
