//! The batched attribution engine: step-interpolated forward passes over many
//! (document, target) pairs at once, shared by all targets of a document.
//!
//! For a batch of `B` documents padded to length `L` and a chunk of `n` steps,
//! one forward pass evaluates the model on all `n × B` interpolated inputs; each
//! *target slot* `j` (the `j`-th target of every document that has one) then
//! costs one backward pass on the retained graph, with the quadrature weights in
//! the output gradient so that the per-step gradients arrive already summed.
//!
//! When the model declares a [`LinearStage`], the interpolation happens at the
//! stage's output instead of its input: the stage is affine, so its output along
//! the path is `S(b) + α (S(e) − S(b))` (two evaluations of the stage instead of
//! `n`), and the step-weighted gradient is pulled back through the stage once
//! (a vector–Jacobian product, exact because the stage's Jacobian is constant).
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

fn torch(err: tch::TchError) -> Error {
    Error::Torch(err.to_string())
}

/// The batch as tensors on the model's device, with the endpoint logits.
pub(crate) struct Prepared<'a> {
    instances: &'a [Instance<'a>],
    /// Target classes of each instance (set after the endpoints are known).
    targets: Vec<Vec<u32>>,
    /// `[B, L, D]` input embeddings.
    e: Tensor,
    /// `[B, L, D]` `e − b`.
    diff: Tensor,
    /// `[B, L, D]` baseline embeddings.
    b: Tensor,
    /// `[B, L]` padding mask.
    mask: Tensor,
    /// `[B, C]` logits at the inputs and at the baselines.
    f_input: Vec<Vec<f32>>,
    f_baseline: Vec<Vec<f32>>,
}

