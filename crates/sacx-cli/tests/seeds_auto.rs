//! `sacx run --seeds auto`: seeds one by one until the keyword lists are
//! stable; it says why it stopped, records it in seeds-auto.json, writes the
//! stability per class into evaluation.json and the report, and resumes.
use std::io::Write;
use std::path::{Path, PathBuf};

/// A corpus the smallest models learn in a few epochs: three classes, each
/// with words of its own, and words every class uses.
fn learnable_corpus(dir: &Path, n: usize) -> PathBuf {
    let own = [
        ["guitar", "melody", "song", "chord", "drum", "tempo"],
        ["game", "level", "player", "score", "quest", "arcade"],
        ["photo", "image", "camera", "pixel", "colour", "lens"],
    ];
    let shared = ["the", "and", "with", "for", "this", "app", "simple", "free"];
    let classes = ["Music", "Game", "Graphics"];
    let path = dir.join("learnable.jsonl");
    let mut out = std::fs::File::create(&path).unwrap();
    for i in 0..n {
        let c = i % 3;
        let words: Vec<&str> = (0..12)
            .map(|j| {
                if j % 2 == 0 {
                    own[c][(i * 7 + j * 5) % 6]
                } else {
                    shared[(i * 3 + j) % 8]
                }
            })
            .collect();
        let doc = serde_json::json!({
            "id": format!("d{i}"),
            "lang": "en",
            "text": words.join(" "),
            "labels": [classes[c]],
        });
        writeln!(out, "{doc}").unwrap();
    }
    path
}
use std::process::Command;

fn run(corpus: &Path, out: &Path, extra: &[&str]) -> (bool, String) {
    let mut args: Vec<String> = [
        "run",
        "--corpus",
        &corpus.display().to_string(),
        "--model",
        "embed-pool",
        "--epochs",
        "3",
        "--ig-steps",
        "8",
        "--threads",
        "1",
        "--baselines",
        "log-odds",
        "--seeds",
        "auto",
        "--min-seeds",
        "2",
        "--out",
        &out.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(&args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn auto_seeds_stop_when_stable_or_at_the_maximum_and_say_why() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = learnable_corpus(tmp.path(), 300);

    // An unreachable target: every seed up to --max-seeds, and the reason.
    let out = tmp.path().join("max");
    let (done, log) = run(&corpus, &out, &["--max-seeds", "3", "--stability", "1"]);
    assert!(done, "{log}");
    assert!(log.contains("stopped at --max-seeds 3"), "{log}");
    let rec = json(&out.join("seeds-auto.json"));
    assert_eq!(rec["reason"], "max-seeds", "{rec}");
    assert_eq!(rec["chosen"], serde_json::json!([1, 2, 3]));
    assert_eq!(
        rec["steps"].as_array().unwrap().len(),
        2,
        "checks after 2 and 3 seeds"
    );
    // The stability per class is in evaluation.json (IG only) and the report.
    let evals = json(&out.join("evaluation.json"));
    let ig = &evals[0];
    assert_eq!(ig["method"], "ig");
    let st = &ig["stability"];
    assert_eq!(st["seeds"], 3);
    let mean = st["mean_rbo"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&mean), "{st}");
    // Per class where a half has a list: every class of this corpus.
    let classes = st["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 3, "{st}");
    for c in classes {
        let r = c["rbo"].as_f64().unwrap();
        let [lo, hi] = [&c["rbo_interval"][0], &c["rbo_interval"][1]].map(|v| v.as_f64().unwrap());
        assert!(lo <= r + 1e-12 && r <= hi + 1e-12, "{c}");
    }
    assert!(evals[1].get("stability").is_none(), "baselines have none");
    let last = rec["steps"][1]["stability"].as_f64().unwrap();
    assert!(
        (last - mean).abs() < 1e-12,
        "the last check is the run's figure"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Keyword stability across seeds"));
    assert_eq!(
        report.matches("data-stability=").count(),
        classes.len(),
        "one stability line per class with an estimate"
    );
    // The same command again: nothing to do.
    let (done, log) = run(&corpus, &out, &["--max-seeds", "3", "--stability", "1"]);
    assert!(done, "{log}");
    assert!(log.contains("nothing to do"), "{log}");

    // A target met at once: stops at --min-seeds, saying so, and the run's
    // stability meets its target.
    let out = tmp.path().join("low");
    let (done, log) = run(&corpus, &out, &["--max-seeds", "4", "--stability", "0.01"]);
    assert!(done, "{log}");
    assert!(log.contains("stopped at 2 seeds"), "{log}");
    assert!(!out.join("runs/seed-3").exists(), "no third seed");
    let rec = json(&out.join("seeds-auto.json"));
    assert_eq!(rec["reason"], "stable");
    let st = json(&out.join("evaluation.json"))[0]["stability"]["mean_rbo"]
        .as_f64()
        .unwrap();
    assert!(st >= 0.01, "{st}");
}

#[test]
fn bad_auto_options_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = learnable_corpus(tmp.path(), 30);
    let out = tmp.path().join("bad");
    let (done, log) = run(&corpus, &out, &["--stability", "1.5"]);
    assert!(!done);
    assert!(log.contains("stability") && log.contains("1.5"), "{log}");
    assert!(!out.exists(), "nothing written");
    let (done, log) = run(&corpus, &out, &["--max-seeds", "1"]);
    assert!(!done);
    assert!(log.contains("max-seeds"), "{log}");
}
