//! Document vectors from trained classifiers: the layer each model's output
//! reads ([`sacx_model::Model::features`]), averaged over the seeds.
//!
//! Seeds' hidden spaces are not aligned (each model has its own basis), so
//! their vectors cannot be averaged coordinate by coordinate. What is
//! averaged is the similarity: each seed's vector is scaled to unit length
//! and by `1/√S`, and the `S` scaled vectors are concatenated, so that the
//! cosine of two documents is the mean of their `S` per-seed cosines.
use crate::{DocVectors, Error, Result};
use sacx_data::Tokenizer;
use sacx_model::{Example, Model};

/// The seed-averaged vectors of `texts` under `models` (each with its own
/// tokenizer), `batch_size` documents per model call.
pub fn classifier_vectors(
    models: &[(&Model, &Tokenizer)],
    texts: &[&str],
    batch_size: usize,
) -> Result<DocVectors> {
    if models.is_empty() {
        return Err(Error::input(
            "no trained model to take document vectors from; give a run directory with trained seeds",
        ));
    }
    let scale = 1.0 / (models.len() as f32).sqrt();
    let mut per_seed = Vec::with_capacity(models.len());
    for (model, tokenizer) in models {
        let examples: Vec<Example> = tokenizer
            .encode_batch(texts)
            .into_iter()
            .map(|e| Example {
                ids: e.ids,
                labels: Vec::new(),
                lang: String::new(),
            })
            .collect();
        let mut rows = model.features_of(&examples, batch_size)?;
        for r in &mut rows {
            crate::vectors::normalize(r);
            r.iter_mut().for_each(|x| *x *= scale);
        }
        per_seed.push(rows);
    }
    let dim: usize = per_seed
        .iter()
        .map(|rows| rows.first().map_or(0, Vec::len))
        .sum();
    let mut data = Vec::with_capacity(texts.len() * dim);
    for i in 0..texts.len() {
        for rows in &per_seed {
            data.extend_from_slice(&rows[i]);
        }
    }
    DocVectors::new(dim.max(1), data)
}
