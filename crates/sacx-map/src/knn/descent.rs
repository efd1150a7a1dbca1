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
use rayon::iter::Either;
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

    /// The lists of owners `0..n`, each computed by `row` (into the buffer
    /// it is given, cleared), built in parallel blocks of owners and
    /// appended in order: no per-owner allocation and no pair array.
    fn build<F>(n: usize, row: F) -> Lists
    where
        F: Fn(usize, &mut Vec<u32>) + Sync,
    {
        const BLOCK: usize = 4096;
        let blocks: Vec<(Vec<usize>, Vec<u32>)> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let (mut lens, mut items, mut buf) = (Vec::new(), Vec::new(), Vec::new());
                for u in b * BLOCK..((b + 1) * BLOCK).min(n) {
                    buf.clear();
                    row(u, &mut buf);
                    lens.push(buf.len());
                    items.extend_from_slice(&buf);
                }
                (lens, items)
            })
            .collect();
        let total = blocks.iter().map(|b| b.1.len()).sum();
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        let mut items = Vec::with_capacity(total);
        for (lens, block) in blocks {
            for len in lens {
                start.push(start[start.len() - 1] + len);
            }
            items.extend_from_slice(&block);
        }
        Lists { start, items }
    }

    /// For each owner `v`, the owners `u` (ascending) whose entries
    /// `forward(u)` hold `v`, tagged `u << 1 | tag` (a counting pass, then
    /// a filling one).
    fn reverse<I>(n: usize, forward: impl Fn(usize) -> I) -> Lists
    where
        I: Iterator<Item = (u32, u32)>,
    {
        let mut start = vec![0usize; n + 1];
        for u in 0..n {
            for (v, _) in forward(u) {
                start[v as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start[..n].to_vec();
        let mut items = vec![0u32; start[n]];
        for u in 0..n {
            for (v, tag) in forward(u) {
                items[fill[v as usize]] = (u as u32) << 1 | tag;
                fill[v as usize] += 1;
            }
        }
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
    /// reverse entries capped at the sample size by priority; ascending.
    fn lists(&self, sampled: &[Vec<u32>], old: bool) -> Lists {
        let n = self.rows();
        let forward = |u: usize| {
            if old {
                Either::Left(self.flagged(u, false))
            } else {
                Either::Right(sampled[u].iter().copied())
            }
        };
        let reverse = Lists::reverse(n, |u| forward(u).map(|v| (v, 0)));
        Lists::build(n, |u, out| {
            out.extend(reverse.of(u).iter().map(|&w| w >> 1));
            out.sort_unstable_by_key(|&v| (self.priority(u, v), v));
            out.truncate(self.d.sample);
            out.extend(forward(u));
            out.sort_unstable();
            out.dedup();
        })
    }
}

/// For each point `p`, the points `u` whose lists hold it, each as
/// `u << 1 | whether in u's new list`, ascending.
struct Holders {
    lists: Lists,
}

impl Holders {
    /// Who holds each point: `u`'s new list, and the members of its old
    /// list that are not in the new one.
    fn of_lists(n: usize, l_new: &Lists, l_old: &Lists) -> Holders {
        let lists = Lists::reverse(n, |u| {
            let new = l_new.of(u);
            new.iter().map(|&p| (p, 1)).chain(
                l_old
                    .of(u)
                    .iter()
                    .filter(move |p| new.binary_search(p).is_err())
                    .map(|&p| (p, 0)),
            )
        });
        Holders { lists }
    }

    /// The points `p` is compared with: every member of the lists of the
    /// points whose new list holds it, the new members of those whose old
    /// list does; ascending, each once.
    fn candidates(&self, p: usize, l_new: &Lists, l_old: &Lists) -> Vec<u32> {
        let mut cands: Vec<u32> = Vec::new();
        for &h in self.lists.of(p) {
            let u = (h >> 1) as usize;
            cands.extend_from_slice(l_new.of(u));
            if h & 1 == 1 {
                cands.extend_from_slice(l_old.of(u));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        cands
    }
}
