//! UMAP's fuzzy simplicial set: each point's neighbour distances turned into
//! membership strengths by a per-point scale, then symmetrised by the fuzzy
//! union `a + b − a·b` (McInnes, Healy & Melville 2018, §3).
use crate::knn::Knn;

/// Binary-search steps for a point's scale.
const SEARCH_STEPS: usize = 64;
/// Tolerance of the membership sum.
const TOLERANCE: f32 = 1e-5;
/// A scale never falls below this share of the mean neighbour distance.
const MIN_SCALE: f32 = 1e-3;

/// The symmetric weighted graph, as directed edges in both directions,
/// sorted by `(head, tail)`: row `h`'s edges are `start[h]..start[h + 1]`
/// of `tail` and `weight` (4 bytes per edge less than a head per edge).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Graph {
    pub(crate) n: usize,
    pub(crate) start: Vec<usize>,
    pub(crate) tail: Vec<u32>,
    pub(crate) weight: Vec<f32>,
}

impl Graph {
    /// Every edge `(head, tail, weight)` in order.
    pub(crate) fn edges(&self) -> impl Iterator<Item = (usize, u32, f32)> + '_ {
        (0..self.n).flat_map(move |h| {
            (self.start[h]..self.start[h + 1]).map(move |e| (h, self.tail[e], self.weight[e]))
        })
    }

    /// Keeps only the edges whose weight passes `keep`, in order.
    pub(crate) fn retain(&mut self, keep: impl Fn(f32) -> bool) {
        let mut to = 0;
        for h in 0..self.n {
            let (from, end) = (self.start[h], self.start[h + 1]);
            self.start[h] = to;
            for e in from..end {
                if keep(self.weight[e]) {
                    self.tail[to] = self.tail[e];
                    self.weight[to] = self.weight[e];
                    to += 1;
                }
            }
        }
        self.start[self.n] = to;
        self.tail.truncate(to);
        self.weight.truncate(to);
        self.tail.shrink_to_fit();
        self.weight.shrink_to_fit();
    }
}

/// The fuzzy union of every point's local fuzzy set over its `neighbours − 1`
/// nearest neighbours (UMAP counts the point itself among its
/// `n_neighbors`), with membership sums of `log2(neighbours)`.
pub(crate) fn fuzzy_graph(knn: &Knn, neighbours: usize) -> Graph {
    let n = knn.rows();
    let k = (neighbours - 1).min(knn.k());
    let target = (neighbours as f32).log2();
    let mean_all = {
        let s: f64 = (0..n)
            .map(|i| knn.distances(i)[..k].iter().map(|&d| d as f64).sum::<f64>())
            .sum();
        (s / (n * k).max(1) as f64) as f32
    };
    let strength = strengths(knn, k, target, mean_all);
    union(knn, k, &strength)
}

/// Each point's membership strengths of its first `k` neighbours, row by
/// row like the kNN graph, with membership sums of `target`.
fn strengths(knn: &Knn, k: usize, target: f32, mean_all: f32) -> Vec<f32> {
    let n = knn.rows();
    let mut strength = vec![0f32; n * k];
    for i in 0..n {
        let d = &knn.distances(i)[..k];
        let rho = d.iter().copied().find(|&x| x > 0.0).unwrap_or(0.0);
        let mut sigma = scale(d, rho, target);
        let mean_i = d.iter().sum::<f32>() / k as f32;
        let floor = MIN_SCALE * if rho > 0.0 { mean_i } else { mean_all };
        sigma = sigma.max(floor);
        for (s, &dj) in strength[i * k..(i + 1) * k].iter_mut().zip(d) {
            *s = if dj - rho <= 0.0 || sigma <= 0.0 {
                1.0
            } else {
                (-(dj - rho) / sigma).exp()
            };
        }
    }
    strength
}

