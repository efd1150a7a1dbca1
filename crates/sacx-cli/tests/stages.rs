//! Each stage of `sacx run` knows whether it is done: a finished run started
//! again does nothing but say so; other keyword options redo the keywords and
//! what follows them, not the counts or the models; another seed redoes only
//! what depends on the seed set. A run that failed before writing any result
//! takes corrected options, and a run directory of another format is refused.
mod common;

use common::small_corpus;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn run(corpus: &Path, out: &Path, extra: &[&str]) -> (bool, String) {
    let mut args: Vec<String> = [
        "run",
        "--corpus",
        &corpus.display().to_string(),
        "--model",
        "embed-pool",
        "--epochs",
        "1",
        "--ig-steps",
        "8",
        "--threads",
        "1",
        "--baselines",
        "log-odds",
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

fn modified(path: PathBuf) -> SystemTime {
    std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn finished_stages_are_not_redone() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 300);
    let out = tmp.path().join("run");
    let (done, log) = run(&corpus, &out, &["--seed-list", "1"]);
    assert!(done, "{log}");
    let counts = || modified(out.join("counts/df.json"));
    let keywords = || modified(out.join("keywords/keywords.json"));
    let report = || modified(out.join("report.html"));
    let model = || modified(out.join("runs/seed-1/model/metrics.json"));
    let before = (counts(), keywords(), report(), model());

    // The same command: nothing is redone, and the run says so.
    let (done, log) = run(&corpus, &out, &["--seed-list", "1"]);
    assert!(done, "{log}");
    assert!(log.contains("nothing to do"), "{log}");
    assert_eq!((counts(), keywords(), report(), model()), before, "{log}");
    let evaluation = std::fs::read(out.join("evaluation.json")).unwrap();

    // Other keyword options: the keywords and their evaluation are redone,
    // the counts and the model are not.
    let (done, log) = run(&corpus, &out, &["--seed-list", "1", "--top-n", "5"]);
    assert!(done, "{log}");
    assert!(log.contains("ranking keywords"), "{log}");
    assert!(!log.contains("counting class words"), "{log}");
    assert_eq!((counts(), model()), (before.0, before.3));
    assert_ne!(keywords(), before.1);
    assert_ne!(
        std::fs::read(out.join("evaluation.json")).unwrap(),
        evaluation
    );

    // Another seed: seed 1 and the counts are kept; the keywords are redone
    // over both seeds.
    let (done, log) = run(&corpus, &out, &["--seed-list", "1,2", "--top-n", "5"]);
    assert!(done, "{log}");
    assert!(log.contains("seed 1: trained model found"), "{log}");
    assert!(
        log.contains("ranking keywords over") && log.contains("of 2 runs"),
        "{log}"
    );
    assert_eq!((counts(), model()), (before.0, before.3));
}

#[test]
fn a_run_that_failed_before_any_result_takes_corrected_options() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 120);
    let out = tmp.path().join("run");
    // A model directory whose weights cannot be used.
    let hf = tmp.path().join("bert");
    std::fs::create_dir(&hf).unwrap();
    std::fs::write(
        hf.join("config.json"),
        r#"{"model_type": "bert", "vocab_size": 50, "hidden_size": 8, "num_hidden_layers": 1,
            "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 64,
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#,
    )
    .unwrap();
    std::fs::write(hf.join("model.safetensors"), b"not safetensors").unwrap();
    std::fs::write(hf.join("tokenizer.json"), b"{}").unwrap();
    let model = format!("hf:{}", hf.display());
    let (done, log) = run(&corpus, &out, &["--seed-list", "1", "--model", &model]);
    assert!(!done, "{log}");
    // The corrected command is taken on the same --out.
    let (done, log) = run(&corpus, &out, &["--seed-list", "1"]);
    assert!(done, "{log}");
    assert!(out.join("report.html").is_file());

    // A run with results is still protected against other options.
    let (done, log) = run(&corpus, &out, &["--seed-list", "1", "--epochs", "2"]);
    assert!(!done);
    assert!(log.contains("train.epochs was 1, now 2"), "{log}");
}

#[test]
fn a_run_of_another_format_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 120);
    let out = tmp.path().join("run");
    std::fs::create_dir_all(out.join("runs")).unwrap();
    std::fs::write(
        out.join("params.json"),
        r#"{"format": "sacx-run-identity/9", "sacx_version": "9.0.0", "options": {}}"#,
    )
    .unwrap();
    let (done, log) = run(&corpus, &out, &["--seed-list", "1"]);
    assert!(!done);
    assert!(
        log.contains("sacx-run-identity/9") && log.contains("sacx-run-identity/1"),
        "{log}"
    );
}
