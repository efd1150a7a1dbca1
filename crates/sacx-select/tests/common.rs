//! A scored pool from the bundled corpus: each document's probability for a
//! class is high when it carries the class, low otherwise, with seeded noise.
#![allow(dead_code)]
use sacx_data::{DocStream, Fnv1a, LoadOptions};
use sacx_select::{MemoryPool, ScoredDoc};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/appstream.jsonl.gz");

/// Noise in [0, 1) from a row and class.
fn noise(row: usize, class: usize) -> f32 {
    let h = Fnv1a::of(format!("{row}/{class}").as_bytes());
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// The first `n` English documents of the bundled corpus scored for `classes`,
/// ids made unique per row.
pub fn bundled_pool(n: usize, classes: &[&str]) -> MemoryPool {
    let opts = LoadOptions::builder().build().unwrap();
    let docs: Vec<ScoredDoc> = DocStream::open(&[CORPUS], &opts)
        .unwrap()
        .map(|r| r.unwrap())
        .filter(|r| r.lang == "en")
        .take(n)
        .enumerate()
        .map(|(row, r)| {
            let probs = classes
                .iter()
                .enumerate()
                .map(|(c, class)| {
                    let base = if r.labels.iter().flatten().any(|l| l == class) {
                        0.55
                    } else {
                        0.0
                    };
                    base + 0.45 * noise(row, c)
                })
                .collect();
            ScoredDoc {
                id: format!("{}#{row}", r.id),
                text: r.text,
                probs,
                members: Vec::new(),
            }
        })
        .collect();
    let labels = classes.iter().map(|c| c.to_string()).collect();
    MemoryPool::new(labels, vec![0.5; classes.len()], docs)
}

pub fn doc(id: &str, text: &str, probs: &[f32]) -> ScoredDoc {
    ScoredDoc {
        id: id.into(),
        text: text.into(),
        probs: probs.to_vec(),
        members: Vec::new(),
    }
}
