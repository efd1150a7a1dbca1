//! A small pre-LN Transformer encoder classifier with learned positions.
//!
//! `x = emb + pos; for each layer: x += Attn(LN₁ x); x += FF(LN₂ x); LN_final;
//! pool (mean over tokens or first token) → output`. Padding keys get an additive
//! −10⁹ attention bias, so padding never changes a document's logits. Tokens
//! beyond `max_positions` are ignored.
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::embedding::{Embedding, WordVectors};
use crate::layers::{LayerNorm, Linear};
use crate::params::ParamStore;
use crate::rng::dropout;
use crate::xml_cnn::{check_dropout, check_range};
use crate::{Error, Result};

/// How the encoder output becomes one document vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// Mean over the document's tokens (default).
    #[default]
    Mean,
    /// The first token's vector.
    First,
}

crate::builder::params! {
    /// Transformer hyperparameters, valid by construction: build with
    /// [`TransformerParams::builder`] (or deserialize; the same checks apply).
    pub struct TransformerParams, builder TransformerParamsBuilder,
    raw TransformerParamsRaw = "TransformerParamsRaw", check TransformerParams::check {
        /// Model width (token embedding width). Default 128, range 1–4096, divisible by `heads`.
        copy embedding_dim: usize = 128,
        /// Encoder layers. Default 2, range 1–24.
        copy layers: usize = 2,
        /// Attention heads. Default 4, range 1–64.
        copy heads: usize = 4,
        /// Feed-forward width. Default 256, range 1–16384.
        copy ff_dim: usize = 256,
        /// Dropout on attention weights and residual branches. Default 0.1, range `[0, 1)`.
        copy dropout: f64 = 0.1,
        /// Learned positions; longer inputs are cut. Default 512, range 1–8192.
        copy max_positions: usize = 512,
        /// Document pooling. Default mean.
        copy pooling: Pooling = Pooling::Mean,
        /// Keep the token embedding fixed during training. Default false.
        copy freeze_embeddings: bool = false,
    }
}

