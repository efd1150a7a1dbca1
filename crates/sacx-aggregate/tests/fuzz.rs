//! Seeded fuzzing of the original-TSV explanation reader (see
//! `crates/sacx-data/tests/fuzz.rs` for the method): valid files mutated at
//! random must give records or `Err`, never a panic or a hang.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_aggregate::{TsvOptions, TsvReader};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

const VALID: &str = "\tid\tlabel\tpred\ttoken\tscore\tprobs\n\
    0\tdoc_1\t['HI', 'OP']\t['HI']\t<s>\t0.0\t[0.9, 0.2, 0.7]\n\
    1\tdoc_1\t['HI', 'OP']\t['HI']\tBaking,\t0.5\t[0.9, 0.2, 0.7]\n\
    2\tdoc_1\t['HI', 'OP']\t['HI']\t\"\"\"Tips\"\"\"\t-0.25\t[0.9, 0.2, 0.7]\n\
    3\tdoc_1\t['HI', 'OP']\t['OP']\t<s>\t0.0\t[0.9, 0.2, 0.7]\n\
    4\tdoc_1\t['HI', 'OP']\t['OP']\tbaking\t0.125\t[0.9, 0.2, 0.7]\n\
    5\tdoc_1\t['HI', 'OP']\t['OP']\ttips\t0.75\t[0.9, 0.2, 0.7]\n\
    6\tdoc_2\tNone\tNone\tHello\tNone\t[0.1, 0.2, 0.3]\n";

const TRICKY: &[&[u8]] = &[
    b"\t",
    b"\n",
    b"\r\n",
    b"\"",
    b"'",
    b"[",
    b"]",
    b",",
    b"None",
    b"nan",
    b"inf",
    b"1e999",
    b"-",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\xe4\xbd\x93",
];

fn mutate(rng: &mut ChaCha8Rng, valid: &[u8]) -> Vec<u8> {
    let mut data = valid.to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=data.len());
        match rng.random_range(0..5) {
            0 if at < data.len() => data[at] ^= 1 << rng.random_range(0..8),
            1 => {
                let t = TRICKY[rng.random_range(0..TRICKY.len())];
                data.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.random_range(1..16)).min(data.len());
                data.drain(at..end);
            }
            3 => data.truncate(at),
            _ => {
                let end = (at + rng.random_range(1..80)).min(data.len());
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
        }
    }
    data
}

#[test]
fn the_tsv_explanation_reader_never_panics() {
    let n: usize = std::env::var("SACX_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.tsv");
    let labels: Vec<String> = ["HI", "IN", "OP"].map(String::from).to_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let started = Instant::now();
    for i in 0..n {
        let data = if i == 0 {
            VALID.as_bytes().to_vec()
        } else {
            mutate(&mut rng, VALID.as_bytes())
        };
        std::fs::write(&path, &data).unwrap();
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| {
            for normalize in [true, false] {
                if let Ok(reader) = TsvReader::open(
                    &path,
                    &labels,
                    &TsvOptions::builder().normalize(normalize).build().unwrap(),
                ) {
                    for doc in reader.take(100) {
                        if doc.is_err() {
                            break;
                        }
                    }
                }
            }
        }));
        assert!(
            result.is_ok(),
            "input {i} panicked: {:?}",
            String::from_utf8_lossy(&data)
        );
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "input {i} took {:?}",
            t.elapsed()
        );
    }
    println!(
        "fuzz tsv explanations: {n} inputs in {:.2?}",
        started.elapsed()
    );
}
