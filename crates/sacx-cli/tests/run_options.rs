//! `sacx run` identifies its corpus by content, checks every option before any
//! work, and writes `run.json` before the report (issue 13, defects 1, 3, 5, 9).
mod common;

use common::{ok, sacx, small_corpus};

const SMALL: [&str; 8] = [
    "--seeds",
    "1",
    "--epochs",
    "1",
    "--threads",
    "1",
    "--ig-steps",
    "8",
];

fn run(corpus: &str, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--corpus", corpus, "--out", out];
    args.extend(SMALL);
    args.extend(extra);
    sacx(&args)
}

#[test]
fn a_changed_corpus_is_refused_and_the_same_file_under_another_path_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let base = small_corpus(tmp.path(), 200);
    let text = std::fs::read_to_string(&base).unwrap();
    let file = tmp.path().join("c.jsonl");
    std::fs::write(&file, &text).unwrap();
    let out = tmp.path().join("r").display().to_string();
    let first = ok(run(&file.display().to_string(), &out, &[]));
    assert!(first.contains("report:"));
    let report = std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    assert!(
        !report.contains("run.json is missing"),
        "the report was written before run.json"
    );

    // The same content by a relative path: a resume, not a refusal.
    let same = std::process::Command::new(env!("CARGO_BIN_EXE_sacx"))
        .current_dir(tmp.path())
        .args(
            ["run", "--corpus", "c.jsonl", "--out", "r"]
                .iter()
                .chain(SMALL.iter()),
        )
        .output()
        .unwrap();
    let stdout = ok(same);
    assert!(stdout.contains("report:"), "{stdout}");

    // Half the documents in the same file: refused before any work, naming the corpus.
    let half: String = text.lines().take(100).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, half).unwrap();
    let changed = run(&file.display().to_string(), &out, &[]);
    assert!(!changed.status.success());
    let err = String::from_utf8_lossy(&changed.stderr);
    let line = err.lines().last().unwrap();
    assert!(
        line.contains("params.json") && line.contains("corpus.documents was 200, now 100"),
        "{err}"
    );
}

#[test]
fn bad_options_fail_before_any_file_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 50).display().to_string();
    let out_dir = tmp.path().join("never");
    let out = out_dir.display().to_string();
    for (extra, needle) in [
        (&["--top-n", "0"][..], "top_n = 0"),
        (&["--selection-freq", "1.5"][..], "selection_freq = 1.5"),
        (&["--ig-steps", "100000"][..], "n_steps '100000'"),
        (&["--eval-k", "0"][..], "--eval-k 0"),
        (&["--baselines", "ig"][..], "--baselines ig"),
        (&["--threads", "0"][..], "from 1 to 1024"),
        (&["--threads", "1000000"][..], "from 1 to 1024"),
    ] {
        let o = run(&corpus, &out, extra);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{extra:?} was accepted");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
        assert!(!out_dir.exists(), "{extra:?} wrote {}", out_dir.display());
    }
}
