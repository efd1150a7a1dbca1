//! sacx-ig throughput against Captum (issue 5 "Bars").
//!
//! Model: xml-cnn (vocabulary 30k, embedding 128, 128 filters of widths 2/4/8,
//! 2 chunks, hidden 512) or the transformer (vocabulary 30k, width 128, sacx's
//! default 2 layers / 4 heads / ff 256), 35 classes, seeded weights (seed 1);
//! seeded 256-token documents, each with 1 or 2 gold labels alternately (1.5 on
//! average), explained with `TargetPolicy::Gold`, pad baseline, 50
//! Gauss–Legendre steps, raw attributions; CPU, `SACX_BENCH_THREADS` (default 2)
//! libtorch threads. The model and documents are built outside the timed loops.
//!
//! Modes (environment variable `SACX_IG_MODE`):
//! - unset: criterion benchmarks (`cargo bench --bench ig`);
//! - `write`: writes `target/sacx-bench/ig/<model>/{ckpt/, docs.json, sacx_attr.json,
//!   sacx_attr_tol.json}` (sacx's attributions of the first `SACX_IG_COMPARE`
//!   documents at 50 steps, and in tolerance mode from `SACX_IG_TOL_START` steps
//!   (default 8) at tolerance `SACX_IG_TOL` (default 1e-4)) for the peer
//!   `benches/peers/captum_ig.py`, which compares attributions and accuracy;
//! - `pairs`: prints sacx pairs/s on the first `SACX_IG_DOCS` documents
//!   (`SACX_IG_MODEL`, `SACX_IG_STEPS`, `SACX_IG_TOL` for tolerance mode,
//!   `SACX_IG_REPS`, `SACX_IG_BATCH_TOKENS`, `SACX_IG_WORKERS`);
//! - `memory`: streams `SACX_IG_DOCS` generated documents through `explain_to_dir`
//!   (run under `/usr/bin/time -v` for the peak resident memory).
//!
//! See docs/benchmarks.md for the commands and figures.
use std::hint::black_box;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput};
use sacx::ig::{
    DocSource, ExplainDoc, Explainer, IgParams, Normalize, OutputOptions, ResolvedBaseline,
    RunInfo, TargetPolicy, WordMerge, explain_to_dir,
};
use sacx::model::checkpoint::{self, CheckpointConfig};
use sacx::model::{Architecture, Model, ModelSpec, TransformerParams, XmlCnnParams};
use tch::Device;

const VOCAB: usize = 30_000;
const CLASSES: usize = 35;
const DOC_LEN: usize = 256;
const SEED: u64 = 1;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn model(kind: &str) -> Model {
    let architecture = match kind {
        "xml-cnn" => Architecture::XmlCnn(XmlCnnParams::default()),
        "transformer" => Architecture::Transformer(TransformerParams::default()),
        other => panic!("unknown model {other}: xml-cnn or transformer"),
    };
    let spec = ModelSpec {
        architecture,
        vocab_size: VOCAB,
        pad_id: 0,
        num_classes: CLASSES,
    };
    let mut m = Model::new(&spec, SEED, Device::Cpu, None).unwrap();
    m.freeze();
    m
}

/// Document `i`: `DOC_LEN` ids in 1..VOCAB and 1 (even `i`) or 2 (odd `i`)
/// distinct gold labels, from a per-document seeded generator; every token is
/// its own word, no special tokens.
fn doc(i: usize, len: usize) -> ExplainDoc {
    let mut state = (i as u64 ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(6_364_136_223_846_793_005);
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let ids: Vec<i64> = (0..len)
        .map(|_| 1 + (next() % (VOCAB - 1)) as i64)
        .collect();
    let first = (next() % CLASSES) as u32;
    let mut gold = vec![first];
    if i % 2 == 1 {
        gold.push((first + 1 + (next() % (CLASSES - 1)) as u32) % CLASSES as u32);
        gold.sort_unstable();
    }
    ExplainDoc {
        doc_id: format!("d{i}"),
        lang: "en".into(),
        gold,
        ids,
        word_ids: (0..len as u32).map(Some).collect(),
        words: (0..len).map(|t| format!("t{t}")).collect(),
    }
}

fn docs(n: usize) -> Vec<ExplainDoc> {
    (0..n).map(|i| doc(i, DOC_LEN)).collect()
}

fn params(steps: usize, tolerance: Option<f64>) -> IgParams {
    let mut b = IgParams::builder()
        .n_steps(steps)
        .targets(TargetPolicy::Gold)
        .normalize(Normalize::None)
        .merge(WordMerge::Sum)
        .tolerance(tolerance);
    if let Some(t) = std::env::var("SACX_IG_BATCH_TOKENS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        b = b.max_batch_tokens(t);
    }
    b.build().unwrap()
}

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sacx-bench/ig")
}

