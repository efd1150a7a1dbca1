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
use sacx_model::Classifier;
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

fn torch(err: tch::TchError) -> Error {
    Error::Torch(err.to_string())
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

/// Pads, embeds and evaluates the endpoints of a batch. For a model with a
/// linear stage, the stage is applied here once to the inputs and baselines,
/// and the endpoint logits come from its outputs.
pub(crate) fn prepare<'a>(
    model: &dyn Classifier,
    instances: &'a [Instance<'a>],
) -> Result<Prepared<'a>> {
    let device = model.device();
    let bsz = instances.len();
    let len = instances
        .iter()
        .map(|i| i.ids.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let pad = model.pad_id();
    let mut ids = vec![pad; bsz * len];
    let mut base_ids = vec![pad; bsz * len];
    let mut mask = vec![0f32; bsz * len];
    // 1 where the baseline keeps the input embedding: special tokens and padding.
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
    let shape = [bsz as i64, len as i64];
    let to = |v: Tensor| {
        v.f_view(shape)
            .and_then(|t| t.f_to_device(device))
            .map_err(torch)
    };
    let ids = to(Tensor::from_slice(&ids))?;
    let base_ids = to(Tensor::from_slice(&base_ids))?;
    let mask = to(Tensor::from_slice(&mask))?;
    let (e, b) = tch::no_grad(|| -> Result<_> {
        let e = model.embed(&ids);
        let mut b = model.embed(&base_ids);
        if any_zero {
            // Zero baselines: multiply by `keep` on their rows only.
            let zero_rows: Vec<f32> = instances
                .iter()
                .map(|i| {
                    if matches!(i.baseline, BaselineInput::Zero) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect();
            let zero_rows = Tensor::from_slice(&zero_rows)
                .to_device(device)
                .view([bsz as i64, 1, 1]);
            let keep = to(Tensor::from_slice(&keep))?.unsqueeze(-1);
            let factor = (&keep - 1.0) * &zero_rows + 1.0;
            b *= factor;
        }
        Ok((e, b))
    })?;
    let masks = Tensor::f_cat(&[&mask, &mask], 0).map_err(torch)?;
    let (linear, logits) = match model.linear_stage() {
        Some(stage) => {
            // The graph of S(e) is kept for the vector–Jacobian products.
            let e_var = e.detach().set_requires_grad(true);
            let s_e = stage.apply(&e_var, &mask);
            let (s_b, s_diff, pooled, logits) = tch::no_grad(|| -> Result<_> {
                let s_b = stage.apply(&b, &mask);
                let s_e = s_e.detach();
                let s_diff = &s_e - &s_b;
                // The maxima are searched on the host: CPU models only.
                if let Some(head) = stage.max_pool_head().filter(|_| device == tch::Device::Cpu) {
                    let lens: Vec<usize> = instances.iter().map(|i| i.ids.len()).collect();
                    let parts = PooledParts::new(head, &s_b, &s_diff, &lens)?;
                    let logits = head.forward_pooled(&parts.endpoints(&s_e, device)?);
                    return Ok((s_b, s_diff, Some(parts), logits));
                }
                let both = Tensor::f_cat(&[&s_e, &s_b], 0).map_err(torch)?;
                Ok((s_b, s_diff, None, stage.forward_from(&both, &masks)))
            })?;
            (
                Some(LinearParts {
                    e_var,
                    s_e,
                    s_b,
                    s_diff,
                    pooled,
                }),
                logits,
            )
        }
        None => {
            let logits = tch::no_grad(|| -> Result<_> {
                let both = Tensor::f_cat(&[&e, &b], 0).map_err(torch)?;
                Ok(model.forward_embedded(&both, &masks))
            })?;
            (None, logits)
        }
    };
    let logits = logits.to_kind(Kind::Float).to_device(tch::Device::Cpu);
    let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&logits).map_err(torch)?;
    let (fi, fb) = rows.split_at(bsz);
    let diff = &e - &b;
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
                .map(|g| {
                    g.map(|v| {
                        Tensor::from_slice(&v)
                            .f_view(shape.as_slice())
                            .and_then(|t| t.f_to_device(device))
                    })
                    .transpose()
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(torch)?;
            self.pull_back(lin, &grads, &mut acc)?;
            return Ok(self.finish(acc));
        }
        let n = alphas.len();
        let mut max_rows = max_rows.max(1);
        // The call-size caps are CPU cache tuning; a GPU gets the whole budget.
        if model.device() == tch::Device::Cpu {
            let cap = match &self.linear {
                Some(lin) => {
                    let row: i64 = lin.s_b.size()[1..].iter().product();
                    LINEAR_CALL_ELEMS / row.max(1) as usize
                }
                None => GENERIC_CALL_TOKENS / self.mask.size()[1].max(1) as usize,
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
            let pull = (&lin.s_e * g).sum(Kind::Float);
            let ge = Tensor::f_run_backward(&[pull], &[&lin.e_var], Some(j) != last, false)
                .map_err(torch)?;
            let attr = (&self.diff * &ge[0]).sum_dim_intlist(-1, false, Kind::Float);
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
        let idx = Tensor::from_slice(&part.iter().map(|&d| d as i64).collect::<Vec<_>>())
            .to_device(device);
        let pick = |t: &Tensor| {
            if whole {
                t.shallow_clone()
            } else {
                t.index_select(0, &idx)
            }
        };
        let (start, diff) = match &self.linear {
            Some(lin) => (pick(&lin.s_b), pick(&lin.s_diff)),
            None => (pick(&self.b), pick(&self.diff)),
        };
        let dims = start.size();
        let mut alpha_shape = vec![c];
        alpha_shape.extend(std::iter::repeat_n(1, dims.len()));
        let mut flat = vec![c * p];
        flat.extend_from_slice(&dims[1..]);
        let mut per_step = vec![c];
        per_step.extend_from_slice(&dims);
        let alpha = Tensor::from_slice(&alphas.iter().map(|&a| a as f32).collect::<Vec<_>>())
            .to_device(device)
            .view(alpha_shape.as_slice());
        let x = (start.unsqueeze(0) + alpha * diff.unsqueeze(0))
            .view(flat.as_slice())
            .detach()
            .set_requires_grad(true);
        let mask = pick(&self.mask).repeat([c, 1]);
        let logits = match (&self.linear, model.linear_stage()) {
            (Some(_), Some(stage)) => stage.forward_from(&x, &mask),
            _ => model.forward_embedded(&x, &mask),
        };
        for (j, stage_grad) in stage_grads.iter_mut().enumerate().take(count) {
            let mut w = vec![0f32; alphas.len() * part.len() * classes];
            for (k, &wk) in weights.iter().enumerate() {
                for (i, &d) in part.iter().enumerate() {
                    let class = self.targets[d][j] as usize;
                    w[(k * part.len() + i) * classes + class] = wk as f32;
                }
            }
            let w = Tensor::from_slice(&w)
                .view([c * p, classes as i64])
                .to_device(device);
            let loss = (&logits * w).sum(Kind::Float);
            let g = Tensor::f_run_backward(&[loss], &[&x], j + 1 < count, false).map_err(torch)?;
            let g_sum = g[0]
                .view(per_step.as_slice())
                .sum_dim_intlist(0, false, Kind::Float);
            match &self.linear {
                Some(lin) => {
                    let slot = stage_grad.get_or_insert_with(|| lin.s_b.zeros_like());
                    let _ = slot.index_add_(0, &idx, &g_sum);
                }
                None => {
                    let attr = (&diff * g_sum).sum_dim_intlist(-1, false, Kind::Float);
                    self.collect(j, part, &attr, acc)?;
                }
            }
        }
        Ok(())
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
        let rows: Vec<Vec<f32>> =
            Vec::<Vec<f32>>::try_from(&attr.to_device(tch::Device::Cpu)).map_err(torch)?;
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
