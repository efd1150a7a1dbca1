//! NN-descent (Dong, Charikar & Li 2011) in synchronous rounds: each round
//! reads the last round's graph and writes a new one, every point's row a
//! function of the last graph and the seed alone, so the result is the same
//! for any number of threads.
//!
//! A round, for the graph `G` (each row: `k` neighbours, each flagged new
//! or old):
//! 1. each point `u` samples up to `s` of its new neighbours (by a hash of
//!    seed, round, `u` and the neighbour), which become old; its old ones are
//!    kept whole;
//! 2. reverse lists: `v` gets `u` when `u` sampled `v` (capped at `s` per
//!    point, by the same hash); `L_new(u)` is the sample with its reverse,
//!    `L_old(u)` the old neighbours with theirs;
//! 3. the local join, pulled: `p` compares itself with every member of
//!    `L_new(u) ∪ L_old(u)` for each `u` whose `L_new` holds `p`, and with
//!    every member of `L_new(u)` for each `u` whose `L_old` holds `p`
//!    (old–old pairs were compared before); better candidates enter `p`'s
//!    row, flagged new.
//!
//! It stops when a round changes fewer than `delta · n · k` entries.
use super::Observed;
use super::forest::Forest;
use super::{Knn, Metric, distance, mix};
use crate::Result;
use rayon::prelude::*;

/// The settings of a descent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Descent {
    pub k: usize,
    /// Random-projection trees of the first guess.
    pub trees: usize,
    /// Points per leaf at most.
    pub leaf: usize,
    /// New neighbours sampled per point and round (ρ·k).
    pub sample: usize,
    /// Rounds at most.
    pub max_rounds: usize,
    /// Stop when a round changes fewer than `delta · n · k` entries.
    pub delta: f64,
    pub seed: u64,
}

impl Descent {
    /// pynndescent's defaults for `n` points: `5 + n^¼ / 2` trees (at most
    /// 32), leaves of `max(k, 10)` points doubled, half the row sampled,
    /// `max(5, log₂ n)` rounds, δ 0.001.
    pub(crate) fn for_points(n: usize, k: usize, seed: u64) -> Descent {
        let nf = n.max(2) as f64;
        Descent {
            k,
            trees: ((5.0 + nf.powf(0.25) / 2.0).round() as usize).min(32),
            leaf: 2 * k.max(10),
            sample: k.div_ceil(2).max(1),
            max_rounds: (nf.log2().round() as usize).max(5),
            delta: 0.001,
            seed,
        }
    }
}

/// The graph between rounds: `k` slots per row, sorted by (distance, index).
struct Graph {
    k: usize,
    idx: Vec<u32>,
    dist: Vec<f32>,
    new: Vec<bool>,
}

/// Lists of points per point, as offsets into one array.
struct Lists {
    start: Vec<usize>,
    items: Vec<u32>,
}

impl Lists {
    fn of(&self, u: usize) -> &[u32] {
        &self.items[self.start[u]..self.start[u + 1]]
    }

