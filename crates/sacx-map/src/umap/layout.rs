//! UMAP's layout optimisation: stochastic gradient descent on the fuzzy
//! cross-entropy, each edge sampled in proportion to its weight, with
//! negative samples (umap-learn's `optimize_layout_euclidean`), on one thread
//! so that a seed fixes the result.
use super::graph::Graph;
use crate::knn::Observed;
use crate::pv::Lcg;

/// Gradient components are clipped to ±4.
const CLIP: f32 = 4.0;

/// What the optimisation needs besides the graph.
pub(crate) struct Schedule {
    pub(crate) dims: usize,
    pub(crate) epochs: usize,
    pub(crate) a: f32,
    pub(crate) b: f32,
    pub(crate) learning_rate: f32,
    pub(crate) negative_rate: usize,
    pub(crate) seed: u64,
}

/// Moves `emb` (`n × dims`) to fit `g`, which it consumes: edges too weak
/// to be sampled in `epochs` are dropped in place, and each edge's sampling
/// periods are computed from its weight when it is visited, so that the
/// optimisation holds two numbers per edge beside the graph.
pub(crate) fn optimize(mut g: Graph, emb: &mut [f32], s: &Schedule, progress: Observed) {
    let max_w = g.weight.iter().copied().fold(0f32, f32::max);
    let min_w = max_w / s.epochs as f32;
    g.retain(|w| w >= min_w);
    let per_sample = |w: f32| max_w / w;
    let per_negative = |w: f32| per_sample(w) / s.negative_rate as f32;
    let mut next_sample: Vec<f32> = g.weight.iter().map(|&w| per_sample(w)).collect();
    let mut next_negative: Vec<f32> = g.weight.iter().map(|&w| per_negative(w)).collect();
    let mut rng = Lcg::new(s.seed, 0x1a70);
    let d = s.dims;
    let n = g.n as u64;
    for epoch in 0..s.epochs {
        let alpha = s.learning_rate * (1.0 - epoch as f32 / s.epochs as f32);
        let now = epoch as f32;
        for j in 0..g.n {
            for e in g.start[j]..g.start[j + 1] {
                if next_sample[e] > now {
                    continue;
                }
                let (k, w) = (g.tail[e] as usize, g.weight[e]);
                attract(emb, j, k, d, s, alpha);
                next_sample[e] += per_sample(w);
                let negative = per_negative(w);
                let negatives = ((now - next_negative[e]) / negative).max(0.0) as usize;
                for _ in 0..negatives {
                    let other = (rng.next() % n) as usize;
                    if other != j {
                        repel(emb, j, other, d, s, alpha);
                    }
                }
                next_negative[e] += negatives as f32 * negative;
            }
        }
        if let Some((p, step)) = progress {
            p.advance(step, epoch + 1, s.epochs);
        }
    }
}

fn attract(emb: &mut [f32], j: usize, k: usize, d: usize, s: &Schedule, alpha: f32) {
    let d2 = squared(emb, j, k, d);
    if d2 <= 0.0 {
        return;
    }
    let coeff = -2.0 * s.a * s.b * d2.powf(s.b - 1.0) / (s.a * d2.powf(s.b) + 1.0);
    for c in 0..d {
        let g = (coeff * (emb[j * d + c] - emb[k * d + c])).clamp(-CLIP, CLIP) * alpha;
        emb[j * d + c] += g;
        emb[k * d + c] -= g;
    }
}

fn repel(emb: &mut [f32], j: usize, k: usize, d: usize, s: &Schedule, alpha: f32) {
    let d2 = squared(emb, j, k, d);
    if d2 <= 0.0 {
        return;
    }
    let coeff = 2.0 * s.b / ((0.001 + d2) * (s.a * d2.powf(s.b) + 1.0));
    for c in 0..d {
        let g = (coeff * (emb[j * d + c] - emb[k * d + c])).clamp(-CLIP, CLIP) * alpha;
        emb[j * d + c] += g;
    }
}

#[inline]
fn squared(emb: &[f32], j: usize, k: usize, d: usize) -> f32 {
    (0..d)
        .map(|c| (emb[j * d + c] - emb[k * d + c]).powi(2))
        .sum()
}
