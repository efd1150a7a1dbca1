//! `sacx explain --tsv` writes the original pipeline's TSV (what
//! `explain_multilabel.py` wrote with pandas' `to_csv`), which the original
//! `kws.py` and `sacx keywords` both read, whatever the document ids hold; and
//! `sacx keywords` tells TSV runs apart by their path (issue 26).
mod common;

use common::{ok, sacx, small_corpus, trained, workspace};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The label list of the trained seed, in model order.
fn labels(seed: &Path) -> Vec<String> {
    let config = seed.join("model/best/config.json");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config).expect("config.json")).unwrap();
    v["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// `n` bundled documents from line `skip` on, the first ids holding a tab,
/// a newline, a quote and a carriage return.
fn pool(dir: &Path, skip: usize, n: usize) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let text = std::fs::read_to_string(small_corpus(&src, skip + n)).unwrap();
    let path = dir.join("pool.jsonl");
    let mut out = std::fs::File::create(&path).unwrap();
    let odd = ["tab\there", "new\nline", "say \"hi\"", "cr\rlf"];
    for (i, line) in text.lines().skip(skip).enumerate() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(id) = odd.get(i) {
            v["id"] = serde_json::Value::String(id.to_string());
        }
        writeln!(out, "{v}").unwrap();
    }
    path
}

/// Explains the pool with the trained seed into `out` (shards and TSV).
fn explain(out: &Path, pool: &Path) -> PathBuf {
    let (_, seed) = trained();
    ok(sacx(&[
        "explain",
        "--model",
        seed.to_str().unwrap(),
        "--corpus",
        pool.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--tsv",
        "--ig-steps",
        "4",
        "--threads",
        "1",
    ]));
    let tsv = out.join("seed-1").join("shard-00000.tsv");
    assert!(tsv.is_file(), "no {}", tsv.display());
    tsv
}

fn keywords(inputs: &[&Path], labels: &[String], out: &Path) -> std::process::Output {
    let mut args = vec!["keywords".to_string()];
    for i in inputs {
        args.extend(["--explanations".to_string(), i.display().to_string()]);
    }
    args.extend(["--labels".into(), labels.join(","), "--out".into()]);
    args.push(out.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sacx(&args)
}

fn keywords_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("keywords.json")).unwrap()).unwrap()
}

#[test]
fn ids_with_tabs_and_newlines_survive_the_tsv_and_sacx_keywords_reads_it() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let pool = pool(tmp.path(), 400, 12);
    let tsv = explain(&tmp.path().join("ex"), &pool);
    let labels = labels(seed);
    let out = tmp.path().join("kws");
    ok(keywords(&[&tsv], &labels, &out));
    assert_eq!(keywords_json(&out)["runs"].as_array().unwrap().len(), 1);
    // The ids read back are the ids written (pandas, as the original read it).
    let script = "import pandas as pd, sys, json\n\
        d = pd.read_csv(sys.argv[1], sep='\\t', keep_default_na=False)\n\
        print(json.dumps(list(dict.fromkeys(d['id']))))";
    let Some(mut py) = python(&[]) else { return };
    let o = py.arg("-c").arg(script).arg(&tsv).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ids: Vec<String> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        &ids[..4],
        ["tab\there", "new\nline", "say \"hi\"", "cr\rlf"]
    );
    // Translations share an id: the pool's ids, each once, in order.
    let mut want: Vec<String> = Vec::new();
    for line in std::fs::read_to_string(&pool).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        if !want.contains(&id) {
            want.push(id);
        }
    }
    assert_eq!(ids, want);
}

/// `.venv/bin/python`, with `pythonpath` first on its path; `None` (and a
/// message) when it is missing.
fn python(pythonpath: &[PathBuf]) -> Option<Command> {
    let py = workspace().join(".venv/bin/python");
    if !py.is_file() {
        eprintln!(
            "SKIPPED: {} is missing (see scripts/setup-libtorch.sh)",
            py.display()
        );
        return None;
    }
    let mut cmd = Command::new(py);
    if !pythonpath.is_empty() {
        cmd.env("PYTHONPATH", std::env::join_paths(pythonpath).unwrap());
    }
    Some(cmd)
}

#[test]
fn the_original_kws_py_reads_the_tsv_sacx_writes() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let tsv = explain(&tmp.path().join("ex"), &pool(tmp.path(), 400, 12));
    let labels = labels(seed);
    let text = std::fs::read_to_string(&tsv).unwrap();
    // The original's columns: pandas' index, then names; lists of class names.
    assert!(
        text.starts_with("\tid\tlabel\tpred\ttoken\tscore\tprobs\n"),
        "{text:.200}"
    );
    // The last row (a plain id: the odd ones are the first documents).
    let row = text.lines().last().unwrap();
    let fields: Vec<&str> = row.split('\t').collect();
    assert_eq!(fields.len(), 7, "{row}");
    let quoted = |l: &String| format!("'{l}'");
    let pred = fields[3].trim_start_matches("['").trim_end_matches("']");
    assert!(labels.contains(&pred.to_string()), "{row}");
    assert!(fields[2] == "None" || labels.iter().map(quoted).any(|l| fields[2].contains(&l)));
    assert!(
        fields[6].starts_with('[') && fields[6].contains(", "),
        "{row}"
    );

    // The original kws.py, unchanged, on that file.
    let original = workspace().join("benches/peers/original");
    let kws = std::env::var_os("SACX_ORIGINAL_KWS")
        .map(PathBuf::from)
        .unwrap_or_else(|| original.join("kws.py"));
    let deps = workspace().join("target/py-original");
    if !kws.is_file() || !deps.is_dir() {
        eprintln!(
            "SKIPPED: the original kws.py ({}) or its pandas 1.5 / numpy 1.26 ({}) is missing; \
             run benches/peers/original/setup.sh",
            kws.display(),
            deps.display()
        );
        return;
    }
    let Some(mut py) = python(&[deps]) else {
        return;
    };
    let out = tmp.path().join("kws-out");
    std::fs::create_dir(&out).unwrap();
    let o = py
        .arg(&kws)
        .arg("--data")
        .arg(&tsv)
        .arg("--save_file")
        .arg(format!("{}/", out.display()))
        .arg("--selection_freq")
        .arg("0")
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "kws.py failed:\n{log}");
    assert!(log.contains("Everything done"), "{log}");
    let stable: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_stable.csv"))
        .collect();
    assert!(!stable.is_empty(), "{log}");
    for name in &stable {
        let class = name.trim_end_matches("_stable.csv");
        assert!(
            labels.iter().any(|l| l == class),
            "{name} is not a class: {log}"
        );
    }
}

#[test]
fn tsv_runs_are_told_apart_by_their_path_and_a_file_given_twice_is_refused() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let pool = pool(tmp.path(), 400, 8);
    let first = explain(&tmp.path().join("r1"), &pool);
    let second = tmp.path().join("r2/seed-1/shard-00000.tsv");
    std::fs::create_dir_all(second.parent().unwrap()).unwrap();
    std::fs::copy(&first, &second).unwrap();
    let labels = labels(seed);
    let out = tmp.path().join("kws");
    ok(keywords(&[&first, &second], &labels, &out));
    let runs = keywords_json(&out)["runs"].clone();
    assert_eq!(runs.as_array().unwrap().len(), 2, "{runs}");

    let again = keywords(&[&first, &second, &first], &labels, &tmp.path().join("k2"));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success(), "a file given twice was accepted");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&first.display().to_string()) && err.contains("twice"),
        "{err}"
    );
}
