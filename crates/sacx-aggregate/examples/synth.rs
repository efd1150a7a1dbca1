//! Writes a seeded synthetic explanation set — shards and the equivalent original-format
//! TSV files, one of each per run — for benchmarking keyword aggregation.
//!
//! `cargo run --release -p sacx-aggregate --example synth -- OUT_DIR [RECORDS] [RUNS] [SEED]`
//!
//! RECORDS counts (run, document, target class, word) records over all runs (default
//! 10 000 000), RUNS defaults to 5. Writes `OUT_DIR/shards/*.shard`, `OUT_DIR/tsv/*.tsv`
//! and `OUT_DIR/manifest.json`.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_data::explanation::SHARD_FORMAT_VERSION;
use sacx_data::explanation::{DocExplanation, ShardHeader, ShardWriter, TargetAttribution};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

const N_LABELS: usize = 8;
const VOCAB: usize = 20_000;
const POOL: usize = 50_000;

fn word(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.02) {
        return rng.random_range(1000..3000).to_string();
    }
    (0..rng.random_range(3..10))
        .map(|_| (b'a' + rng.random_range(0..26u8)) as char)
        .collect()
}

/// The words and gold labels of pool document `d` (the same in every run).
fn document(seed: u64, d: usize, vocab: &[String], cdf: &[f64]) -> (Vec<String>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (d as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let mut gold = vec![rng.random_range(0..N_LABELS as u32)];
    if rng.random_bool(0.3) {
        let g = rng.random_range(0..N_LABELS as u32);
        if g != gold[0] {
            gold.push(g);
        }
    }
    gold.sort_unstable();
    let n = rng.random_range(100..300);
    let words = (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            vocab[cdf.partition_point(|&c| c < u).min(vocab.len() - 1)].clone()
        })
        .collect();
    (words, gold)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .ok_or("usage: synth OUT_DIR [RECORDS] [RUNS] [SEED]")?,
    );
    let records: u64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000_000);
    let runs: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(5);
    let seed: u64 = args
        .get(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20220522);
    std::fs::create_dir_all(out.join("shards"))?;
    std::fs::create_dir_all(out.join("tsv"))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let vocab: Vec<String> = (0..VOCAB).map(|_| word(&mut rng)).collect();
    // Zipf(1) over the vocabulary.
    let weights: Vec<f64> = (1..=VOCAB).map(|r| 1.0 / r as f64).collect();
    let total: f64 = weights.iter().sum();
    let cdf: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w / total;
            Some(*acc)
        })
        .collect();
    // Per class, 300 words that its model attributes highly.
    let class_words: Vec<std::collections::HashSet<&str>> = (0..N_LABELS)
        .map(|_| {
            (0..300)
                .map(|_| vocab[rng.random_range(0..2000)].as_str())
                .collect()
        })
        .collect();
    let labels: Vec<String> = (0..N_LABELS).map(|c| format!("C{c}")).collect();
    let per_run = records / runs as u64;
    let mut written = 0u64;
    for run in 0..runs {
        let name = format!("seed-{run}");
        let mut shards: Vec<ShardWriter> = (0..2)
            .map(|i| {
                let header = ShardHeader {
                    format_version: SHARD_FORMAT_VERSION,
                    run: name.clone(),
                    seed: run as u64,
                    labels: labels.clone(),
                    shard_index: i,
                };
                ShardWriter::create(
                    &out.join("shards").join(format!("{name}-{i}.shard")),
                    &header,
                )
            })
            .collect::<Result<_, _>>()?;
        let mut tsv = std::io::BufWriter::new(std::fs::File::create(
            out.join("tsv").join(format!("{name}.tsv")),
        )?);
        writeln!(tsv, "\tid\tlabel\tpred\ttoken\tscore\tprobs")?;
        let (mut row, mut run_records, mut n_docs) = (0u64, 0u64, 0usize);
        let mut line = String::new();
        // Each run explains an increasing walk through the pool (no document twice in a
        // run; runs overlap partly, like resplit validation sets).
        let mut d = rng.random_range(0..POOL / 4);
        while run_records < per_run {
            d += rng.random_range(1..4);
            if d >= POOL {
                return Err("document pool exhausted; raise POOL or lower RECORDS".into());
            }
            let (words, gold) = document(seed, d, &vocab, &cdf);
            let probs: Vec<f32> = (0..N_LABELS as u32)
                .map(|c| {
                    let base = if gold.contains(&c) { 0.75 } else { 0.08 };
                    let p: f32 = base + rng.random_range(-0.3f32..0.3);
                    (p.clamp(0.001, 0.999) * 1000.0).round() / 1000.0
                })
                .collect();
            let targets: Vec<TargetAttribution> = (0..N_LABELS as u32)
                .filter(|&c| probs[c as usize] > 0.5)
                .map(|class| TargetAttribution {
                    class,
                    scores: words
                        .iter()
                        .map(|w| {
                            let boost = if class_words[class as usize].contains(w.as_str()) {
                                0.15
                            } else {
                                0.0
                            };
                            ((boost + rng.random_range(-0.05f32..0.1)) * 1e4).round() / 1e4
                        })
                        .collect(),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 32,
                })
                .collect();
            let record = DocExplanation {
                doc_id: format!("doc_{d}"),
                lang: "en".into(),
                gold,
                probs,
                words,
                targets,
            };
            let list = |c: &[u32]| {
                format!(
                    "[{}]",
                    c.iter()
                        .map(|&i| format!("'{}'", labels[i as usize]))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let probs_text = format!(
                "[{}]",
                record
                    .probs
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let gold_text = list(&record.gold);
            for t in &record.targets {
                let pred = list(&[t.class]);
                for (w, s) in record.words.iter().zip(&t.scores) {
                    line.clear();
                    writeln!(
                        line,
                        "{row}\t{}\t{gold_text}\t{pred}\t{w}\t{s}\t{probs_text}",
                        record.doc_id
                    )?;
                    tsv.write_all(line.as_bytes())?;
                    row += 1;
                }
                run_records += record.words.len() as u64;
            }
            shards[n_docs % 2].write(&record)?;
            n_docs += 1;
        }
        for s in shards {
            s.finish()?;
        }
        tsv.flush()?;
        written += run_records;
        println!("{name}: {n_docs} documents, {run_records} records");
    }
    let manifest =
        serde_json::json!({ "records": written, "runs": runs, "seed": seed, "labels": labels });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    println!("total records: {written}");
    Ok(())
}
