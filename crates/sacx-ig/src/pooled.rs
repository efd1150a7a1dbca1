//! The max-pool path: attribution for models whose head starts with max
//! pooling of the ReLU of their linear stage's output ([`MaxPoolHead`]).
//!
//! Along the path the stage output is `S(b) + α ΔS`, so every pooled feature
//! `p_j(α) = max(0, max_t (a_t + α d_t))` is the upper envelope of one line per
//! window position. The interpolated stage outputs (`steps × channels ×
//! positions` floats per document, the bulk of the linear-stage path's
//! memory traffic) are never built: each window keeps only the lines that can
//! win somewhere on `[0, 1]`, each step's maximum is searched among those,
//! the head runs on the pooled features (`steps × windows` per document), and
//! each step's pooled-feature gradient goes to its winning position only. The
//! values are computed with the same float operations as the interpolated
//! tensor (`a + (α · d)` in `f32`, first maximum on ties), so the result is
//! the same as autograd through the pooling.
//!
//! [`MaxPoolHead`]: sacx_model::MaxPoolHead
use crate::engine::tensor;
use crate::{Error, Result};
use sacx_model::{MaxPoolHead, PoolWindow};
use tch::{Device, Kind, Tensor};

/// Most rows (document-steps) of one head call: 4,096 × 768 pooled features
/// (xml-cnn's default) is 12 MiB.
const POOLED_CALL_ROWS: usize = 4096;

/// No winning position (the feature's maximum is not positive).
const NONE: u32 = u32::MAX;

/// A `[B, C, P]` float tensor copied to a row-major vector.
fn to_vec(t: &Tensor) -> Result<Vec<f32>> {
    let flat = t
        .f_to_device(Device::Cpu)?
        .f_to_kind(Kind::Float)?
        .f_contiguous()?
        .f_view([-1])?;
    Ok(Vec::<f32>::try_from(&flat)?)
}

/// The stage's endpoints on the CPU, with every instance's pooling windows.
pub(crate) struct PooledParts {
    /// `[B, C·P]` the stage output at the baselines.
    s_b: Vec<f32>,
    /// `[B, C·P]` `S(e) − S(b)`.
    s_diff: Vec<f32>,
    /// `C·P`, the stage output's size per instance.
    row: usize,
    /// Positions `P` (the stage output's last dimension).
    positions: usize,
    /// Pooling windows of each instance.
    windows: Vec<Vec<PoolWindow>>,
}

impl PooledParts {
    /// Copies the endpoints and asks the head for each instance's windows.
    pub(crate) fn new(
        head: &dyn MaxPoolHead,
        s_b: &Tensor,
        s_diff: &Tensor,
        lens: &[usize],
    ) -> Result<Self> {
        let dims = s_b.size();
        let positions = *dims.last().unwrap_or(&1) as usize;
        let row: usize = dims.iter().skip(1).product::<i64>() as usize;
        let windows: Vec<Vec<PoolWindow>> = lens
            .iter()
            .map(|&len| head.pool_windows(len, positions))
            .collect();
        for w in windows.iter().flatten() {
            if w.start >= w.end || w.end > positions || (w.channel + 1) * positions > row {
                return Err(Error::ModelContract(format!(
                    "pooling window {w:?} lies outside the stage output {dims:?}"
                )));
            }
        }
        Ok(PooledParts {
            s_b: to_vec(s_b)?,
            s_diff: to_vec(s_diff)?,
            row,
            positions,
            windows,
        })
    }

    /// Pooled features at both endpoints, for the endpoint logits: `[2B,
    /// windows]` on `device`, the inputs' (`s_e`, copied here) then the
    /// baselines' (already on the host).
    pub(crate) fn endpoints(&self, s_e: &Tensor, device: Device) -> Result<Tensor> {
        let s_e = to_vec(s_e)?;
        let width = self.windows.first().map_or(0, Vec::len);
        let b = self.windows.len();
        let mut out = vec![0f32; 2 * b * width];
        for (i, row) in out.chunks_mut(width.max(1)).enumerate() {
            let (data, d) = if i < b { (&s_e, i) } else { (&self.s_b, i - b) };
            let s = &data[d * self.row..(d + 1) * self.row];
            for (w, o) in self.windows[d].iter().zip(row) {
                let base = w.channel * self.positions;
                *o = s[base + w.start..base + w.end]
                    .iter()
                    .fold(0f32, |m, &x| if x > m { x } else { m });
            }
        }
        tensor(&out, &[2 * b as i64, width as i64], device)
    }

