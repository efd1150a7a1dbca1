//! Defects a hostile probe found (issue 26): options every command shares
//! parse the same way, output paths are checked before any work, and the
//! options a user is told to pass take effect.
mod common;

use common::{ok, sacx, small_corpus};
use std::path::Path;

/// The subcommands (with `slurm select`), from `sacx --help`.
fn subcommands() -> Vec<Vec<String>> {
    let help = ok(sacx(&["--help"]));
    let mut out: Vec<Vec<String>> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(|c| vec![c.to_string()])
        .collect();
    out.push(vec!["slurm".into(), "select".into()]);
    out
}

/// Asserts that `sacx args` fails on the command line, without a panic, with
/// an error that names every `needle`.
fn refused(args: &[&str], needles: &[&str]) {
    let out = sacx(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} was accepted");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {n:?} not in {err}");
    }
}

#[test]
fn every_threads_option_takes_1_to_1024_through_one_parser() {
    let mut with_threads = Vec::new();
    for cmd in subcommands() {
        let mut help_args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        help_args.push("--help");
        if !ok(sacx(&help_args)).contains("--threads <") {
            continue;
        }
        with_threads.push(cmd.join(" "));
        for bad in ["0", "1025", "-1", "many"] {
            let flag = format!("--threads={bad}");
            let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            args.push(&flag);
            refused(&args, &["--threads", "1 to 1024", bad]);
        }
    }
    for cmd in ["run", "train", "explain", "predict", "slurm select"] {
        assert!(with_threads.iter().any(|c| c == cmd), "{with_threads:?}");
    }
}

/// Asserts that `sacx args` fails with one stderr line naming `path` (the
/// user's, not a temporary file) and what to do.
fn refused_in_one_line(args: &[&str], path: &str) {
    let out = sacx(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} was accepted");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line: {err}");
    assert!(lines[0].contains(path), "{args:?}: {path} not in {err}");
    assert!(
        !lines[0].contains(".tmp."),
        "{args:?}: names a temporary file: {err}"
    );
    assert!(
        lines[0].contains("choose another"),
        "{args:?}: no advice: {err}"
    );
}

#[test]
fn every_command_checks_that_out_can_be_written_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 40);
    let c = corpus.to_str().unwrap();
    let scores = tmp.path().join("scores.jsonl");
    let mut body = String::from("{\"labels\": [\"A\", \"B\"]}\n");
    for line in std::fs::read_to_string(&corpus).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        body.push_str(&format!("{{\"id\": {}, \"probs\": [0.2, 0.7]}}\n", v["id"]));
    }
    std::fs::write(&scores, body).unwrap();
    let s = scores.to_str().unwrap();
    // A directory output under a regular file, a file output in a missing directory.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "mine").unwrap();
    let dir_out = file.join("sub");
    let d = dir_out.to_str().unwrap();
    let file_out = tmp.path().join("nodir").join("x.jsonl");
    let f = file_out.to_str().unwrap();
    let model = tmp.path().join("no-model");
    let m = model.to_str().unwrap();
    let t = ["--threads", "1"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["select", "--scores", s, "--corpus", c, "--out", f], f),
        (
            vec!["evaluate", "--keywords", c, "--explanations", c, "--out", f],
            f,
        ),
        (
            vec![
                "run", "--corpus", c, "--seeds", "1", "--epochs", "1", "--out", d,
            ],
            d,
        ),
        (
            vec![
                "train", "--corpus", c, "--seed", "1", "--epochs", "1", "--out", d,
            ],
            d,
        ),
        (vec!["explain", "--model", m, "--corpus", c, "--out", d], d),
        (vec!["predict", "--model", m, "--corpus", c, "--out", d], d),
        (vec!["count-words", "--corpus", c, "--out", d], d),
        (
            vec!["keywords", "--explanations", c, "--labels", "A", "--out", d],
            d,
        ),
        (vec!["simulate-al", "--corpus", c, "--out", d], d),
        (vec!["map", "--corpus", c, "--out", d], d),
        (vec!["slurm", "--corpus", c, "--out", d], d),
        (
            vec!["slurm", "select", "--model", m, "--pool", c, "--out", d],
            d,
        ),
    ];
    for (mut args, path) in cases {
        if !["count-words", "keywords", "select", "evaluate", "map"].contains(&args[0]) {
            args.extend(t);
        }
        refused_in_one_line(&args, path);
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert!(!tmp.path().join("nodir").exists());
}

/// The first `n` bundled documents under new ids (so with labels the corpus
/// knows) as JSON Lines, with one malformed line after the first document.
fn with_bad_line(dir: &Path, name: &str, n: usize) -> std::path::PathBuf {
    let src = dir.join(format!("src-{name}"));
    std::fs::create_dir_all(&src).unwrap();
    let all = std::fs::read_to_string(small_corpus(&src, n)).unwrap();
    let mut lines: Vec<String> = all
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"] = format!("new-{}", v["id"].as_str().unwrap()).into();
            v.to_string()
        })
        .collect();
    lines.insert(1, "{not json".to_string());
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn skip_bad_lines_also_skips_the_bad_lines_of_labelled_files() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 120);
    let extra = with_bad_line(tmp.path(), "labelled.jsonl", 30);
    let (c, l) = (corpus.to_str().unwrap(), extra.to_str().unwrap());
    let out = tmp.path().join("seed");
    let o = out.to_str().unwrap();
    let train = |more: &[&str]| {
        let mut args = vec![
            "train",
            "--corpus",
            c,
            "--labelled",
            l,
            "--seed",
            "1",
            "--epochs",
            "1",
            "--threads",
            "1",
            "--out",
            o,
        ];
        args.extend(more);
        sacx(&args)
    };
    // Without the flag: refused, and told to pass it.
    let bad = train(&[]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(err.contains("labelled.jsonl:2"), "{err}");
    assert!(err.contains("--skip-bad-lines"), "{err}");
    // With it, as the message says: the line is skipped and counted.
    let good = train(&["--skip-bad-lines"]);
    let err = String::from_utf8_lossy(&good.stderr).into_owned();
    ok(good);
    assert!(err.contains("extra labelled documents: 30 added"), "{err}");
    assert!(
        err.contains("labelled.jsonl:2"),
        "the skipped line is reported: {err}"
    );
}
