//! `sacx predict` defects a hostile probe found (issue 26): a TSV pool as
//! documented, empty texts counted, and parts on disk verified on resume.
mod common;

use common::{ok, sacx, small_corpus, trained};
use sacx_data::predictions::Predictions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `n` bundled documents from line `skip` on, as parsed JSON.
fn docs(dir: &Path, skip: usize, n: usize) -> Vec<serde_json::Value> {
    let src = dir.join(format!("src-{skip}-{n}"));
    std::fs::create_dir_all(&src).unwrap();
    std::fs::read_to_string(small_corpus(&src, skip + n))
        .unwrap()
        .lines()
        .skip(skip)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn jsonl(dir: &Path, name: &str, docs: &[serde_json::Value]) -> PathBuf {
    let path = dir.join(name);
    let mut out = std::fs::File::create(&path).unwrap();
    for d in docs {
        writeln!(out, "{d}").unwrap();
    }
    path
}

fn predict(model: &Path, corpus: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(["predict", "--model", model.to_str().unwrap()])
        .args(["--corpus", corpus.to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--threads", "1"])
        .args(extra)
        .output()
        .unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_tsv_pool_is_predicted_and_selected_with_ids_from_file_and_line() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    // SACX TSV: headerless `labels<TAB>text`, the labels column empty in a pool.
    let pool = tmp.path().join("pool.tsv");
    let body: String = docs(tmp.path(), 400, 40)
        .iter()
        .map(|d| {
            format!(
                "\t{}\n",
                d["text"].as_str().unwrap().replace(['\t', '\n'], " ")
            )
        })
        .collect();
    std::fs::write(&pool, body).unwrap();
    let out = tmp.path().join("pred");
    ok(predict(seed, &pool, &out, &[]));
    let ids: Vec<String> = Predictions::open(&out)
        .unwrap()
        .rows()
        .unwrap()
        .map(|r| r.unwrap().id)
        .collect();
    let want: Vec<String> = (1..=40).map(|n| format!("pool.tsv:line-{n}")).collect();
    assert_eq!(ids, want);
    let sel = tmp.path().join("next.jsonl");
    let (o, p, s) = (
        out.to_str().unwrap(),
        pool.to_str().unwrap(),
        sel.to_str().unwrap(),
    );
    ok(sacx(&[
        "select",
        "--predictions",
        o,
        "--corpus",
        p,
        "--exploit",
        "2",
        "--explore",
        "2",
        "--uncertain",
        "2",
        "--seed",
        "1",
        "--out",
        s,
    ]));
    let picked = std::fs::read_to_string(&sel).unwrap();
    assert!(picked.lines().count() > 0);
    for line in picked.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            want.contains(&v["id"].as_str().unwrap().to_string()),
            "{line}"
        );
    }
}

#[test]
fn documents_with_an_empty_text_are_skipped_and_counted() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let mut pool = docs(tmp.path(), 400, 30);
    for i in [3, 10, 17] {
        pool[i]["text"] = serde_json::Value::String(" ".repeat(i % 2));
    }
    let corpus = jsonl(tmp.path(), "pool.jsonl", &pool);
    let out = tmp.path().join("pred");
    let o = predict(seed, &corpus, &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    ok(o);
    let s = summary(&out);
    assert_eq!(s["documents"], 27, "{s}");
    assert_eq!(s["empty_texts"], 3, "{s}");
    assert!(err.contains("3 with an empty text skipped"), "{err}");
}

#[test]
fn a_resumed_prediction_refuses_a_part_that_holds_other_rows() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let all = docs(tmp.path(), 400, 60);
    let (a, b) = (
        jsonl(tmp.path(), "a.jsonl", &all[..30]),
        jsonl(tmp.path(), "b.jsonl", &all[30..]),
    );
    let (out_a, out_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let chunk = ["--chunk-docs", "10"];
    ok(predict(seed, &a, &out_a, &chunk));
    ok(predict(seed, &b, &out_b, &chunk));
    let metrics = std::fs::read(out_a.join("metrics.json")).unwrap();

    // Part 1 of `a` replaced by part 1 of `b`: other documents, same rows.
    let part = out_a.join("part-00001.parquet");
    std::fs::copy(out_b.join("part-00001.parquet"), &part).unwrap();
    let o = predict(seed, &a, &out_a, &chunk);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "a foreign part was trusted: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("sacx: error: "), "{err}");
    assert!(last.contains("part-00001.parquet"), "{err}");
    assert!(
        last.contains("other documents") && last.contains("delete it"),
        "{err}"
    );
    assert_eq!(std::fs::read(out_a.join("metrics.json")).unwrap(), metrics);

    // Part 2 replaced by part 1 of `a` itself: other rows.
    std::fs::remove_file(&part).unwrap();
    std::fs::copy(
        out_a.join("part-00000.parquet"),
        out_a.join("part-00002.parquet"),
    )
    .unwrap();
    let o = predict(seed, &a, &out_a, &chunk);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "a part of other rows was trusted: {err}"
    );
    assert!(
        err.contains("part-00002.parquet") && err.contains("rows"),
        "{err}"
    );

    // Deleted, as the message says: scored again (part 1 was, by the call
    // that stopped at part 2), and the same metrics.
    std::fs::remove_file(out_a.join("part-00002.parquet")).unwrap();
    ok(predict(seed, &a, &out_a, &chunk));
    assert_eq!(summary(&out_a)["parts_written"], 1);
    assert_eq!(std::fs::read(out_a.join("metrics.json")).unwrap(), metrics);
}