    /// Step-weighted stage-output gradients of every target slot (`[B, C·P]`
    /// each; `None` for a slot no instance has): `Σ_k w_k ∂F_c(α_k) / ∂S`.
    pub(crate) fn integrate(
        &self,
        head: &dyn MaxPoolHead,
        targets: &[Vec<u32>],
        alphas: &[f64],
        weights: &[f64],
        device: Device,
    ) -> Result<Vec<Option<Vec<f32>>>> {
        let slots = targets.iter().map(Vec::len).max().unwrap_or(0);
        let mut grads: Vec<Option<Vec<f32>>> = (0..slots).map(|_| None).collect();
        let n = alphas.len();
        let width = self.windows.first().map_or(0, Vec::len);
        if n == 0 || width == 0 {
            return Ok(grads);
        }
        let alphas: Vec<f32> = alphas.iter().map(|&a| a as f32).collect();
        let steps_per_call = n.min(POOLED_CALL_ROWS);
        let docs_per_call = (POOLED_CALL_ROWS / steps_per_call).max(1);
        let todo: Vec<usize> = (0..targets.len())
            .filter(|&d| !targets[d].is_empty())
            .collect();
        for part in todo.chunks(docs_per_call) {
            for (a, w) in alphas
                .chunks(steps_per_call)
                .zip(weights.chunks(steps_per_call))
            {
                self.call(head, targets, part, a, w, width, device, &mut grads)?;
            }
        }
        Ok(grads)
    }

