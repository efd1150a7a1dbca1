//! `sacx simulate-al` (issue 16, item 5): rounds of select → reveal → retrain
//! against random selection of the same size, resumable and deterministic,
//! with one-line errors before any work.
mod common;

use common::{ok, sacx, small_corpus};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const SMALL: [&str; 14] = [
    "--seeds",
    "1",
    "--rounds",
    "2",
    "--start",
    "60",
    "--per-round",
    "70",
    "--epochs",
    "2",
    "--threads",
    "1",
    "--batch-size",
    "16",
];

fn simulate(corpus: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let (c, o) = (corpus.display().to_string(), out.display().to_string());
    let mut args = vec!["simulate-al", "--corpus", &c, "--out", &o];
    args.extend(SMALL);
    args.extend(extra);
    sacx(&args)
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The (row, id) pairs of a `labelled.json` / `test.json` file.
fn rows(path: &Path) -> Vec<(u64, String)> {
    json(path)
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["row"].as_u64().unwrap(),
                d["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn rounds_reveal_what_was_selected_resume_and_repeat() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 400);
    let out = tmp.path().join("sim");
    ok(simulate(&corpus, &out, &[]));
    let result = json(&out.join("simulation.json"));
    let seed = &result["seeds"][0];
    let (active, random) = (
        seed["strategies"]["sacx"].as_array().unwrap(),
        seed["strategies"]["random"].as_array().unwrap(),
    );
    assert_eq!((active.len(), random.len()), (3, 3));
    assert_eq!(
        active[0], random[0],
        "both strategies start from the same round 0"
    );
    for r in 0..3 {
        assert_eq!(
            active[r]["labelled"], random[r]["labelled"],
            "round {r}: same sizes"
        );
        let f1 = active[r]["macro_f1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f1));
    }
    assert_eq!(active[0]["labelled"], 60);

    let dir = out.join("seed-1");
    let test: BTreeSet<String> = rows(&dir.join("test.json"))
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert!(!test.is_empty());
    let mut before = rows(&dir.join("round-0/labelled.json"));
    for (r, point) in active.iter().enumerate().skip(1) {
        let now = rows(&dir.join(format!("active/round-{r}/labelled.json")));
        let added: Vec<&(u64, String)> = now.iter().filter(|d| !before.contains(d)).collect();
        assert!(
            before.iter().all(|d| now.contains(d)),
            "round {r} keeps what was labelled"
        );
        assert!(!added.is_empty(), "round {r} reveals documents");
        // What was revealed is exactly what `sacx select` chose: by id, one
        // translation at most, none of an id labelled before.
        let selected =
            std::fs::read_to_string(dir.join(format!("active/round-{r}/selected.jsonl"))).unwrap();
        let chosen: Vec<String> = selected
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let added_ids: BTreeSet<String> = added.iter().map(|d| d.1.clone()).collect();
        assert_eq!(
            added_ids.len(),
            added.len(),
            "round {r}: one translation per id"
        );
        assert_eq!(added_ids, chosen.iter().cloned().collect::<BTreeSet<_>>());
        assert_eq!(chosen.len(), added.len());
        assert!(
            before.iter().all(|d| !added_ids.contains(&d.1)),
            "round {r} chose a translation of a labelled document"
        );
        assert_eq!(point["labelled"].as_u64().unwrap() as usize, now.len());
        let random_now = rows(&dir.join(format!("random/round-{r}/labelled.json")));
        assert_eq!(random_now.len(), now.len());
        for d in now.iter().chain(&random_now) {
            assert!(
                !test.contains(&d.1),
                "labelled document {} is a test document",
                d.1
            );
        }
        before = now;
    }
    // Stopping signals: every round after the start of every strategy has
    // the stop-set agreement with the round before; sacx also the overlap of
    // its motifs, for which the last round's selection was made.
    for strategy in ["sacx", "random"] {
        let points = seed["strategies"][strategy].as_array().unwrap();
        assert!(points[0].get("signals").is_none(), "round 0 has no signals");
        for p in &points[1..] {
            let s = &p["signals"];
            let (k, c) = (
                s["agreement"].as_f64().unwrap(),
                s["changed"].as_f64().unwrap(),
            );
            assert!((-1.0..=1.0).contains(&k) && (0.0..=1.0).contains(&c), "{s}");
            assert_eq!(
                s.get("keyword_overlap").is_some(),
                strategy == "sacx",
                "{s}"
            );
            if c > 0.0 {
                assert!(k < 1.0, "labels changed but κ is 1: {s}");
            }
        }
        let stops = &seed["stops"][strategy];
        assert!(stops.get("predictions").is_some() && stops.get("flattened").is_some());
    }
    assert!(dir.join("active/round-2/signals.json").is_file());
    assert!(dir.join("active/round-3/selected.summary.json").is_file());
    assert!(!dir.join("active/round-3/labelled.json").exists());
    assert_eq!(result["stop_rule"]["agreement"], 0.99);

    let page = std::fs::read_to_string(out.join("simulation.html")).unwrap();
    assert_eq!(
        page.matches("<svg class=\"curve\"").count(),
        3,
        "macro- and micro-F1, stop-set agreement"
    );
    assert_eq!(page.matches("data-series=\"sacx\"").count(), 3);
    assert_eq!(page.matches("data-series=\"random\"").count(), 3);
    assert!(!page.contains("://"), "the page loads nothing");

    // A second start finds every round done: nothing is trained again.
    let bytes = std::fs::read(out.join("simulation.json")).unwrap();
    let again = simulate(&corpus, &out, &[]);
    let stderr = String::from_utf8_lossy(&again.stderr).into_owned();
    ok(again);
    assert!(!stderr.contains("epoch 1/2"), "{stderr}");
    assert_eq!(std::fs::read(out.join("simulation.json")).unwrap(), bytes);
    // Other stopping rules only read the saved signals: accepted in the
    // same directory, nothing trained, the stops follow the rule.
    let lax = simulate(
        &corpus,
        &out,
        &[
            "--stop-agreement=-0.99",
            "--stop-window",
            "2",
            "--flat-gain",
            "0.99",
        ],
    );
    let stderr = String::from_utf8_lossy(&lax.stderr).into_owned();
    ok(lax);
    assert!(!stderr.contains("epoch 1/2"), "{stderr}");
    let relaxed = json(&out.join("simulation.json"));
    let stops = &relaxed["seeds"][0]["stops"]["random"];
    assert_eq!(
        stops["predictions"], 2,
        "κ > −0.99 in rounds 1 and 2: {stops}"
    );
    assert_eq!(stops["flattened"], 0, "{stops}");
    assert_eq!(
        relaxed["seeds"][0]["strategies"],
        result["seeds"][0]["strategies"]
    );
    ok(simulate(&corpus, &out, &[]));
    assert_eq!(std::fs::read(out.join("simulation.json")).unwrap(), bytes);
    // The same seed in a new directory gives the same figures.
    let fresh = tmp.path().join("sim2");
    ok(simulate(&corpus, &fresh, &[]));
    assert_eq!(std::fs::read(fresh.join("simulation.json")).unwrap(), bytes);
    // The field's strategies added to the finished simulation: sacx's and
    // random's rounds are kept, each new strategy reveals as many documents
    // as sacx did, by id, from the unlabelled pool.
    let peers = [
        "breaking-ties",
        "least-confidence",
        "prediction-entropy",
        "cvirs",
        "label-cardinality",
        "committee",
    ];
    let list = format!("sacx,random,{}", peers.join(","));
    ok(simulate(
        &corpus,
        &out,
        &["--strategies", &list, "--committee", "2"],
    ));
    let all = json(&out.join("simulation.json"));
    assert_eq!(
        all["seeds"][0]["strategies"]["sacx"],
        result["seeds"][0]["strategies"]["sacx"]
    );
    assert_eq!(all["area_under_macro_f1"].as_object().unwrap().len(), 8);
    let page = std::fs::read_to_string(out.join("simulation.html")).unwrap();
    for peer in peers {
        let name = if peer == "committee" {
            "committee-2"
        } else {
            peer
        };
        assert_eq!(
            page.matches(&format!("data-series=\"{peer}\"")).count(),
            3,
            "{peer}"
        );
        let mut before = rows(&dir.join("round-0/labelled.json"));
        for r in 1..=2 {
            let now = rows(&dir.join(format!("{name}/round-{r}/labelled.json")));
            let sacx_now = rows(&dir.join(format!("active/round-{r}/labelled.json")));
            assert_eq!(now.len(), sacx_now.len(), "{peer} round {r}: sacx's budget");
            let added: Vec<&(u64, String)> = now.iter().filter(|d| !before.contains(d)).collect();
            let ids: BTreeSet<&String> = added.iter().map(|d| &d.1).collect();
            assert_eq!(
                ids.len(),
                added.len(),
                "{peer} round {r}: one translation per id"
            );
            assert!(
                before
                    .iter()
                    .all(|d| now.contains(d) && !ids.contains(&d.1))
            );
            assert!(
                now.iter().all(|d| !test.contains(&d.1)),
                "{peer}: a test document"
            );
            before = now;
        }
    }
    // The committee's second model, trained on round 0's documents.
    assert!(dir.join("round-0/member-1").is_dir());

    // Other options in the same directory are refused.
    let other = simulate(&corpus, &out, &["--test-fraction", "0.3"]);
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(!other.status.success());
    assert!(err.contains("test-fraction was 0.2, now 0.3"), "{err}");
}

#[test]
fn bad_options_fail_in_one_line_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 400);
    let out = tmp.path().join("never");
    let cases: [(&[&str], &str); 8] = [
        (&["--rounds", "0"], "rounds"),
        (&["--stop-window", "0"], "stop-window"),
        (&["--stop-keywords", "1.5"], "stop-keywords"),
        (&["--strategies", "qbc"], "qbc"),
        (&["--committee", "1"], "committee"),
        (&["--test-fraction", "1.5"], "test-fraction"),
        (&["--start", "300"], "the pool has"),
        (&["--model", "nonsense"], "nonsense"),
    ];
    for (extra, expected) in cases {
        let o = simulate(&corpus, &out, extra);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!o.status.success(), "{extra:?} was accepted");
        let errors: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("sacx: error:"))
            .collect();
        assert_eq!(errors.len(), 1, "{extra:?}: {err}");
        assert!(errors[0].contains(expected), "{extra:?}: {err}");
        assert_eq!(
            err.trim().lines().last(),
            Some(errors[0]),
            "{extra:?}: {err}"
        );
        assert!(!out.exists(), "{extra:?} wrote {}", out.display());
    }
    // A directory sacx did not make is not written into.
    let foreign = tmp.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let o = simulate(&corpus, &foreign, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("holds no sacx run"), "{err}");
    let names: Vec<_> = std::fs::read_dir(&foreign)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("notes.txt")]);
}
