//! Memory of the running process, per stage: the peak resident set of each
//! stage (sampled, recorded in `run.json`), a bounded heap, and freed heap
//! handed back to the system between stages so that one stage's peak does not
//! carry into the next.
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

/// How often the resident set is sampled during a stage.
const SAMPLE_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// The largest resident set (KiB) sampled since the last [`stage_start`].
static STAGE_MAX: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The resident set (KiB) at the last [`stage_start`], after freed heap was
/// handed back: what the stage inherited.
static STAGE_START: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Starts a stage's measurement: freed heap is handed back, and the stage's
/// peak starts from the current resident set. A background thread samples
/// the resident set every 20 ms (the kernel's own peak counter is left alone,
/// so `/usr/bin/time` still reports the process's peak).
pub(crate) fn stage_start() {
    release();
    static SAMPLER: std::sync::Once = std::sync::Once::new();
    SAMPLER.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("sacx-rss".into())
            .spawn(|| {
                loop {
                    if let Some(kib) = resident_kib() {
                        STAGE_MAX.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                    }
                    std::thread::sleep(SAMPLE_EVERY);
                }
            });
    });
    let now = resident_kib().unwrap_or(0);
    STAGE_MAX.store(now, std::sync::atomic::Ordering::Relaxed);
    STAGE_START.store(now, std::sync::atomic::Ordering::Relaxed);
}

/// A stage's memory figures for `run.json`: `<stage>_peak_mib`, the peak
/// resident set since [`stage_start`], and `<stage>_start_mib`, the resident
/// set the stage started from (the corpus, the counts and whatever earlier
/// stages left). Empty where nothing is measured.
pub(crate) fn stage_figures(stage: &str) -> Vec<(String, f64)> {
    let Some(peak) = stage_peak_mib() else {
        return Vec::new();
    };
    let start = STAGE_START.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0;
    vec![
        (format!("{stage}_peak_mib"), peak),
        (format!("{stage}_start_mib"), (start * 10.0).round() / 10.0),
    ]
}

/// The peak resident set since the last [`stage_start`] (sampled), in MiB.
fn stage_peak_mib() -> Option<f64> {
    let now = resident_kib()?;
    let kib = STAGE_MAX
        .load(std::sync::atomic::Ordering::Relaxed)
        .max(now);
    Some((kib as f64 / 1024.0 * 10.0).round() / 10.0)
}

/// The process's resident set, in KiB (Linux; `None` elsewhere).
fn resident_kib() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
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
