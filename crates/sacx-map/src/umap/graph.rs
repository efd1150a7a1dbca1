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
/// sorted by `(head, tail)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Graph {
    pub(crate) n: usize,
    pub(crate) head: Vec<u32>,
    pub(crate) tail: Vec<u32>,
    pub(crate) weight: Vec<f32>,
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
    let mut directed: Vec<(u32, u32, f32)> = Vec::with_capacity(2 * n * k);
    for i in 0..n {
        let d = &knn.distances(i)[..k];
        let rho = d.iter().copied().find(|&x| x > 0.0).unwrap_or(0.0);
        let mut sigma = scale(d, rho, target);
        let mean_i = d.iter().sum::<f32>() / k as f32;
        let floor = MIN_SCALE * if rho > 0.0 { mean_i } else { mean_all };
        sigma = sigma.max(floor);
        for (&j, &dj) in knn.indices(i)[..k].iter().zip(d) {
            let w = if dj - rho <= 0.0 || sigma <= 0.0 {
                1.0
            } else {
                (-(dj - rho) / sigma).exp()
            };
            directed.push((i as u32, j, w));
            directed.push((j, i as u32, -w)); // the transpose, marked by its sign
        }
    }
    directed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
    let mut g = Graph {
        n,
        head: Vec::new(),
        tail: Vec::new(),
        weight: Vec::new(),
    };
    let mut e = 0;
    while e < directed.len() {
        let (h, t) = (directed[e].0, directed[e].1);
        let (mut fwd, mut back) = (0f32, 0f32);
        while e < directed.len() && directed[e].0 == h && directed[e].1 == t {
            let w = directed[e].2;
            if w > 0.0 {
                fwd = fwd.max(w)
            } else {
                back = back.max(-w)
            }
            e += 1;
        }
        let w = fwd + back - fwd * back;
        if w > 0.0 {
            g.head.push(h);
            g.tail.push(t);
            g.weight.push(w);
        }
    }
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
