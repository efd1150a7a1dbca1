//! sacx-data throughput: segmentation + tokenization (space-separated languages
//! vs Chinese/Japanese) and class word counting, on the bundled corpus.
//!
//! Run: `cargo bench --bench data`. Figures are in docs/benchmarks.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sacx_data::{
    ClassWordCounts, Corpus, LoadOptions, Segmenter, Tokenizer, TokenizerKind, TokenizerOptions,
};

const BUNDLED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/appstream.jsonl.gz");

fn texts(corpus: &Corpus, cjk: bool) -> Vec<&str> {
    corpus
        .docs
        .iter()
        .filter(|d| (d.lang == "zh" || d.lang == "ja") == cjk)
        .map(|d| d.text.as_str())
        .collect()
}

fn tokenizer(kind: TokenizerKind, corpus: &Corpus) -> Tokenizer {
    let opts = TokenizerOptions::builder()
        .kind(kind)
        .vocab_size(30_000)
        .max_len(1_000_000)
        .build()
        .expect("valid options");
    let all: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    Tokenizer::train(&opts, Segmenter::new(), &all).expect("trains")
}

fn segment_and_tokenize(c: &mut Criterion) {
    let corpus = Corpus::load(&[Path::new(BUNDLED)], &LoadOptions::default()).expect("loads");
    let seg = Segmenter::new();
    let word = tokenizer(TokenizerKind::Word, &corpus);
    let wordpiece = tokenizer(TokenizerKind::WordPiece, &corpus);
    for (name, cjk) in [("space_separated", false), ("zh_ja", true)] {
        let texts = texts(&corpus, cjk);
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let mut group = c.benchmark_group(format!("segment_tokenize/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.sample_size(10);
        group.bench_function("segment", |b| {
            b.iter(|| texts.iter().map(|t| seg.words(t).count()).sum::<usize>())
        });
        group.bench_function("word", |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|t| word.encode(t).ids.len())
                    .sum::<usize>()
            })
        });
        group.bench_function("wordpiece", |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|t| wordpiece.encode(t).ids.len())
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

fn count_class_words(c: &mut Criterion) {
    let plain = plain_jsonl();
    let seg = Segmenter::new();
    let opts = LoadOptions::default();
    let mut group = c.benchmark_group("count_class_words");
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.sample_size(10);
    group.bench_function("stream_jsonl", |b| {
        b.iter(|| {
            let reader = std::io::Cursor::new(plain.clone());
            let (counts, _) = ClassWordCounts::count_reader("appstream.jsonl", reader, &opts, &seg)
                .expect("counts");
            black_box(counts.n_docs.len())
        })
    });
    group.finish();
}

/// The bundled corpus as uncompressed JSON Lines (loaded through sacx-data and
/// re-serialised, so the bench needs no direct flate2 dependency).
fn plain_jsonl() -> Vec<u8> {
    let corpus = Corpus::load(&[Path::new(BUNDLED)], &LoadOptions::default()).expect("loads");
    let mut s = String::new();
    for d in &corpus.docs {
        let labels: Vec<&str> = d
            .labels
            .iter()
            .filter_map(|&l| corpus.labels.name(l))
            .collect();
        let line =
            serde_json::json!({"id": d.id, "lang": d.lang, "text": d.text, "labels": labels});
        s.push_str(&line.to_string());
        s.push('\n');
    }
    s.into_bytes()
}

criterion_group!(benches, segment_and_tokenize, count_class_words);
criterion_main!(benches);