impl TransformerParams {
    /// Checks every field against its documented range.
    fn check(&self) -> Result<()> {
        check_range("embedding_dim", self.embedding_dim, 1, 4096)?;
        check_range("layers", self.layers, 1, 24)?;
        check_range("heads", self.heads, 1, 64)?;
        check_range("ff_dim", self.ff_dim, 1, 16384)?;
        check_range("max_positions", self.max_positions, 1, 8192)?;
        check_dropout(self.dropout)?;
        if !self.embedding_dim.is_multiple_of(self.heads) {
            return Err(Error::param(
                "heads",
                self.heads,
                "a divisor of embedding_dim",
            ));
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Layer {
    ln1: LayerNorm,
    in_proj: Linear,
    out_proj: Linear,
    ln2: LayerNorm,
    ff1: Linear,
    ff2: Linear,
}

/// The Transformer encoder classifier. Tensor names: see `docs/checkpoints.md`.
#[derive(Debug)]
pub struct Transformer {
    params: TransformerParams,
    emb: Embedding,
    positions: Tensor,
    layers: Vec<Layer>,
    final_ln: LayerNorm,
    output: Linear,
    device: Device,
}

impl Transformer {
    pub(crate) fn new(
        store: &mut ParamStore,
        rng: &mut ChaCha8Rng,
        params: &TransformerParams,
        vocab: (usize, i64),
        num_classes: usize,
        vectors: Option<&WordVectors>,
    ) -> Result<Transformer> {
        let d = params.embedding_dim;
        let emb = Embedding::new(
            store,
            rng,
            (vocab.0, d),
            vocab.1,
            0.02,
            vectors,
            params.freeze_embeddings,
        )?;
        let pos = crate::rng::normal(rng, &[params.max_positions as i64, d as i64], 0.02)?;
        let positions = store.add("positions.weight", pos, false)?;
        let mut layers = Vec::new();
        for i in 0..params.layers {
            let p = format!("layers.{i}");
            layers.push(Layer {
                ln1: LayerNorm::new(store, &format!("{p}.ln1"), d)?,
                in_proj: Linear::new(store, rng, &format!("{p}.attn.in_proj"), 3 * d, d)?,
                out_proj: Linear::new(store, rng, &format!("{p}.attn.out_proj"), d, d)?,
                ln2: LayerNorm::new(store, &format!("{p}.ln2"), d)?,
                ff1: Linear::new(store, rng, &format!("{p}.ff1"), params.ff_dim, d)?,
                ff2: Linear::new(store, rng, &format!("{p}.ff2"), d, params.ff_dim)?,
            });
        }
        let final_ln = LayerNorm::new(store, "final_ln", d)?;
        let output = Linear::new(store, rng, "output", num_classes, d)?;
        Ok(Transformer {
            params: params.clone(),
            emb,
            positions,
            layers,
            final_ln,
            output,
            device: store.device(),
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &TransformerParams {
        &self.params
    }

    pub(crate) fn embedding(&self) -> &Embedding {
        &self.emb
    }

    fn attention(
        &self,
        layer: &Layer,
        x: &Tensor,
        bias: Option<&Tensor>,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let (b, len, d) = x.size3()?;
        let h = self.params.heads as i64;
        let hd = d / h;
        let qkv = layer
            .in_proj
            .forward(x)?
            .f_view([b, len, 3, h, hd])?
            .f_permute([2, 0, 3, 1, 4])?;
        let (q, k, v) = (
            qkv.f_select(0, 0)?,
            qkv.f_select(0, 1)?,
            qkv.f_select(0, 2)?,
        );
        let scores = q
            .f_matmul(&k.f_transpose(-2, -1)?)?
            .f_div_scalar((hd as f64).sqrt())?;
        let scores = match bias {
            Some(bias) => scores.f_add(bias)?,
            None => scores,
        };
        let attn = scores.f_softmax(-1, Kind::Float)?;
        let attn = dropout(&attn, self.params.dropout, rng)?;
        let ctx = attn
            .f_matmul(&v)?
            .f_transpose(1, 2)?
            .f_reshape([b, len, d])?;
        layer.out_proj.forward(&ctx)
    }

    pub(crate) fn forward_t(
        &self,
        emb: &Tensor,
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        self.output.forward(&self.features_t(emb, mask, rng)?)
    }

    /// The pooled document vectors `[b, dim]` the output layer reads.
    pub(crate) fn features_t(
        &self,
        emb: &Tensor,
        mask: &Tensor,
        mut rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let max = self.params.max_positions as i64;
        let (_, len, _) = emb.size3()?;
        let (emb, mask) = if len > max {
            (emb.f_narrow(1, 0, max)?, mask.f_narrow(1, 0, max)?)
        } else {
            (emb.shallow_clone(), mask.shallow_clone())
        };
        let len = len.min(max);
        let p = self.params.dropout;
        let maskf = mask.f_to_kind(Kind::Float)?;
        // Keys: the tokens, plus position 0 always, so that an empty document
        // attends to its first (padding) position whatever the batch's padding.
        let keys = maskf.f_detach_copy()?;
        let _ = keys.f_narrow(1, 0, 1)?.f_fill_(1.0)?;
        // Without padded keys the additive bias is zero: skip it.
        let padded = keys.f_min()?.f_double_value(&[])? < 1.0;
        let bias = if padded {
            Some(
                keys.f_sub_scalar(1.0)?
                    .f_mul_scalar(1e9)?
                    .f_unsqueeze(1)?
                    .f_unsqueeze(1)?, // [b,1,1,len]
            )
        } else {
            None
        };
        let mut x = emb.f_add(&self.positions.f_narrow(0, 0, len)?)?;
        for layer in &self.layers {
            let a = self.attention(
                layer,
                &layer.ln1.forward(&x)?,
                bias.as_ref(),
                rng.as_deref_mut(),
            )?;
            x = x.f_add(&dropout(&a, p, rng.as_deref_mut())?)?;
            let f = layer.ff1.forward(&layer.ln2.forward(&x)?)?.f_gelu("none")?;
            let f = layer.ff2.forward(&dropout(&f, p, rng.as_deref_mut())?)?;
            x = x.f_add(&dropout(&f, p, rng.as_deref_mut())?)?;
        }
        let x = self.final_ln.forward(&x)?;
        let pooled = match self.params.pooling {
            Pooling::First => x.f_select(1, 0)?,
            Pooling::Mean => {
                let m = maskf.f_unsqueeze(-1)?;
                let sum = x
                    .f_mul(&m)?
                    .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Float)?;
                sum.f_div(
                    &m.f_sum_dim_intlist([1i64].as_slice(), false, Kind::Float)?
                        .f_clamp_min(1.0)?,
                )?
            }
        };
        Ok(pooled)
    }
}

crate::classifier::impl_classifier!(Transformer);
