//! XML-CNN (Liu et al., SIGIR 2017) with true dynamic max pooling.
//!
//! `embedding → conv(w) for w in widths → ReLU → dynamic max pooling (p chunks
//! per feature map) → concat → bottleneck (ReLU, dropout) → output`.
//!
//! Dynamic pooling splits each document's *own* valid convolution outputs into
//! `p` chunks with PyTorch's adaptive-pooling bounds (chunk `k` of `n` positions
//! covers `[⌊k·n/p⌋, ⌈(k+1)·n/p⌉)`), so padding never changes a document's
//! logits. A document with `len` tokens has `n = max(len − w + 1, 1)` positions
//! for width `w`: a document shorter than `w` gets one window, zero-padded.
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::classifier::{LinearStage, MaxPoolHead, PoolWindow};
use crate::embedding::{Embedding, WordVectors};
use crate::layers::{Linear, lengths, mask_embeddings};
use crate::params::ParamStore;
use crate::{Error, Result};

crate::builder::params! {
    /// XML-CNN hyperparameters, valid by construction: build with
    /// [`XmlCnnParams::builder`] (or deserialize; the same checks apply).
    ///
    /// ```
    /// let p = sacx_model::XmlCnnParams::builder().num_filters(64).build()?;
    /// assert_eq!((p.num_filters(), p.filter_widths()), (64, &[2, 4, 8][..]));
    /// assert!(sacx_model::XmlCnnParams::builder().chunks(0).build().is_err());
    /// # Ok::<(), sacx_model::Error>(())
    /// ```
    pub struct XmlCnnParams, builder XmlCnnParamsBuilder, raw XmlCnnParamsRaw = "XmlCnnParamsRaw",
    check XmlCnnParams::check {
        /// Token embedding width. Default 128, range 1–4096.
        copy embedding_dim: usize = 128,
        /// Convolution widths in tokens. Default `[2, 4, 8]`; 1–8 widths, each 1–64.
        slice filter_widths: Vec<usize> = vec![2, 4, 8],
        /// Feature maps per width. Default 128, range 1–4096.
        copy num_filters: usize = 128,
        /// Dynamic pooling chunks `p` per feature map. Default 2, range 1–64.
        copy chunks: usize = 2,
        /// Bottleneck width. Default 512, range 1–16384.
        copy hidden: usize = 512,
        /// Dropout after the bottleneck. Default 0.5, range `[0, 1)`.
        copy dropout: f64 = 0.5,
        /// Keep the embedding fixed during training. Default false.
        copy freeze_embeddings: bool = false,
    }
}

impl XmlCnnParams {
    /// Checks every field against its documented range.
    fn check(&self) -> Result<()> {
        check_range("embedding_dim", self.embedding_dim, 1, 4096)?;
        check_range("num_filters", self.num_filters, 1, 4096)?;
        check_range("chunks", self.chunks, 1, 64)?;
        check_range("hidden", self.hidden, 1, 16384)?;
        check_dropout(self.dropout)?;
        let w = &self.filter_widths;
        if w.is_empty() || w.len() > 8 || w.iter().any(|&x| !(1..=64).contains(&x)) {
            return Err(Error::param(
                "filter_widths",
                format!("{w:?}"),
                "1–8 widths, each 1–64",
            ));
        }
        Ok(())
    }

    /// Width of the pooled feature vector: widths × filters × chunks.
    pub fn pooled_dim(&self) -> usize {
        self.filter_widths.len() * self.num_filters * self.chunks
    }
}

pub(crate) fn check_range(name: &'static str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Error::param(name, v, format!("{lo}..={hi}")))
    }
}

pub(crate) fn check_dropout(p: f64) -> Result<()> {
    if (0.0..1.0).contains(&p) {
        Ok(())
    } else {
        Err(Error::param("dropout", p, "a value in [0, 1)"))
    }
}

/// The XML-CNN network. Tensor names: see `docs/checkpoints.md`.
#[derive(Debug)]
pub struct XmlCnn {
    params: XmlCnnParams,
    emb: Embedding,
    convs: Vec<(Tensor, Tensor)>,
    bottleneck: Linear,
    output: Linear,
    device: Device,
}

