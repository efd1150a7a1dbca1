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

const WORDS: &[&str] = &["2024", "play", "score", "level"];

/// The hand-computed fixture of `ranking.rs` and `support_ranking.rs`: five runs,
/// labels Game and Music. Game (class 0) is explained on document "a" in runs 0–3; run 4 explains
/// document "b" (Music). "2024" has the best score everywhere but no letter.
/// With words_per_doc = 2 the selections for Game are
///   run0: play .8, score .1 | run1: play .6, score .3 | run2: play .7, level .4
///   run3: level .5, score .45
/// so play: runs {0,1,2} (= 0.6 × 5, stable), mean .7; score: runs {0,1,3}, mean .85/3;
/// level: runs {2,3} (unstable), mean .45, std .05.
pub fn five_runs() -> Vec<Vec<DocExplanation>> {
    let game = |s: [f32; 4], extra: Option<[f32; 4]>| {
        let mut targets: Vec<(u32, &[f32])> = vec![(0, &s)];
        let e;
        if let Some(x) = extra {
            e = x;
            targets.push((1, &e));
        }
        rec("a", &[0], &[0.9, 0.6], WORDS, &targets)
    };
    vec![
        // Run 0 also explains Music on "a", which is not gold: only `all` sees it.
        vec![game([0.99, 0.8, 0.1, 0.05], Some([0.0, 0.1, 0.2, 0.99]))],
        vec![game([0.99, 0.6, 0.3, 0.2], None)],
        vec![game([0.99, 0.7, 0.1, 0.4], None)],
        vec![game([0.99, 0.1, 0.45, 0.5], None)],
        vec![rec(
            "b",
            &[1],
            &[0.2, 0.8],
            &["song", "play"],
            &[(1, &[0.6, 0.3])],
        )],
    ]
}
