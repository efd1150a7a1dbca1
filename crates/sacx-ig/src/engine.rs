//! The batched attribution engine: step-interpolated forward passes over many
//! (document, target) pairs at once, shared by all targets of a document.
//!
//! The instances of a batch are grouped by their number of targets; one model
//! call evaluates the interpolated inputs of some instances of a group (at most
//! `max_rows` instance-steps; one instance's steps are split when they exceed
//! it) and then runs exactly one backward pass per target *slot* on the
//! retained graph, with the quadrature weights in the output gradient so that
//! the per-step gradients arrive already summed. Grouping means no backward
//! pass is spent on an instance without a target in that slot.
//!
//! When the model declares a [`LinearStage`], the interpolation happens at the
//! stage's output instead of its input: the stage is affine, so its output along
//! the path is `S(b) + α (S(e) − S(b))` (two evaluations of the stage per batch,
//! which also give the endpoint logits, instead of `n`), the step-weighted
//! stage-output gradients are accumulated over all calls, and each slot's sum is
//! pulled back through the stage once at the end (a vector–Jacobian product on
//! the graph of `S(e)`, exact because the stage's Jacobian is constant).
//!
//! [`LinearStage`]: sacx_model::LinearStage
use crate::pooled::PooledParts;
use crate::{Error, Result};
use sacx_model::{Classifier, LinearStage};
use tch::{Kind, Tensor};

/// What one instance's path starts from.
#[derive(Clone, Debug)]
pub(crate) enum BaselineInput {
    /// Embeddings of these token ids (pad, a fixed token, or random tokens).
    Ids(Vec<i64>),
    /// Zero vectors at non-special positions.
    Zero,
}

/// One document with one baseline and the classes to explain.
#[derive(Clone, Debug)]
pub(crate) struct Instance<'a> {
    /// Token ids.
    pub ids: &'a [i64],
    /// True at special-token positions (kept equal to the input in the baseline).
    pub special: &'a [bool],
    /// The baseline.
    pub baseline: BaselineInput,
}

/// Raw results of one (instance, target) pair.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawPair {
    /// Per-token attribution (summed over the embedding dimension), unnormalised.
    pub attr: Vec<f32>,
    /// `F_c(e)`, the target logit at the input.
    pub f_input: f32,
    /// `F_c(b)`, the target logit at the baseline.
    pub f_baseline: f32,
}

/// libtorch returned no gradient for `what` (a broken autograd graph).
fn no_gradient(what: &str) -> Error {
    Error::ModelContract(format!("no gradient reached {what}"))
}

/// The batch as tensors on the model's device, with the endpoint logits.
pub(crate) struct Prepared<'a> {
    instances: &'a [Instance<'a>],
    /// Target classes of each instance (set after the endpoints are known).
    targets: Vec<Vec<u32>>,
    /// `[B, L, D]` `e − b`.
    diff: Tensor,
    /// `[B, L, D]` baseline embeddings.
    b: Tensor,
    /// `[B, L]` padding mask.
    mask: Tensor,
    /// The stage's endpoints, when the model declares a [`LinearStage`].
    linear: Option<LinearParts>,
    /// `[B, C]` logits at the inputs and at the baselines.
    f_input: Vec<Vec<f32>>,
    f_baseline: Vec<Vec<f32>>,
}

/// A linear stage evaluated at the endpoints, once per batch.
struct LinearParts {
    /// `[B, L, D]` the input embeddings as a leaf of `s_e`'s graph.
    e_var: Tensor,
    /// `S(e)` with its graph: the stage's vector–Jacobian products run on it.
    s_e: Tensor,
    /// `S(b)`.
    s_b: Tensor,
    /// `S(e) − S(b)`.
    s_diff: Tensor,
    /// The endpoints on the CPU, when the rest of the model is a [`MaxPoolHead`].
    ///
    /// [`MaxPoolHead`]: sacx_model::MaxPoolHead
    pooled: Option<PooledParts>,
}

/// A batch padded on the host: `[B, L]` row-major.
struct Padded {
    len: usize,
    ids: Vec<i64>,
    base_ids: Vec<i64>,
    mask: Vec<f32>,
    /// 1 where the baseline keeps the input embedding: special tokens and padding.
    keep: Vec<f32>,
    /// 1 on the rows of zero baselines.
    zero_rows: Option<Vec<f32>>,
}

