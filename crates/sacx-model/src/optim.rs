//! AdamW, the learning-rate schedule and gradient clipping, written over plain
//! tensors so that the optimizer state can be checkpointed and resumed.
use std::collections::BTreeMap;

use tch::{Device, Tensor};

use crate::params::ParamStore;
use crate::{Error, Result};

/// AdamW (Loshchilov & Hutter) exactly as PyTorch's single-tensor `AdamW`:
/// decoupled weight decay `p ← p·(1 − lr·wd)` on parameters with two or more
/// dimensions (weights and embeddings, not biases or norms), then the
/// bias-corrected Adam step.
#[derive(Debug)]
pub struct AdamW {
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u64,
    /// `(parameter name, first moment, second moment)`, in trainable order.
    state: Vec<(String, Tensor, Tensor)>,
    /// One buffer per parameter for the update's denominator.
    scratch: Vec<Tensor>,
}

impl AdamW {
    /// Zero moments for every trainable parameter; betas 0.9/0.999, eps 1e-8.
    pub fn new(params: &ParamStore, weight_decay: f64) -> Result<AdamW> {
        let state = params
            .trainable()
            .map(|(n, p)| {
                Ok((
                    n.to_string(),
                    p.f_zeros_like()?.f_detach()?,
                    p.f_zeros_like()?.f_detach()?,
                ))
            })
            .collect::<Result<_>>()?;
        let scratch = params
            .trainable()
            .map(|(_, p)| p.f_zeros_like()?.f_detach())
            .collect::<Result<_, _>>()?;
        Ok(AdamW {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            step: 0,
            state,
            scratch,
        })
    }

    /// Optimizer steps taken.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// One update of every trainable parameter from its gradient, at rate `lr`.
    pub fn step(&mut self, params: &ParamStore, lr: f64) -> Result<()> {
        let _guard = tch::no_grad_guard();
        self.step += 1;
        let t = self.step as i32;
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2_sqrt = (1.0 - self.beta2.powi(t)).sqrt();
        // In place and into a persistent scratch buffer: no allocation per step.
        // p += m / d with d = −(√v + eps·√bc2) / (step·√bc2) is PyTorch's
        // p −= step · m / (√v / √bc2 + eps).
        let step_size = lr / bc1;
        for (((_, p), (_, m, v)), d) in params
            .trainable()
            .zip(self.state.iter_mut())
            .zip(self.scratch.iter_mut())
        {
            let mut g = p.f_grad()?;
            if !g.defined() {
                continue;
            }
            let mut p = p.shallow_clone();
            if self.weight_decay > 0.0 && p.dim() >= 2 {
                let _ = p.f_mul_scalar_(1.0 - lr * self.weight_decay)?;
            }
            let _ = m.f_lerp_(&g, 1.0 - self.beta1)?;
            let _ = g.f_mul_scalar_((1.0 - self.beta2).sqrt())?; // the gradient is reset after the step
            let _ = v.f_mul_scalar_(self.beta2)?;
            let _ = v.f_addcmul_(&g, &g)?;
            let _ = v.f_sqrt_out(d)?;
            let _ = d.f_add_scalar_(self.eps * bc2_sqrt)?;
            let _ = d.f_mul_scalar_(-1.0 / (step_size * bc2_sqrt))?;
            let _ = p.f_addcdiv_(m, d)?;
        }
        Ok(())
    }

    /// The moments as CPU tensors named `exp_avg.<param>` and `exp_avg_sq.<param>`.
    pub fn state_tensors(&self) -> Result<BTreeMap<String, Tensor>> {
        let mut out = BTreeMap::new();
        for (n, m, v) in &self.state {
            out.insert(
                format!("exp_avg.{n}"),
                m.f_to_device(Device::Cpu)?.f_contiguous()?,
            );
            out.insert(
                format!("exp_avg_sq.{n}"),
                v.f_to_device(Device::Cpu)?.f_contiguous()?,
            );
        }
        Ok(out)
    }

    /// Restores moments saved by [`AdamW::state_tensors`] and the step count.
    pub fn load_state(
        &mut self,
        tensors: &BTreeMap<String, Tensor>,
        step: u64,
        origin: &std::path::Path,
    ) -> Result<()> {
        let _guard = tch::no_grad_guard();
        for (n, m, v) in &mut self.state {
            for (prefix, t) in [("exp_avg", m), ("exp_avg_sq", v)] {
                let key = format!("{prefix}.{n}");
                let src = tensors
                    .get(&key)
                    .filter(|s| s.size() == t.size())
                    .ok_or_else(|| Error::Corrupt {
                        path: origin.to_path_buf(),
                        reason: format!("optimizer tensor `{key}` missing or of the wrong shape"),
                    })?;
                t.f_copy_(src)?;
            }
        }
        self.step = step;
        Ok(())
    }
}

/// Linear warm-up from 0 to `peak` over `warmup_steps`, then linear decay to 0
/// at `total_steps`.
#[derive(Debug, Clone, Copy)]
pub struct LrSchedule {
    /// The peak learning rate.
    pub peak: f64,
    /// Steps of warm-up.
    pub warmup_steps: u64,
    /// Total optimizer steps of the run.
    pub total_steps: u64,
}