    /// Lists from `(owner, item)` pairs, each list ascending.
    fn from_pairs(n: usize, mut pairs: Vec<u64>) -> Lists {
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut start = vec![0usize; n + 1];
        for &p in &pairs {
            start[(p >> 32) as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let items = pairs.into_iter().map(|p| p as u32).collect();
        Lists { start, items }
    }
}

/// The `k` nearest neighbours of every row of `data` by NN-descent.
pub(crate) fn descend(
    data: &[f32],
    dim: usize,
    metric: Metric,
    d: &Descent,
    progress: Observed,
) -> Result<Knn> {
    let n = data.len() / dim;
    let mut graph = first_guess(data, dim, metric, d);
    for round in 0..d.max_rounds {
        let (next, changed) = step(data, dim, metric, d, &graph, round as u64);
        graph = next;
        if let Some((p, s)) = progress {
            p.advance(s, round + 1, d.max_rounds);
        }
        if (changed as f64) < d.delta * (n * d.k) as f64 {
            break;
        }
    }
    Ok(Knn {
        k: d.k,
        indices: graph.idx,
        distances: graph.dist,
    })
}

/// The leaves of a random-projection forest: each point's `k` nearest among
/// the points sharing a leaf with it, topped up with points drawn from the
/// seed where the leaves hold fewer.
fn first_guess(data: &[f32], dim: usize, metric: Metric, d: &Descent) -> Graph {
    let n = data.len() / dim;
    let forest = Forest::build(data, dim, d.trees, d.leaf, d.seed);
    let row = |p: usize| &data[p * dim..(p + 1) * dim];
    let k = d.k;
    let mut g = Graph {
        k,
        idx: vec![0; n * k],
        dist: vec![0.0; n * k],
        new: vec![true; n * k],
    };
    // Rows filled in place, one buffer per thread: a million points hold
    // no per-point list beyond their row.
    g.idx
        .par_chunks_mut(k)
        .zip(g.dist.par_chunks_mut(k))
        .enumerate()
        .for_each_init(
            || (Vec::new(), Vec::new()),
            |(cands, scored): &mut (Vec<u32>, Vec<(f32, u32)>), (p, (ri, rd))| {
                cands.clear();
                cands.extend(
                    forest
                        .leaf_of
                        .iter()
                        .zip(&forest.leaves)
                        .flat_map(|(of, leaves)| leaves[of[p] as usize].iter().copied())
                        .filter(|&q| q as usize != p),
                );
                cands.sort_unstable();
                cands.dedup();
                let mut draw = 0u64;
                while cands.len() < k {
                    let q = (mix(d.seed, 0x6669_6c6c, p as u64, draw) % n as u64) as u32;
                    draw += 1;
                    if q as usize != p && !cands.contains(&q) {
                        cands.push(q);
                    }
                }
                scored.clear();
                scored.extend(
                    cands
                        .iter()
                        .map(|&q| (distance(row(p), row(q as usize), metric), q)),
                );
                best(scored, k);
                for (j, &(dd, q)) in scored.iter().enumerate() {
                    (ri[j], rd[j]) = (q, dd);
                }
            },
        );
    g
}

/// Keeps the `k` best of `scored` by (distance, index), sorted.
fn best(scored: &mut Vec<(f32, u32)>, k: usize) {
    scored.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.dedup_by_key(|s| s.1);
    scored.truncate(k);
}

/// A row being rebuilt: (distance, neighbour, new).
type Row = Vec<(f32, u32, bool)>;

/// One synchronous round: the new graph and how many entries changed.
fn step(
    data: &[f32],
    dim: usize,
    metric: Metric,
    d: &Descent,
    g: &Graph,
    round: u64,
) -> (Graph, usize) {
    let n = g.idx.len() / g.k;
    let k = g.k;
    let at = Round { d, g, round };
    let sampled = at.samples();
    let (l_new, l_old) = (at.lists(&sampled, false), at.lists(&sampled, true));
    let holders = Holders::of_lists(n, &l_new, &l_old);
    let row = |p: usize| &data[p * dim..(p + 1) * dim];
    let mut next = Graph {
        k,
        idx: vec![0; n * k],
        dist: vec![0.0; n * k],
        new: vec![false; n * k],
    };
    // Rows rebuilt in place, one buffer per thread.
    let changed: usize = next
        .idx
        .par_chunks_mut(k)
        .zip(next.dist.par_chunks_mut(k))
        .zip(next.new.par_chunks_mut(k))
        .enumerate()
        .map_init(Row::new, |entries, (p, ((ri, rd), rn))| {
            let mine = &g.idx[p * k..(p + 1) * k];
            entries.clear();
            entries.extend((0..k).map(|j| {
                let i = p * k + j;
                let kept_new = g.new[i] && !sampled[p].contains(&g.idx[i]);
                (g.dist[i], g.idx[i], kept_new)
            }));
            for q in holders.candidates(p, &l_new, &l_old) {
                if q as usize == p || mine.contains(&q) {
                    continue;
                }
                let dq = distance(row(p), row(q as usize), metric);
                if dq < entries[k - 1].0 {
                    entries.push((dq, q, true));
                }
            }
            entries.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (j, &(dd, q, new)) in entries.iter().take(k).enumerate() {
                (ri[j], rd[j], rn[j]) = (q, dd, new);
            }
            entries
                .iter()
                .take(k)
                .filter(|e| !mine.contains(&e.1))
                .count()
        })
        .sum();
    (next, changed)
}

/// What a round's sampling reads.
struct Round<'a> {
    d: &'a Descent,
    g: &'a Graph,
    round: u64,
}

impl Round<'_> {
    fn priority(&self, u: usize, v: u32) -> u64 {
        mix(self.d.seed, self.round, u as u64, u64::from(v))
    }

    fn rows(&self) -> usize {
        self.g.idx.len() / self.g.k
    }

