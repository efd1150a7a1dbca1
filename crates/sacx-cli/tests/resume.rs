//! `sacx run` killed during explanation and started again ends with the same
//! keywords (and the same shards) as an uninterrupted run. The kill happens at
//! a fixed point (a test hook aborts after the second shard), not at a time.
mod common;

use common::{ok, small_corpus};
use std::path::Path;
use std::process::{Command, Stdio};

fn args(corpus: &Path, out: &Path) -> Vec<String> {
    [
        "run",
        "--corpus",
        &corpus.display().to_string(),
        "--seed-list",
        "1,2",
        "--model",
        "transformer",
        "--epochs",
        "1",
        "--ig-steps",
        "16",
        "--targets",
        "gold",
        "--shard-docs",
        "2",
        "--threads",
        "1",
        "--baselines",
        "log-odds",
        "--out",
        &out.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_run_killed_during_explanation_resumes_to_the_same_keywords() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 500);
    let (full, killed) = (tmp.path().join("full"), tmp.path().join("killed"));
    let sacx = env!("CARGO_BIN_EXE_sacx");

    ok(Command::new(sacx)
        .args(args(&corpus, &full))
        .output()
        .unwrap());

    // Start again in another directory; a test hook aborts the process (as a
    // kill would) right after seed 1's second explanation shard is complete.
    let status = Command::new(sacx)
        .args(args(&corpus, &killed))
        .env("SACX_TEST_ABORT_AFTER_SHARDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the run was not stopped by the hook");
    let shards = killed.join("runs/seed-1/explanations");
    let written: Vec<_> = files(&shards).into_iter().map(|(name, _)| name).collect();
    assert_eq!(written, ["shard-00000.bin", "shard-00001.bin"]);
    assert!(!shards.join("summary.json").exists());
    assert!(!killed.join("keywords").exists());

    let out = ok(Command::new(sacx)
        .args(args(&corpus, &killed))
        .output()
        .unwrap());
    assert!(out.contains("report:"), "{out}");
    let read = |dir: &Path| std::fs::read(dir.join("keywords/keywords.json")).unwrap();
    assert_eq!(
        read(&full),
        read(&killed),
        "keywords.json differs after the resume"
    );
    for seed in ["seed-1", "seed-2"] {
        let dir = |root: &Path| root.join("runs").join(seed).join("explanations");
        assert_eq!(
            files(&dir(&full)),
            files(&dir(&killed)),
            "{seed}'s shards differ"
        );
    }
}
