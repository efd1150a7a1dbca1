//! k nearest neighbours of every point: exact (blocked matrix products) up to
//! [`EXACT_KNN_MAX`] points, NN-descent above (`knn/descent.rs`): synchronous
//! rounds on every core whose result depends on the seed alone, not on the
//! thread count.
mod descent;
mod forest;

use crate::progress::{Progress, Step};
use crate::vectors::{dist2, dot};
use crate::{Error, Result};
use rayon::prelude::*;
use tch::{Kind, Tensor};

/// Largest number of points whose neighbours are found exactly (every pair
/// compared: about a second for 20,000 vectors of 100 floats on 2 cores);
/// above it NN-descent answers (recall@15 ≥ 0.95, docs/benchmarks.md).
pub const EXACT_KNN_MAX: usize = 20_000;

/// Rows of one exact block: 2,048 × 20,000 similarities are 160 MiB.
const BLOCK: usize = 2048;

/// The distance the neighbours are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// `1 − cos` on unit vectors.
    Cosine,
    /// Euclidean distance.
    Euclidean,
}

/// The `k` nearest other points of every point, nearest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Knn {
    k: usize,
    indices: Vec<u32>,
    distances: Vec<f32>,
}

impl Knn {
    /// Neighbours per point.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Number of points.
    pub fn rows(&self) -> usize {
        self.indices.len() / self.k.max(1)
    }

    /// Point `i`'s neighbours, nearest first.
    pub fn indices(&self, i: usize) -> &[u32] {
        &self.indices[i * self.k..(i + 1) * self.k]
    }

    /// Their distances, ascending.
    pub fn distances(&self, i: usize) -> &[f32] {
        &self.distances[i * self.k..(i + 1) * self.k]
    }

    /// Share of `exact`'s neighbours (the true ones, same points and `k`)
    /// that this graph found: recall@k.
    pub fn recall(&self, exact: &Knn) -> f64 {
        let hit: usize = (0..exact.rows())
            .map(|i| {
                self.indices(i)
                    .iter()
                    .filter(|j| exact.indices(i).contains(j))
                    .count()
            })
            .sum();
        hit as f64 / (exact.rows() * exact.k()).max(1) as f64
    }

    /// A graph from its rows (`k` neighbours each, read back from a file).
    pub(crate) fn from_parts(k: usize, indices: Vec<u32>, distances: Vec<f32>) -> Knn {
        Knn {
            k,
            indices,
            distances,
        }
    }
}

/// The `k` nearest neighbours of each of the `data.len() / dim` points
/// (rows of `data`; for [`Metric::Cosine`], unit rows), exact up to
/// `exact_max` points, by NN-descent above it (seeded by `seed`: the same
/// seed gives the same graph on any number of threads).
///
/// ```
/// use sacx_map::knn::{Metric, neighbours};
/// let points = [0.0f32, 0.0, 1.0, 0.0, 5.0, 0.0, 5.5, 0.0];
/// let knn = neighbours(&points, 2, 1, Metric::Euclidean, 100, 1)?;
/// assert_eq!(knn.indices(0), [1]);
/// assert_eq!(knn.indices(2), [3]);
/// # Ok::<(), sacx_map::Error>(())
/// ```
pub fn neighbours(
    data: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
    exact_max: usize,
    seed: u64,
) -> Result<Knn> {
    neighbours_observed(data, dim, k, metric, exact_max, seed, None)
}

/// Where a kNN search reports its NN-descent rounds: the progress and the
/// step they count toward (`None`: nowhere).
pub type Observed<'a> = Option<(&'a dyn Progress, Step)>;

/// [`neighbours`], reporting each NN-descent round to `progress`.
pub fn neighbours_observed(
    data: &[f32],
    dim: usize,
    k: usize,
    metric: Metric,
    exact_max: usize,
    seed: u64,
    progress: Observed,
) -> Result<Knn> {
    let n = data.len() / dim.max(1);
    if k == 0 || k >= n {
        return Err(Error::input(format!(
            "{k} neighbours asked of {n} points: a map needs more documents than neighbours; give a bigger corpus or fewer neighbours"
        )));
    }
    if n <= exact_max {
        exact(data, dim, k, metric)
    } else {
        let params = descent::Descent::for_points(n, k, seed);
        descent::descend(data, dim, metric, &params, progress)
    }
}

