//! The map's geometry from document vectors: one cosine kNN graph, UMAP to
//! the clustering space and to the plane, HDBSCAN in the clustering space.
use crate::dedup::Distinct;
use crate::knn::{Knn, Metric, neighbours_observed};
use crate::progress::{Progress, Quiet, Step};
use crate::steps::{Steps, digest};
use crate::{
    Clustering, DocVectors, Error, HdbscanParams, Result, Selection, UmapParams, hdbscan_observed,
    umap_observed,
};
use std::time::Instant;

sacx_data::validated_params! {
    error crate::Error;
    /// The parameters of a map's reductions and clustering; the defaults are
    /// the Python pipeline's (UMAP to 5 dimensions with 15 neighbours and to 2
    /// with 50, cosine, `min_dist` 0.1; HDBSCAN by excess of mass) except the
    /// minimum cluster size, which follows the corpus: `max(5, round(√n / 2))`
    /// documents (49 for 9,493).
    ///
    /// ```
    /// let p = sacx_map::MapParams::default();
    /// assert_eq!(p.min_cluster_size_for(9493), 49);
    /// assert_eq!(sacx_map::MapParams::builder().min_cluster_size(50).build()?.min_cluster_size_for(9493), 50);
    /// assert!(sacx_map::MapParams::builder().neighbours_plot(1).build().is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub struct MapParams, builder MapParamsBuilder, raw MapParamsRaw = "MapParamsRaw",
    check MapParams::check {
        /// Dimensions of the clustering space. Default 5, range 2–100.
        copy cluster_components: usize = 5,
        /// UMAP neighbours of the clustering space (point included). Default 15, range 2–1,000.
        copy neighbours_cluster: usize = 15,
        /// UMAP neighbours of the picture (point included). Default 50, range 2–1,000.
        copy neighbours_plot: usize = 50,
        /// UMAP `min_dist` of both reductions. Default 0.1, range [0, 1].
        copy min_dist: f32 = 0.1,
        /// UMAP epochs; 0: 500 up to 10,000 documents, else 200. Default 0.
        copy epochs: usize = 0,
        /// HDBSCAN minimum cluster size; 0: `max(5, round(√n / 2))`. Default 0.
        copy min_cluster_size: usize = 0,
        /// HDBSCAN `min_samples`; 0: the minimum cluster size, above
        /// `exact_max` documents at most `neighbours_cluster`
        /// ([`MapParams::min_samples_for`]). Default 0.
        copy min_samples: usize = 0,
        /// HDBSCAN selection. Default excess of mass.
        copy selection: Selection = Selection::ExcessOfMass,
        /// Documents up to which neighbours and the MST are exact. Default 20,000.
        copy exact_max: usize = crate::knn::EXACT_KNN_MAX,
        /// Seed of UMAP and of the NN-descent graph. Default 1.
        copy seed: u64 = 1,
    }
}

impl MapParams {
    fn check(&self) -> Result<()> {
        self.umap(self.cluster_components, self.neighbours_cluster)?;
        self.umap(2, self.neighbours_plot)?;
        if !(0.0..=1.0).contains(&self.min_dist) {
            return Err(Error::param(
                "min_dist",
                self.min_dist,
                "a number in [0, 1]",
            ));
        }
        if self.min_cluster_size == 1 {
            return Err(Error::param(
                "min_cluster_size",
                1,
                "0 (automatic) or at least 2",
            ));
        }
        Ok(())
    }

    fn umap(&self, components: usize, neighbours: usize) -> Result<UmapParams> {
        UmapParams::builder()
            .components(components)
            .neighbours(neighbours)
            .min_dist(self.min_dist)
            .epochs(self.epochs)
            .seed(self.seed)
            .build()
    }

    /// The minimum cluster size used for `n` documents.
    pub fn min_cluster_size_for(&self, n: usize) -> usize {
        match self.min_cluster_size {
            0 => ((n as f64).sqrt() / 2.0).round().max(5.0) as usize,
            m => m,
        }
    }

