//! UMAP (McInnes, Healy & Melville 2018) on a precomputed kNN graph: the
//! fuzzy simplicial set ([`graph`]), a spectral initial layout ([`spectral`])
//! and the seeded SGD layout ([`layout`]), following umap-learn 0.5's
//! defaults (epochs 500 up to 10,000 points, else 200; `a`, `b` fitted to
//! `min_dist` and `spread`; 5 negative samples per positive one).
mod graph;
mod layout;
mod spectral;

use crate::knn::{Knn, Observed};
use crate::{Error, Result};

/// Points above which UMAP runs 200 epochs instead of 500 (umap-learn's rule).
pub const LARGE: usize = 10_000;

sacx_data::validated_params! {
    error crate::Error;
    /// The parameters of one UMAP reduction.
    ///
    /// ```
    /// let p = sacx_map::UmapParams::builder().components(2).neighbours(50).build()?;
    /// assert_eq!((p.components(), p.neighbours(), p.min_dist()), (2, 50, 0.1));
    /// assert!(sacx_map::UmapParams::builder().neighbours(1).build().is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub struct UmapParams, builder UmapParamsBuilder, raw UmapParamsRaw = "UmapParamsRaw",
    check UmapParams::check {
        /// Output dimensions. Default 5, range 1–100.
        copy components: usize = 5,
        /// Neighbourhood size, the point itself included (umap-learn's
        /// `n_neighbors`). Default 15, range 2–1,000.
        copy neighbours: usize = 15,
        /// Smallest distance between embedded points. Default 0.1, range [0, spread].
        copy min_dist: f32 = 0.1,
        /// Scale of the embedded distances. Default 1, range (0, 100].
        copy spread: f32 = 1.0,
        /// Optimisation epochs; 0 picks 500 up to 10,000 points, else 200. Default 0, range 0–100,000.
        copy epochs: usize = 0,
        /// Initial learning rate. Default 1, range (0, 100].
        copy learning_rate: f32 = 1.0,
        /// Negative samples per positive sample. Default 5, range 1–100.
        copy negative_rate: usize = 5,
        /// Seed of the initial noise and of the negative samples. Default 1.
        copy seed: u64 = 1,
    }
}

impl UmapParams {
    fn check(&self) -> Result<()> {
        let bad = |name, v: String, want: &str| Err(Error::param(name, v, want));
        if !(1..=100).contains(&self.components) {
            return bad("components", self.components.to_string(), "1..=100");
        }
        if !(2..=1000).contains(&self.neighbours) {
            return bad("neighbours", self.neighbours.to_string(), "2..=1000");
        }
        if !(self.spread > 0.0 && self.spread <= 100.0) {
            return bad("spread", self.spread.to_string(), "a number in (0, 100]");
        }
        if !(self.min_dist >= 0.0 && self.min_dist <= self.spread) {
            return bad(
                "min_dist",
                self.min_dist.to_string(),
                "a number in [0, spread]",
            );
        }
        if self.epochs > 100_000 {
            return bad("epochs", self.epochs.to_string(), "0..=100000");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 100.0) {
            return bad(
                "learning_rate",
                self.learning_rate.to_string(),
                "a number in (0, 100]",
            );
        }
        if !(1..=100).contains(&self.negative_rate) {
            return bad("negative_rate", self.negative_rate.to_string(), "1..=100");
        }
        Ok(())
    }

    /// The epochs actually run for `n` points.
    pub fn epochs_for(&self, n: usize) -> usize {
        match self.epochs {
            0 if n <= LARGE => 500,
            0 => 200,
            e => e,
        }
    }
}

/// Embeds the points of `knn` (their neighbours nearest first, at least
/// `neighbours − 1` of them) into `components` dimensions; row-major
/// `n × components`.
///
/// ```
/// use sacx_map::knn::{Metric, neighbours};
/// use sacx_map::{UmapParams, umap};
/// // Two far groups of ten points on a line.
/// let pts: Vec<f32> = (0..20).map(|i| if i < 10 { i as f32 } else { 100.0 + i as f32 }).collect();
/// let knn = neighbours(&pts, 1, 5, Metric::Euclidean, 100, 1)?;
/// let p = UmapParams::builder().components(2).neighbours(6).build()?;
/// let emb = umap(&knn, &p)?;
/// assert_eq!(emb.len(), 40);
/// # Ok::<(), sacx_map::Error>(())
/// ```
pub fn umap(knn: &Knn, params: &UmapParams) -> Result<Vec<f32>> {
    umap_observed(knn, params, None)
}

