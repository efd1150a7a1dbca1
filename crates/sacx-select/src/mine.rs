//! Pass 2, in memory: motifs counted in each class's top documents and in the
//! random sample, and their lift (docs/metrics.md, "Selection motifs").
use std::collections::HashSet;

use sacx_data::Segmenter;
use serde::{Deserialize, Serialize};

use crate::SelectParams;
use crate::motif::{HashMapU64, HashSetU64, document_words, gram_hashes, motif_hash, motif_words};
use crate::scan::Held;

/// A motif with its counts: in how many of the class's top documents and of
/// the random sample it occurs, and its lift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MotifStat {
    /// The motif's words, joined by a space.
    pub motif: String,
    /// Top documents of the class holding it (`obs`).
    pub obs: u64,
    /// Random-sample documents holding it.
    pub random_obs: u64,
    /// `(obs / top) / ((random_obs + 1) / (random + 1))`.
    pub lift: f64,
    #[serde(skip)]
    pub(crate) words: Vec<String>,
    #[serde(skip)]
    pub(crate) hash: u64,
}

/// The lift of a motif held by `obs` of `top` top documents and `random_obs`
/// of `random` random documents: its share among the top over its share in the
/// random sample, the latter add-one smoothed so that a motif absent from the
/// sample has a finite lift, `(obs / top) / ((random_obs + 1) / (random + 1))`.
///
/// ```
/// // In 4 of 10 top documents and in 1 of 99 random ones: 0.4 / (2 / 100) = 20.
/// assert!((sacx_select::lift(4, 10, 1, 99) - 20.0).abs() < 1e-12);
/// ```
pub fn lift(obs: u64, top: u64, random_obs: u64, random: u64) -> f64 {
    if top == 0 {
        return 0.0;
    }
    (obs as f64 / top as f64) / ((random_obs as f64 + 1.0) / (random as f64 + 1.0))
}

/// Per class, the kept motifs (best first) and the keyword motifs with their counts.
pub(crate) struct Mined {
    pub motifs: Vec<Vec<MotifStat>>,
    pub keywords: Vec<Vec<MotifStat>>,
}

/// The keyword forms of a keyword's words, as a motif (`None` when the
/// keyword has no word or more than `max_n`).
fn keyword_motif(seg: &Segmenter, keyword: &str, max_n: usize) -> Option<Vec<String>> {
    let words = document_words(seg, keyword, max_n + 1);
    (!words.is_empty() && words.len() <= max_n).then_some(words)
}

/// Counts motifs, keeps per class those with `obs ≥ min_obs` and
/// `lift ≥ min_lift` (the `motifs` best by lift, then obs, then text), and
/// counts the class keywords as motifs.
pub(crate) fn mine(
    seg: &Segmenter,
    top: &[Vec<Held>],
    random: &[Held],
    keywords: &[Vec<String>],
    params: &SelectParams,
) -> Mined {
    let (max_n, skip, max_words) = (params.max_n(), params.skip(), params.max_words());
    let mut candidates: Vec<Vec<(u64, u64)>> = Vec::with_capacity(top.len());
    let mut kw_motifs: Vec<Vec<(Vec<String>, u64, u64)>> = Vec::with_capacity(top.len());
    let mut wanted = HashSetU64::default();
    for (c, docs) in top.iter().enumerate() {
        let mut counts = HashMapU64::<u64>::default();
        for d in docs {
            let words = document_words(seg, &d.text, max_words);
            for h in gram_hashes(&words, max_n, skip) {
                *counts.entry(h).or_default() += 1;
            }
        }
        let mut kept: Vec<(u64, u64)> = counts
            .iter()
            .filter(|&(_, &n)| n >= params.min_obs())
            .map(|(&h, &n)| (h, n))
            .collect();
        kept.sort_unstable();
        wanted.extend(kept.iter().map(|&(h, _)| h));
        let mut kws = Vec::new();
        let mut seen = HashSet::new();
        for k in keywords.get(c).into_iter().flatten() {
            if kws.len() == params.keyword_motifs() {
                break;
            }
            if let Some(words) = keyword_motif(seg, k, max_n) {
                let h = motif_hash(&words);
                if seen.insert(h) {
                    wanted.insert(h);
                    kws.push((words, h, counts.get(&h).copied().unwrap_or(0)));
                }
            }
        }
        candidates.push(kept);
        kw_motifs.push(kws);
    }
    let random_counts = count_random(seg, random, &wanted, params);
    let n_random = random.len() as u64;
    let mut motifs = Vec::with_capacity(top.len());
    let mut keyword_stats = Vec::with_capacity(top.len());
    for (c, kept) in candidates.into_iter().enumerate() {
        let n_top = top[c].len() as u64;
        let stat = |words: Vec<String>, hash: u64, obs: u64| {
            let random_obs = random_counts.get(&hash).copied().unwrap_or(0);
            MotifStat {
                motif: words.join(" "),
                obs,
                random_obs,
                lift: lift(obs, n_top, random_obs, n_random),
                words,
                hash,
            }
        };
        let mut ranked: Vec<(u64, u64, f64)> = kept
            .iter()
            .map(|&(h, obs)| {
                let r = random_counts.get(&h).copied().unwrap_or(0);
                (h, obs, lift(obs, n_top, r, n_random))
            })
            .filter(|&(_, _, l)| l >= params.min_lift())
            .collect();
        // Words of the candidates, to break ties by text and to report them.
        let hashes: Vec<u64> = ranked.iter().map(|&(h, _, _)| h).collect();
        let mut words_of = HashMapU64::<Vec<String>>::default();
        for d in &top[c] {
            let words = document_words(seg, &d.text, max_words);
            motif_words(&words, max_n, skip, &hashes, &mut words_of);
        }
        ranked.sort_by(|a, b| {
            b.2.total_cmp(&a.2)
                .then(b.1.cmp(&a.1))
                .then_with(|| words_of.get(&a.0).cmp(&words_of.get(&b.0)))
        });
        let best: Vec<MotifStat> = ranked
            .into_iter()
            .take(params.motifs())
            .filter_map(|(h, obs, _)| Some(stat(words_of.remove(&h)?, h, obs)))
            .collect();
        motifs.push(best);
        let kws = std::mem::take(&mut kw_motifs[c]);
        keyword_stats.push(kws.into_iter().map(|(w, h, obs)| stat(w, h, obs)).collect());
    }
    Mined {
        motifs,
        keywords: keyword_stats,
    }
}

/// Random-sample documents holding each wanted motif.
fn count_random(
    seg: &Segmenter,
    random: &[Held],
    wanted: &HashSetU64,
    params: &SelectParams,
) -> HashMapU64<u64> {
    let mut counts = HashMapU64::<u64>::default();
    if wanted.is_empty() {
        return counts;
    }
    for d in random {
        let words = document_words(seg, &d.text, params.max_words());
        for h in gram_hashes(&words, params.max_n(), params.skip()) {
            if wanted.contains(&h) {
                *counts.entry(h).or_default() += 1;
            }
        }
    }
    counts
}
