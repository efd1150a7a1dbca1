//! How a map reports its long steps while it builds them: a [`Progress`]
//! receives each step's advance (paragraph-vector epochs, kNN rounds, UMAP
//! epochs, HDBSCAN phases) and its end; drawing it is the caller's business.

/// A step of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The document vectors (paragraph-vector epochs, or classifier batches).
    Vectors,
    /// The vectors' kNN graph (NN-descent rounds).
    Knn,
    /// UMAP to the clustering space (epochs).
    UmapCluster,
    /// UMAP to the plane (epochs).
    UmapPlot,
    /// HDBSCAN (phases: neighbours, spanning tree, cluster tree).
    Hdbscan,
}

impl Step {
    /// What the step does, for a progress line.
    pub fn name(self) -> &'static str {
        match self {
            Step::Vectors => "document vectors",
            Step::Knn => "kNN graph",
            Step::UmapCluster => "UMAP, clustering space",
            Step::UmapPlot => "UMAP, plane",
            Step::Hdbscan => "HDBSCAN",
        }
    }

    /// The unit its advance counts.
    pub fn unit(self) -> &'static str {
        match self {
            Step::Vectors => "epochs",
            Step::Knn => "rounds",
            Step::UmapCluster | Step::UmapPlot => "epochs",
            Step::Hdbscan => "phases",
        }
    }
}

/// Receives a map's progress (every method has a default that ignores it).
pub trait Progress: Sync {
    /// `done` of at most `total` units of `step` are finished (a kNN graph
    /// can converge before its last round).
    fn advance(&self, _step: Step, _done: usize, _total: usize) {}
    /// `step` is finished, after `seconds`; `reused`: read back from an
    /// earlier build of the same inputs instead of computed.
    fn finished(&self, _step: Step, _seconds: f64, _reused: bool) {}
}

/// A [`Progress`] that shows nothing.
pub struct Quiet;

impl Progress for Quiet {}