impl XmlCnn {
    pub(crate) fn new(
        store: &mut ParamStore,
        rng: &mut ChaCha8Rng,
        params: &XmlCnnParams,
        vocab: (usize, i64),
        num_classes: usize,
        vectors: Option<&WordVectors>,
    ) -> Result<XmlCnn> {
        let dim = params.embedding_dim;
        let emb = Embedding::new(
            store,
            rng,
            (vocab.0, dim),
            vocab.1,
            0.1,
            vectors,
            params.freeze_embeddings,
        )?;
        let mut convs = Vec::new();
        for (i, &w) in params.filter_widths.iter().enumerate() {
            let fan_in = (dim * w) as f32;
            let bound = 1.0 / fan_in.sqrt();
            let f = params.num_filters as i64;
            let wt = crate::rng::uniform(rng, &[f, dim as i64, w as i64], -bound, bound)?;
            let b = crate::rng::uniform(rng, &[f], -bound, bound)?;
            convs.push((
                store.add(&format!("convs.{i}.weight"), wt, false)?,
                store.add(&format!("convs.{i}.bias"), b, false)?,
            ));
        }
        let bottleneck = Linear::new(store, rng, "bottleneck", params.hidden, params.pooled_dim())?;
        let output = Linear::new(store, rng, "output", num_classes, params.hidden)?;
        Ok(XmlCnn {
            params: params.clone(),
            emb,
            convs,
            bottleneck,
            output,
            device: store.device(),
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &XmlCnnParams {
        &self.params
    }

    pub(crate) fn embedding(&self) -> &Embedding {
        &self.emb
    }

    fn max_width(&self) -> i64 {
        self.params.filter_widths.iter().copied().max().unwrap_or(1) as i64
    }

    /// Masked embeddings as `[b, dim, len']`, `len' = max(len, widest filter)`.
    fn conv_input(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let x = mask_embeddings(emb, mask)?.f_transpose(1, 2)?;
        let (_, _, len) = x.size3()?;
        let short = self.max_width() - len;
        Ok(if short > 0 {
            x.f_constant_pad_nd([0, short])?
        } else {
            x
        })
    }

    /// Pre-activation convolution outputs, one `[b, filters, len' − w + 1]` per width.
    fn convolve(&self, emb: &Tensor, mask: &Tensor) -> Result<Vec<Tensor>> {
        let x = self.conv_input(emb, mask)?;
        self.convs
            .iter()
            .map(|(w, b)| Ok(x.f_conv1d(w, Some(b), [1], [0], [1], 1)?))
            .collect()
    }

    /// Everything after the convolutions; `rng` present means training (dropout).
    fn head(
        &self,
        convs: &[Tensor],
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        self.after_pooling(&self.pool(convs, mask)?, rng)
    }

    /// The document vectors the output layer reads, `[b, hidden]`: the
    /// bottleneck's ReLU in evaluation mode.
    pub(crate) fn features(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let pooled = self.pool(&self.convolve(emb, mask)?, mask)?;
        Ok(self.bottleneck.forward(&pooled)?.f_relu()?)
    }

    /// Dynamic max pooling of every width's ReLU, concatenated.
    fn pool(&self, convs: &[Tensor], mask: &Tensor) -> Result<Tensor> {
        let lens = lengths(mask)?;
        let mut pooled = Vec::with_capacity(convs.len());
        for (h, &w) in convs.iter().zip(&self.params.filter_widths) {
            pooled.push(dynamic_max_pool(
                &h.f_relu()?,
                &lens,
                w as i64,
                self.params.chunks as i64,
            )?);
        }
        Ok(Tensor::f_cat(&pooled, 1)?)
    }

    /// Bottleneck, ReLU, dropout (with `rng`) and output, from pooled features.
    fn after_pooling(&self, pooled: &Tensor, rng: Option<&mut ChaCha8Rng>) -> Result<Tensor> {
        let z = self.bottleneck.forward(pooled)?.f_relu()?;
        let z = crate::rng::dropout(&z, self.params.dropout, rng)?;
        self.output.forward(&z)
    }

    /// The windows of [`dynamic_max_pool`] for one document (see [`MaxPoolHead`]).
    fn windows(&self, len: usize, positions: usize) -> Vec<PoolWindow> {
        let (f, p) = (self.params.num_filters, self.params.chunks);
        let mut out = Vec::with_capacity(self.params.pooled_dim());
        for (i, &w) in self.params.filter_widths.iter().enumerate() {
            let t = (positions + 1).saturating_sub(w).max(1);
            let n = (len + 1).saturating_sub(w).clamp(1, t);
            for filter in 0..f {
                for k in 0..p {
                    out.push(PoolWindow {
                        channel: i * f + filter,
                        start: k * n / p,
                        end: ((k + 1) * n).div_ceil(p),
                    });
                }
            }
        }
        out
    }

    /// Logits from embeddings; with `rng`, in training mode (dropout on).
    pub(crate) fn forward_t(
        &self,
        emb: &Tensor,
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let convs = self.convolve(emb, mask)?;
        self.head(&convs, mask, rng)
    }

    pub(crate) fn try_apply(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let convs = self.convolve(emb, mask)?;
        let padded = convs
            .iter()
            .zip(&self.params.filter_widths)
            .map(|(h, &w)| Ok(h.f_constant_pad_nd([0, w as i64 - 1])?))
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::f_stack(&padded, 1)?)
    }

    pub(crate) fn try_forward_from(&self, stage: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, _, _, len) = stage.size4()?;
        let convs = self
            .params
            .filter_widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                Ok(stage
                    .f_select(1, i as i64)?
                    .f_narrow(2, 0, len - w as i64 + 1)?)
            })
            .collect::<Result<Vec<_>>>()?;
        self.head(&convs, mask, None)
    }
}

