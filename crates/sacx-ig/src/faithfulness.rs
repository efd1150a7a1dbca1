//! Faithfulness of keyword sets to a multilabel model: what happens to a class's
//! probability (and logit) when the tokens of its keywords are deleted from its
//! documents, or when only those tokens are kept (formulas in `docs/metrics.md`).
//!
//! For class `c`, keyword set `K_c` and a document `d` of the class, with `z_c(x)` the
//! model's logit of `c` on token sequence `x` and `p = σ(z)`:
//!
//! - `d \ K_c`: `d` without the tokens whose word is in `K_c` (special tokens stay);
//! - `d ∩ K_c`: only those tokens (and the special tokens);
//! - comprehensiveness: `p_c(d) − p_c(d \ K_c)` and `z_c(d) − z_c(d \ K_c)`;
//! - sufficiency: `p_c(d ∩ K_c)`.
//!
//! Sigmoid probabilities per class, not softmax: each class is judged on its own, as
//! a multilabel model predicts it.
use crate::error::{Error, Result};
use crate::explain::ExplainDoc;
use sacx_model::Classifier;
use std::collections::{HashMap, HashSet};
use tch::Tensor;

pub use sacx_data::FaithSums;

/// One keyword set to test: per class (model order) the words whose tokens are
/// deleted or kept.
pub type WordSet = Vec<HashSet<String>>;

/// The sums of every set and class over `docs`: `result[set][class]`. Each document
/// counts for each of its gold classes. Model calls hold at most `max_batch_tokens`
/// padded tokens.
///
/// ```no_run
/// # fn demo(model: &dyn sacx_model::Classifier, docs: &[sacx_ig::ExplainDoc]) -> sacx_ig::Result<()> {
/// use std::collections::HashSet;
/// let game: HashSet<String> = ["game".to_string()].into();
/// let sets = vec![vec![game]]; // one set, one class
/// let sums = sacx_ig::faithfulness::faithfulness(model, docs, &sets, 65_536)?;
/// let comprehensiveness = sums[0][0].drop_prob / sums[0][0].n as f64;
/// # Ok(()) }
/// ```
pub fn faithfulness(
    model: &dyn Classifier,
    docs: &[ExplainDoc],
    sets: &[WordSet],
    max_batch_tokens: usize,
) -> Result<Vec<Vec<FaithSums>>> {
    let classes = model.num_classes();
    if let Some(s) = sets.iter().find(|s| s.len() != classes) {
        return Err(Error::param(
            "sets",
            format!("a set of {} classes", s.len()),
            format!("one word set per model class ({classes})"),
        ));
    }
    // Every distinct token sequence to score, and per (set, class, doc) the indices
    // of its full, deleted and kept variants.
    let mut variants = Variants::default();
    let mut jobs: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    let vocab = model.vocab_size();
    for doc in docs {
        check_doc(doc, classes, vocab)?;
        let full = variants.add(doc.ids.clone());
        for (s, set) in sets.iter().enumerate() {
            for &c in &doc.gold {
                let words = &set[c as usize];
                let hit: Vec<bool> = doc.words.iter().map(|w| words.contains(w)).collect();
                let in_set = |t: usize| doc.word_ids[t].is_some_and(|w| hit[w as usize]);
                let special = |t: usize| doc.word_ids[t].is_none();
                let (mut without, mut only) = (Vec::new(), Vec::new());
                for (t, &id) in doc.ids.iter().enumerate() {
                    if special(t) || !in_set(t) {
                        without.push(id);
                    }
                    if special(t) || in_set(t) {
                        only.push(id);
                    }
                }
                let without = variants.add(without);
                let only = variants.add(only);
                jobs.push((s, c as usize, full, without, only));
            }
        }
    }
    let logits = score(model, &variants.seqs, max_batch_tokens)?;
    let mut out = vec![vec![FaithSums::default(); classes]; sets.len()];
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    for (s, c, full, without, only) in jobs {
        let z = |v: usize| logits[v * classes + c] as f64;
        let t = &mut out[s][c];
        t.n += 1;
        t.full_prob += sigmoid(z(full));
        t.drop_prob += sigmoid(z(full)) - sigmoid(z(without));
        t.drop_logit += z(full) - z(without);
        t.only_prob += sigmoid(z(only));
    }
    Ok(out)
}

