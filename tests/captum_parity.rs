//! sacx-ig against Captum: `tests/python/captum_ig.py` runs Captum's
//! `LayerIntegratedGradients` on the embedding layer of the same safetensors
//! weights (rebuilt in plain PyTorch by `tests/python/sacx_torch.py`), one
//! `attribute()` per (document, target) pair, with the same baseline (the pad
//! token at every position), method (Gauss–Legendre) and steps. sacx's raw token
//! attributions (`Normalize::None`; every token is its own word, so word scores
//! are token scores) must equal Captum's within 1e-4 relative to the pair's
//! largest attribution, for xml-cnn (the linear-stage path), the transformer and
//! embed-pool (the generic path).
use std::path::Path;
use std::process::Command;

use sacx::ig::{
    ExplainDoc, Explainer, IgParams, Method, Normalize, ResolvedBaseline, TargetPolicy, WordMerge,
};
use sacx::model::checkpoint::{self, CheckpointConfig};
use sacx::model::{
    Architecture, EmbedPoolParams, Model, ModelSpec, TransformerParams, XmlCnnParams,
};
use tch::Device;

const VOCAB: usize = 50;
const CLASSES: usize = 4;
const STEPS: usize = 50;
const TOL: f64 = 1e-4;

fn python() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

/// Seeded documents (ids 1..VOCAB, pad is 0) of varied lengths, one or two gold
/// targets each; every token is its own word and there are no special tokens.
fn docs() -> Vec<ExplainDoc> {
    let lens = [1usize, 5, 9, 16];
    lens.iter()
        .enumerate()
        .map(|(d, &n)| {
            let ids: Vec<i64> = (0..n)
                .map(|i| 1 + ((i * 17 + d * 29 + 3) % (VOCAB - 1)) as i64)
                .collect();
            let gold = if d % 2 == 0 {
                vec![(d % CLASSES) as u32]
            } else {
                vec![0, 3]
            };
            ExplainDoc {
                doc_id: format!("d{d}"),
                lang: "en".into(),
                gold,
                word_ids: (0..n as u32).map(Some).collect(),
                words: (0..n).map(|i| format!("t{i}")).collect(),
                ids,
            }
        })
        .collect()
}

fn models() -> Vec<(&'static str, Architecture)> {
    vec![
        (
            "xml-cnn",
            Architecture::XmlCnn(
                XmlCnnParams::builder()
                    .embedding_dim(12)
                    .filter_widths(vec![2, 3, 5])
                    .num_filters(6)
                    .chunks(2)
                    .hidden(10)
                    .build()
                    .unwrap(),
            ),
        ),
        (
            "transformer",
            Architecture::Transformer(
                TransformerParams::builder()
                    .embedding_dim(16)
                    .layers(2)
                    .heads(4)
                    .ff_dim(24)
                    .max_positions(32)
                    .build()
                    .unwrap(),
            ),
        ),
        (
            "embed-pool",
            Architecture::EmbedPool(
                EmbedPoolParams::builder()
                    .embedding_dim(12)
                    .hidden(10)
                    .build()
                    .unwrap(),
            ),
        ),
    ]
}

/// Largest `|a − b|` over the pair's tokens, relative to `max |b|`.
fn rel_err(sacx: &[f32], captum: &[f64]) -> f64 {
    assert_eq!(sacx.len(), captum.len());
    let scale = captum.iter().fold(0f64, |m, x| m.max(x.abs())).max(1e-30);
    sacx.iter()
        .zip(captum)
        .map(|(a, b)| (f64::from(*a) - b).abs())
        .fold(0f64, f64::max)
        / scale
}

#[test]
fn token_attributions_equal_captum_layer_integrated_gradients() {
    tch::set_num_threads(2);
    let dir = tempfile::tempdir().unwrap();
    let docs = docs();
    let labels: Vec<String> = (0..CLASSES).map(|c| format!("c{c}")).collect();
    let params = IgParams::builder()
        .n_steps(STEPS)
        .method(Method::GaussLegendre)
        .targets(TargetPolicy::Gold)
        .normalize(Normalize::None)
        .merge(WordMerge::Sum)
        .build()
        .unwrap();
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for (seed, (name, arch)) in models().into_iter().enumerate() {
        let spec = ModelSpec {
            architecture: arch,
            vocab_size: VOCAB,
            pad_id: 0,
            num_classes: CLASSES,
        };
        let mut model = Model::new(&spec, 7 + seed as u64, Device::Cpu, None).unwrap();
        model.freeze();
        let ckpt = dir.path().join(name);
        let config = CheckpointConfig::new(&model, labels.clone(), 7);
        checkpoint::save(&ckpt, &config, &model, None, &[]).unwrap();
        let explainer = Explainer::new(&model, params.clone(), ResolvedBaseline::Token(0));
        let records = explainer.explain(&docs).unwrap();
        cases.push(serde_json::json!({
            "name": name,
            "ckpt": ckpt,
            "docs": docs.iter().map(|d| serde_json::json!({
                "ids": d.ids,
                "baseline": vec![0i64; d.ids.len()],
                "targets": d.gold,
            })).collect::<Vec<_>>(),
        }));
        ours.push((name, records));
    }
    let cases_path = dir.path().join("cases.json");
    let out_path = dir.path().join("captum.json");
    let cases = serde_json::json!({
        "n_steps": STEPS,
        "method": "gausslegendre",
        "dtypes": ["float32", "float64"],
        "models": cases,
    });
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/captum_ig.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(&cases_path)
        .arg(&out_path)
        .output()
        .expect("run .venv/bin/python with captum installed");
    assert!(
        out.status.success(),
        "captum_ig.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let captum: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (name, records) in &ours {
        for dtype in ["float32", "float64"] {
            let pairs = captum[format!("{name}/{dtype}")].as_array().unwrap();
            let mut k = 0;
            let mut worst = 0f64;
            for (d, rec) in records.iter().enumerate() {
                assert_eq!(rec.targets.len(), docs[d].gold.len());
                for t in &rec.targets {
                    let p = &pairs[k];
                    k += 1;
                    assert_eq!(p["doc"].as_u64().unwrap() as usize, d);
                    assert_eq!(p["target"].as_u64().unwrap() as u32, t.class);
                    let theirs: Vec<f64> = p["attr"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap())
                        .collect();
                    // Same completeness gap F(e) − F(b) on both sides.
                    let gap = p["gap"].as_f64().unwrap();
                    let our_gap: f64 =
                        t.scores.iter().map(|&s| f64::from(s)).sum::<f64>() - f64::from(t.delta);
                    assert!(
                        (gap - our_gap).abs() <= 1e-4 * gap.abs().max(1e-3),
                        "{name} doc {d} class {}: F(e) − F(b) {our_gap} vs captum {gap}",
                        t.class
                    );
                    let err = rel_err(&t.scores, &theirs);
                    worst = worst.max(err);
                    if err > TOL {
                        failures.push(format!(
                            "{name}/{dtype} doc {d} class {}: rel err {err:.3e}\n  sacx   {:?}\n  captum {:?}",
                            t.class, t.scores, theirs
                        ));
                    }
                }
            }
            assert_eq!(k, pairs.len(), "{name}: pair count");
            eprintln!("{name} vs captum {dtype}: {k} pairs, max rel err {worst:.3e}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