impl Padded {
    fn new(instances: &[Instance<'_>], pad: i64) -> Padded {
        let bsz = instances.len();
        let len = instances
            .iter()
            .map(|i| i.ids.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = vec![pad; bsz * len];
        let mut base_ids = vec![pad; bsz * len];
        let mut mask = vec![0f32; bsz * len];
        let mut keep = vec![1f32; bsz * len];
        let mut any_zero = false;
        for (r, inst) in instances.iter().enumerate() {
            let row = r * len;
            ids[row..row + inst.ids.len()].copy_from_slice(inst.ids);
            for (t, &special) in inst.special.iter().enumerate() {
                mask[row + t] = 1.0;
                keep[row + t] = if special { 1.0 } else { 0.0 };
            }
            match &inst.baseline {
                BaselineInput::Ids(b) => base_ids[row..row + b.len()].copy_from_slice(b),
                BaselineInput::Zero => {
                    any_zero = true;
                    base_ids[row..row + inst.ids.len()].copy_from_slice(inst.ids);
                }
            }
        }
        let zero_rows = any_zero.then(|| {
            instances
                .iter()
                .map(|i| f32::from(u8::from(matches!(i.baseline, BaselineInput::Zero))))
                .collect()
        });
        Padded {
            len,
            ids,
            base_ids,
            mask,
            keep,
            zero_rows,
        }
    }
}

/// A host vector as a tensor of `shape` on `device`.
pub(crate) fn tensor<T: tch::kind::Element>(
    data: &[T],
    shape: &[i64],
    device: tch::Device,
) -> Result<Tensor> {
    Ok(Tensor::f_from_slice(data)?
        .f_view(shape)?
        .f_to_device(device)?)
}

/// The input and baseline embeddings `[B, L, D]` and the mask `[B, L]`.
fn embed_endpoints(
    model: &dyn Classifier,
    p: &Padded,
    bsz: usize,
) -> Result<(Tensor, Tensor, Tensor)> {
    let device = model.device();
    let shape = [bsz as i64, p.len as i64];
    let ids = tensor(&p.ids, &shape, device)?;
    let base_ids = tensor(&p.base_ids, &shape, device)?;
    let mask = tensor(&p.mask, &shape, device)?;
    let (e, b) = tch::no_grad(|| -> Result<_> {
        let e = model.embed(&ids)?;
        let mut b = model.embed(&base_ids)?;
        if let Some(zero_rows) = &p.zero_rows {
            // Zero baselines: multiply by `keep` on their rows only.
            let zero_rows = tensor(zero_rows, &[bsz as i64, 1, 1], device)?;
            let keep = tensor(&p.keep, &shape, device)?.f_unsqueeze(-1)?;
            let factor = keep
                .f_sub_scalar(1.0)?
                .f_mul(&zero_rows)?
                .f_add_scalar(1.0)?;
            b = b.f_mul(&factor)?;
        }
        Ok((e, b))
    })?;
    Ok((e, b, mask))
}

/// Applies the linear stage to both endpoints (keeping the graph of `S(e)`)
/// and computes the endpoint logits from its outputs.
fn linear_endpoints(
    model: &dyn Classifier,
    stage: &dyn LinearStage,
    instances: &[Instance<'_>],
    (e, b, mask): (&Tensor, &Tensor, &Tensor),
) -> Result<(LinearParts, Tensor)> {
    let device = model.device();
    // The graph of S(e) is kept for the vector–Jacobian products.
    let e_var = e.f_detach()?.f_set_requires_grad(true)?;
    let s_e = stage.apply(&e_var, mask)?;
    let (s_b, s_diff, pooled, logits) = tch::no_grad(|| -> Result<_> {
        let s_b = stage.apply(b, mask)?;
        let s_e = s_e.f_detach()?;
        let s_diff = s_e.f_sub(&s_b)?;
        // The maxima are searched on the host: CPU models only.
        if let Some(head) = stage.max_pool_head().filter(|_| device == tch::Device::Cpu) {
            let lens: Vec<usize> = instances.iter().map(|i| i.ids.len()).collect();
            let parts = PooledParts::new(head, &s_b, &s_diff, &lens)?;
            let logits = head.forward_pooled(&parts.endpoints(&s_e, device)?)?;
            return Ok((s_b, s_diff, Some(parts), logits));
        }
        let both = Tensor::f_cat(&[&s_e, &s_b], 0)?;
        let masks = Tensor::f_cat(&[mask, mask], 0)?;
        Ok((s_b, s_diff, None, stage.forward_from(&both, &masks)?))
    })?;
    let parts = LinearParts {
        e_var,
        s_e,
        s_b,
        s_diff,
        pooled,
    };
    Ok((parts, logits))
}

/// Pads, embeds and evaluates the endpoints of a batch. For a model with a
/// linear stage, the stage is applied here once to the inputs and baselines,
/// and the endpoint logits come from its outputs.
pub(crate) fn prepare<'a>(
    model: &dyn Classifier,
    instances: &'a [Instance<'a>],
) -> Result<Prepared<'a>> {
    let bsz = instances.len();
    let padded = Padded::new(instances, model.pad_id());
    let (e, b, mask) = embed_endpoints(model, &padded, bsz)?;
    drop(padded);
    let (linear, logits) = match model.linear_stage() {
        Some(stage) => {
            let (parts, logits) = linear_endpoints(model, stage, instances, (&e, &b, &mask))?;
            (Some(parts), logits)
        }
        None => {
            let logits = tch::no_grad(|| -> Result<_> {
                let both = Tensor::f_cat(&[&e, &b], 0)?;
                let masks = Tensor::f_cat(&[&mask, &mask], 0)?;
                Ok(model.forward_embedded(&both, &masks)?)
            })?;
            (None, logits)
        }
    };
    let logits = logits
        .f_to_kind(Kind::Float)?
        .f_to_device(tch::Device::Cpu)?;
    let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&logits)?;
    if rows.len() != 2 * bsz || rows.iter().any(|r| r.len() != model.num_classes()) {
        return Err(Error::ModelContract(format!(
            "{} rows of logits for {} inputs, expected {} classes each",
            rows.len(),
            2 * bsz,
            model.num_classes()
        )));
    }
    let (fi, fb) = rows.split_at(bsz);
    let diff = e.f_sub(&b)?;
    Ok(Prepared {
        instances,
        targets: vec![Vec::new(); bsz],
        diff,
        b,
        mask,
        linear,
        f_input: fi.to_vec(),
        f_baseline: fb.to_vec(),
    })
}