    /// The `min_samples` used for `n` documents: the one given, else the
    /// minimum cluster size up to `exact_max` documents (the Python
    /// pipeline's), and above it at most the clustering space's UMAP
    /// neighbourhood (`neighbours_cluster`): the layout keeps each point's
    /// nearest `neighbours_cluster` and no farther structure, so a density
    /// measured farther out (500 neighbours at a million documents) costs a
    /// graph 30× wider and reads nothing UMAP kept.
    ///
    /// ```
    /// let p = sacx_map::MapParams::default();
    /// assert_eq!(p.min_samples_for(9_493), 49);
    /// assert_eq!(p.min_samples_for(1_000_000), 15);
    /// ```
    pub fn min_samples_for(&self, n: usize) -> usize {
        match self.min_samples {
            0 if n > self.exact_max => self.min_cluster_size_for(n).min(self.neighbours_cluster),
            0 => self.min_cluster_size_for(n),
            m => m,
        }
    }

    /// The HDBSCAN parameters for `n` documents.
    pub fn hdbscan_for(&self, n: usize) -> Result<HdbscanParams> {
        HdbscanParams::builder()
            .min_cluster_size(self.min_cluster_size_for(n))
            .min_samples(self.min_samples_for(n))
            .selection(self.selection)
            .exact_max(self.exact_max)
            .seed(self.seed)
            .build()
    }
}

pub use sacx_data::map::Timings;

/// The geometry of a map.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The vectors' kNN graph (cosine), as wide as the larger UMAP neighbourhood.
    pub knn: Knn,
    /// `n × cluster_components` coordinates HDBSCAN ran on.
    pub cluster_space: Vec<f32>,
    /// `n × 2` coordinates of the picture.
    pub plot: Vec<f32>,
    /// The clusters.
    pub clustering: Clustering,
    /// Time per step.
    pub timings: Timings,
    /// Distinct vectors (the points laid out; documents with the same
    /// vector share their coordinates and cluster).
    pub distinct: usize,
}

/// Reduces and clusters `vectors`.
pub fn layout(vectors: &DocVectors, params: &MapParams) -> Result<Layout> {
    layout_observed(vectors, "", params, &Steps::none(), &Quiet)
}

/// [`layout`], reporting each step to `progress` and keeping each finished
/// step in `steps` under a digest of `inputs` (what the vectors were computed
/// from) and the step's parameters, so that a build killed midway and run
/// again reuses what was done.
pub fn layout_observed(
    vectors: &DocVectors,
    inputs: &str,
    params: &MapParams,
    steps: &Steps,
    progress: &dyn Progress,
) -> Result<Layout> {
    let n = vectors.rows();
    let widest = params.neighbours_cluster().max(params.neighbours_plot());
    if n < 3 {
        return Err(Error::input(format!(
            "a map needs at least 3 documents with text, got {n}; give a bigger corpus"
        )));
    }
    let hdb = params.hdbscan_for(n)?;
    if hdb.min_cluster_size() > n {
        return Err(Error::param(
            "min_cluster_size",
            hdb.min_cluster_size(),
            format!("at most the number of documents ({n}); give a smaller --min-cluster-size"),
        ));
    }
    let k = (widest - 1).min(n - 1);
    let distinct = Distinct::of(vectors);
    if distinct.len() < n {
        return layout_distinct(vectors, &distinct, inputs, params, steps, progress);
    }
    let mut timings = Timings::default();
    let (exact_max, seed) = (params.exact_max(), params.seed());
    let knn_key = digest(&[inputs, "knn", &format!("{n} {k} {exact_max} {seed}")]);
    let knn = kept(
        progress,
        Step::Knn,
        &mut timings.knn_s,
        steps.knn(&knn_key)?,
        || {
            let knn = neighbours_observed(
                vectors.as_slice(),
                vectors.dim(),
                k,
                Metric::Cosine,
                exact_max,
                seed,
                Some((progress, Step::Knn)),
            )?;
            steps.save_knn(&knn_key, &knn)?;
            Ok(knn)
        },
    )?;
    let ((cluster_space, cluster_key), (plot, _)) =
        reductions(&knn, &knn_key, params, steps, progress, &mut timings)?;
    let key = digest(&[&cluster_key, "clusters", &to_json(&hdb)?]);
    let clustering = kept(
        progress,
        Step::Hdbscan,
        &mut timings.hdbscan_s,
        steps.clusters(&key)?,
        || {
            let c = hdbscan_observed(&cluster_space, params.cluster_components(), &hdb, progress)?;
            steps.save_clusters(&key, &c)?;
            Ok(c)
        },
    )?;
    Ok(Layout {
        knn,
        cluster_space,
        plot,
        clustering,
        timings,
        distinct: n,
    })
}

