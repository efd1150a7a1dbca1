//! `sacx predict`: a model trained for real scores pools into Parquet parts
//! that resume after a kill, read back in pandas, give the training metrics
//! on the validation documents, and refuse bad input in one line before any
//! work.
mod common;

use common::{ok, sacx, small_corpus, trained, workspace};
use sacx_data::predictions::{PredictionRow, Predictions};
use sacx_data::{Corpus, LoadOptions, Split};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A pool of `n` bundled documents from line `skip` on, labels removed
/// unless `labelled`.
fn pool(dir: &Path, name: &str, skip: usize, n: usize, labelled: bool) -> PathBuf {
    let all = small_corpus(dir, skip + n);
    let path = dir.join(name);
    let mut out = std::fs::File::create(&path).unwrap();
    for line in std::fs::read_to_string(all).unwrap().lines().skip(skip) {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if !labelled {
            v.as_object_mut().unwrap().remove("labels");
        }
        writeln!(out, "{v}").unwrap();
    }
    path
}

fn predict(model: &Path, corpus: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sacx"));
    cmd.args([
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1",
    ])
    .args(extra);
    cmd
}

fn rows(dir: &Path) -> Vec<PredictionRow> {
    let preds = Predictions::open(dir).unwrap();
    preds.rows().unwrap().map(Result::unwrap).collect()
}

fn parts(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "parquet" || e == "jsonl")
        })
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_killed_prediction_resumes_without_duplicates_or_gaps() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let corpus = pool(tmp.path(), "pool.jsonl", 400, 300, false);
    let (full, killed) = (tmp.path().join("full"), tmp.path().join("killed"));
    let chunk = ["--chunk-docs", "64", "--jsonl"];
    ok(predict(seed, &corpus, &full, &chunk).output().unwrap());

    // Killed (abort, as kill -9) right after its second part is written.
    let out = predict(seed, &corpus, &killed, &chunk)
        .env("SACX_TEST_ABORT_AFTER_PARTS", "2")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the hook must stop the process");
    let names: Vec<String> = parts(&killed).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "part-00000.jsonl",
            "part-00000.parquet",
            "part-00001.jsonl",
            "part-00001.parquet"
        ]
    );
    let err = Predictions::open(&killed).unwrap_err().to_string();
    assert!(err.contains("incomplete"), "{err}");
    // A temporary file of a killed write is removed on resume.
    std::fs::write(killed.join(".part-00002.parquet.tmp.99.0"), b"half").unwrap();

    let stderr = ok(predict(seed, &corpus, &killed, &chunk).output().unwrap());
    let _ = stderr;
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(killed.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["parts_skipped"], 2);
    assert_eq!(summary["parts_written"], 3);
    assert_eq!(summary["scored"], 300 - 128);
    assert_eq!(parts(&killed), parts(&full), "resumed parts differ");

    let got = rows(&killed);
    let ids: Vec<String> = std::fs::read_to_string(&corpus)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), ids);
    assert_eq!(
        got.iter().map(|r| r.row).collect::<Vec<_>>(),
        (0..300).collect::<Vec<u64>>()
    );
    assert!(got.iter().all(|r| r.gold.is_none()));
}

#[test]
fn the_parquet_output_reads_back_in_pandas() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let labelled = pool(tmp.path(), "a.jsonl", 0, 40, true); // labels the model knows
    let unlabelled = pool(tmp.path(), "b.jsonl", 440, 30, false);
    // One unknown label beside a known one, one document with only unknown labels.
    let extra = tmp.path().join("c.jsonl");
    std::fs::write(
        &extra,
        "{\"id\":\"x1\",\"text\":\"A calculator for the desktop\",\"labels\":[\"Utility\",\"NoSuchClass\"]}\n\
         {\"id\":\"x2\",\"text\":\"A game of cards\",\"labels\":[\"NoSuchClass\"]}\n",
    )
    .unwrap();
    let out = tmp.path().join("pred");
    let mut cmd = predict(seed, &labelled, &out, &["--chunk-docs", "32"]);
    cmd.args([
        "--corpus",
        unlabelled.to_str().unwrap(),
        "--corpus",
        extra.to_str().unwrap(),
    ]);
    let res = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr).into_owned();
    ok(res);
    assert!(
        stderr.contains("gold labels the model does not know were ignored: NoSuchClass (2)"),
        "{stderr}"
    );
    let got = rows(&out);
    assert_eq!(got.len(), 72);
    assert_eq!(got[70].gold.as_deref(), Some(&["Utility".to_string()][..]));
    assert_eq!(got[71].gold, None);

    let script = r#"
import glob, json, sys
import pandas as pd
d = sys.argv[1]
m = json.load(open(d + "/predictions.json"))
df = pd.concat([pd.read_parquet(p) for p in sorted(glob.glob(d + "/part-*.parquet"))], ignore_index=True)
assert m["format"] == "sacx-predictions" and m["documents"] == len(df) == 72, (m, len(df))
seed = "prob_seed_%d" % m["seeds"][0]
assert list(df.columns) == ["row", "id", "lang", "prob", seed, "predicted", "gold"], list(df.columns)
assert list(df["row"]) == list(range(72))
labels, t = m["labels"], m["threshold"]
for _, r in df.iterrows():
    assert len(r["prob"]) == len(labels)
    assert list(r["prob"]) == list(r[seed])  # one seed: the mean is that seed
    assert list(r["predicted"]) == [l for l, p in zip(labels, r["prob"]) if p >= t]