/// Every step's point on the path, `start + α (diff)` for each `α` of
/// `alphas`, flattened to `[steps × B, ...]` as a fresh leaf that tracks
/// gradients: the largest allocation of the path (an out-of-memory device is
/// an `Err` here).
fn interpolate(
    start: &Tensor,
    diff: &Tensor,
    alphas: &[f64],
    device: tch::Device,
) -> Result<Tensor> {
    let dims = start.size();
    let c = alphas.len() as i64;
    let mut alpha_shape = vec![c];
    alpha_shape.extend(std::iter::repeat_n(1, dims.len()));
    let mut flat = vec![c * dims.first().copied().unwrap_or(0)];
    flat.extend_from_slice(dims.get(1..).unwrap_or(&[]));
    let alpha: Vec<f32> = alphas.iter().map(|&a| a as f32).collect();
    let alpha = tensor(&alpha, &alpha_shape, device)?;
    Ok(start
        .f_unsqueeze(0)?
        .f_add(&alpha.f_mul(&diff.f_unsqueeze(0)?)?)?
        .f_view(flat.as_slice())?
        .f_detach()?
        .f_set_requires_grad(true)?)
}

/// Most elements of the interpolated stage output of one model call on the
/// linear-stage path (2²³ floats, 32 MiB; for xml-cnn at 256 tokens, one
/// document's 50 steps). Measured fastest on 2 CPU threads against 2²¹ and
/// the full `max_batch_tokens` budget: the head's activations and gradients
/// stay small enough to be reused by the allocator, calls stay few.
const LINEAR_CALL_ELEMS: usize = 1 << 23;

/// Most token-steps of one model call on the generic path (interpolated inputs ×
/// padded length). Smaller calls keep the activations in cache: for the
/// transformer at 256 tokens on 2 CPU threads, 1,280 token-steps (5 steps a
/// call) ran at 5.8 pairs/s against 4.5 at 4,096 and 2.9 at the full 65,536
/// (`cargo bench --bench ig`, SACX_IG_BATCH_TOKENS; docs/benchmarks.md).
/// CPU only, like [`LINEAR_CALL_ELEMS`]: on CUDA a call takes the whole
/// `max_batch_tokens` budget.
const GENERIC_CALL_TOKENS: usize = 1280;

