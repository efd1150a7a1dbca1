//! `sacx predict` throughput and memory (issue 16).
//!
//! `cargo bench --bench predict` builds an xml-cnn checkpoint (default
//! hyperparameters, tokenizer trained on seed 1's training split as in
//! `benches/model.rs`, weights initialised with seed 1: speed does not depend
//! on training) in `target/sacx-bench/predict/model`, then runs
//! `sacx_pipeline::predict::PredictJob` (the library under `sacx predict`)
//! on the bundled corpus `data/appstream.jsonl.gz` with `SACX_BENCH_THREADS`
//! (default 2) libtorch threads, three times, and prints documents/s: end to
//! end (stream, tokenize, score, write Parquet) and the scoring part. It also
//! writes the same documents' token ids and the weights' path for the PyTorch
//! peer:
//! `.venv/bin/python benches/peers/xml_cnn_predict_torch.py target/sacx-bench/predict/peer.json`.
//!
//! `cargo bench --bench predict -- pool N` writes a pool of N documents
//! (the bundled documents streamed repeatedly with fresh ids, gzipped) to
//! `target/sacx-bench/predict/pool-N.jsonl.gz`, for the memory figures:
//! `/usr/bin/time -f "%e s %M KiB" target/release/sacx predict --model
//! target/sacx-bench/predict/model --corpus target/sacx-bench/predict/pool-N.jsonl.gz
//! --out DIR --threads 2`. Figures are in docs/benchmarks.md.
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sacx_data::{Corpus, LoadOptions, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_model::checkpoint::{CheckpointConfig, save};
use sacx_model::data::model_spec;
use sacx_model::{Architecture, Model};
use sacx_pipeline::predict::{PredictJob, PredictParams};
use tch::Device;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bundled() -> PathBuf {
    root().join("data/appstream.jsonl.gz")
}

/// The benchmark's checkpoint and tokenizer (written once).
fn checkpoint(dir: &Path) -> (Tokenizer, Corpus) {
    let corpus = Corpus::load(&[bundled()], &LoadOptions::default()).unwrap();
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
    let spec = model_spec("xml-cnn".parse::<Architecture>().unwrap(), &tok, &corpus);
    let model = Model::new(&spec, 1, Device::Cpu, None).unwrap();
    let config = CheckpointConfig::new(&model, corpus.labels.names().to_vec(), 1);
    save(dir, &config, &model, Some(&tok), &[]).unwrap();
    (tok, corpus)
}

fn throughput(out: &Path, threads: usize) {
    let model = out.join("model");
    let (tok, corpus) = checkpoint(&model);
    // The peer's input: the same documents' ids, in pool order, and the weights.
    let ids: Vec<Vec<i64>> = tok
        .encode_batch(
            &corpus
                .docs
                .iter()
                .map(|d| d.text.as_str())
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .map(|e| e.ids)
        .collect();
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("config.json")).unwrap()).unwrap();
    let peer = serde_json::json!({
        "architecture": config["model"]["architecture"],
        "vocab_size": tok.vocab_size(),
        "pad_id": tok.pad_id(),
        "num_classes": corpus.labels.len(),
        "threads": threads,
        "batch_size": PredictParams::default().batch_size(),
        "chunk_docs": PredictParams::default().chunk_docs(),
        "weights": model.join("model.safetensors"),
        "predictions": out.join("run"),
        "docs": ids,
    });
    std::fs::write(out.join("peer.json"), serde_json::to_vec(&peer).unwrap()).unwrap();

    let load = LoadOptions::builder().require_ids(true).build().unwrap();
    for i in 0..3 {
        let dir = out.join("run");
        let _ = std::fs::remove_dir_all(&dir);
        let job = PredictJob {
            model: model.clone(),
            corpus: vec![bundled()],
            load: load.clone(),
            out: dir,
            params: PredictParams::default(),
            device: sacx_model::DeviceSpec::Cpu,
        };
        let s = job.run(&mut sacx_pipeline::Silent).unwrap();
        println!(
            "sacx predict, run {}: {} docs, {threads} threads, {:.2} s = {:.1} docs/s end to end (scoring and writing: {:.1} docs/s)",
            i + 1,
            s.documents,
            s.seconds,
            s.documents as f64 / s.seconds,
            s.docs_per_second
        );
        let stages: Vec<String> = s
            .stage_seconds
            .iter()
            .map(|(k, v)| format!("{k} {v:.2} s"))
            .collect();
        println!("  per step: {}", stages.join(", "));
    }
}

/// Writes `n` documents: the bundled ones over and over, id `<id>#<pass>`.
fn pool(out: &Path, n: u64) {
    let path = out.join(format!("pool-{n}.jsonl.gz"));
    let file = std::fs::File::create(&path).unwrap();
    let mut gz =
        flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast());
    let mut written = 0u64;
    let mut pass = 0u64;
    while written < n {
        let src = std::fs::File::open(bundled()).unwrap();
        for line in BufReader::new(flate2::read::GzDecoder::new(src)).lines() {
            if written == n {
                break;
            }
            let mut v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let id = format!("{}#{pass}", v["id"].as_str().unwrap_or("doc"));
            v["id"] = id.into();
            v.as_object_mut().unwrap().remove("labels");
            writeln!(gz, "{v}").unwrap();
            written += 1;
        }
        pass += 1;
    }
    gz.finish().unwrap().flush().unwrap();
    println!("{}: {n} documents", path.display());
}

fn main() {
    let threads: usize = std::env::var("SACX_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    tch::set_num_threads(threads as i32);
    let out = root().join("target/sacx-bench/predict");
    std::fs::create_dir_all(&out).unwrap();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let started = Instant::now();
    match args.as_slice() {
        [mode, n] if mode == "pool" => pool(&out, n.parse().unwrap()),
        _ => throughput(&out, threads),
    }
    eprintln!("({:.1} s)", started.elapsed().as_secs_f64());
}
