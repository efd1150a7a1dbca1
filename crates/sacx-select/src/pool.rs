//! The input of a selection: a scored pool that can be read several times.
use crate::Result;

/// One document of a pool with its class probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredDoc {
    /// The document id (what labelled ids are matched against).
    pub id: String,
    /// The text.
    pub text: String,
    /// One probability per label of the pool, in label order.
    pub probs: Vec<f32>,
    /// Each seed model's probabilities in the same layout, when the pool has
    /// them (the `prob_seed_S` columns of `sacx predict`); empty otherwise.
    /// The committee strategy reads them.
    pub members: Vec<Vec<f32>>,
}

/// One pass over a pool: its documents in pool order.
pub type PoolPass<'a> = Box<dyn Iterator<Item = Result<ScoredDoc>> + 'a>;

/// A scored pool that can be read from the start again: a selection reads it
/// twice (scores, then motif matches), holding only what it selects, so a pool
/// may be far larger than memory (a file, a directory of predictions, a
/// generated stream). Every pass must yield the same documents in the same
/// order; [`crate::select`] checks the count and the ids.
pub trait Pool {
    /// The class labels, in the order of [`ScoredDoc::probs`].
    fn labels(&self) -> &[String];
    /// The decision threshold of each class, in label order (each in (0, 1)).
    fn thresholds(&self) -> Vec<f32>;
    /// A pass over the documents, from the first.
    fn pass(&self) -> Result<PoolPass<'_>>;
}

/// A pool held in memory (tests, small pools, examples).
///
/// ```
/// use sacx_select::{MemoryPool, Pool, ScoredDoc};
/// let doc = ScoredDoc { id: "a".into(), text: "a text".into(), probs: vec![0.9], members: vec![] };
/// let pool = MemoryPool::new(vec!["games".into()], vec![0.5], vec![doc]);
/// assert_eq!(pool.pass()?.count(), 1);
/// # Ok::<(), sacx_select::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryPool {
    labels: Vec<String>,
    thresholds: Vec<f32>,
    docs: Vec<ScoredDoc>,
}

impl MemoryPool {
    /// A pool of `docs` scored for `labels`, with a threshold per label.
    pub fn new(labels: Vec<String>, thresholds: Vec<f32>, docs: Vec<ScoredDoc>) -> Self {
        MemoryPool {
            labels,
            thresholds,
            docs,
        }
    }
}

impl Pool for MemoryPool {
    fn labels(&self) -> &[String] {
        &self.labels
    }
    fn thresholds(&self) -> Vec<f32> {
        self.thresholds.clone()
    }
    fn pass(&self) -> Result<PoolPass<'_>> {
        Ok(Box::new(self.docs.iter().cloned().map(Ok)))
    }
}