impl Prepared<'_> {
    /// Sets the target classes of every instance.
    pub(crate) fn set_targets(&mut self, targets: Vec<Vec<u32>>) {
        debug_assert_eq!(targets.len(), self.instances.len());
        self.targets = targets;
    }

    /// Number of target slots (the most targets of any instance).
    fn slots(&self) -> usize {
        self.targets.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Empty accumulators, one per (instance, target).
    fn accumulators(&self) -> Vec<Vec<Vec<f32>>> {
        self.targets
            .iter()
            .map(|t| vec![Vec::new(); t.len()])
            .collect()
    }

    /// Attributions of every (instance, target) pair with one rule.
    ///
    /// Instances are grouped by their number of targets, so that each model
    /// call runs exactly one backward pass per target of its instances (on the
    /// retained graph); a call evaluates at most `max_rows` interpolated inputs
    /// (instances × steps; one instance's steps are split when they exceed it).
    pub(crate) fn integrate(
        &self,
        model: &dyn Classifier,
        alphas: &[f64],
        weights: &[f64],
        max_rows: usize,
    ) -> Result<Vec<Vec<RawPair>>> {
        let mut acc = self.accumulators();
        let slots = self.slots();
        if slots == 0 {
            return Ok(self.finish(acc));
        }
        if let Some(lin) = &self.linear
            && let Some(parts) = &lin.pooled
            && let Some(head) = model.linear_stage().and_then(|s| s.max_pool_head())
        {
            let device = model.device();
            let shape = lin.s_b.size();
            let grads = parts
                .integrate(head, &self.targets, alphas, weights, device)?
                .into_iter()
                .map(|g| g.map(|v| tensor(&v, &shape, device)).transpose())
                .collect::<Result<Vec<_>>>()?;
            self.pull_back(lin, &grads, &mut acc)?;
            return Ok(self.finish(acc));
        }
        let n = alphas.len();
        let mut max_rows = max_rows.max(1);
        // The call-size caps are CPU cache tuning; a GPU gets the whole budget.
        if model.device() == tch::Device::Cpu {
            let cap = match &self.linear {
                Some(lin) => {
                    let row: i64 = lin.s_b.size().iter().skip(1).product();
                    LINEAR_CALL_ELEMS / row.max(1) as usize
                }
                None => GENERIC_CALL_TOKENS / self.mask.size2()?.1.max(1) as usize,
            };
            max_rows = max_rows.min(cap.max(1));
        }
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); slots + 1];
        for (d, t) in self.targets.iter().enumerate() {
            groups[t.len()].push(d);
        }
        // Step-weighted stage-output gradients of each slot, `[B, ...]`.
        let mut stage_grads: Vec<Option<Tensor>> = (0..slots).map(|_| None).collect();
        for (count, docs) in groups.iter().enumerate().skip(1) {
            let per_call = (max_rows / n).max(1);
            for part in docs.chunks(per_call) {
                let steps = if part.len() == 1 { max_rows.min(n) } else { n };
                for (a, w) in alphas.chunks(steps).zip(weights.chunks(steps)) {
                    self.run_rows(model, part, count, a, w, &mut acc, &mut stage_grads)?;
                }
            }
        }
        if let Some(lin) = &self.linear {
            self.pull_back(lin, &stage_grads, &mut acc)?;
        }
        Ok(self.finish(acc))
    }

    /// One vector–Jacobian product per slot through the affine stage: the
    /// slot's step-weighted stage-output gradients to token attributions.
    fn pull_back(
        &self,
        lin: &LinearParts,
        stage_grads: &[Option<Tensor>],
        acc: &mut [Vec<Vec<f32>>],
    ) -> Result<()> {
        let last = stage_grads.iter().rposition(Option::is_some);
        let all: Vec<usize> = (0..self.instances.len()).collect();
        for (j, g) in stage_grads.iter().enumerate() {
            let Some(g) = g else { continue };
            let pull = lin.s_e.f_mul(g)?.f_sum(Kind::Float)?;
            let ge = Tensor::f_run_backward(&[pull], &[&lin.e_var], Some(j) != last, false)?;
            let ge = ge.first().ok_or_else(|| no_gradient("the stage input"))?;
            let attr = self
                .diff
                .f_mul(ge)?
                .f_sum_dim_intlist(-1, false, Kind::Float)?;
            self.collect(j, &all, &attr, acc)?;
        }
        Ok(())
    }

    /// One model call: the steps `alphas` of the instances `part` (each with
    /// `count` targets), one backward pass per target slot.
    #[allow(clippy::too_many_arguments)]
    fn run_rows(
        &self,
        model: &dyn Classifier,
        part: &[usize],
        count: usize,
        alphas: &[f64],
        weights: &[f64],
        acc: &mut [Vec<Vec<f32>>],
        stage_grads: &mut [Option<Tensor>],
    ) -> Result<()> {
        let device = model.device();
        let c = alphas.len() as i64;
        let p = part.len() as i64;
        let classes = model.num_classes();
        let whole = part.len() == self.instances.len();
        let rows: Vec<i64> = part.iter().map(|&d| d as i64).collect();
        let idx = tensor(&rows, &[p], device)?;
        let pick = |t: &Tensor| -> Result<Tensor> {
            Ok(if whole {
                t.shallow_clone()
            } else {
                t.f_index_select(0, &idx)?
            })
        };
        let (start, diff) = match &self.linear {
            Some(lin) => (pick(&lin.s_b)?, pick(&lin.s_diff)?),
            None => (pick(&self.b)?, pick(&self.diff)?),
        };
        let mut per_step = vec![c];
        per_step.extend_from_slice(&start.size());
        let x = interpolate(&start, &diff, alphas, device)?;
        let mask = pick(&self.mask)?.f_repeat([c, 1])?;
        let logits = match (&self.linear, model.linear_stage()) {
            (Some(_), Some(stage)) => stage.forward_from(&x, &mask)?,
            _ => model.forward_embedded(&x, &mask)?,
        };
        for (j, stage_grad) in stage_grads.iter_mut().enumerate().take(count) {
            let w = self.slot_weights(part, j, weights, classes, device)?;
            let loss = logits.f_mul(&w)?.f_sum(Kind::Float)?;
            let g = Tensor::f_run_backward(&[loss], &[&x], j + 1 < count, false)?;
            let g = g
                .first()
                .ok_or_else(|| no_gradient("the interpolated inputs"))?;
            let g_sum = g
                .f_view(per_step.as_slice())?
                .f_sum_dim_intlist(0, false, Kind::Float)?;
            match &self.linear {
                Some(lin) => {
                    if stage_grad.is_none() {
                        *stage_grad = Some(lin.s_b.f_zeros_like()?);
                    }
                    if let Some(slot) = stage_grad.as_mut() {
                        let _ = slot.f_index_add_(0, &idx, &g_sum)?;
                    }
                }
                None => {
                    let attr = diff
                        .f_mul(&g_sum)?
                        .f_sum_dim_intlist(-1, false, Kind::Float)?;
                    self.collect(j, part, &attr, acc)?;
                }
            }
        }
        Ok(())
    }

    /// `[steps × part, classes]` output gradient of slot `j`: each row's
    /// quadrature weight at its instance's `j`-th target class, zero elsewhere.
    fn slot_weights(
        &self,
        part: &[usize],
        j: usize,
        weights: &[f64],
        classes: usize,
        device: tch::Device,
    ) -> Result<Tensor> {
        let mut w = vec![0f32; weights.len() * part.len() * classes];
        for (k, &wk) in weights.iter().enumerate() {
            for (i, &d) in part.iter().enumerate() {
                let class = self.targets[d][j] as usize;
                w[(k * part.len() + i) * classes + class] = wk as f32;
            }
        }
        let rows = (weights.len() * part.len()) as i64;
        tensor(&w, &[rows, classes as i64], device)
    }

    /// Adds slot `j`'s `[part.len(), L]` token attributions of the instances
    /// `part` into the accumulators (instances without a `j`-th target skipped).
    fn collect(
        &self,
        j: usize,
        part: &[usize],
        attr: &Tensor,
        acc: &mut [Vec<Vec<f32>>],
    ) -> Result<()> {
        let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&attr.f_to_device(tch::Device::Cpu)?)?;
        for (&d, row) in part.iter().zip(&rows) {
            let inst = &self.instances[d];
            if j < self.targets[d].len() {
                let slot = &mut acc[d][j];
                if slot.is_empty() {
                    slot.resize(inst.ids.len(), 0.0);
                }
                for (a, v) in slot.iter_mut().zip(row) {
                    *a += v;
                }
            }
        }
        Ok(())
    }

    /// Turns accumulated attributions into raw pairs with their endpoint logits.
    fn finish(&self, acc: Vec<Vec<Vec<f32>>>) -> Vec<Vec<RawPair>> {
        acc.into_iter()
            .zip(self.instances.iter().zip(&self.targets))
            .enumerate()
            .map(|(d, (attrs, (inst, targets)))| {
                attrs
                    .into_iter()
                    .zip(targets)
                    .map(|(attr, &c)| RawPair {
                        attr: if attr.is_empty() {
                            vec![0.0; inst.ids.len()]
                        } else {
                            attr
                        },
                        f_input: self.f_input[d][c as usize],
                        f_baseline: self.f_baseline[d][c as usize],
                    })
                    .collect()
            })
            .collect()
    }

    /// The logits at the inputs, `[B][C]`.
    pub(crate) fn input_logits(&self) -> &[Vec<f32>] {
        &self.f_input
    }
}
