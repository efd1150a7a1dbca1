//! Helpers shared by the binary's integration tests.
#![allow(dead_code)]
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod slurm;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The first `n` documents of the bundled corpus, as a JSON Lines file in `dir`.
pub fn small_corpus(dir: &Path, n: usize) -> PathBuf {
    let gz = std::fs::File::open(workspace().join("data/appstream.jsonl.gz")).unwrap();
    let lines = BufReader::new(flate2::read::GzDecoder::new(gz)).lines();
    let path = dir.join("corpus.jsonl");
    let mut out = std::fs::File::create(&path).unwrap();
    for line in lines.take(n) {
        writeln!(out, "{}", line.unwrap()).unwrap();
    }
    path
}

/// Runs the sacx binary.
pub fn sacx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(args)
        .output()
        .expect("run sacx")
}

/// Asserts success and returns stdout.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "sacx failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
