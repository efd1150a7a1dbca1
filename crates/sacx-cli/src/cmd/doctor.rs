//! `sacx doctor`: what sacx runs on.
use anyhow::{Context, Result, bail};
use sacx_pipeline::bundled;
use sacx_pipeline::libtorch::{
    BUILT_FOR as LIBTORCH_BUILT_FOR, libtorch_version, loaded_library, loaded_libtorch,
};
use std::io::{BufRead, BufReader};

/// Arguments of `sacx doctor`.
#[derive(clap::Args, Debug)]
pub struct Args {}

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
