//! `sacx map` and `sacx search` end to end: paragraph-vector and classifier
//! maps of bundled documents, the files a user (or numpy) reads, a reloaded
//! map answering the same search, and clear errors on bad input.
mod common;
use common::{ok, sacx, small_corpus, trained, workspace};
use std::path::Path;

/// Options that keep a test map quick: few epochs, small clusters.
const QUICK: &[&str] = &[
    "--pv-epochs",
    "20",
    "--umap-epochs",
    "60",
    "--min-cluster-size",
    "10",
    "--map-threads",
    "2",
];

fn map(corpus: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "map",
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    args.extend_from_slice(extra);
    sacx(&args)
}

fn search(dir: &Path, query: &str) -> serde_json::Value {
    let out = ok(sacx(&[
        "search",
        "--map",
        dir.to_str().unwrap(),
        "--json",
        "-k",
        "5",
        query,
    ]));
    serde_json::from_str(&out).unwrap()
}

/// The label words (the three a cluster is named by) that are among the 20
/// most document-frequent words of the cluster's main language, measured on
/// the corpus with sacx's segmentation.
fn generic_labels(corpus: &Path, info: &serde_json::Value) -> Vec<(usize, String, String)> {
    let seg = sacx_data::Segmenter::new();
    let (mut words, mut langs) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(corpus).unwrap().lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        words.push(seg.keywords(doc["text"].as_str().unwrap()));
        langs.push(doc["lang"].as_str().unwrap().to_string());
    }
    let langs: Vec<&str> = langs.iter().map(String::as_str).collect();
    let clusters: Vec<sacx_data::map::ClusterSummary> =
        serde_json::from_value(info["clusters"].clone()).unwrap();
    sacx_map::topicality::generic_labels(&clusters, &words, &langs, 3, 20)
}

fn err(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_paragraph_vector_map_is_written_read_back_by_numpy_and_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 600);
    let dir = tmp.path().join("map");
    let stdout = ok(map(&corpus, &dir, &[]));
    assert!(stdout.contains("clusters"), "{stdout}");
    // 600 documents in 12 languages: the PV clusters are the languages, and
    // the command and the page say so, naming the remedy.
    let said: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("follow the 12 languages"))
        .collect();
    assert_eq!(said.len(), 1, "{stdout}");
    assert!(said[0].contains("--run RUN_DIR"), "{stdout}");
    let page = std::fs::read_to_string(dir.join("map.html")).unwrap();
    assert!(page.contains("follow the 12 languages"));
    // Yet no language cluster is named by its language's function words.
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("map.json")).unwrap()).unwrap();
    assert_eq!(generic_labels(&corpus, &info), []);
    for f in [
        "map.json",
        "documents.json",
        "vectors.safetensors",
        "layout.safetensors",
        "clusters.safetensors",
        "pv.safetensors",
        "pv-vocab.json",
        "map.html",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    assert_eq!(info["documents"], 600);
    assert!(
        info["metrics"]["clusters"].as_u64().unwrap() >= 2,
        "{}",
        info["metrics"]
    );
    let html = std::fs::read_to_string(dir.join("map.html")).unwrap();
    assert_eq!(
        html.matches("r=\"2.5\"").count(),
        600,
        "one point per document"
    );

    // The query is a document's own opening words: it comes back first.
    let first = search(
        &dir,
        "Graphical program used to map gamepad buttons to keyboard, mouse, scripts and macros",
    );
    assert_eq!(
        first["documents"][0]["id"], "io.github.antimicrox.antimicrox",
        "{first}"
    );
    assert_eq!(first["documents"].as_array().unwrap().len(), 5);
    assert!(!first["clusters"].as_array().unwrap().is_empty());

    // numpy reads every file, checks it against map.json and writes the
    // clusters back; the map reloaded from those files answers the same.
    let py = workspace().join(".venv/bin/python");
    let script = workspace().join("tests/python/map_numpy.py");
    let out = std::process::Command::new(py)
        .arg(script)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"documents\": 600"));
    let copy = tmp.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    // The map's files without its kept steps (`steps/`) are the whole map.
    for e in std::fs::read_dir(&dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
    }
    let again =
        "Graphical program used to map gamepad buttons to keyboard, mouse, scripts and macros";
    assert_eq!(
        search(&copy, again),
        first,
        "a reloaded map answers the same search"
    );

    // A map is deterministic: the same corpus and seed give the same files.
    let twin = tmp.path().join("twin");
    ok(map(&corpus, &twin, &[]));
    for f in ["vectors.safetensors", "layout.safetensors"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(twin.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

/// `sacx ARGS` run from the directory `cwd`.
fn sacx_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sacx"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_classifier_map_uses_the_trained_seed_and_its_queries() {
    let (corpus, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("map");
    // The run given relative to the directory the map is built from.
    let (parent, name) = (seed.parent().unwrap(), seed.file_name().unwrap());
    let mut args = vec![
        "map",
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--run",
        name.to_str().unwrap(),
    ];
    args.extend_from_slice(QUICK);
    ok(sacx_in(parent, &args));
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("map.json")).unwrap()).unwrap();
    assert_eq!(info["source"]["kind"], "classifier");
    assert_eq!(info["source"]["seeds"], serde_json::json!([1]));
    assert!(!dir.join("pv.safetensors").exists());
    let hits = search(
        &dir,
        "a graphical program to map gamepad buttons to the keyboard",
    );
    assert_eq!(hits["documents"].as_array().unwrap().len(), 5);
    // Searched from another directory (the defect: the run was resolved
    // against the current directory).
    let query = "a graphical program to map gamepad buttons to the keyboard";
    let from_elsewhere = ok(sacx_in(
        tmp.path(),
        &["search", "--map", "map", "--json", "-k", "5", query],
    ));
    let again: serde_json::Value = serde_json::from_str(&from_elsewhere).unwrap();
    assert_eq!(again["documents"], hits["documents"]);
    let e = err(sacx(&[
        "search",
        "--map",
        dir.to_str().unwrap(),
        "zzqx qqzv",
    ]));
    assert!(e.contains("no word the map's vocabulary knows"), "{e}");
}

