//! UMAP's initial layout: the leading non-trivial eigenvectors of the graph's
//! normalised adjacency `D^-1/2 W D^-1/2` (the Laplacian eigenmap that
//! umap-learn starts from), found by orthogonal iteration on `(A + I) / 2`
//! with the trivial eigenvector `D^1/2 1` projected out.
use super::graph::Graph;
use crate::pv::Lcg;

/// Iterations of the orthogonal iteration.
const ITERATIONS: usize = 200;
/// Stop once no vector moves more than this (1 − |cos| between iterations).
const CONVERGED: f64 = 1e-7;

/// `dims` coordinates per point (row-major `n × dims`), each scaled to
/// `[0, 10]`.
pub(crate) fn initial_layout(g: &Graph, dims: usize, seed: u64) -> Vec<f32> {
    let n = g.n;
    let mut degree = vec![0f64; n];
    for (h, _, w) in g.edges() {
        degree[h] += w as f64;
    }
    let inv_sqrt: Vec<f64> = degree
        .iter()
        .map(|&d| if d > 0.0 { 1.0 / d.sqrt() } else { 0.0 })
        .collect();
    let mut trivial: Vec<f64> = degree.iter().map(|d| d.sqrt()).collect();
    normalize(&mut trivial);
    let mut rng = Lcg::new(seed, 0x5bec);
    let mut basis: Vec<Vec<f64>> = (0..dims)
        .map(|_| (0..n).map(|_| rng.init(1) as f64).collect())
        .collect();
    orthonormalize(&mut basis, &trivial);
    for _ in 0..ITERATIONS {
        let mut next: Vec<Vec<f64>> = basis.iter().map(|v| multiply(g, &inv_sqrt, v)).collect();
        orthonormalize(&mut next, &trivial);
        let moved = basis
            .iter()
            .zip(&next)
            .map(|(a, b)| 1.0 - a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>().abs())
            .fold(0.0, f64::max);
        basis = next;
        if moved < CONVERGED {
            break;
        }
    }
    let mut out = vec![0f32; n * dims];
    for (d, v) in basis.iter().enumerate() {
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let span = (hi - lo).max(1e-12);
        for i in 0..n {
            out[i * dims + d] = (10.0 * (v[i] - lo) / span) as f32;
        }
    }
    out
}

/// `(A + I) / 2 · v` with `A = D^-1/2 W D^-1/2`.
fn multiply(g: &Graph, inv_sqrt: &[f64], v: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = v.iter().map(|x| x / 2.0).collect();
    for (h, t, w) in g.edges() {
        let t = t as usize;
        out[h] += 0.5 * inv_sqrt[h] * w as f64 * inv_sqrt[t] * v[t];
    }
    out
}

/// Gram–Schmidt of `basis` against `fixed` and each other.
fn orthonormalize(basis: &mut [Vec<f64>], fixed: &[f64]) {
    for i in 0..basis.len() {
        let (done, rest) = basis.split_at_mut(i);
        let v = &mut rest[0];
        for u in done
            .iter()
            .map(|u| u.as_slice())
            .chain(std::iter::once(fixed))
        {
            let c: f64 = u.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(x, y)| *x -= c * y);
        }
        normalize(v);
    }
}

fn normalize(v: &mut [f64]) {
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}
