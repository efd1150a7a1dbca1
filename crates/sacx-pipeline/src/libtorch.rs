//! Which libtorch this process runs on.
use std::path::{Path, PathBuf};

/// The version of libtorch sacx is built against (the one `tch` binds).
pub const BUILT_FOR: &str = "2.11.0";

/// The loaded libtorch's version (`2.11.0+cu130`), or the one sacx is built for.
pub fn version_string() -> String {
    loaded_libtorch()
        .and_then(|lib| libtorch_version(&lib))
        .unwrap_or_else(|| BUILT_FOR.to_string())
}

/// Path of a shared library mapped into this process.
pub fn loaded_library(name: &str) -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| Path::new(path).file_name().is_some_and(|f| f == name))
        .map(PathBuf::from)
}

/// Path of the loaded `libtorch_cpu.so`.
pub fn loaded_libtorch() -> Option<PathBuf> {
    // Touch libtorch so that it is certainly mapped.
    let _ = tch::get_num_threads();
    loaded_library("libtorch_cpu.so")
}

/// The version of the libtorch at `lib` (…/lib/libtorch_cpu.so): PyTorch wheels
/// carry `torch/version.py`, libtorch archives a `build-version` file.
pub fn libtorch_version(lib: &Path) -> Option<String> {
    let root = lib.parent()?.parent()?;
    if let Ok(text) = std::fs::read_to_string(root.join("version.py")) {
        let line = text.lines().find(|l| l.starts_with("__version__"))?;
        return Some(line.split('\'').nth(1)?.to_string());
    }
    std::fs::read_to_string(root.join("build-version"))
        .ok()
        .map(|s| s.trim().to_string())
}
