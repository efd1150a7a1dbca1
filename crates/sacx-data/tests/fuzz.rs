//! Seeded fuzzing of every reader of user or disk input in this crate (stable
//! Rust, no cargo-fuzz): the JSONL and TSV corpus readers, the shard reader and
//! the class-count reader get valid inputs mutated at random (byte flips,
//! insertions of tricky bytes, deletions, truncation, duplication, random
//! bytes). The bar: no panic, no hang (every input within a time bound), and
//! every failure an `Err`. `SACX_FUZZ_INPUTS` sets the inputs per target
//! (default 20,000 in CI; docs/benchmarks.md records longer runs).
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardReader, ShardWriter, TargetAttribution,
};
use sacx_data::{ClassWordCounts, Corpus, LoadOptions};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

const TRICKY: &[&[u8]] = &[
    b"\t",
    b"\n",
    b"\r\n",
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"1e999",
    b"NaN",
    b"-",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\\u0000",
    b"\\ud800",
    b"\xe4\xbd\x93",
];

fn inputs() -> usize {
    std::env::var("SACX_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

/// A random mutation of `seed_input`.
pub fn mutate(rng: &mut ChaCha8Rng, seed_input: &[u8]) -> Vec<u8> {
    let mut data = seed_input.to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = if data.is_empty() {
            0
        } else {
            rng.random_range(0..=data.len())
        };
        match rng.random_range(0..7) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let t = TRICKY[rng.random_range(0..TRICKY.len())];
                data.splice(at..at, t.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + rng.random_range(1..16)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => data.truncate(at),
            4 => {
                let end = (at + rng.random_range(1..64)).min(data.len());
                let copy = data[at.min(end)..end].to_vec();
                data.splice(at..at, copy);
            }
            5 => {
                let n = rng.random_range(1..32);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                data.splice(at..at, bytes);
            }
            _ => {
                if !data.is_empty() {
                    let i = at.min(data.len() - 1);
                    data[i] = rng.random();
                }
            }
        }
    }
    data
}

/// Runs `f` on every mutated input: no panic, each within `bound`.
fn fuzz(name: &str, seed: u64, valid: &[u8], bound: Duration, mut f: impl FnMut(&[u8])) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = inputs();
    let started = Instant::now();
    for i in 0..n {
        let data = if i == 0 {
            valid.to_vec()
        } else {
            mutate(&mut rng, valid)
        };
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| f(&data)));
        assert!(
            result.is_ok(),
            "{name}: input {i} panicked: {:?}",
            String::from_utf8_lossy(&data)
        );
        assert!(
            t.elapsed() < bound,
            "{name}: input {i} took {:?}",
            t.elapsed()
        );
    }
    println!("fuzz {name}: {n} inputs in {:.2?}", started.elapsed());
}

const JSONL: &str = "{\"id\": \"a\", \"lang\": \"en\", \"text\": \"A game, with levels.\", \"labels\": [\"Game\", \"Utility\"]}\n\
{\"text\": \"音楽を聴く\", \"labels\": [\"Music\"], \"lang\": \"ja\"}\n\
{\"id\": \"a\", \"lang\": \"fi\", \"text\": \"Peli\", \"labels\": [\"Game\"]}\n";

const TSV: &str = "Game Utility\tA game, with levels.\nMusic\tsongs and \"quotes\"\nNA\t\n";

#[test]
fn corpus_readers_never_panic() {
    for (name, valid, seed) in [("corpus.jsonl", JSONL, 1), ("corpus.tsv", TSV, 2)] {
        for skip in [false, true] {
            let opts = LoadOptions::builder().skip_bad_lines(skip).build().unwrap();
            fuzz(
                name,
                seed + skip as u64 * 10,
                valid.as_bytes(),
                Duration::from_secs(2),
                |d| {
                    let _ = Corpus::from_reader(name, std::io::Cursor::new(d.to_vec()), &opts);
                },
            );
        }
    }
}

fn shard_bytes(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("valid.bin");
    let header = ShardHeader {
        format_version: SHARD_FORMAT_VERSION,
        run: "seed-1".into(),
        seed: 1,
        labels: vec!["Game".into(), "Music".into()],
        shard_index: 0,
    };
    let mut w = ShardWriter::create(&path, &header).unwrap();
    for d in 0..3 {
        w.write(&DocExplanation {
            doc_id: format!("d{d}"),
            lang: "en".into(),
            gold: vec![d % 2],
            probs: vec![0.7, 0.2],
            words: vec!["play".into(), "the".into(), "game".into()],
            targets: vec![TargetAttribution {
                class: d % 2,
                scores: vec![0.5, -0.1, 0.8],
                delta: 0.01,
                rel_delta: 0.001,
                steps: 50,
            }],
        })
        .unwrap();
    }
    w.finish().unwrap();
    std::fs::read(&path).unwrap()
}

#[test]
fn the_shard_reader_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let valid = shard_bytes(dir.path());
    let path = dir.path().join("fuzzed.bin");
    fuzz("shard", 3, &valid, Duration::from_secs(2), |d| {
        std::fs::write(&path, d).unwrap();
        if let Ok(reader) = ShardReader::open(&path) {
            for record in reader.take(100) {
                if record.is_err() {
                    break;
                }
            }
        }
    });
}

#[test]
fn the_counts_reader_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let (tf, df) = (dir.path().join("tf.json"), dir.path().join("df.json"));
    let valid =
        br#"{"Game": {"play": 3, "game": 5, "_N_DOCS": 4}, "Music": {"song": 2, "_N_DOCS": 2}}"#;
    std::fs::write(&tf, valid).unwrap();
    fuzz("counts", 4, valid, Duration::from_secs(2), |d| {
        std::fs::write(&df, d).unwrap();
        let _ = ClassWordCounts::load(&tf, &df);
    });
}