/// [`umap`], reporting each epoch to `progress`.
pub fn umap_observed(knn: &Knn, params: &UmapParams, progress: Observed) -> Result<Vec<f32>> {
    let n = knn.rows();
    if knn.k() + 1 < params.neighbours() {
        return Err(Error::input(format!(
            "UMAP with {} neighbours needs a kNN graph of at least {} neighbours per point, got {}",
            params.neighbours(),
            params.neighbours() - 1,
            knn.k()
        )));
    }
    let g = graph::fuzzy_graph(knn, params.neighbours());
    let dims = params.components();
    let mut emb = spectral::initial_layout(&g, dims, params.seed());
    let (a, b) = fit_ab(params.spread(), params.min_dist());
    let schedule = layout::Schedule {
        dims,
        epochs: params.epochs_for(n),
        a,
        b,
        learning_rate: params.learning_rate(),
        negative_rate: params.negative_rate(),
        seed: params.seed(),
    };
    layout::optimize(g, &mut emb, &schedule, progress);
    Ok(emb)
}

/// The `a`, `b` of the low-dimensional similarity `1 / (1 + a d^(2b))` that
/// best fit (least squares, Levenberg–Marquardt) a curve equal to 1 below
/// `min_dist` and `exp(−(d − min_dist) / spread)` above, on 300 points of
/// `[0, 3 spread]` (umap-learn's `find_ab_params`).
pub fn fit_ab(spread: f32, min_dist: f32) -> (f32, f32) {
    let (spread, min_dist) = (spread as f64, min_dist as f64);
    let xs: Vec<f64> = (0..300).map(|i| 3.0 * spread * i as f64 / 299.0).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    let loss = |a: f64, b: f64| -> f64 {
        xs.iter()
            .zip(&ys)
            .map(|(&x, &y)| (1.0 / (1.0 + a * x.powf(2.0 * b)) - y).powi(2))
            .sum()
    };
    let (mut a, mut b, mut lambda) = (1.0f64, 1.0f64, 1e-3);
    let mut current = loss(a, b);
    for _ in 0..500 {
        // Normal equations J^T J δ = −J^T r of the residuals r = f − y.
        let (mut jaa, mut jab, mut jbb, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&x, &y) in xs.iter().zip(&ys) {
            if x <= 0.0 {
                continue;
            }
            let u = x.powf(2.0 * b);
            let f = 1.0 / (1.0 + a * u);
            let da = -u * f * f;
            let db = -a * u * 2.0 * x.ln() * f * f;
            let r = f - y;
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        let (m11, m22) = (jaa * (1.0 + lambda), jbb * (1.0 + lambda));
        let det = m11 * m22 - jab * jab;
        if det.abs() < 1e-300 {
            break;
        }
        let step_a = -(m22 * ga - jab * gb) / det;
        let step_b = -(m11 * gb - jab * ga) / det;
        let (na, nb) = (a + step_a, b + step_b);
        let trial = if na > 0.0 && nb > 0.0 {
            loss(na, nb)
        } else {
            f64::INFINITY
        };
        if trial < current {
            let done = (current - trial) < 1e-15;
            (a, b, current, lambda) = (na, nb, trial, lambda / 10.0);
            if done {
                break;
            }
        } else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
        }
    }
    (a as f32, b as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::{Metric, neighbours};

    #[test]
    fn ab_match_umap_learn_for_the_default_min_dist() {
        let (a, b) = fit_ab(1.0, 0.1);
        assert!(
            (a - 1.577).abs() < 0.01 && (b - 0.895).abs() < 0.01,
            "{a} {b}"
        );
    }

    /// Four well-separated Gaussian-ish blobs in 10 dimensions: every point's
    /// nearest embedded neighbours are from its own blob.
    #[test]
    fn umap_keeps_the_neighbours_of_well_separated_clusters() {
        let (n, dim) = (400, 10);
        let mut rng = crate::pv::Lcg::new(9, 0);
        let data: Vec<f32> = (0..n * dim)
            .map(|i| {
                let blob = (i / dim) % 4;
                let centre = if (i % dim) == blob { 20.0 } else { 0.0 };
                centre + rng.init(1) * 4.0
            })
            .collect();
        let knn = neighbours(&data, dim, 14, Metric::Euclidean, 10_000, 1).unwrap();
        for dims in [2, 5] {
            let p = UmapParams::builder().components(dims).build().unwrap();
            let emb = umap(&knn, &p).unwrap();
            assert!(emb.iter().all(|x| x.is_finite()));
            let low = neighbours(&emb, dims, 10, Metric::Euclidean, 10_000, 1).unwrap();
            let same = (0..n)
                .map(|i| {
                    low.indices(i)
                        .iter()
                        .filter(|&&j| j as usize % 4 == i % 4)
                        .count()
                })
                .sum::<usize>();
            assert_eq!(
                same,
                n * 10,
                "{dims} dimensions: a neighbour from another blob"
            );
            assert_eq!(emb, umap(&knn, &p).unwrap(), "same seed, same layout");
        }
    }
}
