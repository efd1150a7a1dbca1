//! The quality bar: train a model on the bundled AppStream corpus (split grouped
//! by `id`, seed 1) and print its validation metrics. Also writes the exact split
//! (`train.jsonl`, `valid.jsonl`) for the TF-IDF peer `benches/peers/tfidf_lr.py`.
//!
//! ```text
//! cargo run --release -p sacx-model --example appstream_quality -- xml-cnn /tmp/sacx-quality [epochs] [threads]
//! ```
//!
//! Everything else is a library default: `word` tokenizer (`TokenizerOptions`
//! defaults), the architecture's defaults, `TrainParams` defaults (epochs too,
//! unless given), seed 1, CPU, 2 threads unless given. Prints the training
//! time (training loop, validation and checkpoints; not the tokenizer).
use std::io::Write;
use std::path::{Path, PathBuf};

use sacx_data::{Corpus, LoadOptions, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_model::data::{labels, model_spec, split_examples};
use sacx_model::{Architecture, EpochSummary, TrainJob, TrainObserver, TrainParams, train};

fn write_split(path: &Path, corpus: &Corpus, idx: &[usize]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for &i in idx {
        let d = &corpus.docs[i];
        let labels: Vec<&str> = d
            .labels
            .iter()
            .map(|&l| corpus.labels.names()[l as usize].as_str())
            .collect();
        let line =
            serde_json::json!({"id": d.id, "lang": d.lang, "text": d.text, "labels": labels});
        writeln!(f, "{line}")?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let model = args.get(1).map_or("xml-cnn", String::as_str);
    let out = PathBuf::from(args.get(2).map_or("/tmp/sacx-quality", String::as_str));
    let epochs: usize = args
        .get(3)
        .map_or(Ok(TrainParams::default().epochs()), |s| s.parse())?;
    let threads: usize = args.get(4).map_or(Ok(2), |s| s.parse())?;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/appstream.jsonl.gz");
    let corpus = Corpus::load(&[&data], &LoadOptions::default())?;
    let split = Split::new(&corpus.docs, &SplitOptions::builder().seed(1).build()?);
    std::fs::create_dir_all(&out)?;
    write_split(&out.join("train.jsonl"), &corpus, &split.train)?;
    write_split(&out.join("valid.jsonl"), &corpus, &split.valid)?;
    let texts: Vec<&str> = split
        .train
        .iter()
        .map(|&i| corpus.docs[i].text.as_str())
        .collect();
    let tok_opts = TokenizerOptions::default();
    let tokenizer = Tokenizer::train(&tok_opts, Segmenter::new(), &texts)?;
    let sacx_model::data::SplitExamples {
        train: train_ex,
        valid: valid_ex,
        ..
    } = split_examples(&corpus, &split, &tokenizer)?;
    let arch: Architecture = model.parse()?;
    let params = TrainParams::builder()
        .epochs(epochs)
        .seed(1)
        .threads(Some(threads))
        .device("cpu".parse()?)
        .build()?;
    let run = out.join(model);
    let job = TrainJob::new(
        model_spec(arch, &tokenizer, &corpus),
        labels(&corpus),
        params,
        &train_ex,
        &valid_ex,
        run.clone(),
    )?
    .resume(true)
    .tokenizer(Some(&tokenizer));
    let started = std::time::Instant::now();
    let report = train(&job, &mut EpochLines)?;
    let train_secs = started.elapsed().as_secs_f64();
    let m = &report.metrics;
    println!(
        "{model}: train {} valid {} vocab {} best epoch {} of {} ({train_secs:.1} s)  micro-F1@0.5 {:.4}  macro-F1 {:.4}  P@1 {:.4}  nDCG@3 {:.4}  best threshold {:.3} (micro-F1 {:.4})",
        train_ex.len(),
        valid_ex.len(),
        tokenizer.vocab_size(),
        report.best_epoch,
        report.epochs_completed,
        m.overall.micro_f1,
        m.overall.macro_f1,
        m.overall.precision_at["1"],
        m.overall.ndcg_at["3"],
        m.best_threshold.threshold,
        m.best_threshold.micro_f1
    );
    for (lang, s) in &m.per_language {
        println!(
            "  {lang}: docs {} micro-F1 {:.4} macro-F1 {:.4} P@1 {:.4}",
            s.documents, s.micro_f1, s.macro_f1, s.precision_at["1"]
        );
    }
    let docs_per_sec: f64 = report.history.iter().map(|h| h.docs_per_sec).sum::<f64>()
        / report.history.len().max(1) as f64;
    println!(
        "  mean training throughput {docs_per_sec:.1} docs/s; metrics in {}",
        run.join("metrics.json").display()
    );
    Ok(())
}

/// One line per epoch on standard error.
struct EpochLines;

impl TrainObserver for EpochLines {
    fn epoch_end(&mut self, s: &EpochSummary) {
        eprintln!(
            "epoch {} train loss {:.4} valid loss {:.4} micro-F1 {:.4}{} {:.1}s",
            s.epoch,
            s.train_loss,
            s.valid_loss,
            s.valid_micro_f1,
            if s.improved { " (best)" } else { "" },
            s.seconds
        );
    }
    fn note(&mut self, message: &str) {
        eprintln!("{message}");
    }
}