    /// `u`'s neighbours flagged new (`true`) or old.
    fn flagged(&self, u: usize, new: bool) -> impl Iterator<Item = u32> + '_ {
        let row = u * self.g.k..(u + 1) * self.g.k;
        self.g.idx[row.clone()]
            .iter()
            .zip(&self.g.new[row])
            .filter(move |(_, n)| **n == new)
            .map(|(&v, _)| v)
    }

    /// Each point's sample of its new neighbours (they become old).
    fn samples(&self) -> Vec<Vec<u32>> {
        (0..self.rows())
            .into_par_iter()
            .map(|u| {
                let mut fresh: Vec<u32> = self.flagged(u, true).collect();
                fresh.sort_unstable_by_key(|&v| (self.priority(u, v), v));
                fresh.truncate(self.d.sample);
                fresh.shrink_to_fit();
                fresh
            })
            .collect()
    }

    /// The new (`old == false`: the samples) or old lists, each with its
    /// reverse entries capped at the sample size by priority.
    fn lists(&self, sampled: &[Vec<u32>], old: bool) -> Lists {
        let n = self.rows();
        let pairs: Vec<u64> = (0..n)
            .into_par_iter()
            .flat_map_iter(|u| {
                let items: Vec<u32> = if old {
                    self.flagged(u, false).collect()
                } else {
                    sampled[u].clone()
                };
                items
                    .into_iter()
                    .flat_map(move |v| [key(u, v as usize), key(v as usize, u) | REVERSE])
            })
            .collect();
        let grouped = flagged(n, pairs);
        let capped: Vec<u64> = (0..n)
            .into_par_iter()
            .flat_map_iter(|u| {
                let (fwd, mut rev) = grouped.split(u);
                rev.sort_unstable_by_key(|&v| (self.priority(u, v), v));
                rev.truncate(self.d.sample);
                fwd.into_iter().chain(rev).map(move |v| key(u, v as usize))
            })
            .collect();
        Lists::from_pairs(n, capped)
    }
}

/// Marks a pair as a reverse entry (`v` reached from `u`).
const REVERSE: u64 = 1 << 63;

fn key(owner: usize, item: usize) -> u64 {
    ((owner as u64) << 32) | item as u64
}

/// Forward and reverse items per owner.
struct Flagged {
    start: Vec<usize>,
    items: Vec<(u32, bool)>,
}

impl Flagged {
    fn split(&self, u: usize) -> (Vec<u32>, Vec<u32>) {
        let (mut fwd, mut rev) = (Vec::new(), Vec::new());
        for &(v, reverse) in &self.items[self.start[u]..self.start[u + 1]] {
            if reverse { rev.push(v) } else { fwd.push(v) }
        }
        (fwd, rev)
    }
}

/// Forward and reverse pairs grouped by owner.
fn flagged(n: usize, mut pairs: Vec<u64>) -> Flagged {
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut start = vec![0usize; n + 1];
    for &p in &pairs {
        start[((p & !REVERSE) >> 32) as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    // Sorted by the flag first: forward entries of every owner, then reverse.
    let mut items = vec![(0u32, false); pairs.len()];
    let mut fill = start.clone();
    for p in pairs {
        let owner = ((p & !REVERSE) >> 32) as usize;
        items[fill[owner]] = (p as u32, p & REVERSE != 0);
        fill[owner] += 1;
    }
    Flagged { start, items }
}

/// For each point, the points whose lists hold it and whether in the new one.
struct Holders {
    start: Vec<usize>,
    items: Vec<(u32, bool)>,
}

impl Holders {
    /// Who holds each point: `(u, whether in u's new list)`.
    fn of_lists(n: usize, l_new: &Lists, l_old: &Lists) -> Holders {
        let keys: Vec<u64> = (0..n)
            .into_par_iter()
            .flat_map_iter(|u| {
                let (new, old) = (l_new.of(u), l_old.of(u));
                let mut keys: Vec<u64> =
                    new.iter().map(|&p| (key(p as usize, u) << 1) | 1).collect();
                keys.extend(
                    old.iter()
                        .filter(|p| new.binary_search(p).is_err())
                        .map(|&p| key(p as usize, u) << 1),
                );
                keys
            })
            .collect();
        Holders::from(n, keys)
    }

    /// The points `p` is compared with: every member of the lists of the
    /// points whose new list holds it, the new members of those whose old
    /// list does; ascending, each once.
    fn candidates(&self, p: usize, l_new: &Lists, l_old: &Lists) -> Vec<u32> {
        let mut cands: Vec<u32> = Vec::new();
        for &(u, in_new) in self.of(p) {
            cands.extend_from_slice(l_new.of(u as usize));
            if in_new {
                cands.extend_from_slice(l_old.of(u as usize));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        cands
    }

    fn from(n: usize, mut keys: Vec<u64>) -> Holders {
        keys.par_sort_unstable();
        let mut start = vec![0usize; n + 1];
        for &key in &keys {
            start[(key >> 33) as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let items = keys
            .into_iter()
            .map(|key| (((key >> 1) as u32), key & 1 == 1))
            .collect();
        Holders { start, items }
    }

    fn of(&self, p: usize) -> &[(u32, bool)] {
        &self.items[self.start[p]..self.start[p + 1]]
    }
}