    /// One head call: the steps `alphas` of the instances `part`.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        head: &dyn MaxPoolHead,
        targets: &[Vec<u32>],
        part: &[usize],
        alphas: &[f32],
        weights: &[f64],
        width: usize,
        device: Device,
        grads: &mut [Option<Vec<f32>>],
    ) -> Result<()> {
        let c = alphas.len();
        let rows = part.len() * c;
        let mut vals = vec![0f32; rows * width];
        let mut wins = vec![NONE; rows * width];
        vals.chunks_mut(c * width)
            .zip(wins.chunks_mut(c * width))
            .zip(part.iter())
            .for_each(|((v, w), &d)| self.pool_steps(d, alphas, v, w));
        let pooled =
            tensor(&vals, &[rows as i64, width as i64], device)?.f_set_requires_grad(true)?;
        let logits = head.forward_pooled(&pooled)?;
        let (_, classes) = logits.size2()?;
        let classes = classes as usize;
        if let Some(c) = targets.iter().flatten().find(|&&c| c as usize >= classes) {
            return Err(Error::ModelContract(format!(
                "target class {c} but the head gives {classes} logits"
            )));
        }
        let count = part.iter().map(|&d| targets[d].len()).max().unwrap_or(0);
        for (j, slot) in grads.iter_mut().enumerate().take(count) {
            let mut w = vec![0f32; rows * classes];
            for (i, &d) in part.iter().enumerate() {
                let Some(&class) = targets[d].get(j) else {
                    continue;
                };
                for (k, &wk) in weights.iter().enumerate() {
                    w[(i * c + k) * classes + class as usize] = wk as f32;
                }
            }
            let w = tensor(&w, &[rows as i64, classes as i64], device)?;
            let loss = logits.f_mul(&w)?.f_sum(Kind::Float)?;
            let g = Tensor::f_run_backward(&[loss], &[&pooled], j + 1 < count, false)?;
            let g = to_vec(g.first().ok_or_else(|| {
                Error::ModelContract("no gradient reached the pooled features".into())
            })?)?;
            let acc = slot.get_or_insert_with(|| vec![0f32; targets.len() * self.row]);
            for (i, &d) in part.iter().enumerate() {
                if j >= targets[d].len() {
                    continue;
                }
                let out = &mut acc[d * self.row..(d + 1) * self.row];
                let ws = &self.windows[d];
                for k in 0..c {
                    let at = (i * c + k) * width;
                    for (f, win) in ws.iter().enumerate() {
                        let t = wins[at + f];
                        if t != NONE {
                            out[win.channel * self.positions + t as usize] += g[at + f];
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Pooled features of instance `d` at every step of `alphas` into `vals`
    /// (`[steps, windows]`), with each one's winning position in `wins`.
    fn pool_steps(&self, d: usize, alphas: &[f32], vals: &mut [f32], wins: &mut [u32]) {
        let width = self.windows[d].len();
        let a_all = &self.s_b[d * self.row..(d + 1) * self.row];
        let d_all = &self.s_diff[d * self.row..(d + 1) * self.row];
        let (mut ca, mut cd, mut ct) = (Vec::new(), Vec::new(), Vec::new());
        for (j, w) in self.windows[d].iter().enumerate() {
            let base = w.channel * self.positions;
            let a = &a_all[base + w.start..base + w.end];
            let s = &d_all[base + w.start..base + w.end];
            candidates(a, s, &mut ca, &mut cd, &mut ct);
            for (k, &al) in alphas.iter().enumerate() {
                let (mut best, mut at) = (0f32, NONE);
                for ((&x, &y), &t) in ca.iter().zip(&cd).zip(&ct) {
                    let v = x + al * y;
                    if v > best {
                        best = v;
                        at = t;
                    }
                }
                vals[k * width + j] = best;
                wins[k * width + j] = if at == NONE {
                    NONE
                } else {
                    (w.start as u32) + at
                };
            }
        }
    }
}

/// The lines `a_t + α d_t` of one window that can be the positive maximum
/// somewhere on `α ∈ [0, 1]`, in position order, into `(ca, cd, ct)`.
///
/// A line is dropped when even its highest endpoint is below the best lowest
/// endpoint of another line (that line is above it on the whole interval), or
/// is not positive. Both tests carry a margin of 10⁻⁶ (|a| + |d|), well above
/// the rounding of `a + α d` in `f32`, so no line that can win after rounding
/// is dropped.
fn candidates(a: &[f32], d: &[f32], ca: &mut Vec<f32>, cd: &mut Vec<f32>, ct: &mut Vec<u32>) {
    let margin = |x: f32, y: f32| 1e-6 * (x.abs() + y.abs());
    let mut lo = f32::NEG_INFINITY;
    for (&x, &y) in a.iter().zip(d) {
        lo = lo.max(x.min(x + y) - margin(x, y));
    }
    ca.clear();
    cd.clear();
    ct.clear();
    for (t, (&x, &y)) in a.iter().zip(d).enumerate() {
        let hi = x.max(x + y) + margin(x, y);
        if hi >= lo && hi > 0.0 {
            ca.push(x);
            cd.push(y);
            ct.push(t as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The brute-force maximum over all positions of `a + α d`, as autograd sees it.
    fn brute(a: &[f32], d: &[f32], al: f32) -> (f32, u32) {
        let mut best = (0f32, NONE);
        for (t, (&x, &y)) in a.iter().zip(d).enumerate() {
            let v = (x + al * y).max(0.0);
            if v > best.0 {
                best = (v, t as u32);
            }
        }
        best
    }

    #[test]
    fn pruned_lines_never_win() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (mut ca, mut cd, mut ct) = (Vec::new(), Vec::new(), Vec::new());
        for case in 0..2000 {
            let n = rng.random_range(1..40);
            // Half the cases share one intercept (the pad baseline), with ties.
            let shared: f32 = rng.random_range(-1.0..1.0);
            let a: Vec<f32> = (0..n)
                .map(|_| {
                    if case % 2 == 0 {
                        shared
                    } else {
                        rng.random_range(-1.0..1.0)
                    }
                })
                .collect();
            let d: Vec<f32> = (0..n)
                .map(|i| {
                    if i % 5 == 4 {
                        0.0
                    } else {
                        rng.random_range(-2.0..2.0)
                    }
                })
                .collect();
            candidates(&a, &d, &mut ca, &mut cd, &mut ct);
            for k in 0..=64 {
                let al = k as f32 / 64.0;
                let mut best = (0f32, NONE);
                for ((&x, &y), &t) in ca.iter().zip(&cd).zip(&ct) {
                    let v = x + al * y;
                    if v > best.0 {
                        best = (v, t);
                    }
                }
                assert_eq!(best, brute(&a, &d, al), "case {case}, α = {al}");
            }
        }
    }
}
