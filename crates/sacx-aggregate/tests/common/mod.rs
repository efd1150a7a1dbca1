//! Helpers shared by the integration tests.
#![allow(dead_code)]
use sacx_data::explanation::SHARD_FORMAT_VERSION;
use sacx_data::explanation::{DocExplanation, ShardHeader, ShardWriter, TargetAttribution};
use std::path::{Path, PathBuf};

pub fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A record with one target per `(class, scores)`.
pub fn rec(
    doc: &str,
    gold: &[u32],
    probs: &[f32],
    words: &[&str],
    targets: &[(u32, &[f32])],
) -> DocExplanation {
    DocExplanation {
        doc_id: doc.into(),
        lang: "en".into(),
        gold: gold.to_vec(),
        probs: probs.to_vec(),
        words: words.iter().map(|w| w.to_string()).collect(),
        targets: targets
            .iter()
            .map(|(c, s)| TargetAttribution {
                class: *c,
                scores: s.to_vec(),
                delta: 0.0,
                rel_delta: 0.0,
                steps: 16,
            })
            .collect(),
    }
}

/// Writes `records` of run `run` into `n_shards` shard files (round robin); returns the paths.
pub fn write_run(
    dir: &Path,
    run: &str,
    labels: &[String],
    records: &[DocExplanation],
    n_shards: usize,
) -> Vec<PathBuf> {
    let mut writers: Vec<(PathBuf, ShardWriter)> = (0..n_shards)
        .map(|i| {
            let path = dir.join(format!("{run}-{i}.shard"));
            let header = ShardHeader {
                format_version: SHARD_FORMAT_VERSION,
                run: run.into(),
                seed: 7,
                labels: labels.to_vec(),
                shard_index: i as u32,
            };
            let w = ShardWriter::create(&path, &header).unwrap();
            (path, w)
        })
        .collect();
    for (i, r) in records.iter().enumerate() {
        writers[i % n_shards].1.write(r).unwrap();
    }
    writers
        .into_iter()
        .map(|(p, w)| {
            w.finish().unwrap();
            p
        })
        .collect()
}