/// Checkpoint, documents and sacx's attributions of the first documents, for the peer.
fn write(kind: &str, n_docs: usize, n_compare: usize) {
    let m = model(kind);
    let dir = out_dir().join(kind);
    std::fs::create_dir_all(&dir).unwrap();
    let labels: Vec<String> = (0..CLASSES).map(|c| format!("c{c}")).collect();
    let config = CheckpointConfig::new(&m, labels, SEED);
    checkpoint::save(&dir.join("ckpt"), &config, &m, None, &[]).unwrap();
    let ds = docs(n_docs);
    let json = serde_json::json!({
        "n_steps": 50,
        "method": "gausslegendre",
        "docs": ds.iter().map(|d| serde_json::json!({
            "ids": d.ids, "baseline": vec![0i64; d.ids.len()], "targets": d.gold,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(dir.join("docs.json"), serde_json::to_vec(&json).unwrap()).unwrap();
    let runs = [
        ("sacx_attr.json", params(50, None)),
        (
            "sacx_attr_tol.json",
            params(env("SACX_IG_TOL_START", 8), Some(env("SACX_IG_TOL", 1e-4))),
        ),
    ];
    for (file, p) in runs {
        let explainer = Explainer::new(&m, p, ResolvedBaseline::Token(0));
        write_attr(&explainer, &ds[..n_compare], &dir.join(file));
    }
    println!(
        "wrote {} ({n_docs} docs, {n_compare} compared)",
        dir.display()
    );
}

fn write_attr(explainer: &Explainer<'_>, ds: &[ExplainDoc], path: &Path) {
    let recs = explainer.explain(ds).unwrap();
    let pairs: Vec<_> = recs
        .iter()
        .enumerate()
        .flat_map(|(d, r)| {
            r.targets.iter().map(move |t| {
                serde_json::json!({
                    "doc": d, "target": t.class, "attr": t.scores, "rel_delta": t.rel_delta, "steps": t.steps,
                })
            })
        })
        .collect();
    std::fs::write(
        path,
        serde_json::to_vec(&serde_json::json!({ "pairs": pairs })).unwrap(),
    )
    .unwrap();
}

/// The explainer with `SACX_IG_WORKERS` workers (default: the library's).
fn with_workers(e: Explainer<'_>) -> Explainer<'_> {
    match std::env::var("SACX_IG_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
    {
        Some(w) => e.workers(w),
        None => e,
    }
}

/// sacx pairs/s on the first `SACX_IG_DOCS` documents (median of `SACX_IG_REPS`).
fn pairs() {
    let kind: String = env("SACX_IG_MODEL", "xml-cnn".to_string());
    let n: usize = env("SACX_IG_DOCS", 32);
    let steps: usize = env("SACX_IG_STEPS", 50);
    let reps: usize = env("SACX_IG_REPS", 3);
    let tol: Option<f64> = std::env::var("SACX_IG_TOL")
        .ok()
        .and_then(|s| s.parse().ok());
    let m = model(&kind);
    let ds = docs(n);
    let explainer = with_workers(Explainer::new(
        &m,
        params(steps, tol),
        ResolvedBaseline::Token(0),
    ));
    let _ = explainer.explain(&ds[..1.min(n)]).unwrap(); // warm-up
    let mut rates = Vec::new();
    let (mut n_pairs, mut max_rel, mut mean_steps) = (0usize, 0f32, 0f64);
    for _ in 0..reps {
        let t = Instant::now();
        let recs = black_box(explainer.explain(&ds).unwrap());
        let secs = t.elapsed().as_secs_f64();
        n_pairs = recs.iter().map(|r| r.targets.len()).sum();
        max_rel = recs
            .iter()
            .flat_map(|r| r.targets.iter().map(|t| t.rel_delta))
            .fold(0f32, f32::max);
        mean_steps = recs
            .iter()
            .flat_map(|r| r.targets.iter().map(|t| f64::from(t.steps)))
            .sum::<f64>()
            / n_pairs as f64;
        rates.push(n_pairs as f64 / secs);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "sacx {kind} steps={steps} tol={tol:?} docs={n} pairs={n_pairs} pairs/s median={:.2} all={:?} max_rel_delta={max_rel:.3e} mean_steps={mean_steps:.1}",
        rates[rates.len() / 2],
        rates.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>()
    );
}

/// Documents generated on demand, so the input never sits in memory as a whole.
struct Generated {
    docs: usize,
    tokens: usize,
}

impl DocSource for Generated {
    fn len(&self) -> usize {
        self.docs
    }
    fn docs(&self, range: Range<usize>) -> sacx::ig::Result<Vec<ExplainDoc>> {
        Ok(range.map(|i| doc(i, self.tokens)).collect())
    }
}

fn memory() {
    let kind: String = env("SACX_IG_MODEL", "xml-cnn".to_string());
    let n: usize = env("SACX_IG_DOCS", 1000);
    let steps: usize = env("SACX_IG_STEPS", 50);
    let len: usize = env("SACX_IG_LEN", DOC_LEN);
    let m = model(&kind);
    let explainer = with_workers(Explainer::new(
        &m,
        params(steps, None),
        ResolvedBaseline::Token(0),
    ));
    let dir = tempfile::tempdir().unwrap();
    let info = RunInfo {
        run: "bench".into(),
        seed: SEED,
        labels: (0..CLASSES).map(|c| format!("c{c}")).collect(),
    };
    let t = Instant::now();
    let summary = explain_to_dir(
        &explainer,
        &Generated {
            docs: n,
            tokens: len,
        },
        dir.path(),
        &info,
        &OutputOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    println!(
        "memory {kind} docs={n} len={len} steps={steps} pairs={} seconds={:.1} pairs/s={:.1}",
        summary.pairs,
        t.elapsed().as_secs_f64(),
        summary.pairs as f64 / t.elapsed().as_secs_f64()
    );
}

fn criterion_benches() {
    let mut c = Criterion::default().configure_from_args();
    for (kind, n) in [("xml-cnn", 16usize), ("transformer", 4)] {
        let m = model(kind);
        let ds = docs(n);
        let pairs: usize = ds.iter().map(|d| d.gold.len()).sum();
        let explainer = Explainer::new(&m, params(50, None), ResolvedBaseline::Token(0));
        let mut g = c.benchmark_group(format!("ig-{kind}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(pairs as u64));
        g.bench_function(
            format!("{n} docs x {DOC_LEN} tokens, {pairs} pairs, 50 GL steps"),
            |b| b.iter(|| black_box(explainer.explain(&ds).unwrap())),
        );
        g.finish();
    }
    c.final_summary();
}

fn main() {
    tch::set_num_threads(env("SACX_BENCH_THREADS", 2));
    match std::env::var("SACX_IG_MODE").as_deref() {
        Ok("write") => {
            write(
                "xml-cnn",
                env("SACX_IG_DOCS", 64),
                env("SACX_IG_COMPARE", 16),
            );
            write(
                "transformer",
                env("SACX_IG_DOCS", 64),
                env("SACX_IG_COMPARE", 8),
            );
        }
        Ok("pairs") => pairs(),
        Ok("memory") => memory(),
        Ok(other) => panic!("SACX_IG_MODE={other}: expected write, pairs or memory"),
        Err(_) => criterion_benches(),
    }
}