/// Dynamic max pooling of `h: [b, f, t]` (non-negative, post-ReLU) into
/// `[b, f · p]`, each document pooled over its own `n = max(len − w + 1, 1)` positions.
pub(crate) fn dynamic_max_pool(h: &Tensor, lens: &Tensor, w: i64, p: i64) -> Result<Tensor> {
    let (b, f, t) = h.size3()?;
    let dev = h.device();
    let n = lens
        .f_sub_scalar(w - 1)?
        .f_clamp_min(1)?
        .f_clamp_max(t)?
        .f_unsqueeze(1)?; // [b,1]
    let k = Tensor::f_arange(p, (Kind::Int64, dev))?.f_unsqueeze(0)?; // [1,p]
    let start = k.f_mul(&n)?.f_floor_divide_scalar(p)?; // [b,p]
    let end = k
        .f_add_scalar(1)?
        .f_mul(&n)?
        .f_add_scalar(p - 1)?
        .f_floor_divide_scalar(p)?;
    if !h.requires_grad() {
        return max_pool_inference(h, &start, &end, (b, f, t, p));
    }
    let pos = Tensor::f_arange(t, (Kind::Int64, dev))?.f_view([1, t])?;
    // For each chunk, find the argmax without building a graph, then gather it:
    // the backward pass is a scatter into the winning positions only. h >= 0 and
    // every chunk holds at least one position, so filling the positions outside
    // the chunk with -1 never changes its maximum.
    let mut chunks = Vec::with_capacity(p as usize);
    for j in 0..p {
        let lo = start.f_narrow(1, j, 1)?; // [b,1]
        let hi = end.f_narrow(1, j, 1)?;
        let outside = pos
            .f_lt_tensor(&lo)?
            .f_logical_or(&pos.f_ge_tensor(&hi)?)?
            .f_unsqueeze(1)?; // [b,1,t]
        let idx = tch::no_grad(|| -> Result<Tensor> {
            Ok(h.f_detach()?
                .f_masked_fill(&outside, -1.0)?
                .f_argmax(-1, true)?)
        })?; // [b,f,1]
        chunks.push(h.f_gather(-1, &idx, false)?);
    }
    Ok(Tensor::f_cat(&chunks, 2)?.f_view([b, f * p])?)
}

/// [`dynamic_max_pool`] without a gradient (prediction, validation): every
/// chunk at once, `h` times the chunk's 0/1 window, maximum over positions.
/// `h >= 0` and every window holds a position, so the zeros outside a window
/// never exceed its maximum: the values are those of the argmax path, bit for
/// bit, in one pass instead of one per chunk.
fn max_pool_inference(
    h: &Tensor,
    start: &Tensor,
    end: &Tensor,
    (b, f, t, p): (i64, i64, i64, i64),
) -> Result<Tensor> {
    let pos = Tensor::f_arange(t, (Kind::Int64, h.device()))?.f_view([1, 1, t])?;
    let inside = pos
        .f_ge_tensor(&start.f_unsqueeze(2)?)?
        .f_logical_and(&pos.f_lt_tensor(&end.f_unsqueeze(2)?)?)?
        .f_to_kind(h.kind())?; // [b,p,t]
    Ok(h.f_unsqueeze(2)?
        .f_mul(&inside.f_unsqueeze(1)?)?
        .f_amax([3i64].as_slice(), false)?
        .f_view([b, f * p])?)
}

crate::classifier::impl_classifier!(
    XmlCnn,
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        Some(self)
    }
);

impl LinearStage for XmlCnn {
    /// `[b, widths, filters, len']` pre-activation convolution outputs (bias
    /// included), zero-padded on the right to `len' = max(len, widest filter)`.
    fn apply(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.try_apply(embeddings, mask)
    }
    fn forward_from(&self, stage_output: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.try_forward_from(stage_output, mask)
    }
    fn max_pool_head(&self) -> Option<&dyn MaxPoolHead> {
        Some(self)
    }
}

impl MaxPoolHead for XmlCnn {
    /// Channels `width index × filters + filter`; features in the order of
    /// the concatenated pooled vector (width, then filter, then chunk).
    fn pool_windows(&self, len: usize, positions: usize) -> Vec<PoolWindow> {
        self.windows(len, positions)
    }
    fn forward_pooled(&self, pooled: &Tensor) -> Result<Tensor> {
        self.after_pooling(pooled, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prediction path pools exactly what the gradient path pools, for
    /// documents shorter than a filter, within and at the padded length.
    #[test]
    fn pooling_without_gradient_equals_the_argmax_path_bit_for_bit() {
        tch::manual_seed(3);
        let (b, f, t) = (5i64, 7i64, 11i64);
        let h = Tensor::randn([b, f, t], (Kind::Float, Device::Cpu)).relu();
        let lens = Tensor::from_slice(&[1i64, 3, 8, 11, 14]);
        for (w, p) in [(2i64, 2i64), (4, 3), (8, 1), (3, 5)] {
            let fast = dynamic_max_pool(&h, &lens, w, p).unwrap();
            let slow = dynamic_max_pool(&h.copy().set_requires_grad(true), &lens, w, p).unwrap();
            assert_eq!(fast.size(), vec![b, f * p]);
            let diff = f64::try_from(fast.f_sub(&slow.detach()).unwrap().abs().max()).unwrap();
            assert_eq!(diff, 0.0, "w {w}, p {p}");
        }
    }
}
