//! HDBSCAN* (Campello, Moulavi & Sander 2013), as the `hdbscan` Python
//! library computes it: core distances from `min_samples` neighbours, the
//! mutual-reachability MST ([`mst`]), the condensed tree and excess-of-mass
//! or leaf selection ([`tree`]). Points in no selected cluster are noise.
mod kdtree;
mod mst;
mod tree;

use crate::knn::{EXACT_KNN_MAX, Metric, neighbours};
use crate::progress::{Progress, Step};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// How flat clusters are chosen from the condensed tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Excess of mass: the most stable clusters, whatever their depth.
    #[serde(rename = "eom")]
    ExcessOfMass,
    /// The leaves of the condensed tree: many small, homogeneous clusters.
    Leaf,
}

impl std::str::FromStr for Selection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "eom" => Ok(Selection::ExcessOfMass),
            "leaf" => Ok(Selection::Leaf),
            _ => Err(Error::param("selection", s, "eom or leaf")),
        }
    }
}

sacx_data::validated_params! {
    error crate::Error;
    /// The parameters of HDBSCAN.
    ///
    /// ```
    /// let p = sacx_map::HdbscanParams::builder().min_cluster_size(50).build()?;
    /// assert_eq!((p.min_cluster_size(), p.min_samples_or_default()), (50, 50));
    /// assert!(sacx_map::HdbscanParams::builder().min_cluster_size(1).build().is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub struct HdbscanParams, builder HdbscanParamsBuilder, raw HdbscanParamsRaw = "HdbscanParamsRaw",
    check HdbscanParams::check {
        /// Smallest group that counts as a cluster. Default 5, range 2–10⁷.
        copy min_cluster_size: usize = 5,
        /// Neighbours of a core point (its core distance is to the
        /// `min_samples`-th other point); 0 means `min_cluster_size`. Default 0, range 0–10⁵.
        copy min_samples: usize = 0,
        /// Excess of mass or leaf selection. Default excess of mass.
        copy selection: Selection = Selection::ExcessOfMass,
        /// Allow the whole data set as one cluster. Default false.
        copy allow_single_cluster: bool = false,
        /// Points up to which the MST is exact (Prim over every pair); above,
        /// it is built from an NN-descent kNN graph. Default 20,000.
        copy exact_max: usize = EXACT_KNN_MAX,
        /// Seed of the NN-descent graph above `exact_max`. Default 1.
        copy seed: u64 = 1,
    }
}

impl HdbscanParams {
    fn check(&self) -> Result<()> {
        if !(2..=10_000_000).contains(&self.min_cluster_size) {
            return Err(Error::param(
                "min_cluster_size",
                self.min_cluster_size,
                "2..=10000000",
            ));
        }
        if self.min_samples > 100_000 {
            return Err(Error::param("min_samples", self.min_samples, "0..=100000"));
        }
        Ok(())
    }

    /// `min_samples`, or `min_cluster_size` when it is 0.
    pub fn min_samples_or_default(&self) -> usize {
        if self.min_samples == 0 {
            self.min_cluster_size
        } else {
            self.min_samples
        }
    }
}

/// Flat clusters: a label per point, clusters numbered by decreasing size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    /// Each point's cluster, `None` for noise.
    pub labels: Vec<Option<usize>>,
    /// Each cluster's stability (excess of mass), in cluster order.
    pub stability: Vec<f64>,
}

impl Clustering {
    /// Number of clusters (noise excluded).
    pub fn clusters(&self) -> usize {
        self.stability.len()
    }

    /// Number of noise points.
    pub fn noise(&self) -> usize {
        self.labels.iter().filter(|l| l.is_none()).count()
    }
}

/// Clusters the `points.len() / dim` points (rows of `points`, Euclidean).
///
/// ```
/// use sacx_map::{HdbscanParams, hdbscan};
/// // Two blobs of 20 points on a line, far apart.
/// let mut pts: Vec<f32> = (0..20).map(|i| i as f32 * 0.1).collect();
/// pts.extend((0..20).map(|i| 50.0 + i as f32 * 0.1));
/// let c = hdbscan(&pts, 1, &HdbscanParams::builder().min_cluster_size(5).build()?)?;
/// assert_eq!(c.clusters(), 2);
/// assert_ne!(c.labels[0], c.labels[39]);
/// assert!(c.labels.iter().all(|l| l.is_some()));
/// # Ok::<(), sacx_map::Error>(())
/// ```
pub fn hdbscan(points: &[f32], dim: usize, params: &HdbscanParams) -> Result<Clustering> {
    hdbscan_observed(points, dim, params, &crate::Quiet)
}

