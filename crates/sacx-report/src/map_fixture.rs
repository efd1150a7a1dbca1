//! A synthetic topic map for the map's tests (unit and browser): seeded Gaussian
//! blobs of documents, a little uniform noise, classes and languages mostly
//! following the blobs, and cluster summaries computed from the points. A tiny LCG
//! makes it deterministic without a random-number crate.

use std::collections::BTreeMap;

use super::map::{ClusterView, MapPoint, MapView};

/// A snippet that would run a script and break attributes if it were not escaped.
pub const HOSTILE: &str = "<script>alert('map')</script> & \"quoted\" </title></svg>";

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
pub struct Lcg(u64);

impl Lcg {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// About standard normal (a sum of four uniforms, rescaled).
    pub fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 3f64.sqrt()
    }
}

const WORDS: [&str; 48] = [
    "guitar", "synth", "audio", "mixer", "midi", "tempo", "shader", "sprite", "level", "player",
    "physics", "engine", "kernel", "driver", "module", "boot", "firmware", "device", "compiler",
    "parser", "syntax", "linker", "macro", "token", "photo", "camera", "image", "raw", "lens",
    "filter", "network", "socket", "proxy", "packet", "router", "dns", "editor", "buffer",
    "cursor", "syntax", "plugin", "theme", "database", "query", "index", "table", "schema",
    "backup",
];

/// The classes; one has markup in its name.
const CLASSES: [&str; 10] = [
    "Audio",
    "Game",
    "System",
    "Development",
    "Graphics",
    "Network",
    "Editor",
    "Database",
    "R&D <Lab>",
    "音楽",
];
const LANGUAGES: [&str; 4] = ["en", "de", "ja", "fr"];
const CLUSTERS: usize = 14;

/// The `k`-th cluster's theme: six words of the vocabulary.
fn theme(k: usize) -> Vec<&'static str> {
    (0..6).map(|j| WORDS[(k * 4 + j) % WORDS.len()]).collect()
}

/// A map of `n` documents in 14 blobs with 8 % noise.
pub fn synthetic(n: usize, seed: u64) -> MapView {
    let mut rng = Lcg::new(seed);
    let centres: Vec<(f64, f64, f64)> = (0..CLUSTERS)
        .map(|_| {
            let (x, y) = (rng.unit() * 20.0 - 10.0, rng.unit() * 14.0 - 7.0);
            (x, y, 0.4 + rng.unit() * 0.8)
        })
        .collect();
    let points: Vec<MapPoint> = (0..n).map(|i| point(&mut rng, &centres, i)).collect();
    let clusters = (0..CLUSTERS).filter_map(|k| summary(&points, k)).collect();
    MapView {
        title: "Topic map".into(),
        source: "classifier vectors (3 seeds)".into(),
        noise: points.iter().filter(|p| p.cluster.is_none()).count(),
        points,
        clusters,
        classes: CLASSES.map(String::from).to_vec(),
        languages: LANGUAGES.map(String::from).to_vec(),
        notes: vec!["UMAP: 15 neighbours, min_dist 0.1; HDBSCAN: min cluster size 20.".into()],
    }
}

fn point(rng: &mut Lcg, centres: &[(f64, f64, f64)], i: usize) -> MapPoint {
    let noise = rng.unit() < 0.08;
    let k = rng.below(centres.len());
    let (cx, cy, spread) = centres[k];
    let (x, y) = if noise {
        (rng.unit() * 24.0 - 12.0, rng.unit() * 18.0 - 9.0)
    } else {
        (cx + rng.normal() * spread, cy + rng.normal() * spread)
    };
    let mut labels = Vec::new();
    if rng.unit() > 0.03 {
        labels.push(if rng.unit() < 0.8 {
            k % CLASSES.len()
        } else {
            rng.below(CLASSES.len())
        });
        if rng.unit() < 0.2 {
            labels.push(rng.below(CLASSES.len()));
            labels.dedup();
        }
    }
    let language = match rng.unit() {
        u if u < 0.02 => None,
        u if u < 0.5 => Some(0),
        _ => Some(1 + rng.below(LANGUAGES.len() - 1)),
    };
    let words = theme(k);
    let snippet = if i == 7 {
        HOSTILE.to_string()
    } else {
        (0..9)
            .map(|_| {
                if rng.unit() < 0.6 {
                    words[rng.below(words.len())]
                } else {
                    WORDS[rng.below(WORDS.len())]
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    MapPoint {
        x: x as f32,
        y: y as f32,
        id: format!("doc-{i:05}"),
        snippet,
        cluster: (!noise).then_some(k),
        labels,
        language,
    }
}

/// Shares of each name among `docs`, largest first (ties by name).
fn shares(count: BTreeMap<&str, usize>, docs: usize) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = count
        .into_iter()
        .map(|(name, c)| (name.to_string(), c as f64 / docs as f64))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn summary(points: &[MapPoint], k: usize) -> Option<ClusterView> {
    let mine: Vec<&MapPoint> = points.iter().filter(|p| p.cluster == Some(k)).collect();
    if mine.is_empty() {
        return None;
    }
    let mut classes = BTreeMap::new();
    let mut languages = BTreeMap::new();
    for p in &mine {
        for &l in &p.labels {
            *classes.entry(CLASSES[l]).or_insert(0) += 1;
        }
        if let Some(l) = p.language {
            *languages.entry(LANGUAGES[l]).or_insert(0) += 1;
        }
    }
    let classes = shares(classes, mine.len());
    let keywords = classes
        .iter()
        .take(2)
        .map(|(c, _)| {
            let i = CLASSES.iter().position(|n| n == c).unwrap_or(0);
            (c.clone(), theme(i).iter().map(|w| w.to_string()).collect())
        })
        .collect();
    Some(ClusterView {
        id: k,
        size: mine.len(),
        top_words: theme(k).iter().take(5).map(|w| w.to_string()).collect(),
        classes,
        languages: shares(languages, mine.len()),
        keywords,
    })
}
