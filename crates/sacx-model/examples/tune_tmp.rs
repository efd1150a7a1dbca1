//! TEMPORARY tuning harness (to be deleted).
use std::path::{Path, PathBuf};
use std::time::Instant;

use sacx_data::{Corpus, LoadOptions, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_model::data::{labels, model_spec, split_examples};
use sacx_model::{
    Architecture, Silent, TrainJob, TrainParams, XmlCnnParams, balanced_pos_weights, train,
};

fn env<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/appstream.jsonl.gz");
    let corpus = Corpus::load(&[&data], &LoadOptions::default())?;
    let split = Split::new(&corpus.docs, &SplitOptions::builder().seed(1).build()?);
    let texts: Vec<&str> = split.train.iter().map(|&i| corpus.docs[i].text.as_str()).collect();
    let tok_opts = TokenizerOptions::builder()
        .max_len(env("MAXLEN", 256))
        .min_count(env("MINCOUNT", 1))
        .vocab_size(env("VOCAB", 30000))
        .build()?;
    let tokenizer = Tokenizer::train(&tok_opts, Segmenter::new(), &texts)?;
    let (train_ex, valid_ex) = split_examples(&corpus, &split, &tokenizer)?;
    eprintln!("vocab {}", tokenizer.vocab_size());
    // configs: "name:lr:epochs:patience:bs:wd:dropout:chunks:poscap:warmup"
    for cfg in std::env::args().skip(1) {
        let f: Vec<&str> = cfg.split(':').collect();
        let g = |i: usize, d: f64| f.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
        let model = f[0];
        let mut arch: Architecture = model.parse()?;
        if let Architecture::XmlCnn(p) = &mut arch {
            let mut b = XmlCnnParams::builder()
                .dropout(g(6, p.dropout))
                .chunks(g(7, p.chunks as f64) as usize);
            if let Ok(h) = std::env::var("HIDDEN") { b = b.hidden(h.parse()?); }
            *p = b.build()?;
        }
        let cap = g(8, 0.0) as f32;
        let pw = (cap > 0.0).then(|| balanced_pos_weights(&train_ex, corpus.labels.len(), cap));
        let d = TrainParams::default();
        let params = TrainParams::builder()
            .learning_rate(g(1, d.learning_rate))
            .epochs(g(2, d.epochs as f64) as usize)
            .patience(g(3, d.patience as f64) as usize)
            .batch_size(g(4, d.batch_size as f64) as usize)
            .weight_decay(g(5, d.weight_decay))
            .warmup(g(9, d.warmup))
            .pos_weight(pw)
            .seed(1)
            .threads(Some(2))
            .device("cpu".parse()?)
            .build()?;
        let out = PathBuf::from("/tmp/tune/runs").join(cfg.replace(':', "_"));
        let _ = std::fs::remove_dir_all(&out);
        let job = TrainJob {
            spec: model_spec(arch, &tokenizer, &corpus),
            labels: labels(&corpus),
            params,
            train: &train_ex,
            valid: &valid_ex,
            out_dir: out,
            resume: false,
            tokenizer: None,
            vectors: None,
        };
        let t = Instant::now();
        let r = train(&job, &mut Silent)?;
        let secs = t.elapsed().as_secs_f64();
        let m = &r.metrics;
        let hist: Vec<String> = r.history.iter().map(|h| format!("{:.4}", h.valid_loss)).collect();
        println!(
            "{cfg} | microF1 {:.4} macroF1 {:.4} P@1 {:.4} bestthr {:.3}->{:.4} | best ep {} of {} | {:.0}s | vl [{}]",
            m.overall.micro_f1, m.overall.macro_f1, m.overall.precision_at["1"],
            m.best_threshold.threshold, m.best_threshold.micro_f1,
            r.best_epoch, r.epochs_completed, secs, hist.join(" ")
        );
    }
    Ok(())
}