/// [`hdbscan`], reporting its three phases (neighbours and core distances,
/// spanning tree, cluster tree) to `progress` as [`Step::Hdbscan`].
pub fn hdbscan_observed(
    points: &[f32],
    dim: usize,
    params: &HdbscanParams,
    progress: &dyn Progress,
) -> Result<Clustering> {
    let n = points.len() / dim.max(1);
    let mcs = params.min_cluster_size();
    if mcs > n {
        return Err(Error::param(
            "min_cluster_size",
            mcs,
            format!("at most the number of documents ({n}); give a smaller minimum cluster size"),
        ));
    }
    let k = params.min_samples_or_default().min(n - 1).max(1);
    let exact = n <= params.exact_max();
    // Above the exact size the same kNN graph gives the core distances and
    // the MST's candidate edges, so it is wider than `min_samples`.
    let width = if exact { k } else { k.max(15).min(n - 1) };
    let knn = neighbours(
        points,
        dim,
        width,
        Metric::Euclidean,
        params.exact_max(),
        params.seed(),
    )?;
    let core: Vec<f32> = (0..n).map(|i| knn.distances(i)[k - 1]).collect();
    progress.advance(Step::Hdbscan, 1, 3);
    let mst = if exact {
        mst::prim(points, dim, &core)
    } else {
        mst::knn_tree(points, dim, &core, &knn)
    };
    progress.advance(Step::Hdbscan, 2, 3);
    let condensed = tree::condense(n, mst, mcs);
    let (chosen, stability) = tree::select(
        n,
        &condensed,
        params.selection(),
        params.allow_single_cluster(),
    );
    let raw = tree::labels(n, &condensed, &chosen);
    progress.advance(Step::Hdbscan, 3, 3);
    Ok(renumber(&raw, &chosen, &stability, n))
}

/// Clusters numbered by decreasing size (then first point), with their stabilities.
fn renumber(raw: &[Option<usize>], chosen: &[usize], stability: &[f64], n: usize) -> Clustering {
    let mut sizes: Vec<(usize, usize, usize)> =
        chosen.iter().map(|&c| (c, 0, usize::MAX)).collect();
    for (i, l) in raw.iter().enumerate() {
        if let Some(s) = l.and_then(|c| sizes.iter_mut().find(|s| s.0 == c)) {
            s.1 += 1;
            s.2 = s.2.min(i);
        }
    }
    sizes.retain(|s| s.1 > 0);
    sizes.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut map = std::collections::HashMap::new();
    for (new, s) in sizes.iter().enumerate() {
        map.insert(s.0, new);
    }
    Clustering {
        labels: raw
            .iter()
            .map(|l| l.and_then(|c| map.get(&c).copied()))
            .collect(),
        stability: sizes.iter().map(|s| stability[s.0 - n]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `blobs` round blobs of `per` points in 3 dimensions, plus uniform noise.
    fn blobs(blobs: usize, per: usize, noise: usize) -> (Vec<f32>, Vec<Option<usize>>) {
        let mut rng = crate::pv::Lcg::new(5, 1);
        let (mut pts, mut truth) = (Vec::new(), Vec::new());
        for b in 0..blobs {
            for _ in 0..per {
                for d in 0..3 {
                    let centre = if d == b % 3 {
                        30.0 * (1 + b / 3) as f32
                    } else {
                        0.0
                    };
                    pts.push(centre + rng.init(1) * 3.0);
                }
                truth.push(Some(b));
            }
        }
        for _ in 0..noise {
            for _ in 0..3 {
                pts.push(rng.init(1) * 200.0 + 100.0);
            }
            truth.push(None);
        }
        (pts, truth)
    }

    /// Every blob is one cluster and no cluster mixes blobs.
    fn recovers(c: &Clustering, truth: &[Option<usize>], blobs: usize) {
        assert_eq!(c.clusters(), blobs, "{:?}", c.stability);
        for b in 0..blobs {
            let got: std::collections::BTreeSet<_> = truth
                .iter()
                .zip(&c.labels)
                .filter(|(t, _)| **t == Some(b))
                .map(|(_, l)| *l)
                .collect();
            assert_eq!(got.len(), 1, "blob {b} split: {got:?}");
            assert!(got.iter().all(|l| l.is_some()), "blob {b} is noise");
        }
    }

    #[test]
    fn hdbscan_recovers_hand_made_blobs_with_both_selections() {
        let (pts, truth) = blobs(5, 60, 20);
        for selection in [Selection::ExcessOfMass, Selection::Leaf] {
            let p = HdbscanParams::builder()
                .min_cluster_size(20)
                .selection(selection)
                .build()
                .unwrap();
            let c = hdbscan(&pts, 3, &p).unwrap();
            recovers(&c, &truth, 5);
            assert!(
                c.noise() >= 10,
                "the scattered points are noise: {}",
                c.noise()
            );
        }
    }

    #[test]
    fn the_knn_tree_gives_the_same_clusters_as_the_exact_tree() {
        let (pts, truth) = blobs(4, 300, 0);
        let exact = HdbscanParams::builder()
            .min_cluster_size(30)
            .build()
            .unwrap();
        let approx = exact.to_builder().exact_max(100).build().unwrap();
        let a = hdbscan(&pts, 3, &exact).unwrap();
        recovers(&a, &truth, 4);
        assert_eq!(a.labels, hdbscan(&pts, 3, &approx).unwrap().labels);
    }

    #[test]
    fn min_cluster_size_above_the_corpus_is_a_clear_error() {
        let p = HdbscanParams::builder()
            .min_cluster_size(50)
            .build()
            .unwrap();
        let e = hdbscan(&[0.0; 30], 3, &p).unwrap_err().to_string();
        assert!(
            e.contains("min_cluster_size = 50") && e.contains("10"),
            "{e}"
        );
    }
}
