//! How good a map is, against the gold labels: kNN label precision of the
//! vectors and normalised mutual information of the clusters
//! (docs/metrics.md, "Topic map").
use crate::knn::Knn;
use std::collections::HashMap;
use std::hash::Hash;

/// Mean over documents with at least one label of the share of their `k`
/// nearest neighbours (the first `k` of `knn`) that share at least one label
/// with them.
///
/// ```
/// use sacx_map::knn::{Metric, neighbours};
/// let pts = [0.0f32, 0.1, 5.0, 5.1];
/// let knn = neighbours(&pts, 1, 1, Metric::Euclidean, 100, 1)?;
/// let labels = vec![vec![0], vec![0], vec![1], vec![2]];
/// assert_eq!(sacx_map::knn_label_precision(&knn, &labels, 1), 0.5);
/// # Ok::<(), sacx_map::Error>(())
/// ```
pub fn knn_label_precision(knn: &Knn, labels: &[Vec<u32>], k: usize) -> f64 {
    let k = k.min(knn.k());
    let (mut sum, mut docs) = (0.0, 0usize);
    for (i, own) in labels.iter().enumerate() {
        if own.is_empty() || k == 0 {
            continue;
        }
        let hits = knn.indices(i)[..k]
            .iter()
            .filter(|&&j| labels[j as usize].iter().any(|l| own.contains(l)))
            .count();
        sum += hits as f64 / k as f64;
        docs += 1;
    }
    if docs == 0 { 0.0 } else { sum / docs as f64 }
}

/// Normalised mutual information `2 I(A; B) / (H(A) + H(B))` of two labellings
/// of the same items (scikit-learn's default, arithmetic normalisation); 1
/// when both are a single group.
///
/// ```
/// assert!((sacx_map::nmi(&[0, 0, 1, 1], &["a", "a", "b", "b"]) - 1.0).abs() < 1e-12);
/// assert!(sacx_map::nmi(&[0, 1, 0, 1], &["a", "a", "b", "b"]).abs() < 1e-12);
/// ```
pub fn nmi<A: Hash + Eq, B: Hash + Eq>(a: &[A], b: &[B]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let (ia, ca) = index(&a[..n]);
    let (ib, cb) = index(&b[..n]);
    // Ordered, so that the sum below is the same on every start.
    let mut joint: std::collections::BTreeMap<(usize, usize), usize> = Default::default();
    for (x, y) in ia.iter().zip(&ib) {
        *joint.entry((*x, *y)).or_default() += 1;
    }
    let nf = n as f64;
    let h = |counts: &[usize]| -> f64 {
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / nf;
                -p * p.ln()
            })
            .sum()
    };
    let (ha, hb) = (h(&ca), h(&cb));
    if ha == 0.0 && hb == 0.0 {
        return 1.0;
    }
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| {
            let p = c as f64 / nf;
            p * (p * nf * nf / (ca[x] as f64 * cb[y] as f64)).ln()
        })
        .sum();
    (2.0 * mi / (ha + hb)).clamp(0.0, 1.0)
}

/// Dense group ids and group sizes.
fn index<T: Hash + Eq>(xs: &[T]) -> (Vec<usize>, Vec<usize>) {
    let mut ids: HashMap<&T, usize> = HashMap::new();
    let mut counts = Vec::new();
    let out = xs
        .iter()
        .map(|x| {
            let next = ids.len();
            let id = *ids.entry(x).or_insert(next);
            if id == counts.len() {
                counts.push(0);
            }
            counts[id] += 1;
            id
        })
        .collect();
    (out, counts)
}
