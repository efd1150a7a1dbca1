//! The explainer: targets, batching under a memory budget, baselines,
//! tolerance mode, and word-level records.
use crate::engine::{BaselineInput, Instance, RawPair, prepare};
use crate::params::{Baseline, IgParams, TargetPolicy};
use crate::words::word_scores;
use crate::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_data::explanation::{DocExplanation, TargetAttribution};
use sacx_model::Classifier;

/// One tokenized document, ready to be explained.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainDoc {
    /// Document id.
    pub doc_id: String,
    /// Language code.
    pub lang: String,
    /// Gold label indices, ascending.
    pub gold: Vec<u32>,
    /// Token ids, including special tokens.
    pub ids: Vec<i64>,
    /// For each token, the index of its word in `words`; `None` for special tokens.
    pub word_ids: Vec<Option<u32>>,
    /// The document's words (keyword form).
    pub words: Vec<String>,
}

/// The baseline resolved to token ids (see [`Baseline`]).
#[derive(Clone, Debug, PartialEq)]
pub enum ResolvedBaseline {
    /// A fixed token id at every non-special position (pad or a chosen token).
    Token(i64),
    /// Zero vectors at every non-special position.
    Zero,
    /// `k` baselines of random ids drawn uniformly from `candidates`.
    Random {
        /// Number of baselines averaged.
        k: usize,
        /// Seed, combined with a hash of the document id.
        seed: u64,
        /// Token ids to draw from (the vocabulary without special tokens).
        candidates: Vec<i64>,
    },
}

impl ResolvedBaseline {
    /// Resolves a [`Baseline`] with the tokenizer's help: `token_id` maps a token
    /// string to its id; `candidates` are the non-special ids (for `random`).
    pub fn resolve(
        baseline: &Baseline,
        pad_id: i64,
        token_id: impl Fn(&str) -> Option<i64>,
        candidates: impl FnOnce() -> Vec<i64>,
    ) -> Result<Self> {
        Ok(match baseline {
            Baseline::Pad => ResolvedBaseline::Token(pad_id),
            Baseline::Zero => ResolvedBaseline::Zero,
            Baseline::Token(t) => ResolvedBaseline::Token(token_id(t).ok_or_else(|| {
                Error::param(
                    "baseline",
                    format!("token:{t}"),
                    "a token of the model's vocabulary",
                )
            })?),
            Baseline::Random { k, seed } => {
                let candidates = candidates();
                if candidates.is_empty() {
                    return Err(Error::param(
                        "baseline",
                        baseline,
                        "a vocabulary with non-special tokens",
                    ));
                }
                ResolvedBaseline::Random {
                    k: *k,
                    seed: *seed,
                    candidates,
                }
            }
        })
    }

    /// An error unless every id the baseline uses is in `0..vocab`.
    fn check(&self, vocab: usize) -> Result<()> {
        let outside = |id: i64| id < 0 || id as usize >= vocab;
        let bad = match self {
            ResolvedBaseline::Token(id) => Some(*id).filter(|&id| outside(id)),
            ResolvedBaseline::Zero => None,
            ResolvedBaseline::Random { candidates, .. } => {
                candidates.iter().copied().find(|&id| outside(id))
            }
        };
        match bad {
            Some(id) => Err(Error::param(
                "baseline",
                format!("token id {id}"),
                format!("an id of the model's vocabulary 0..{vocab}"),
            )),
            None => Ok(()),
        }
    }

    fn variants(&self) -> usize {
        match self {
            ResolvedBaseline::Random { k, .. } => *k,
            _ => 1,
        }
    }

    fn input(&self, doc: &ExplainDoc, special: &[bool], variant: usize) -> BaselineInput {
        match self {
            ResolvedBaseline::Zero => BaselineInput::Zero,
            ResolvedBaseline::Token(id) => BaselineInput::Ids(
                doc.ids
                    .iter()
                    .zip(special)
                    .map(|(&t, &s)| if s { t } else { *id })
                    .collect(),
            ),
            ResolvedBaseline::Random {
                seed, candidates, ..
            } => {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    seed ^ sacx_data::Fnv1a::of(doc.doc_id.as_bytes())
                        ^ (variant as u64).rotate_left(32),
                );
                BaselineInput::Ids(
                    doc.ids
                        .iter()
                        .zip(special)
                        .map(|(&t, &s)| {
                            if s {
                                t
                            } else {
                                candidates[rng.random_range(0..candidates.len())]
                            }
                        })
                        .collect(),
                )
            }
        }
    }
}