print(json.dumps({"ids": list(df["id"]), "gold_null": int(df["gold"].isna().sum()),
                  "first_gold": list(df["gold"][0])}))
"#;
    let py = Command::new(workspace().join(".venv/bin/python"))
        .args(["-c", script, out.to_str().unwrap()])
        .output()
        .expect("run .venv/bin/python (see scripts/setup-libtorch.sh)");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
    let ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        v["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(v["gold_null"], 31); // 30 unlabelled + one with only unknown labels
    let first: Vec<String> = got[0].gold.clone().unwrap();
    assert_eq!(v["first_gold"], serde_json::json!(first));
}

#[test]
fn with_gold_labels_the_metrics_are_the_training_metrics() {
    let (corpus, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    // The seed's validation documents, in split order, as training saw them.
    let loaded = Corpus::load(&[corpus], &LoadOptions::default()).unwrap();
    let opts = sacx_pipeline::options::SplitArgs::default()
        .options(1)
        .unwrap();
    let split = Split::new(&loaded.docs, &opts);
    let valid = tmp.path().join("valid.jsonl");
    let mut f = std::fs::File::create(&valid).unwrap();
    for &i in &split.valid {
        let d = &loaded.docs[i];
        let labels: Vec<&str> = d
            .labels
            .iter()
            .map(|&l| loaded.labels.name(l).unwrap())
            .collect();
        let line =
            serde_json::json!({"id": d.id, "lang": d.lang, "text": d.text, "labels": labels});
        writeln!(f, "{line}").unwrap();
    }
    drop(f);
    let out = tmp.path().join("pred");
    let checkpoint = seed.join("model/best");
    ok(
        predict(&checkpoint, &valid, &out, &["--chunk-docs", "100000"])
            .output()
            .unwrap(),
    );
    let read = |p: PathBuf| -> sacx_model::Metrics {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let mut got = read(out.join("metrics.json"));
    let want = read(seed.join("model/metrics.json"));
    assert_eq!(got.overall.documents, split.valid.len());
    // The checkpoint stores the tuned threshold as f32: the same value to
    // within its precision, and every decision made with it the same.
    assert!(
        (got.threshold - want.threshold).abs() < 1e-6,
        "{} vs {}",
        got.threshold,
        want.threshold
    );
    got.threshold = want.threshold;
    assert_eq!(got, want);
}

/// Runs sacx, expects a failure with one stderr line containing every `needle`.
fn fails(cmd: &mut Command, needles: &[&str]) {
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line: {err}");
    for n in needles {
        assert!(lines[0].contains(n), "{n:?} not in {err}");
    }
}

#[test]
fn bad_input_is_refused_in_one_line_before_any_work() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let corpus = pool(tmp.path(), "pool.jsonl", 400, 20, false);
    let out = tmp.path().join("out");

    let nowhere = tmp.path().join("no-such-run");
    fails(
        &mut predict(&nowhere, &corpus, &out, &[]),
        &["no-such-run", "no such directory"],
    );
    let not_a_run = tmp.path().join("empty-dir");
    std::fs::create_dir(&not_a_run).unwrap();
    fails(
        &mut predict(&not_a_run, &corpus, &out, &[]),
        &["empty-dir", "neither a checkpoint"],
    );

    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "\n{\"id\":\"a\",\"text\":\"  \"}\n").unwrap();
    fails(
        &mut predict(seed, &empty, &out, &[]),
        &["empty.jsonl", "no document"],
    );

    let no_id = tmp.path().join("no-id.jsonl");
    std::fs::write(
        &no_id,
        "{\"id\":\"a\",\"text\":\"One\"}\n{\"text\":\"Two\"}\n",
    )
    .unwrap();
    fails(
        &mut predict(seed, &no_id, &out, &[]),
        &["no-id.jsonl:2", "\"id\""],
    );
    assert!(!out.exists(), "nothing may be written for bad input");

    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    fails(
        &mut predict(seed, &corpus, &mine, &[]),
        &["mine", "not a predictions directory"],
    );
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);

    fails(
        &mut predict(seed, &corpus, &out, &["--chunk-docs", "0"]),
        &["chunk-docs", "0"],
    );

    ok(predict(seed, &corpus, &out, &[]).output().unwrap());
    let other = pool(tmp.path(), "other.jsonl", 420, 20, false);
    fails(
        &mut predict(seed, &other, &out, &[]),
        &["another --corpus", "other.jsonl"],
    );
    fails(
        &mut predict(seed, &corpus, &out, &["--chunk-docs", "7"]),
        &["another --chunk-docs"],
    );
}