/// Pads, embeds and evaluates the endpoints of a batch.
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
    let (e, b, f_input, f_baseline) = tch::no_grad(|| -> Result<_> {
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
        let both = Tensor::f_cat(&[&e, &b], 0).map_err(torch)?;
        let masks = Tensor::f_cat(&[&mask, &mask], 0).map_err(torch)?;
        let logits = model
            .forward_embedded(&both, &masks)
            .to_kind(Kind::Float)
            .to_device(tch::Device::Cpu);
        let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&logits).map_err(torch)?;
        let (fi, fb) = rows.split_at(bsz);
        Ok((e, b, fi.to_vec(), fb.to_vec()))
    })?;
    let diff = &e - &b;
    Ok(Prepared {
        instances,
        targets: vec![Vec::new(); bsz],
        e,
        diff,
        b,
        mask,
        f_input,
        f_baseline,
    })
}

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

    /// Output-gradient matrix `[n × B, C]` for slot `j`: the quadrature weight at
    /// each step row of each instance, in its `j`-th target's column.
    fn slot_weights(&self, j: usize, weights: &[f64], classes: usize) -> Tensor {
        let bsz = self.instances.len();
        let mut w = vec![0f32; weights.len() * bsz * classes];
        for (k, &wk) in weights.iter().enumerate() {
            for (d, targets) in self.targets.iter().enumerate() {
                if let Some(&c) = targets.get(j) {
                    w[(k * bsz + d) * classes + c as usize] = wk as f32;
                }
            }
        }
        Tensor::from_slice(&w).view([(weights.len() * bsz) as i64, classes as i64])
    }

    /// Adds the attributions of one chunk of quadrature steps to `acc`
    /// (`acc[d][j]` is instance `d`'s `j`-th target, one value per padded token).
    pub(crate) fn integrate_chunk(
        &self,
        model: &dyn Classifier,
        alphas: &[f64],
        weights: &[f64],
        acc: &mut [Vec<Vec<f32>>],
    ) -> Result<()> {
        let device = model.device();
        let n = alphas.len() as i64;
        let classes = model.num_classes();
        let alpha = Tensor::from_slice(&alphas.iter().map(|&a| a as f32).collect::<Vec<_>>())
            .to_device(device);
        let mask_rep = self.mask.repeat([n, 1]);
        let slots = self.slots();
        match model.linear_stage() {
            None => {
                let dims = self.e.size();
                let steps = (self.b.unsqueeze(0)
                    + alpha.view([n, 1, 1, 1]) * self.diff.unsqueeze(0))
                .view([n * dims[0], dims[1], dims[2]])
                .detach()
                .set_requires_grad(true);
                let logits = model.forward_embedded(&steps, &mask_rep);
                for j in 0..slots {
                    let w = self.slot_weights(j, weights, classes).to_device(device);
                    let loss = (&logits * w).sum(Kind::Float);
                    let g = Tensor::f_run_backward(&[loss], &[&steps], j + 1 < slots, false)
                        .map_err(torch)?;
                    let g = g[0].view([n, dims[0], dims[1], dims[2]]).sum_dim_intlist(
                        0,
                        false,
                        Kind::Float,
                    );
                    self.collect(
                        j,
                        &(&self.diff * g).sum_dim_intlist(-1, false, Kind::Float),
                        acc,
                    )?;
                }
            }
            Some(stage) => self.integrate_linear(model, stage, &alpha, weights, &mask_rep, acc)?,
        }
        Ok(())
    }

    fn integrate_linear(
        &self,
        model: &dyn Classifier,
        stage: &dyn LinearStage,
        alpha: &Tensor,
        weights: &[f64],
        mask_rep: &Tensor,
        acc: &mut [Vec<Vec<f32>>],
    ) -> Result<()> {
        let device = model.device();
        let n = alpha.size()[0];
        let classes = model.num_classes();
        let slots = self.slots();
        let (s_b, s_diff) = tch::no_grad(|| {
            let s_e = stage.apply(&self.e, &self.mask);
            let s_b = stage.apply(&self.b, &self.mask);
            let s_diff = &s_e - &s_b;
            (s_b, s_diff)
        });
        let sdims = s_b.size();
        let mut alpha_shape = vec![n];
        alpha_shape.extend(std::iter::repeat_n(1, sdims.len()));
        let mut flat = vec![n * sdims[0]];
        flat.extend_from_slice(&sdims[1..]);
        let steps = (s_b.unsqueeze(0) + alpha.view(alpha_shape.as_slice()) * s_diff.unsqueeze(0))
            .view(flat.as_slice())
            .detach()
            .set_requires_grad(true);
        let logits = stage.forward_from(&steps, mask_rep);
        // The stage's vector-Jacobian product, one graph for all slots.
        let e_var = self.e.detach().set_requires_grad(true);
        let s_var = stage.apply(&e_var, &self.mask);
        let mut step_shape = vec![n];
        step_shape.extend_from_slice(&sdims);
        for j in 0..slots {
            let w = self.slot_weights(j, weights, classes).to_device(device);
            let loss = (&logits * w).sum(Kind::Float);
            let g =
                Tensor::f_run_backward(&[loss], &[&steps], j + 1 < slots, false).map_err(torch)?;
            let g_sum = g[0]
                .view(step_shape.as_slice())
                .sum_dim_intlist(0, false, Kind::Float);
            let pull = (&s_var * g_sum).sum(Kind::Float);
            let ge =
                Tensor::f_run_backward(&[pull], &[&e_var], j + 1 < slots, false).map_err(torch)?;
            self.collect(
                j,
                &(&self.diff * &ge[0]).sum_dim_intlist(-1, false, Kind::Float),
                acc,
            )?;
        }
        Ok(())
    }

    /// Adds slot `j`'s `[B, L]` token attributions into the accumulators.
    fn collect(&self, j: usize, attr: &Tensor, acc: &mut [Vec<Vec<f32>>]) -> Result<()> {
        let rows: Vec<Vec<f32>> =
            Vec::<Vec<f32>>::try_from(&attr.to_device(tch::Device::Cpu)).map_err(torch)?;
        for (d, (inst, targets)) in self.instances.iter().zip(&self.targets).enumerate() {
            if j < targets.len() {
                let slot = &mut acc[d][j];
                if slot.is_empty() {
                    slot.resize(inst.ids.len(), 0.0);
                }
                for (a, v) in slot.iter_mut().zip(&rows[d]) {
                    *a += v;
                }
            }
        }
        Ok(())
    }

    /// Empty accumulators, one per (instance, target).
    pub(crate) fn accumulators(&self) -> Vec<Vec<Vec<f32>>> {
        self.targets
            .iter()
            .map(|t| vec![Vec::new(); t.len()])
            .collect()
    }

    /// Turns accumulated attributions into raw pairs with their endpoint logits.
    pub(crate) fn finish(&self, acc: Vec<Vec<Vec<f32>>>) -> Vec<Vec<RawPair>> {
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

impl Prepared<'_> {
    /// Attributions of every (instance, target) pair with one rule, evaluated in
    /// chunks of at most `chunk` steps.
    pub(crate) fn integrate(
        &self,
        model: &dyn Classifier,
        alphas: &[f64],
        weights: &[f64],
        chunk: usize,
    ) -> Result<Vec<Vec<RawPair>>> {
        let mut acc = self.accumulators();
        if self.slots() > 0 {
            for (a, w) in alphas
                .chunks(chunk.max(1))
                .zip(weights.chunks(chunk.max(1)))
            {
                self.integrate_chunk(model, a, w, &mut acc)?;
            }
        }
        Ok(self.finish(acc))
    }
}