/// Explains documents with one model.
pub struct Explainer<'m> {
    model: &'m dyn Classifier,
    params: IgParams,
    baseline: ResolvedBaseline,
    /// Batches explained side by side on the CPU; `None`: libtorch's threads.
    workers: Option<usize>,
    /// Replicas of `model` for the workers after the first, made on first use.
    replicas: std::cell::RefCell<Vec<Box<dyn Classifier + Send>>>,
}

/// One model with the explainer's settings: what explains a batch, on the
/// caller's thread or on a worker's.
pub(crate) struct Job<'a> {
    pub model: &'a dyn Classifier,
    pub params: &'a IgParams,
    pub baseline: &'a ResolvedBaseline,
}

impl<'m> Explainer<'m> {
    /// An explainer for `model` with (always valid) parameters and a resolved
    /// baseline; token ids (the documents' and the baseline's) are checked
    /// against the model's vocabulary when [`Explainer::explain`] runs.
    pub fn new(model: &'m dyn Classifier, params: IgParams, baseline: ResolvedBaseline) -> Self {
        Self {
            model,
            params,
            baseline,
            workers: None,
            replicas: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// How many batches run side by side on the CPU, each on its own thread
    /// with a [replica](Classifier::replica) of the model that shares its
    /// weights, and `threads / workers` libtorch threads (at least 1) where
    /// `threads` is libtorch's thread count (`tch::get_num_threads()`).
    ///
    /// Default: `threads`, one libtorch thread per worker, which is the fastest
    /// on a CPU (no synchronisation inside a matrix product). 1 runs one batch
    /// at a time with every thread. Each worker holds one model call's
    /// activations, so peak memory grows with the workers. On CUDA, and for a
    /// model without replicas, batches always run one at a time. Results depend
    /// on the worker count only in the last bits of `f32` arithmetic, and not
    /// at all on which worker explains which batch.
    ///
    /// ```
    /// # use sacx_ig::{Explainer, IgParams, ResolvedBaseline};
    /// # fn f(model: &dyn sacx_model::Classifier) {
    /// let explainer = Explainer::new(model, IgParams::default(), ResolvedBaseline::Token(0))
    ///     .workers(1);
    /// # }
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = Some(workers.max(1));
        self
    }

    fn job(&self) -> Job<'_> {
        Job {
            model: self.model,
            params: &self.params,
            baseline: &self.baseline,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &IgParams {
        &self.params
    }

    /// Explains `docs`, returning one record per document in input order.
    ///
    /// Errors, before the model runs: a document whose token id is outside the
    /// model's vocabulary, whose word ids or gold labels are out of range, or a
    /// baseline token outside the vocabulary. Afterwards: any model or libtorch
    /// failure (a CUDA out-of-memory included) is an `Err`, never a panic.
    pub fn explain(&self, docs: &[ExplainDoc]) -> Result<Vec<DocExplanation>> {
        let vocab = self.model.vocab_size();
        self.baseline.check(vocab)?;
        for doc in docs {
            check_doc(doc, self.model.num_classes(), vocab)?;
        }
        // Longest first, so that batches pad little; results go back in input order.
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(docs[i].ids.len().max(1)));
        let workers = crate::parallel::Workers::new(self.workers, self.model.device());
        // With several workers, batches small enough that each has a few.
        let spread = docs.len().div_ceil(2 * workers.count()).max(1);
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let len = docs[order[start]].ids.len().max(1);
            let per_doc = self.params.n_steps() * len * self.baseline.variants();
            let batch = (self.params.max_batch_tokens() / per_doc).clamp(1, spread);
            let end = (start + batch).min(order.len());
            batches.push(order[start..end].to_vec());
            start = end;
        }
        let results = workers.run(self.job(), &self.replicas, docs, &batches)?;
        let mut out: Vec<Option<DocExplanation>> = vec![None; docs.len()];
        for (idx, recs) in batches.iter().zip(results) {
            for (i, rec) in idx.iter().zip(recs) {
                out[*i] = Some(rec);
            }
        }
        out.into_iter()
            .zip(docs)
            .map(|(r, doc)| {
                r.ok_or_else(|| Error::BadDocument {
                    doc_id: doc.doc_id.clone(),
                    reason: "left unexplained by its batch".into(),
                })
            })
            .collect()
    }
}