#[test]
fn explain_with_a_model_explains_any_documents_with_or_without_labels() {
    use sacx_data::explanation::{ShardReader, list_shards};
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let labelled = pool(tmp.path(), "a.jsonl", 0, 6, true);
    let unlabelled = pool(tmp.path(), "b.jsonl", 6, 6, false);
    let out = tmp.path().join("expl");
    let run = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_sacx"))
            .args(["explain", "--model", seed.to_str().unwrap()])
            .args(["--corpus", labelled.to_str().unwrap()])
            .args(["--corpus", unlabelled.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .args(["--ig-steps", "8", "--shard-docs", "4", "--threads", "1"])
            .output()
            .unwrap()
    };
    let stdout = ok(run(&out));
    assert!(stdout.contains("seed-1"), "{stdout}");
    let shards = list_shards(&out.join("seed-1")).unwrap();
    assert_eq!(shards.len(), 3);
    let docs: Vec<_> = shards
        .iter()
        .flat_map(|s| ShardReader::open(s).unwrap().map(Result::unwrap))
        .collect();
    let ids = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let mut want = ids(&labelled);
    want.extend(ids(&unlabelled));
    let mut got: Vec<String> = docs.iter().map(|d| d.doc_id.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for d in &docs {
        let targets: Vec<u32> = d.targets.iter().map(|t| t.class).collect();
        if d.gold.is_empty() {
            // Without gold labels: the predicted classes (at the checkpoint's threshold).
            let config: serde_json::Value = serde_json::from_slice(
                &std::fs::read(seed.join("model/best/config.json")).unwrap(),
            )
            .unwrap();
            let t = config["threshold"].as_f64().unwrap() as f32;
            let predicted: Vec<u32> = (0..d.probs.len() as u32)
                .filter(|&c| d.probs[c as usize] >= t)
                .collect();
            assert_eq!(targets, predicted, "{}", d.doc_id);
        } else {
            assert!(d.gold.iter().all(|g| targets.contains(g)), "{}", d.doc_id);
        }
    }
    assert!(
        docs.iter()
            .any(|d| d.gold.is_empty() && !d.targets.is_empty()),
        "no unlabelled document was explained for a predicted class"
    );
    // The validation mode still works beside it, and --run without --seed is refused.
    let bad = Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(["explain", "--run", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

/// The loop of active learning: `sacx predict` scores a pool, `sacx select
/// --predictions` picks documents from it with the run's threshold, and a
/// corpus in another order than the one predicted is refused naming both.
#[test]
fn select_reads_the_predictions_of_a_pool() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let pool_file = pool(tmp.path(), "pool.jsonl", 400, 300, false);
    let out = tmp.path().join("pred");
    let o = predict(seed, &pool_file, &out, &[]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sel = tmp.path().join("next.jsonl");
    let select = |corpus: &Path| {
        sacx(&[
            "select",
            "--predictions",
            out.to_str().unwrap(),
            "--corpus",
            corpus.to_str().unwrap(),
            "--exploit",
            "3",
            "--explore",
            "3",
            "--uncertain",
            "3",
            "--seed",
            "1",
            "--out",
            sel.to_str().unwrap(),
        ])
    };
    ok(select(&pool_file));
    let pool_ids: std::collections::HashSet<String> =
        rows(&out).into_iter().map(|r| r.id).collect();
    let picked: Vec<serde_json::Value> = std::fs::read_to_string(&sel)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!picked.is_empty());
    let mut seen = std::collections::HashSet::new();
    for p in &picked {
        let id = p["id"].as_str().unwrap().to_string();
        assert!(pool_ids.contains(&id), "{id} is not in the pool");
        assert!(seen.insert(id), "an id selected twice");
        assert!(!p["text"].as_str().unwrap().is_empty());
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("next.summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["pool"], 300);
    let threshold = Predictions::open(&out).unwrap().threshold();
    let t = summary["classes"][0]["threshold"].as_f64().unwrap();
    assert!(
        (t - f64::from(threshold)).abs() < 1e-6,
        "{t} vs the run's {threshold}"
    );
    // One seed's predictions carry one member: no committee to ask.
    let committee = sacx(&[
        "select",
        "--predictions",
        out.to_str().unwrap(),
        "--corpus",
        pool_file.to_str().unwrap(),
        "--strategy",
        "committee",
        "--out",
        tmp.path().join("committee.jsonl").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&committee.stderr);
    assert!(!committee.status.success());
    assert!(err.contains("two or more seeds"), "{err}");
    // The same documents in reverse order are not the pool that was predicted.
    let text = std::fs::read_to_string(&pool_file).unwrap();
    let reversed = tmp.path().join("reversed.jsonl");
    let body: String = text.lines().rev().map(|l| format!("{l}\n")).collect();
    std::fs::write(&reversed, body).unwrap();
    std::fs::remove_file(&sel).unwrap();
    let bad = select(&reversed);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        err.contains("row 0 is id") && err.contains("reversed.jsonl line 1"),
        "{err}"
    );
    assert!(!sel.exists(), "a failed selection wrote its file");
}