/// A map killed while writing its files (the defect: `vectors.safetensors`
/// without `map.json` was then refused as "not a sacx map"), or killed
/// while it works, is resumed by the same command; a second map into the
/// same directory while one is at work is refused, naming the holder.
#[test]
fn a_killed_map_resumes_and_two_maps_do_not_share_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 600);
    let dir = tmp.path().join("map");
    ok(map(&corpus, &dir, &[]));
    let read = |d: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join("map.json")).unwrap()).unwrap()
    };
    let info = read(&dir);
    std::fs::remove_file(dir.join("map.json")).unwrap();
    std::fs::remove_file(dir.join("clusters.safetensors")).unwrap();
    assert!(dir.join("vectors.safetensors").is_file());
    ok(map(&corpus, &dir, &[]));
    let again = read(&dir);
    assert_eq!(again["clusters"], info["clusters"], "the same map again");
    assert_eq!(again["metrics"], info["metrics"]);

    // Killed at work: the lock is taken when the inputs are checked, and
    // every finished step is kept, so the same command goes on from there.
    let fresh = tmp.path().join("killed");
    let mut args = vec![
        "map".to_string(),
        "--corpus".into(),
        corpus.display().to_string(),
        "--out".into(),
        fresh.display().to_string(),
    ];
    args.extend(QUICK.iter().map(|a| a.to_string()));
    args.extend(["--pv-epochs", "100", "--umap-epochs", "3000"].map(String::from));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(&args)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let wait_for = |path: &Path| {
        let t = std::time::Instant::now();
        while !path.is_file() && t.elapsed().as_secs() < 120 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(path.is_file(), "{} never came", path.display());
    };
    wait_for(&fresh.join(".sacx.lock"));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let second = err(sacx(&refs));
    assert!(
        second.contains("another sacx run (pid") && second.contains("killed"),
        "{second}"
    );
    wait_for(&fresh.join("steps/knn.safetensors"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !fresh.join("map.json").exists(),
        "killed before it finished"
    );
    let resumed = sacx(&refs);
    let said = String::from_utf8_lossy(&resumed.stderr).into_owned();
    ok(resumed);
    for step in ["document vectors", "kNN graph"] {
        assert!(
            said.contains(&format!("{step}: reused")),
            "{step} not reused: {said}"
        );
    }
    // The kept steps serve a map of the same vectors with other clusters.
    let mut other: Vec<&str> = refs.clone();
    other.extend(["--min-cluster-size", "20"]);
    let out = sacx(&other);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    for step in [
        "document vectors",
        "kNN graph",
        "UMAP, clustering space",
        "UMAP, plane",
    ] {
        assert!(
            said.contains(&format!("{step}: reused")),
            "{step} not reused: {said}"
        );
    }
    assert!(!said.contains("HDBSCAN: reused"), "{said}");
    let out = sacx(&refs);
    assert!(String::from_utf8_lossy(&out.stderr).contains("UMAP, plane: reused"));
    ok(out);
    // The resumed map is the map an uninterrupted build gives.
    let whole = tmp.path().join("whole");
    let mut args = args.clone();
    args[4] = whole.display().to_string();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sacx(&refs);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(!said.contains("reused"), "{said}");
    for f in [
        "map.json",
        "vectors.safetensors",
        "layout.safetensors",
        "clusters.safetensors",
    ] {
        let (a, b) = (
            std::fs::read(fresh.join(f)).unwrap(),
            std::fs::read(whole.join(f)).unwrap(),
        );
        if f == "map.json" {
            let (mut a, mut b): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&a).unwrap(),
                serde_json::from_slice(&b).unwrap(),
            );
            a["timings"] = serde_json::Value::Null;
            b["timings"] = serde_json::Value::Null;
            a["vectors_s"] = serde_json::Value::Null;
            b["vectors_s"] = serde_json::Value::Null;
            assert_eq!(a, b, "map.json");
        } else {
            assert!(
                a == b,
                "{f} differs between the resumed and the whole build"
            );
        }
    }
}

