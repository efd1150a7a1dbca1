//! `sacx select` at scale: a pool generated on the fly (seeded scores joined
//! to texts drawn from the bundled corpus), so that 100 M documents need no
//! disk. Prints the seconds per pass; peak memory comes from `/usr/bin/time`.
//!
//! ```text
//! cargo bench -p sacx-select --bench select -- --docs 100000000 [--seed 1] [--out FILE]
//! ```
//!
//! Scores: for each class, a document carrying the class (in the bundled
//! corpus) gets `0.3 + 0.7 u`, any other `0.6 u³`, `u` uniform from a seeded
//! hash of (row, class): positives mostly above the 0.5 threshold, a tail of
//! negatives near it. `--write-pool FILE` writes the same pool as the
//! JSON Lines the pandas peer reads (`benches/peers/select_pandas.py`).
use std::io::Write;
use std::time::Instant;

use sacx_data::{DocStream, LoadOptions};
use sacx_select::{Context, Pool, PoolPass, Result, ScoredDoc, SelectParams, select};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/appstream.jsonl.gz");

fn mix(seed: u64, x: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn uniform(seed: u64, x: u64) -> f32 {
    (mix(seed, x) >> 40) as f32 / (1u64 << 24) as f32
}

/// The bundled documents and, per document, which classes it carries.
struct Synthetic {
    labels: Vec<String>,
    texts: Vec<(String, String, Vec<bool>)>,
    docs: u64,
    seed: u64,
}

impl Synthetic {
    fn new(docs: u64, seed: u64) -> Synthetic {
        let opts = LoadOptions::builder().build().unwrap();
        let recs: Vec<_> = DocStream::open(&[CORPUS], &opts)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut labels: Vec<String> = recs
            .iter()
            .flat_map(|r| r.labels.iter().flatten().cloned())
            .collect();
        labels.sort();
        labels.dedup();
        let texts = recs
            .into_iter()
            .map(|r| {
                let has = labels
                    .iter()
                    .map(|l| r.labels.as_ref().is_some_and(|v| v.contains(l)))
                    .collect();
                (r.id, r.text, has)
            })
            .collect();
        Synthetic {
            labels,
            texts,
            docs,
            seed,
        }
    }

    fn doc(&self, row: u64) -> ScoredDoc {
        let j = (mix(self.seed ^ 0x5eed, row) % self.texts.len() as u64) as usize;
        let (id, text, has) = &self.texts[j];
        let n = self.labels.len() as u64;
        let probs = has
            .iter()
            .enumerate()
            .map(|(c, &pos)| {
                let u = uniform(self.seed, row * n + c as u64);
                if pos { 0.3 + 0.7 * u } else { 0.6 * u * u * u }
            })
            .collect();
        ScoredDoc {
            id: format!("{id}#{row}"),
            text: text.clone(),
            probs,
            members: Vec::new(),
        }
    }
}

impl Pool for Synthetic {
    fn labels(&self) -> &[String] {
        &self.labels
    }
    fn thresholds(&self) -> Vec<f32> {
        vec![0.5; self.labels.len()]
    }
    fn pass(&self) -> Result<PoolPass<'_>> {
        Ok(Box::new((0..self.docs).map(|row| Ok(self.doc(row)))))
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let docs: u64 = arg(&args, "--docs").map_or(1_000_000, |v| v.parse().unwrap());
    let seed: u64 = arg(&args, "--seed").map_or(1, |v| v.parse().unwrap());
    let pool = Synthetic::new(docs, seed);
    if let Some(path) = arg(&args, "--write-pool") {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        serde_json::to_writer(
            &mut w,
            &serde_json::json!({"labels": pool.labels, "threshold": 0.5}),
        )
        .unwrap();
        w.write_all(b"\n").unwrap();
        for row in 0..docs {
            let d = pool.doc(row);
            serde_json::to_writer(
                &mut w,
                &serde_json::json!({"id": d.id, "text": d.text, "probs": d.probs}),
            )
            .unwrap();
            w.write_all(b"\n").unwrap();
        }
        eprintln!("wrote {docs} documents to {path}");
        return;
    }
    let params = SelectParams::builder().seed(seed).build().unwrap();
    let start = Instant::now();
    let sel = select(&pool, &params, &Context::default()).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let out = arg(&args, "--out").unwrap_or_else(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/sacx-bench");
        std::fs::create_dir_all(dir).unwrap();
        format!("{dir}/select-{docs}.jsonl")
    });
    let _ = std::fs::remove_file(&out);
    sel.write(std::path::Path::new(&out)).unwrap();
    let s = &sel.summary;
    let motifs: usize = s.classes.iter().map(|c| c.motifs.len()).sum();
    println!(
        "select: {docs} documents, {} classes, {} selected, {motifs} motifs, {} verified; {secs:.1} s (scan {:.1}, motifs {:.1}, find {:.1}) -> {out}",
        s.classes.len(),
        s.selected,
        s.verified,
        s.seconds["scan"],
        s.seconds["motifs"],
        s.seconds["find"]
    );
}