/// An error naming `doc` unless its word ids, token ids and gold labels fit
/// the words, the vocabulary and the classes.
fn check_doc(doc: &ExplainDoc, classes: usize, vocab: usize) -> Result<()> {
    let bad = |reason: String| {
        Err(Error::BadDocument {
            doc_id: doc.doc_id.clone(),
            reason,
        })
    };
    if doc.word_ids.len() != doc.ids.len()
        || doc
            .word_ids
            .iter()
            .flatten()
            .any(|&w| w as usize >= doc.words.len())
    {
        return bad("word ids do not match the tokens and words".into());
    }
    if let Some(id) = doc.ids.iter().find(|&&id| id < 0 || id as usize >= vocab) {
        return bad(format!(
            "token id {id} outside the model's vocabulary 0..{vocab}"
        ));
    }
    if let Some(&c) = doc.gold.iter().find(|&&c| c as usize >= classes) {
        return bad(format!(
            "gold label {c} but the model has {classes} classes"
        ));
    }
    Ok(())
}

/// Distinct token sequences, each scored once.
#[derive(Default)]
struct Variants {
    seqs: Vec<Vec<i64>>,
    index: HashMap<Vec<i64>, usize>,
}

impl Variants {
    fn add(&mut self, ids: Vec<i64>) -> usize {
        if let Some(&i) = self.index.get(&ids) {
            return i;
        }
        let i = self.seqs.len();
        self.seqs.push(ids.clone());
        self.index.insert(ids, i);
        i
    }
}

/// Logits of every sequence, row-major `[seqs, classes]`, in batches of similar
/// length under the token budget.
fn score(model: &dyn Classifier, seqs: &[Vec<i64>], max_batch_tokens: usize) -> Result<Vec<f32>> {
    let classes = model.num_classes();
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| (seqs[i].len(), i));
    let mut out = vec![0f32; seqs.len() * classes];
    let mut start = 0;
    while start < order.len() {
        // Sorted by length: the batch's last sequence is its longest.
        let mut end = start + 1;
        while end < order.len()
            && (end + 1 - start) * seqs[order[end]].len().max(1) <= max_batch_tokens
        {
            end += 1;
        }
        let batch = &order[start..end];
        let rows = forward(model, batch.iter().map(|&i| seqs[i].as_slice()))?;
        for (r, &i) in batch.iter().enumerate() {
            out[i * classes..(i + 1) * classes]
                .copy_from_slice(&rows[r * classes..(r + 1) * classes]);
        }
        start = end;
    }
    Ok(out)
}

fn forward<'a>(
    model: &dyn Classifier,
    seqs: impl ExactSizeIterator<Item = &'a [i64]> + Clone,
) -> Result<Vec<f32>> {
    let bsz = seqs.len();
    let len = seqs.clone().map(<[i64]>::len).max().unwrap_or(0).max(1);
    let mut ids = vec![model.pad_id(); bsz * len];
    let mut mask = vec![0f32; bsz * len];
    for (r, s) in seqs.enumerate() {
        ids[r * len..r * len + s.len()].copy_from_slice(s);
        mask[r * len..r * len + s.len()].fill(1.0);
    }
    let shape = [bsz as i64, len as i64];
    let device = model.device();
    let ids = crate::engine::tensor(&ids, &shape, device)?;
    let mask = crate::engine::tensor(&mask, &shape, device)?;
    let logits = tch::no_grad(|| -> Result<Tensor> {
        Ok(model.forward_embedded(&model.embed(&ids)?, &mask)?)
    })?;
    let logits = logits
        .f_to_device(tch::Device::Cpu)?
        .f_to_kind(tch::Kind::Float)?
        .f_contiguous()?;
    let n = bsz * model.num_classes();
    let mut flat = vec![0f32; n];
    if logits.numel() != n {
        return Err(Error::ModelContract(format!(
            "{} logits for {bsz} documents of {} classes",
            logits.numel(),
            model.num_classes()
        )));
    }
    logits.f_copy_data(&mut flat, n)?;
    Ok(flat)
}