impl Job<'_> {
    pub(crate) fn explain_batch(&self, docs: &[&ExplainDoc]) -> Result<Vec<DocExplanation>> {
        let p = self.params;
        let specials: Vec<Vec<bool>> = docs
            .iter()
            .map(|d| d.word_ids.iter().map(Option::is_none).collect())
            .collect();
        let k = self.baseline.variants();
        let instances: Vec<Instance<'_>> = docs
            .iter()
            .zip(&specials)
            .flat_map(|(d, s)| {
                (0..k).map(move |v| Instance {
                    ids: &d.ids,
                    special: s,
                    baseline: self.baseline.input(d, s, v),
                })
            })
            .collect();
        let mut prepared = prepare(self.model, &instances)?;
        let logits: Vec<Vec<f32>> = (0..docs.len())
            .map(|d| prepared.input_logits()[d * k].clone())
            .collect();
        let probs: Vec<Vec<f32>> = logits
            .iter()
            .map(|l| l.iter().map(|&x| sigmoid(x)).collect())
            .collect();
        let targets: Vec<Vec<u32>> = docs
            .iter()
            .zip(&probs)
            .map(|(d, pr)| select_targets(p, &d.gold, pr))
            .collect();
        prepared.set_targets(
            targets
                .iter()
                .flat_map(|t| std::iter::repeat_n(t.clone(), k))
                .collect(),
        );
        let max_len = docs.iter().map(|d| d.ids.len()).max().unwrap_or(1).max(1);
        let rule = p.method().rule(p.n_steps())?;
        let rows = (p.max_batch_tokens() / max_len).max(1);
        let raw = prepared.integrate(self.model, &rule.alphas, &rule.weights, rows)?;
        let mut pairs: Vec<Vec<Pair>> = average_variants(raw, k, p.n_steps());
        drop(prepared);
        if let Some(tol) = p.tolerance() {
            self.refine(docs, &specials, &targets, &mut pairs, tol)?;
        }
        Ok(docs
            .iter()
            .zip(probs)
            .zip(targets)
            .zip(pairs)
            .map(|(((doc, probs), targets), pairs)| self.record(doc, probs, &targets, pairs))
            .collect())
    }

    /// Tolerance mode: recompute pairs above the relative tolerance with twice
    /// the steps, until they pass or reach `max_steps`.
    fn refine(
        &self,
        docs: &[&ExplainDoc],
        specials: &[Vec<bool>],
        targets: &[Vec<u32>],
        pairs: &mut [Vec<Pair>],
        tol: f64,
    ) -> Result<()> {
        let p = self.params;
        let k = self.baseline.variants();
        let mut steps = p.n_steps();
        while steps < p.max_steps() {
            steps = (steps * 2).min(p.max_steps());
            // (document, target positions) still above tolerance.
            let todo: Vec<(usize, Vec<usize>)> = pairs
                .iter()
                .enumerate()
                .filter_map(|(d, ps)| {
                    let bad: Vec<usize> = ps
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| f64::from(q.rel_delta) > tol)
                        .map(|(j, _)| j)
                        .collect();
                    (!bad.is_empty()).then_some((d, bad))
                })
                .collect();
            if todo.is_empty() {
                return Ok(());
            }
            let rule = p.method().rule(steps)?;
            // Batches under the memory budget at the new step count.
            let mut start = 0;
            while start < todo.len() {
                let len = docs[todo[start].0].ids.len().max(1);
                let batch = (p.max_batch_tokens() / (steps * len * k)).max(1);
                let part = &todo[start..(start + batch).min(todo.len())];
                let instances: Vec<Instance<'_>> = part
                    .iter()
                    .flat_map(|&(d, _)| {
                        (0..k).map(move |v| Instance {
                            ids: &docs[d].ids,
                            special: &specials[d],
                            baseline: self.baseline.input(docs[d], &specials[d], v),
                        })
                    })
                    .collect();
                let mut prepared = prepare(self.model, &instances)?;
                prepared.set_targets(
                    part.iter()
                        .flat_map(|(d, js)| {
                            std::iter::repeat_n(js.iter().map(|&j| targets[*d][j]).collect(), k)
                        })
                        .collect(),
                );
                let rows = (p.max_batch_tokens() / len).max(1);
                let raw = prepared.integrate(self.model, &rule.alphas, &rule.weights, rows)?;
                for ((d, js), new) in part.iter().zip(average_variants(raw, k, steps)) {
                    for (j, q) in js.iter().zip(new) {
                        pairs[*d][*j] = q;
                    }
                }
                start += part.len();
            }
        }
        Ok(())
    }

    fn record(
        &self,
        doc: &ExplainDoc,
        probs: Vec<f32>,
        targets: &[u32],
        pairs: Vec<Pair>,
    ) -> DocExplanation {
        // Words that kept at least one token (truncation may drop the tail).
        let mut present = vec![false; doc.words.len()];
        for w in doc.word_ids.iter().flatten() {
            present[*w as usize] = true;
        }
        let keep: Vec<u32> = (0..doc.words.len() as u32)
            .filter(|&w| present[w as usize])
            .collect();
        let mut position = vec![usize::MAX; doc.words.len()];
        for (i, &w) in keep.iter().enumerate() {
            position[w as usize] = i;
        }
        let targets = targets
            .iter()
            .zip(pairs)
            .map(|(&class, pair)| {
                let mut scores = vec![0f32; keep.len()];
                for (w, s) in word_scores(
                    &pair.attr,
                    &doc.word_ids,
                    self.params.normalize(),
                    self.params.merge(),
                ) {
                    scores[position[w as usize]] = s;
                }
                TargetAttribution {
                    class,
                    scores,
                    delta: pair.delta,
                    rel_delta: pair.rel_delta,
                    steps: pair.steps,
                }
            })
            .collect();
        DocExplanation {
            doc_id: doc.doc_id.clone(),
            lang: doc.lang.clone(),
            gold: doc.gold.clone(),
            probs,
            words: keep
                .iter()
                .map(|&w| doc.words[w as usize].clone())
                .collect(),
            targets,
        }
    }
}