#[test]
fn bad_input_gets_a_clear_error_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 60);
    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let e = err(map(&empty, &tmp.path().join("m1"), &[]));
    assert!(e.contains("empty.jsonl") && e.lines().count() == 1, "{e}");

    let e = err(map(
        &corpus,
        &tmp.path().join("m2"),
        &["--min-cluster-size", "500"],
    ));
    assert!(
        e.contains("min_cluster_size = 500") || e.contains("--min-cluster-size"),
        "{e}"
    );
    assert!(e.contains("60"), "names the corpus size: {e}");

    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep").unwrap();
    let e = err(map(&corpus, &mine, &[]));
    assert!(e.contains("holds no sacx map"), "{e}");
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep"
    );

    let e = err(map(
        &corpus,
        &tmp.path().join("m3"),
        &["--source", "classifier"],
    ));
    assert!(e.contains("--run"), "{e}");

    let dir = tmp.path().join("ok");
    ok(map(&corpus, &dir, &["--min-cluster-size", "5"]));
    let e = err(sacx(&[
        "search",
        "--map",
        dir.to_str().unwrap(),
        "zzqx qqzv",
    ]));
    assert!(
        e.contains("\"zzqx qqzv\"") && e.contains("vocabulary"),
        "{e}"
    );
    let e = err(sacx(&[
        "search",
        "--map",
        tmp.path().join("nowhere").to_str().unwrap(),
        "game",
    ]));
    assert!(e.contains("map.json"), "{e}");
}

#[test]
fn run_with_map_adds_the_map_to_a_finished_run_and_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 300);
    let out = tmp.path().join("run");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--corpus",
            corpus.to_str().unwrap(),
            "--seeds",
            "1",
            "--epochs",
            "1",
            "--ig-steps",
            "8",
        ];
        args.extend_from_slice(&[
            "--threads",
            "1",
            "--baselines",
            "log-odds",
            "--out",
            out.to_str().unwrap(),
        ]);
        args.extend_from_slice(extra);
        ok(sacx(&args))
    };
    run(&[]);
    assert!(!out.join("map").exists());
    // The map's options are not part of the run's identity: the finished run
    // resumes and only the map (and the report) are added.
    run(&["--map", "--min-cluster-size", "10", "--umap-epochs", "60"]);
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("map/map.json")).unwrap()).unwrap();
    assert_eq!(info["source"]["kind"], "classifier");
    let with_keywords = info["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["keywords"].as_array().unwrap().is_empty())
        .count();
    assert!(
        with_keywords > 0,
        "clusters list their classes' IG keywords: {}",
        info["clusters"]
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("<section id=\"map\""),
        "the report shows the map"
    );
    assert!(out.join("map/map.html").is_file());

    // Killed while writing the map (no map.json yet): the same command
    // builds it again.
    std::fs::remove_file(out.join("map/map.json")).unwrap();
    run(&["--map", "--min-cluster-size", "10", "--umap-epochs", "60"]);
    assert!(out.join("map/map.json").is_file());

    // `sacx map --run` without --corpus maps the run's corpus (300
    // documents), not the bundled one.
    let own = tmp.path().join("own");
    ok(sacx(&[
        "map",
        "--run",
        out.to_str().unwrap(),
        "--out",
        own.to_str().unwrap(),
        "--min-cluster-size",
        "10",
        "--umap-epochs",
        "60",
    ]));
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(own.join("map.json")).unwrap()).unwrap();
    assert_eq!(info["documents"], 300);
}
