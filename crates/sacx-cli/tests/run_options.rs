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
    // run.json's memory profile: every corpus-wide stage has its peak and the
    // resident set it started from, the start no higher than the peak.
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("r/run.json")).unwrap())
            .unwrap();
    for stage in ["count", "keywords", "baselines", "evaluate", "faithfulness"] {
        let figure = |what: &str| {
            record["seconds"][format!("{stage}_{what}_mib")]
                .as_f64()
                .unwrap_or_else(|| panic!("run.json lacks {stage}_{what}_mib"))
        };
        assert!(figure("start") > 0.0 && figure("start") <= figure("peak"));
    }

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
    let stderr = String::from_utf8_lossy(&same.stderr).into_owned();
    ok(same);
    assert!(stderr.contains("nothing to do"), "{stderr}");

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
        (&["--ig-steps", "100000"][..], "n_steps = 100000"),
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

#[test]
fn a_directory_sacx_did_not_create_is_not_written_into() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 50).display().to_string();
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("report.html"), "my own report").unwrap();
    let o = run(&corpus, &mine.display().to_string(), &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("holds no sacx run") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("report.html")).unwrap(),
        "my own report"
    );
    assert_eq!(
        std::fs::read_dir(&mine).unwrap().count(),
        1,
        "something was written"
    );
    // `sacx report` on a folder that is not a run (here the corpus folder).
    let o = sacx(&["report", "--run", &tmp.path().display().to_string()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a sacx run directory"));
    assert!(!tmp.path().join("report.html").exists());
}

#[test]
fn a_live_holder_of_the_directory_is_named_and_a_dead_one_is_taken_over() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 60).display().to_string();
    let dir = tmp.path().join("r");
    let out = dir.display().to_string();
    std::fs::create_dir(&dir).unwrap();
    // This test process plays a live run holding the lock.
    let lock = std::fs::File::create(dir.join(".sacx.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(dir.join(".sacx.lock"), "4242").unwrap();
    let o = run(&corpus, &out, &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("another sacx run (pid 4242)"), "{err}");
    assert!(!dir.join("params.json").exists());
    // The holder is gone (its lock released, its pid left in the file).
    drop(lock);
    assert!(ok(run(&corpus, &out, &[])).contains("report:"));
    // Temporary files of a killed run are removed by the next one.
    let stale = [
        dir.join("keywords/.keywords.json.tmp4242"),
        dir.join("runs/seed-1/explanations/shard-00007.bin.tmp"),
    ];
    for f in &stale {
        std::fs::write(f, "half").unwrap();
    }
    ok(run(&corpus, &out, &[]));
    for f in &stale {
        assert!(!f.exists(), "{} left behind", f.display());
    }
    // Resuming with another thread count is refused with the reason.
    let o = run(&corpus, &out, &["--threads", "2"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("train.threads was 1, now 2"),
        "{err}"
    );
}

#[test]
fn each_cause_is_printed_once_and_nothing_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("cut.jsonl.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b]).unwrap();
    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let null = tmp.path().join("null.jsonl");
    std::fs::write(&null, "{\"text\": null, \"labels\": []}\n").unwrap();
    let out = tmp.path().join("never").display().to_string();
    for (corpus, needle) in [
        (tmp.path().to_path_buf(), "Is a directory"),
        (gz, "deflate"),
        (empty, "no documents left to use (0 non-blank lines read"),
        (null, "\"text\" must be a string, found null;"),
    ] {
        let o = run(&corpus.display().to_string(), &out, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        let line = err.lines().last().unwrap();
        assert!(!o.status.success() && line.contains(needle), "{err}");
        let first = line.find(needle).unwrap();
        assert!(
            !line[first + needle.len()..].contains(needle),
            "printed twice: {line}"
        );
        assert!(!tmp.path().join("never").exists());
    }
}

#[test]
fn documents_cut_at_max_len_are_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("long.jsonl");
    let mut text = format!(
        "{{\"text\": \"{}\", \"labels\": [\"A\"]}}\n",
        "word ".repeat(3000)
    );
    for i in 0..30 {
        let label = if i % 2 == 0 { "A" } else { "B" };
        text.push_str(&format!(
            "{{\"text\": \"short text {i}\", \"labels\": [\"{label}\"]}}\n"
        ));
    }
    std::fs::write(&corpus, text).unwrap();
    let out = tmp.path().join("r").display().to_string();
    let o = run(&corpus.display().to_string(), &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("seed 1: 1 of 31 documents truncated at tokenization (--max-len 512)"),
        "{err}"
    );
    assert!(!err.contains("truncated at tokenization: 0"), "{err}");
}