/// One pair after averaging over baseline variants.
#[derive(Clone, Debug)]
struct Pair {
    attr: Vec<f32>,
    delta: f32,
    rel_delta: f32,
    steps: u32,
}

/// Averages the `k` baseline variants of each document and computes the
/// completeness gap `δ = Σ attr − (F(e) − F(b))` and `|δ| / max(|F(e) − F(b)|, 1e-6)`.
fn average_variants(raw: Vec<Vec<RawPair>>, k: usize, steps: usize) -> Vec<Vec<Pair>> {
    raw.chunks(k)
        .map(|variants| {
            (0..variants[0].len())
                .map(|j| {
                    let n = variants.len() as f64;
                    let len = variants[0][j].attr.len();
                    let mut attr = vec![0f64; len];
                    let (mut fi, mut fb) = (0f64, 0f64);
                    for v in variants {
                        for (a, x) in attr.iter_mut().zip(&v[j].attr) {
                            *a += f64::from(*x) / n;
                        }
                        fi += f64::from(v[j].f_input) / n;
                        fb += f64::from(v[j].f_baseline) / n;
                    }
                    let total: f64 = attr.iter().sum();
                    let gap = fi - fb;
                    let delta = total - gap;
                    Pair {
                        attr: attr.into_iter().map(|a| a as f32).collect(),
                        delta: delta as f32,
                        rel_delta: (delta.abs() / gap.abs().max(1e-6)) as f32,
                        steps: steps as u32,
                    }
                })
                .collect()
        })
        .collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The classes to explain for one document, ascending.
fn select_targets(p: &IgParams, gold: &[u32], probs: &[f32]) -> Vec<u32> {
    let predicted = |c: u32| probs[c as usize] > p.threshold();
    match p.targets() {
        TargetPolicy::GoldOrPredicted => (0..probs.len() as u32)
            .filter(|&c| predicted(c) || gold.contains(&c))
            .collect(),
        TargetPolicy::Predicted => (0..probs.len() as u32).filter(|&c| predicted(c)).collect(),
        TargetPolicy::Gold => gold.to_vec(),
        TargetPolicy::TruePositive => gold.iter().copied().filter(|&c| predicted(c)).collect(),
        TargetPolicy::All => (0..probs.len() as u32).collect(),
    }
}

fn check_doc(doc: &ExplainDoc, classes: usize, vocab: usize) -> Result<()> {
    let bad = |reason: String| {
        Err(Error::BadDocument {
            doc_id: doc.doc_id.clone(),
            reason,
        })
    };
    if doc.ids.len() != doc.word_ids.len() {
        return bad(format!(
            "{} token ids but {} word ids",
            doc.ids.len(),
            doc.word_ids.len()
        ));
    }
    if let Some(w) = doc
        .word_ids
        .iter()
        .flatten()
        .find(|&&w| w as usize >= doc.words.len())
    {
        return bad(format!("word id {w} but only {} words", doc.words.len()));
    }
    if let Some(id) = doc.ids.iter().find(|&&id| id < 0 || id as usize >= vocab) {
        return bad(format!(
            "token id {id} outside the model's vocabulary 0..{vocab}"
        ));
    }
    if let Some(c) = doc.gold.iter().find(|&&c| c as usize >= classes) {
        return bad(format!(
            "gold label {c} but the model has {classes} classes"
        ));
    }
    Ok(())
}