/// Every pair compared, in blocks of rows, through libtorch's matrix product.
fn exact(data: &[f32], dim: usize, k: usize, metric: Metric) -> Result<Knn> {
    let n = data.len() / dim;
    let all = Tensor::f_from_slice(data)?.f_view([n as i64, dim as i64])?;
    let sq = all
        .f_mul(&all)?
        .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Float)?;
    let (mut indices, mut distances) = (Vec::with_capacity(n * k), Vec::with_capacity(n * k));
    for lo in (0..n).step_by(BLOCK) {
        let rows = BLOCK.min(n - lo) as i64;
        let block = all.f_narrow(0, lo as i64, rows)?;
        let sims = block.f_matmul(&all.f_transpose(0, 1)?)?;
        // A score to maximise: the cosine, or −‖a − b‖² = 2 a·b − ‖a‖² − ‖b‖².
        let mut score = match metric {
            Metric::Cosine => sims,
            Metric::Euclidean => sims
                .f_mul_scalar(2.0)?
                .f_sub(&sq.f_narrow(0, lo as i64, rows)?.f_unsqueeze(1)?)?
                .f_sub(&sq.f_unsqueeze(0)?)?,
        };
        let own =
            Tensor::f_arange_start(lo as i64, lo as i64 + rows, (Kind::Int64, tch::Device::Cpu))?;
        let _ = score.f_index_put_(
            &[
                Some(Tensor::f_arange(rows, (Kind::Int64, tch::Device::Cpu))?),
                Some(own),
            ],
            &Tensor::from(f32::NEG_INFINITY),
            false,
        )?;
        let (_, idx) = score.f_topk(k as i64, 1, true, true)?;
        let idx = Vec::<i64>::try_from(idx.f_flatten(0, -1)?)?;
        for (r, row) in idx.chunks(k).enumerate() {
            let a = &data[(lo + r) * dim..(lo + r + 1) * dim];
            for &j in row {
                let b = &data[j as usize * dim..(j as usize + 1) * dim];
                indices.push(j as u32);
                distances.push(distance(a, b, metric));
            }
        }
    }
    sort_rows(&mut indices, &mut distances, k);
    Ok(Knn {
        k,
        indices,
        distances,
    })
}

/// The distance of two rows, recomputed exactly in `f32`.
fn distance(a: &[f32], b: &[f32], metric: Metric) -> f32 {
    match metric {
        Metric::Cosine => (1.0 - dot(a, b)).max(0.0),
        Metric::Euclidean => dist2(a, b).sqrt(),
    }
}

/// Orders each row by distance (index on ties), so both paths agree on order.
fn sort_rows(indices: &mut [u32], distances: &mut [f32], k: usize) {
    indices
        .par_chunks_mut(k)
        .zip(distances.par_chunks_mut(k))
        .for_each(|(i, d)| {
            let mut pairs: Vec<(f32, u32)> = d.iter().copied().zip(i.iter().copied()).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (slot, (dd, ii)) in pairs.into_iter().enumerate() {
                d[slot] = dd;
                i[slot] = ii;
            }
        });
}

/// A hash of four numbers (SplitMix64's finaliser chained): every random
/// choice of the forest and the descent, so that none depends on the order
/// in which threads run.
pub(crate) fn mix(a: u64, b: u64, c: u64, d: u64) -> u64 {
    fn fin(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fin(a ^ fin(b ^ fin(c ^ fin(d))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n: usize, dim: usize) -> Vec<f32> {
        let mut rng = crate::pv::Lcg::new(3, 0);
        (0..n * dim)
            .map(|i| ((i / dim) % 4) as f32 * 10.0 + rng.init(1) * 2.0)
            .collect()
    }

    fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn nn_descent_finds_nearly_all_exact_neighbours_on_any_thread_count() {
        let (n, dim, k) = (3000, 8, 10);
        let data = blobs(n, dim);
        let a = exact(&data, dim, k, Metric::Euclidean).unwrap();
        let run = |threads| {
            on_threads(threads, || {
                neighbours(&data, dim, k, Metric::Euclidean, 100, 7).unwrap()
            })
        };
        let b = run(1);
        let r = b.recall(&a);
        assert!(r > 0.95, "recall {r}");
        assert_eq!(b, run(2), "same seed, same graph on 2 threads");
        assert_eq!(b, run(3), "and on 3");
        assert_ne!(
            b,
            neighbours(&data, dim, k, Metric::Euclidean, 100, 8).unwrap(),
            "another seed, another first guess"
        );
        for i in 0..n {
            let row = b.indices(i);
            assert!(!row.contains(&(i as u32)), "{i} is its own neighbour");
            let mut distinct = row.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), k, "{i}: a neighbour twice");
            assert!(b.distances(i).windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn exact_ranks_by_distance_and_excludes_the_point_itself() {
        let data = [0.0f32, 0.0, 3.0, 0.0, 1.0, 0.0];
        let knn = exact(&data, 2, 2, Metric::Euclidean).unwrap();
        assert_eq!(knn.indices(0), [2, 1]);
        assert_eq!(knn.distances(0), [1.0, 3.0]);
        assert!(neighbours(&data, 2, 3, Metric::Euclidean, 10, 1).is_err());
    }
}
