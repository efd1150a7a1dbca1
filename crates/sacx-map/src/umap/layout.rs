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

/// Moves `emb` (`n × dims`) to fit `g`.
pub(crate) fn optimize(g: &Graph, emb: &mut [f32], s: &Schedule, progress: Observed) {
    let max_w = g.weight.iter().copied().fold(0f32, f32::max);
    let min_w = max_w / s.epochs as f32;
    let edges: Vec<usize> = (0..g.weight.len())
        .filter(|&e| g.weight[e] >= min_w)
        .collect();
    let per_sample: Vec<f32> = edges.iter().map(|&e| max_w / g.weight[e]).collect();
    let per_negative: Vec<f32> = per_sample
        .iter()
        .map(|p| p / s.negative_rate as f32)
        .collect();
    let mut next_sample = per_sample.clone();
    let mut next_negative = per_negative.clone();
    let mut rng = Lcg::new(s.seed, 0x1a70);
    let d = s.dims;
    let n = g.n as u64;
    for epoch in 0..s.epochs {
        let alpha = s.learning_rate * (1.0 - epoch as f32 / s.epochs as f32);
        let now = epoch as f32;
        for (slot, &e) in edges.iter().enumerate() {
            if next_sample[slot] > now {
                continue;
            }
            let (j, k) = (g.head[e] as usize, g.tail[e] as usize);
            attract(emb, j, k, d, s, alpha);
            next_sample[slot] += per_sample[slot];
            let negatives = ((now - next_negative[slot]) / per_negative[slot]).max(0.0) as usize;
            for _ in 0..negatives {
                let other = (rng.next() % n) as usize;
                if other != j {
                    repel(emb, j, other, d, s, alpha);
                }
            }
            next_negative[slot] += negatives as f32 * per_negative[slot];
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