/// The fuzzy union `a + b − a·b` of the directed strengths, as edges in
/// both directions sorted by `(head, tail)`.
fn union(knn: &Knn, k: usize, strength: &[f32]) -> Graph {
    let n = knn.rows();
    // Who lists each point: (lister, its strength for the point), so that
    // the union never holds every directed pair twice (1.2 GB at a million
    // documents and 50 neighbours).
    let mut start = vec![0usize; n + 1];
    for i in 0..n {
        for &j in &knn.indices(i)[..k] {
            start[j as usize + 1] += 1;
        }
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut fill = start.clone();
    let mut listed_by = vec![(0u32, 0f32); n * k];
    for i in 0..n {
        for (&j, &w) in knn.indices(i)[..k]
            .iter()
            .zip(&strength[i * k..(i + 1) * k])
        {
            listed_by[fill[j as usize]] = (i as u32, w);
            fill[j as usize] += 1;
        }
    }
    drop(fill);
    // At most every directed pair twice: reserved at that bound (pages never
    // written are never resident), so the rows grow without a copy, and
    // trimmed at the end.
    let mut g = Graph {
        n,
        start: Vec::with_capacity(n + 1),
        tail: Vec::with_capacity(2 * n * k),
        weight: Vec::with_capacity(2 * n * k),
    };
    g.start.push(0);
    // Per head, its tails in order with the strongest of each direction.
    let mut row: Vec<(u32, f32, f32)> = Vec::with_capacity(2 * k);
    for h in 0..n {
        row.clear();
        row.extend(
            knn.indices(h)[..k]
                .iter()
                .zip(&strength[h * k..(h + 1) * k])
                .map(|(&t, &w)| (t, w, 0.0)),
        );
        row.extend(
            listed_by[start[h]..start[h + 1]]
                .iter()
                .map(|&(t, w)| (t, 0.0, w)),
        );
        row.sort_unstable_by_key(|e| e.0);
        let mut e = 0;
        while e < row.len() {
            let t = row[e].0;
            let (mut fwd, mut back) = (0f32, 0f32);
            while e < row.len() && row[e].0 == t {
                fwd = fwd.max(row[e].1);
                back = back.max(row[e].2);
                e += 1;
            }
            let w = fwd + back - fwd * back;
            if w > 0.0 {
                g.tail.push(t);
                g.weight.push(w);
            }
        }
        g.start.push(g.tail.len());
    }
    g.tail.shrink_to_fit();
    g.weight.shrink_to_fit();
    g
}

/// The scale σ with `Σ_j exp(−max(0, d_j − ρ) / σ) = target`.
fn scale(d: &[f32], rho: f32, target: f32) -> f32 {
    let (mut lo, mut hi, mut mid) = (0f32, f32::INFINITY, 1f32);
    for _ in 0..SEARCH_STEPS {
        let sum: f32 = d
            .iter()
            .map(|&x| {
                if x - rho > 0.0 {
                    (-(x - rho) / mid).exp()
                } else {
                    1.0
                }
            })
            .sum();
        if (sum - target).abs() < TOLERANCE {
            break;
        }
        if sum > target {
            hi = mid;
            mid = (lo + hi) / 2.0;
        } else {
            lo = mid;
            mid = if hi.is_infinite() {
                mid * 2.0
            } else {
                (lo + hi) / 2.0
            };
        }
    }
    mid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::{Metric, neighbours};

    /// The union by its definition: every directed pair and its transpose
    /// sorted together, the strongest of each direction combined.
    fn by_definition(knn: &Knn, k: usize, strength: &[f32]) -> Vec<(u32, u32, f32)> {
        let mut directed = Vec::new();
        for i in 0..knn.rows() {
            for (&j, &w) in knn.indices(i)[..k]
                .iter()
                .zip(&strength[i * k..(i + 1) * k])
            {
                directed.push((i as u32, j, w));
                directed.push((j, i as u32, -w));
            }
        }
        directed.sort_by_key(|a| (a.0, a.1));
        let mut out: Vec<(u32, u32, f32)> = Vec::new();
        let mut e = 0;
        while e < directed.len() {
            let (h, t) = (directed[e].0, directed[e].1);
            let (mut fwd, mut back) = (0f32, 0f32);
            while e < directed.len() && (directed[e].0, directed[e].1) == (h, t) {
                let w = directed[e].2;
                if w > 0.0 {
                    fwd = fwd.max(w)
                } else {
                    back = back.max(-w)
                }
                e += 1;
            }
            out.push((h, t, fwd + back - fwd * back));
        }
        out
    }

    #[test]
    fn the_union_equals_its_definition_and_is_symmetric() {
        let mut rng = crate::pv::Lcg::new(3, 0);
        let pts: Vec<f32> = (0..300 * 4).map(|_| rng.init(1)).collect();
        let knn = neighbours(&pts, 4, 12, Metric::Euclidean, 1000, 1).unwrap();
        let strength = strengths(&knn, 12, (13f32).log2(), 1.0);
        let g = union(&knn, 12, &strength);
        let got: Vec<(u32, u32, f32)> = g.edges().map(|(h, t, w)| (h as u32, t, w)).collect();
        assert_eq!(got, by_definition(&knn, 12, &strength));
        let find = |h: u32, t: u32| got.binary_search_by(|e| (e.0, e.1).cmp(&(h, t))).unwrap();
        assert!(
            got.iter()
                .all(|&(h, t, w)| got[find(t, h)].2 == w && w > 0.0 && w <= 1.0)
        );
    }
}