/// Both UMAP reductions of `knn` (kept under `knn_key`), each with its
/// digest. They read the same graph and nothing of each other, so they run
/// side by side (each alone is one thread, so each stays seeded and the
/// same on any machine).
type Reduced = (Vec<f32>, String);
fn reductions(
    knn: &Knn,
    knn_key: &str,
    params: &MapParams,
    steps: &Steps,
    progress: &dyn Progress,
    timings: &mut Timings,
) -> Result<(Reduced, Reduced)> {
    let n = knn.rows();
    let reduce = |step: Step, name: &str, dims: usize, neighbours: usize, time: &mut f64| {
        let p = params.umap(dims, neighbours.min(n))?;
        let key = digest(&[knn_key, name, &to_json(&p)?]);
        let coords = kept(progress, step, time, steps.layout(name, &key)?, || {
            // UMAP reads each row's first `neighbours − 1` entries: no
            // truncated copy of the graph (392 MB at a million documents).
            let coords = umap_observed(knn, &p, Some((progress, step)))?;
            steps.save_layout(name, &key, &coords, dims)?;
            Ok(coords)
        })?;
        Ok::<_, Error>((coords, key))
    };
    let (cluster, plot) = rayon::join(
        || {
            reduce(
                Step::UmapCluster,
                "umap-cluster",
                params.cluster_components(),
                params.neighbours_cluster(),
                &mut timings.umap_cluster_s,
            )
        },
        || {
            let mut t = 0.0;
            let r = reduce(
                Step::UmapPlot,
                "umap-plot",
                2,
                params.neighbours_plot(),
                &mut t,
            );
            r.map(|r| (r, t))
        },
    );
    let (plot, plot_s) = plot?;
    timings.umap_plot_s = plot_s;
    Ok((cluster?, plot))
}

/// The layout of `vectors` built on their distinct rows (`dedup.rs`): each
/// document takes its vector's coordinates and cluster; the automatic
/// minimum cluster size follows the distinct vectors.
fn layout_distinct(
    vectors: &DocVectors,
    distinct: &Distinct,
    inputs: &str,
    params: &MapParams,
    steps: &Steps,
    progress: &dyn Progress,
) -> Result<Layout> {
    let n = vectors.rows();
    let k = (params.neighbours_cluster().max(params.neighbours_plot()) - 1).min(n - 1);
    let inner = layout_observed(
        &distinct.vectors(vectors)?,
        &digest(&[inputs, "distinct"]),
        params,
        steps,
        progress,
    )?;
    Ok(Layout {
        knn: distinct.knn(&inner.knn, k),
        cluster_space: distinct.spread(&inner.cluster_space, params.cluster_components()),
        plot: distinct.spread(&inner.plot, 2),
        clustering: Clustering {
            labels: distinct.spread(&inner.clustering.labels, 1),
            stability: inner.clustering.stability,
        },
        timings: inner.timings,
        distinct: inner.distinct,
    })
}

/// A step's result: `found` (kept from an earlier build) or computed, its
/// time in `seconds`, its end reported to `progress`.
fn kept<T>(
    progress: &dyn Progress,
    step: Step,
    seconds: &mut f64,
    found: Option<T>,
    compute: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let t = Instant::now();
    let reused = found.is_some();
    let out = match found {
        Some(v) => v,
        None => compute()?,
    };
    *seconds = t.elapsed().as_secs_f64();
    progress.finished(step, *seconds, reused);
    Ok(out)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::input(e.to_string()))
}
