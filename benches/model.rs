//! sacx-model training throughput: xml-cnn (default hyperparameters) training
//! passes over 640 documents of the bundled corpus (batches of 32, length-sorted),
//! on CPU with `SACX_BENCH_THREADS` (default 2) libtorch threads; and inference.
//!
//! Run: `cargo bench --bench model`, then the PyTorch peer on the same batches:
//! `.venv/bin/python benches/peers/xml_cnn_torch.py target/sacx-bench/xml_cnn_batches.json`.
//! Figures are in docs/benchmarks.md.
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sacx_data::{Corpus, LoadOptions, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_model::data::{encode_examples, model_spec};
use sacx_model::internal::{adamw, batch_indices, fit_batches};
use sacx_model::{Architecture, Model};
use tch::Device;

const DOCS: usize = 640;
const BATCH: usize = 32;
const LR: f64 = 1e-3;
const CLIP: f64 = 5.0;

fn bench(c: &mut Criterion) {
    let threads: usize = std::env::var("SACX_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    tch::set_num_threads(threads as i32);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = Corpus::load(
        &[root.join("data/appstream.jsonl.gz")],
        &LoadOptions::default(),
    )
    .unwrap();
    let split = Split::new(
        &corpus.docs,
        &SplitOptions::builder().seed(1).build().unwrap(),
    );
    let texts: Vec<&str> = split
        .train
        .iter()
        .map(|&i| corpus.docs[i].text.as_str())
        .collect();
    let opts = TokenizerOptions::builder().max_len(256).build().unwrap();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &texts).unwrap();
    let examples = encode_examples(&corpus, &split.train[..DOCS], &tok).unwrap();
    let lens: Vec<usize> = examples.iter().map(|e| e.ids.len()).collect();
    let batches = batch_indices(&lens, BATCH, None);
    let spec = model_spec("xml-cnn".parse::<Architecture>().unwrap(), &tok, &corpus);

    // The exact batches and settings for the PyTorch peer.
    let out = root.join("target/sacx-bench");
    std::fs::create_dir_all(&out).unwrap();
    let dump = serde_json::json!({
        "architecture": spec.architecture,
        "vocab_size": spec.vocab_size,
        "pad_id": spec.pad_id,
        "num_classes": spec.num_classes,
        "threads": threads,
        "lr": LR,
        "clip_norm": CLIP,
        "batches": batches.iter().map(|b| b.iter().map(|&i| serde_json::json!({
            "ids": examples[i].ids, "labels": examples[i].labels
        })).collect::<Vec<_>>()).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join("xml_cnn_batches.json"),
        serde_json::to_vec(&dump).unwrap(),
    )
    .unwrap();

    let model = Model::new(&spec, 1, Device::Cpu, None).unwrap();
    let mut opt = adamw(&model, 0.01).unwrap();
    let mut g = c.benchmark_group("xml-cnn");
    g.sample_size(10);
    g.throughput(Throughput::Elements(DOCS as u64));
    g.bench_function(
        format!("train {DOCS} docs, batch {BATCH}, {threads} threads"),
        |b| {
            b.iter(|| {
                black_box(
                    fit_batches(&model, &mut opt, &examples, &batches, LR, Some(CLIP), 1).unwrap(),
                )
            })
        },
    );
    g.bench_function(format!("predict {DOCS} docs, {threads} threads"), |b| {
        b.iter(|| black_box(model.predict(&examples, 128).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
