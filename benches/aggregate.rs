//! sacx-aggregate throughput: IG keyword ranking (`aggregate`) over 1 M seeded
//! (run, document, class, word) records, read from sacx shards and from the original
//! pipeline's TSV format (the same records). The data is generated once, outside the
//! timed loop, into a temporary directory.
//!
//! Run: `cargo bench --bench aggregate`. Figures are in docs/benchmarks.md.
//!
//! This bench binary belongs to the root package `sacx`, which links libtorch; that does
//! not affect throughput, but peak-memory figures come from the torch-free example
//! `crates/sacx-aggregate/examples/keywords.rs` (see docs/benchmarks.md).

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sacx_aggregate::{CutOrder, Inputs, KeywordParams, Style, aggregate};
use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardWriter, TargetAttribution,
};

const RECORDS: u64 = 1_000_000;
const RUNS: usize = 5;
const LABELS: usize = 8;
const VOCAB: usize = 20_000;

/// SplitMix64: a small seeded generator (the root package has no `rand` dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
}

/// Writes the seeded data set: per run two shards and one TSV file with the same records.
fn generate(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<String>) {
    let mut rng = Rng(20220522);
    let vocab: Vec<String> = (0..VOCAB)
        .map(|_| {
            if rng.unit() < 0.02 {
                return (1000 + rng.below(2000)).to_string();
            }
            (0..3 + rng.below(7))
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect()
        })
        .collect();
    let labels: Vec<String> = (0..LABELS).map(|c| format!("C{c}")).collect();
    let list = |c: &[u32]| {
        let items: Vec<String> = c.iter().map(|&i| format!("'C{i}'")).collect();
        format!("[{}]", items.join(", "))
    };
    let (mut shards, mut tsvs) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let name = format!("seed-{run}");
        let mut writers: Vec<ShardWriter> = (0..2)
            .map(|i| {
                let header = ShardHeader {
                    format_version: SHARD_FORMAT_VERSION,
                    run: name.clone(),
                    seed: run as u64,
                    labels: labels.clone(),
                    shard_index: i,
                };
                let path = dir.join(format!("{name}-{i}.shard"));
                shards.push(path.clone());
                ShardWriter::create(&path, &header).expect("creates shard")
            })
            .collect();
        let tsv_path = dir.join(format!("{name}.tsv"));
        let mut tsv =
            std::io::BufWriter::new(std::fs::File::create(&tsv_path).expect("creates tsv"));
        tsvs.push(tsv_path);
        let mut text = String::from("\tid\tlabel\tpred\ttoken\tscore\tprobs\n");
        let (mut records, mut row, mut doc) = (0u64, 0u64, 0usize);
        while records < RECORDS / RUNS as u64 {
            doc += 1 + rng.below(3);
            let gold = vec![rng.below(LABELS) as u32];
            // Zipf(1)-like word choice: log-uniform rank.
            let words: Vec<String> = (0..100 + rng.below(200))
                .map(|_| {
                    vocab[((VOCAB as f64).powf(rng.unit()) as usize - 1).min(VOCAB - 1)].clone()
                })
                .collect();
            let probs: Vec<f32> = (0..LABELS as u32)
                .map(|c| {
                    let base = if gold.contains(&c) { 0.75 } else { 0.08 };
                    let p = (base + (rng.unit() - 0.5) * 0.6).clamp(0.001, 0.999);
                    ((p * 1000.0).round() / 1000.0) as f32
                })
                .collect();
            let targets: Vec<TargetAttribution> = (0..LABELS as u32)
                .filter(|&c| probs[c as usize] > 0.5)
                .map(|class| TargetAttribution {
                    class,
                    scores: words
                        .iter()
                        .map(|_| (((rng.unit() * 0.15 - 0.05) * 1e4).round() / 1e4) as f32)
                        .collect(),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 32,
                })
                .collect();
            let record = DocExplanation {
                doc_id: format!("doc_{doc}"),
                lang: "en".into(),
                gold,
                probs,
                words,
                targets,
            };
            let probs_text: Vec<String> = record.probs.iter().map(|p| p.to_string()).collect();
            let probs_text = format!("[{}]", probs_text.join(", "));
            for t in &record.targets {
                let (gold, pred) = (list(&record.gold), list(&[t.class]));
                for (w, s) in record.words.iter().zip(&t.scores) {
                    let id = &record.doc_id;
                    writeln!(text, "{row}\t{id}\t{gold}\t{pred}\t{w}\t{s}\t{probs_text}")
                        .expect("formats");
                    row += 1;
                }
                records += record.words.len() as u64;
            }
            tsv.write_all(text.as_bytes()).expect("writes tsv");
            text.clear();
            writers[doc % 2].write(&record).expect("writes shard");
        }
        for w in writers {
            w.finish().expect("finishes shard");
        }
        tsv.flush().expect("flushes tsv");
    }
    (shards, tsvs, labels)
}

fn keywords(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (shards, tsvs, labels) = generate(dir.path());
    let params = KeywordParams::builder()
        .style(Style::All)
        .cut_order(CutOrder::Original)
        .words_per_doc(20)
        .build()
        .expect("valid parameters");
    let shard_inputs = Inputs::new().paths(&shards);
    let tsv_inputs = Inputs::new().labels(labels).paths(&tsvs);
    // Both inputs hold the same records: the same keywords.
    let a = aggregate(&shard_inputs, &params, None).expect("aggregates shards");
    let b = aggregate(&tsv_inputs, &params, None).expect("aggregates tsv");
    assert_eq!(a.classes, b.classes);
    let mut g = c.benchmark_group("aggregate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(RECORDS));
    g.bench_function("keywords_1M_records_shards", |bch| {
        bch.iter(|| black_box(aggregate(&shard_inputs, &params, None).expect("aggregates")))
    });
    g.bench_function("keywords_1M_records_tsv", |bch| {
        bch.iter(|| black_box(aggregate(&tsv_inputs, &params, None).expect("aggregates")))
    });
    g.finish();
}

criterion_group!(benches, keywords);
criterion_main!(benches);
