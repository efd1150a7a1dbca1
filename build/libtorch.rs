//! Shared build script for every sacx package whose binaries or tests link libtorch.
//!
//! torch-sys links libtorch, but two things it cannot do for downstream binaries:
//! 1. an rpath to the libtorch library folder, so `target/*/sacx` and test executables
//!    run without LD_LIBRARY_PATH;
//! 2. keep `libtorch_cuda` in the binary: rustc links with `--as-needed`, nothing in
//!    the Rust code references a CUDA symbol, so the linker drops the library and
//!    `tch::Cuda::is_available()` says false even on a GPU machine. Listing it again
//!    after `--no-as-needed` keeps it.
//!
//! `rustc-link-arg` applies to this package's binaries, tests, benches and examples.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=LIBTORCH_LIB");
    let lib = match std::env::var("LIBTORCH_LIB") {
        Ok(lib) => PathBuf::from(lib),
        Err(_) => match std::env::var("LIBTORCH") {
            Ok(root) => PathBuf::from(root).join("lib"),
            Err(_) => return, // torch-sys reports the missing libtorch itself
        },
    };
    // Resolve symlinks (.venv/libtorch) so the rpath names the real folder.
    let lib = lib.canonicalize().unwrap_or(lib);
    println!("cargo:rerun-if-changed={}", lib.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-L{}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
}
