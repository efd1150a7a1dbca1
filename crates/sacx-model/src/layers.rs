//! Small building blocks (affine maps, layer norm, masks) shared by the models.
use rand_chacha::ChaCha8Rng;
use tch::{Kind, Tensor};

use crate::Result;
use crate::params::ParamStore;

/// `y = x Wᵀ + b` with `W: [out, in]` (`<name>.weight`) and `b: [out]` (`<name>.bias`).
#[derive(Debug)]
pub(crate) struct Linear {
    pub(crate) w: Tensor,
    pub(crate) b: Tensor,
}

impl Linear {
    /// PyTorch's default initialisation: weight and bias uniform in ±1/√fan_in.
    pub(crate) fn new(
        store: &mut ParamStore,
        rng: &mut ChaCha8Rng,
        name: &str,
        out: usize,
        inp: usize,
    ) -> Result<Linear> {
        let bound = 1.0 / (inp as f32).sqrt();
        let w = crate::rng::uniform(rng, &[out as i64, inp as i64], -bound, bound)?;
        let b = crate::rng::uniform(rng, &[out as i64], -bound, bound)?;
        Ok(Linear {
            w: store.add(&format!("{name}.weight"), w, false)?,
            b: store.add(&format!("{name}.bias"), b, false)?,
        })
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_linear(&self.w, Some(&self.b))?)
    }
}

/// Layer normalisation over the last dimension (`<name>.weight`, `<name>.bias`).
#[derive(Debug)]
pub(crate) struct LayerNorm {
    w: Tensor,
    b: Tensor,
    dim: i64,
    eps: f64,
}

impl LayerNorm {
    /// Weight ones, bias zeros, epsilon 1e-5 (PyTorch's defaults).
    pub(crate) fn new(store: &mut ParamStore, name: &str, dim: usize) -> Result<LayerNorm> {
        let d = dim as i64;
        Ok(LayerNorm {
            w: store.add(
                &format!("{name}.weight"),
                Tensor::f_ones([d], (Kind::Float, tch::Device::Cpu))?,
                false,
            )?,
            b: store.add(
                &format!("{name}.bias"),
                Tensor::f_zeros([d], (Kind::Float, tch::Device::Cpu))?,
                false,
            )?,
            dim: d,
            eps: 1e-5,
        })
    }

    /// A layer norm over given (already stored) weight and bias `[dim]`, with `eps`.
    pub(crate) fn from_parts(w: Tensor, b: Tensor, eps: f64) -> Result<LayerNorm> {
        let dim = w.size1()?;
        Ok(LayerNorm { w, b, dim, eps })
    }

    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_layer_norm([self.dim], Some(&self.w), Some(&self.b), self.eps, true)?)
    }
}

/// Zeroes the embeddings of padding positions: `[b, len, dim] * mask[b, len, 1]`.
pub(crate) fn mask_embeddings(emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
    Ok(emb.f_mul(&mask.f_unsqueeze(-1)?.f_to_kind(emb.kind())?)?)
}

/// Token counts per document from a `[b, len]` mask, as `i64` `[b]`.
pub(crate) fn lengths(mask: &Tensor) -> Result<Tensor> {
    Ok(mask
        .f_gt(0.0)?
        .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Int64)?)
}
