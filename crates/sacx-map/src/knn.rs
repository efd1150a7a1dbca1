//! k nearest neighbours of every point: exact (blocked matrix products) up to
//! [`EXACT_KNN_MAX`] points, an HNSW index (`instant-distance`) above.
//!
//! The HNSW graph is built on one thread, in input order, from the map's seed,
//! so that the same input gives the same graph; it is then searched by every
//! thread (searching does not change it).
use crate::vectors::{dist2, dot};
use crate::{Error, Result};
use rayon::prelude::*;
use tch::{Kind, Tensor};

/// Largest number of points whose neighbours are found exactly (every pair
/// compared: about a second for 20,000 vectors of 100 floats on 2 cores);
/// above it an HNSW index answers, with a recall near 0.99 at the settings used.
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

    /// The first `k` neighbours of every point (a smaller graph from a bigger one).
    pub fn truncate(&self, k: usize) -> Knn {
        let k = k.min(self.k);
        let rows = self.rows();
        let mut indices = Vec::with_capacity(rows * k);
        let mut distances = Vec::with_capacity(rows * k);
        for i in 0..rows {
            indices.extend_from_slice(&self.indices(i)[..k]);
            distances.extend_from_slice(&self.distances(i)[..k]);
        }
        Knn {
            k,
            indices,
            distances,
        }
    }
}

/// The `k` nearest neighbours of each of the `data.len() / dim` points
/// (rows of `data`; for [`Metric::Cosine`], unit rows), exact up to
/// `exact_max` points, by HNSW above it (seeded by `seed`).
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
    let n = data.len() / dim.max(1);
    if k == 0 || k >= n {
        return Err(Error::input(format!(
            "{k} neighbours asked of {n} points: a map needs more documents than neighbours; give a bigger corpus or fewer neighbours"
        )));
    }
    if n <= exact_max {
        exact(data, dim, k, metric)
    } else {
        hnsw(data, dim, k, metric, seed)
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

/// A row of the input as an HNSW point.
#[derive(Clone, Copy)]
struct Row<'a> {
    v: &'a [f32],
    metric: Metric,
}

impl instant_distance::Point for Row<'_> {
    fn distance(&self, other: &Self) -> f32 {
        distance(self.v, other.v, self.metric)
    }
}

/// An HNSW index built on one thread (deterministic), searched in parallel.
fn hnsw(data: &[f32], dim: usize, k: usize, metric: Metric, seed: u64) -> Result<Knn> {
    let n = data.len() / dim;
    let points: Vec<Row> = data.chunks_exact(dim).map(|v| Row { v, metric }).collect();
    let values: Vec<u32> = (0..n as u32).collect();
    let builder = instant_distance::Builder::default()
        .seed(seed)
        .ef_construction(100)
        .ef_search((2 * (k + 1)).max(100));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::input(format!("cannot start the HNSW build thread: {e}")))?;
    let map = pool.install(|| builder.build(points.clone(), values));
    let rows: Vec<(Vec<u32>, Vec<f32>)> = (0..n)
        .into_par_iter()
        .map_init(instant_distance::Search::default, |search, i| {
            let mut idx = Vec::with_capacity(k);
            let mut dst = Vec::with_capacity(k);
            for item in map.search(&points[i], search) {
                if *item.value as usize != i && idx.len() < k {
                    idx.push(*item.value);
                    dst.push(item.distance);
                }
            }
            (idx, dst)
        })
        .collect();
    let (mut indices, mut distances) = (Vec::with_capacity(n * k), Vec::with_capacity(n * k));
    for (i, (idx, dst)) in rows.into_iter().enumerate() {
        if idx.len() < k {
            return Err(Error::input(format!(
                "the HNSW index found {} of {k} neighbours of point {i}",
                idx.len()
            )));
        }
        indices.extend(idx);
        distances.extend(dst);
    }
    sort_rows(&mut indices, &mut distances, k);
    Ok(Knn {
        k,
        indices,
        distances,
    })
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

    #[test]
    fn hnsw_finds_nearly_all_exact_neighbours() {
        let (n, dim, k) = (3000, 8, 10);
        let data = blobs(n, dim);
        let a = exact(&data, dim, k, Metric::Euclidean).unwrap();
        let b = hnsw(&data, dim, k, Metric::Euclidean, 1).unwrap();
        let mut hit = 0;
        for i in 0..n {
            hit += b
                .indices(i)
                .iter()
                .filter(|j| a.indices(i).contains(j))
                .count();
        }
        let recall = hit as f64 / (n * k) as f64;
        assert!(recall > 0.9, "recall {recall}");
        assert_eq!(
            b,
            hnsw(&data, dim, k, Metric::Euclidean, 1).unwrap(),
            "same seed, same graph"
        );
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
