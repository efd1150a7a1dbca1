//! Vectors for unseen text: a new document vector trained against the frozen
//! word and output weights (gensim's `infer_vector`).
use super::ParagraphVectors;
use super::train::{Lcg, Sampler};
use crate::vectors::{axpy, normalize};
use crate::{Error, PvParams, PvTraining, Result};

impl ParagraphVectors {
    /// Trains PV-DBOW on `docs` (each a list of words, e.g. from
    /// [`sacx_data::Segmenter::keywords`]).
    ///
    /// ```
    /// use sacx_map::{ParagraphVectors, PvParams};
    /// let docs: Vec<Vec<&str>> = (0..40)
    ///     .map(|i| if i % 2 == 0 { vec!["red", "apple", "fruit"] } else { vec!["fast", "car", "road"] })
    ///     .collect();
    /// let p = PvParams::builder().dim(16).epochs(20).sample(0.0).threads(1).build()?;
    /// let t = ParagraphVectors::train(&docs, &p)?;
    /// assert_eq!((t.vectors.rows(), t.vectors.dim()), (40, 16));
    /// let q = t.model.infer(&["apple", "fruit"], 7)?;
    /// let sim = |i: usize| t.vectors.row(i).iter().zip(&q).map(|(a, b)| a * b).sum::<f32>();
    /// assert!(sim(0) > sim(1));
    /// assert!(t.model.infer(&["unknown"], 7).is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub fn train<S: AsRef<str>>(docs: &[Vec<S>], params: &PvParams) -> Result<PvTraining> {
        super::train::train(docs, None, params, &crate::Quiet)
    }

    /// [`ParagraphVectors::train`] with one vector per group of documents:
    /// `groups[i]` is document `i`'s group, numbered 0, 1, … without gaps
    /// (see [`ParagraphVectors::groups_of`]). The documents of a group (the
    /// translations of one text) train one shared vector, so that their
    /// words, whatever their language, are pulled toward one point; each
    /// document's vector in the result is its group's.
    ///
    /// ```
    /// use sacx_map::{ParagraphVectors, PvParams};
    /// let docs = vec![vec!["red", "apple"], vec!["rouge", "pomme"], vec!["fast", "car"]];
    /// let groups = ParagraphVectors::groups_of(&["a", "a", "b"]);
    /// assert_eq!(groups, [0, 0, 1]);
    /// let p = PvParams::builder().dim(8).epochs(5).build()?;
    /// let t = ParagraphVectors::train_shared(&docs, &groups, &p)?;
    /// assert_eq!(t.vectors.row(0), t.vectors.row(1));
    /// assert_ne!(t.vectors.row(0), t.vectors.row(2));
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub fn train_shared<S: AsRef<str>>(
        docs: &[Vec<S>],
        groups: &[u32],
        params: &PvParams,
    ) -> Result<PvTraining> {
        super::train::train(docs, Some(groups), params, &crate::Quiet)
    }

    /// [`ParagraphVectors::train`] (`groups`: `None`) or
    /// [`ParagraphVectors::train_shared`], reporting each epoch to `progress`.
    pub fn train_observed<S: AsRef<str>>(
        docs: &[Vec<S>],
        groups: Option<&[u32]>,
        params: &PvParams,
        progress: &dyn crate::Progress,
    ) -> Result<PvTraining> {
        super::train::train(docs, groups, params, progress)
    }

    /// The groups of documents by id, numbered in order of first appearance:
    /// documents that share an id (translations of one text) share a group.
    pub fn groups_of<S: AsRef<str>>(ids: &[S]) -> Vec<u32> {
        let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        ids.iter()
            .map(|id| {
                let next = seen.len() as u32;
                *seen.entry(id.as_ref()).or_insert(next)
            })
            .collect()
    }

    /// The unit vector of a new text's `words`, trained for the model's epochs
    /// from an initial vector drawn from `seed` (same words and seed, same
    /// vector). Unknown words are ignored; a text with no known word is
    /// [`Error::UnknownQuery`].
    pub fn infer<S: AsRef<str>>(&self, words: &[S], seed: u64) -> Result<Vec<f32>> {
        let ids = self.vocab.ids(words);
        if ids.is_empty() {
            let query: Vec<&str> = words.iter().map(|w| w.as_ref()).collect();
            return Err(Error::UnknownQuery {
                query: query.join(" "),
            });
        }
        let p = &self.params;
        let dim = p.dim();
        let keep = vec![u32::MAX; self.vocab.len()];
        let sampler = Sampler::new(p, &keep, &self.table);
        let mut rng = Lcg::new(seed, ids.len() as u64);
        let mut v: Vec<f32> = (0..dim).map(|_| rng.init(dim)).collect();
        let mut neu1e = vec![0f32; dim];
        let epochs = p.epochs();
        for e in 0..epochs {
            let alpha = p.alpha() - (p.alpha() - p.min_alpha()) * e as f64 / epochs as f64;
            for &w in &ids {
                sampler.pair_frozen(&v, w, &self.output, &mut neu1e, alpha as f32, &mut rng);
                axpy(1.0, &neu1e, &mut v);
            }
        }
        normalize(&mut v);
        Ok(v)
    }
}