impl LrSchedule {
    /// The rate for optimizer step `step` (0-based).
    pub fn lr(&self, step: u64) -> f64 {
        let s = step as f64 + 1.0;
        if step < self.warmup_steps {
            return self.peak * s / self.warmup_steps as f64;
        }
        let rest = (self.total_steps.saturating_sub(self.warmup_steps)).max(1) as f64;
        let done = (step - self.warmup_steps) as f64;
        self.peak * (1.0 - done / rest).max(0.0)
    }
}

/// Scales all gradients so that their global L2 norm is at most `max_norm`
/// (as `torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
pub fn clip_grad_norm(params: &ParamStore, max_norm: f64) -> Result<f64> {
    let _guard = tch::no_grad_guard();
    let mut grads: Vec<Tensor> = Vec::new();
    for (_, p) in params.trainable() {
        let g = p.f_grad()?;
        if g.defined() {
            grads.push(g);
        }
    }
    if grads.is_empty() {
        return Ok(0.0);
    }
    let norms = grads
        .iter()
        .map(|g| g.f_norm())
        .collect::<Result<Vec<_>, _>>()?;
    let total = Tensor::f_stack(&norms, 0)?.f_norm()?.f_double_value(&[])?;
    let coef = max_norm / (total + 1e-6);
    if coef < 1.0 {
        for mut g in grads {
            let _ = g.f_mul_scalar_(coef)?;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Kind;

    #[test]
    fn adamw_matches_hand_computed_steps() {
        let mut store = ParamStore::new(Device::Cpu);
        let w = store
            .add(
                "w",
                Tensor::from_slice(&[1.0f32, -2.0, 0.5, 3.0]).view([2, 2]),
                false,
            )
            .unwrap();
        let b = store
            .add("b", Tensor::from_slice(&[0.5f32]), false)
            .unwrap();
        let mut opt = AdamW::new(&store, 0.1).unwrap();
        // loss = sum(w²) + 3b → grads 2w and 3.
        let (mut wv, mut bv) = (vec![1.0f64, -2.0, 0.5, 3.0], 0.5f64);
        let (mut m, mut v) = (vec![0.0; 5], vec![0.0; 5]);
        for step in 1..=3 {
            let loss = (&w * &w).sum(Kind::Float) + &b * 3.0;
            loss.sum(Kind::Float).backward();
            opt.step(&store, 0.01).unwrap();
            for mut t in [w.shallow_clone(), b.shallow_clone()] {
                t.zero_grad();
            }
            let grads: Vec<f64> = wv.iter().map(|x| 2.0 * x).chain([3.0]).collect();
            for (i, g) in grads.iter().enumerate() {
                let p = if i < 4 { &mut wv[i] } else { &mut bv };
                if i < 4 {
                    *p *= 1.0 - 0.01 * 0.1;
                }
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                let mh = m[i] / (1.0 - 0.9f64.powi(step));
                let vh = v[i] / (1.0 - 0.999f64.powi(step));
                *p -= 0.01 * mh / (vh.sqrt() + 1e-8);
            }
        }
        let got = Vec::<f32>::try_from(w.flatten(0, -1)).unwrap();
        for (g, e) in got.iter().zip(&wv) {
            assert!((*g as f64 - e).abs() < 1e-6, "{g} vs {e}");
        }
        assert!((b.double_value(&[0]) - bv).abs() < 1e-6);
        assert_eq!(opt.steps(), 3);
        let st = opt.state_tensors().unwrap();
        assert_eq!(
            st.keys().cloned().collect::<Vec<_>>(),
            ["exp_avg.b", "exp_avg.w", "exp_avg_sq.b", "exp_avg_sq.w"]
        );
    }

    #[test]
    fn schedule_warms_up_then_decays_to_zero() {
        let s = LrSchedule {
            peak: 1.0,
            warmup_steps: 4,
            total_steps: 12,
        };
        let lrs: Vec<f64> = (0..12).map(|i| s.lr(i)).collect();
        assert_eq!(&lrs[..4], &[0.25, 0.5, 0.75, 1.0]);
        assert_eq!(lrs[4], 1.0);
        assert_eq!(lrs[8], 0.5);
        assert!(lrs[11] > 0.0 && s.lr(12) == 0.0);
        let flat = LrSchedule {
            peak: 0.1,
            warmup_steps: 0,
            total_steps: 2,
        };
        assert_eq!(flat.lr(0), 0.1);
    }

    #[test]
    fn clipping_bounds_the_global_norm() {
        let mut store = ParamStore::new(Device::Cpu);
        let a = store
            .add("a", Tensor::from_slice(&[3.0f32]), false)
            .unwrap();
        let b = store
            .add("b", Tensor::from_slice(&[4.0f32]), false)
            .unwrap();
        ((&a * &a + &b * &b) * 0.5).sum(Kind::Float).backward(); // grads 3, 4: norm 5
        let n = clip_grad_norm(&store, 1.0).unwrap();
        assert!((n - 5.0).abs() < 1e-6);
        assert!((a.grad().double_value(&[0]) - 0.6).abs() < 1e-5);
        assert!((b.grad().double_value(&[0]) - 0.8).abs() < 1e-5);
        let n = clip_grad_norm(&store, 10.0).unwrap();
        assert!((n - 1.0).abs() < 1e-5);
        assert!((a.grad().double_value(&[0]) - 0.6).abs() < 1e-5);
    }
}
