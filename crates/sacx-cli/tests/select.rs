//! `sacx select` end to end: a pool corpus and its scores in, a selection and
//! its summary out; bad input stops with one line naming file, line or flag.
mod common;

use common::sacx;
use std::path::Path;

/// A pool of `n` documents (even rows about chess, odd ones about photos)
/// and its scores for one class.
fn pool(dir: &Path, n: usize) -> (String, String) {
    let (mut corpus, mut scores) = (
        String::new(),
        String::from("{\"labels\": [\"Game\"], \"threshold\": 0.5}\n"),
    );
    for i in 0..n {
        let (text, p) = if i % 2 == 0 {
            (
                format!("chess board puzzle number {i}"),
                0.6 + (i % 7) as f32 * 0.05,
            )
        } else {
            (
                format!("photo editor tool number {i}"),
                0.05 + (i % 5) as f32 * 0.08,
            )
        };
        corpus.push_str(&format!("{{\"id\": \"d{i}\", \"text\": \"{text}\"}}\n"));
        scores.push_str(&format!("{{\"id\": \"d{i}\", \"probs\": [{p}]}}\n"));
    }
    let (c, s) = (dir.join("pool.jsonl"), dir.join("scores.jsonl"));
    std::fs::write(&c, corpus).unwrap();
    std::fs::write(&s, scores).unwrap();
    (c.display().to_string(), s.display().to_string())
}

fn last_line(o: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{err}");
    err.lines().last().unwrap_or_default().to_string()
}

#[test]
fn selects_from_a_scored_pool_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, scores) = pool(tmp.path(), 200);
    let out = tmp.path().join("sel.jsonl");
    let out_s = out.display().to_string();
    let labelled = tmp.path().join("labelled.jsonl");
    std::fs::write(
        &labelled,
        "{\"id\": \"d0\", \"text\": \"x\", \"labels\": [\"Game\"]}\n",
    )
    .unwrap();
    let args = [
        "select",
        "--scores",
        &scores,
        "--corpus",
        &corpus,
        "--out",
        &out_s,
        "--exploit",
        "5",
        "--uncertain",
        "5",
        "--explore",
        "5",
        "--seed",
        "3",
        "--labelled",
        labelled.to_str().unwrap(),
    ];
    let o = sacx(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = std::fs::read(&out).unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&first)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows.len(),
        10,
        "5 exploit + 5 uncertainty: \"chess\" is in every top document and half the pool, lift 1 / (101 / 201) < 2"
    );
    assert!(rows.iter().all(|r| r["id"] != "d0"));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("sel.summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["pool"], 200);
    assert_eq!(summary["labelled_skipped"], 1);
    // Same seed: same bytes (the file is sacx's, so it is replaced).
    assert!(sacx(&args).status.success());
    assert_eq!(std::fs::read(&out).unwrap(), first);

    // A score line whose id is not the corpus document's.
    let bad = tmp.path().join("bad-scores.jsonl");
    let text = std::fs::read_to_string(&scores)
        .unwrap()
        .replacen("\"d3\"", "\"zz\"", 1);
    std::fs::write(&bad, text).unwrap();
    let other = tmp.path().join("other.jsonl").display().to_string();
    let line = last_line(&sacx(&[
        "select",
        "--scores",
        bad.to_str().unwrap(),
        "--corpus",
        &corpus,
        "--out",
        &other,
    ]));
    assert!(
        line.contains("bad-scores.jsonl line 5: id \"zz\"") && line.contains("has id \"d3\""),
        "{line}"
    );
    // A parameter out of range names its flag.
    let line = last_line(&sacx(&[
        "select", "--scores", &scores, "--corpus", &corpus, "--out", &other, "--max-n", "5",
    ]));
    assert_eq!(line, "sacx: error: --max-n 5: expected 1..=3");
    // A file sacx did not write is not replaced.
    let mine = tmp.path().join("mine.jsonl");
    std::fs::write(&mine, "my notes\n").unwrap();
    let line = last_line(&sacx(&[
        "select",
        "--scores",
        &scores,
        "--corpus",
        &corpus,
        "--out",
        mine.to_str().unwrap(),
    ]));
    assert!(
        line.contains("mine.jsonl: exists and is not a selection written by sacx"),
        "{line}"
    );
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes\n");
}

#[test]
fn peer_strategies_choose_by_their_score_and_say_what_they_lack() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, scores) = pool(tmp.path(), 200);
    let labelled = tmp.path().join("labelled.jsonl");
    std::fs::write(
        &labelled,
        "{\"id\": \"d0\", \"text\": \"x\", \"labels\": [\"Game\"]}\n{\"id\": \"d1\", \"text\": \"y\", \"labels\": []}\n",
    )
    .unwrap();
    let out = tmp.path().join("peer.jsonl");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "select",
            "--scores",
            &scores,
            "--corpus",
            &corpus,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        sacx(&args)
    };
    // Least confidence on one class: the lowest probabilities first, none
    // of a labelled id, as many as --budget.
    let o = run(&[
        "--strategy",
        "least-confidence",
        "--budget",
        "7",
        "--labelled",
        labelled.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 7);
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    for r in &rows {
        assert_eq!(r["reason"], "strategy");
        assert!(r["id"] != "d1", "a labelled id was chosen");
        // The least confident documents are the photo rows, p = 0.05.
        assert!((r["score"].as_f64().unwrap() + 0.05).abs() < 1e-6, "{r}");
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("peer.summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["parameters"]["strategy"], "least-confidence");
    assert_eq!(summary["labelled_skipped"], 2);
    // CVIRS needs the classes of the labelled documents; the committee the
    // per-seed probabilities of sacx predict; an unknown name lists the
    // choices. Each in one line, before the pool is read.
    for (extra, expected) in [
        (vec!["--strategy", "cvirs"], "--labelled"),
        (vec!["--strategy", "committee"], "--predictions"),
        (vec!["--strategy", "qbc"], "breaking-ties"),
        (vec!["--strategy", "random", "--budget", "0"], "--budget"),
    ] {
        let line = last_line(&run(&extra));
        assert!(line.contains(expected), "{extra:?}: {line}");
    }
}
