//! `sacx doctor`: what sacx runs on.
use crate::bundled;
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Arguments of `sacx doctor`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// The version of libtorch sacx is built against (the one `tch` binds).
const LIBTORCH_BUILT_FOR: &str = "2.11.0";

pub fn run(_args: &Args) -> Result<()> {
    println!("sacx {}", env!("CARGO_PKG_VERSION"));
    let lib = loaded_libtorch().context(
        "libtorch is not loaded in this process; run scripts/setup-libtorch.sh or set LIBTORCH (see README)",
    )?;
    let version =
        libtorch_version(&lib).unwrap_or_else(|| format!("{LIBTORCH_BUILT_FOR} (assumed)"));
    let short = version.split('+').next().unwrap_or(&version);
    println!("libtorch {short} (build {version})");
    println!("libtorch loaded from: {}", lib.display());
    let cuda_shipped = lib.with_file_name("libtorch_cuda.so").exists();
    let cuda_linked = loaded_library("libtorch_cuda.so").is_some();
    println!(
        "libtorch_cuda: {}",
        match (cuda_linked, cuda_shipped) {
            (true, _) => "linked",
            (false, true) => "present but NOT linked",
            (false, false) => "not shipped with this libtorch (CPU-only build)",
        }
    );
    println!("device: {}", device_line());
    println!("cpu threads: {}", tch::get_num_threads());
    let docs = count_lines_gz(bundled::BYTES).context("the bundled corpus is corrupt")?;
    println!(
        "bundled corpus: {} ({:.1} MB compressed, {docs} documents)",
        bundled::NAME,
        bundled::BYTES.len() as f64 / 1e6
    );
    if cuda_shipped && !cuda_linked {
        bail!(
            "libtorch_cuda.so ships with this libtorch but the linker dropped it, so CUDA can never be used; build with build/libtorch.rs as the package's build script (rpath and -Wl,--no-as-needed)"
        );
    }
    if !version.starts_with(LIBTORCH_BUILT_FOR) {
        bail!(
            "libtorch {version} is loaded but sacx was built for {LIBTORCH_BUILT_FOR}; point LIBTORCH at a {LIBTORCH_BUILT_FOR} install and rebuild"
        );
    }
    Ok(())
}

/// The device sacx uses by default: the first GPU when CUDA works, else the CPU.
fn device_line() -> String {
    if !tch::Cuda::is_available() {
        return "cpu".to_string();
    }
    let n = tch::Cuda::device_count();
    let gpu = gpu_description().unwrap_or_else(|| "NVIDIA GPU".to_string());
    format!("cuda:0 ({gpu}; {n} visible)")
}

/// GPU name and memory from `nvidia-smi`, when it is installed.
fn gpu_description() -> Option<String> {
    let out = std::process::Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,memory.total",
            "--format=csv,noheader",
            "--id=0",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let line = text.lines().next()?.trim().to_string();
    (!line.is_empty()).then_some(line.replace(", ", ", memory "))
}

/// The loaded libtorch's version (`2.11.0+cu130`), or the one sacx is built for.
pub fn libtorch_version_string() -> String {
    loaded_libtorch()
        .and_then(|lib| libtorch_version(&lib))
        .unwrap_or_else(|| LIBTORCH_BUILT_FOR.to_string())
}

/// Path of a shared library mapped into this process.
fn loaded_library(name: &str) -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| Path::new(path).file_name().is_some_and(|f| f == name))
        .map(PathBuf::from)
}

fn loaded_libtorch() -> Option<PathBuf> {
    // Touch libtorch so that it is certainly mapped.
    let _ = tch::get_num_threads();
    loaded_library("libtorch_cpu.so")
}

/// The version of the libtorch at `lib` (…/lib/libtorch_cpu.so): PyTorch wheels
/// carry `torch/version.py`, libtorch archives a `build-version` file.
fn libtorch_version(lib: &Path) -> Option<String> {
    let root = lib.parent()?.parent()?;
    if let Ok(text) = std::fs::read_to_string(root.join("version.py")) {
        let line = text.lines().find(|l| l.starts_with("__version__"))?;
        return Some(line.split('\'').nth(1)?.to_string());
    }
    std::fs::read_to_string(root.join("build-version"))
        .ok()
        .map(|s| s.trim().to_string())
}

fn count_lines_gz(bytes: &[u8]) -> std::io::Result<usize> {
    let reader = BufReader::new(flate2::read::GzDecoder::new(bytes));
    let mut n = 0;
    for line in reader.lines() {
        if !line?.trim().is_empty() {
            n += 1;
        }
    }
    Ok(n)
}
