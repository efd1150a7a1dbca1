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

/// One xml-cnn seed trained once per test file (1 epoch, 400 bundled
/// documents, 1 thread, the validation split's best threshold applied):
/// `(corpus, seed directory)`.
pub fn trained() -> (&'static Path, &'static Path) {
    static TRAINED: std::sync::OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> =
        std::sync::OnceLock::new();
    let (_, corpus, seed) = TRAINED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = small_corpus(dir.path(), 400);
        let seed = dir.path().join("seed-1");
        ok(sacx(&[
            "train",
            "--corpus",
            corpus.to_str().unwrap(),
            "--seed",
            "1",
            "--epochs",
            "1",
            "--threads",
            "1",
            // Its own threshold (not 0.5), which predict and explain must use.
            "--apply-best-threshold",
            "--out",
            seed.to_str().unwrap(),
        ]));
        (dir, corpus, seed)
    });
    (corpus, seed)
}
