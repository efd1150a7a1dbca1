//! The BERT / (XLM-)RoBERTa / DistilBERT encoder, computed as Hugging Face's
//! `BertModel`, `RobertaModel` and `DistilBertModel` do (post-LN layers,
//! absolute positions).
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::embedding::Embedding;
use crate::hf::config::{HfArchitecture, HfConfig, HfModelDir, HiddenAct};
use crate::hf::tensors::{Loader, read_encoder_tensors};
use crate::layers::{LayerNorm, Linear};
use crate::params::ParamStore;
use crate::rng::dropout;
use crate::{Error, Result};

#[derive(Debug)]
struct BertLayer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_ln: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_ln: LayerNorm,
}

/// A pretrained encoder loaded from a Hugging Face model directory.
///
/// Its parameters carry Hugging Face's base-model names
/// (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, …).
#[derive(Debug)]
pub struct HfEncoder {
    config: HfConfig,
    word: Embedding,
    positions: Tensor,
    token_types: Option<Tensor>,
    emb_ln: LayerNorm,
    layers: Vec<BertLayer>,
    device: Device,
}

impl HfEncoder {
    /// Loads the encoder of `dir` into `store` (on the store's device).
    pub(crate) fn load(store: &mut ParamStore, dir: &HfModelDir) -> Result<HfEncoder> {
        let c = &dir.config;
        let (d, eps) = (c.hidden_size as i64, c.layer_norm_eps);
        let tensors = read_encoder_tensors(&dir.weights, c.architecture)?;
        let device = store.device();
        let mut l = Loader {
            tensors,
            path: dir.weights.clone(),
            store,
        };
        let word = l.take(
            "embeddings.word_embeddings.weight",
            &[c.vocab_size as i64, d],
        )?;
        let positions = l.take(
            "embeddings.position_embeddings.weight",
            &[c.max_position_embeddings as i64, d],
        )?;
        let token_types = match c.type_vocab_size {
            0 => None,
            n => Some(l.take("embeddings.token_type_embeddings.weight", &[n as i64, d])?),
        };
        let emb_ln = l.layer_norm("embeddings.LayerNorm", c.hidden_size, eps)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| load_layer(&mut l, c, i))
            .collect::<Result<Vec<_>>>()?;
        l.finish();
        Ok(HfEncoder {
            config: c.clone(),
            word: Embedding {
                weight: word,
                pad_id: c.pad_token_id,
            },
            positions,
            token_types,
            emb_ln,
            layers,
            device,
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &HfConfig {
        &self.config
    }

    /// The device of the parameters.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The word-embedding layer.
    pub(crate) fn word(&self) -> &Embedding {
        &self.word
    }

    /// Word-embedding rows (the vocabulary size).
    pub fn vocab_size(&self) -> usize {
        self.word.vocab_size() as usize
    }

    /// The word embeddings of `ids` (`[batch, len]` `i64`): `[batch, len, hidden]`,
    /// the output of `embeddings.word_embeddings`. An id outside the vocabulary is an error.
    pub fn word_embeddings(&self, ids: &Tensor) -> Result<Tensor> {
        self.word.forward(ids)
    }

    /// The last hidden state `[batch, len, hidden]` of `ids` with `mask`
    /// (`[batch, len]`, 1 for a token, 0 for padding), in evaluation mode:
    /// `BertModel(ids, attention_mask=mask).last_hidden_state`.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.forward_embedded(&self.word_embeddings(ids)?, mask)
    }

    /// The last hidden state from word embeddings `[batch, len, hidden]` (eval
    /// mode, differentiable in `word`): adds position and token-type-0
    /// embeddings and the embedding layer norm, then runs the layers.
    pub fn forward_embedded(&self, word: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.forward_t(word, mask, None, false)
    }

    /// [`HfEncoder::forward_embedded`]; with `rng`, applies the configured
    /// dropouts (training mode). With `first_only`, the last layer computes the
    /// first position alone (`[batch, 1, hidden]`): its keys and values need
    /// every position, but nothing else of it reaches a `[CLS]`-pooled head, so
    /// its query, attention output and feed-forward run on one row instead of
    /// `len` (about a sixth of MiniLM's work, in training and in attribution).
    pub(crate) fn forward_t(
        &self,
        word: &Tensor,
        mask: &Tensor,
        mut rng: Option<&mut ChaCha8Rng>,
        first_only: bool,
    ) -> Result<Tensor> {
        let x = self.embeddings(word, mask)?;
        let mut x = dropout(&x, self.config.hidden_dropout_prob, rng.as_deref_mut())?;
        let bias = attention_bias(mask)?;
        let last = self.layers.len().saturating_sub(1);
        for (i, layer) in self.layers.iter().enumerate() {
            let first = first_only && i == last;
            x = self.layer(layer, &x, bias.as_ref(), rng.as_deref_mut(), first)?;
        }
        Ok(x)
    }

    /// `LayerNorm(word + position + token_type[0])`.
    fn embeddings(&self, word: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, len, _) = word.size3()?;
        let max = self.config.max_positions();
        if len as usize > max {
            return Err(Error::param(
                "tokens per document",
                len,
                format!(
                    "at most {max} (the model's max_position_embeddings, special tokens included)"
                ),
            ));
        }
        let pos = if self.config.position_offset() == 0 {
            self.positions.f_narrow(0, 0, len)?
        } else {
            // RoBERTa: tokens are numbered pad + 1, pad + 2, …; padding gets pad
            // (`create_position_ids_from_input_ids`, with the mask for `ids != pad`).
            let m = mask.f_gt(0.5)?.f_to_kind(Kind::Int64)?;
            let ids = m
                .f_cumsum(1, Kind::Int64)?
                .f_mul(&m)?
                .f_add_scalar(self.config.pad_token_id)?;
            Tensor::f_embedding(&self.positions, &ids, -1, false, false)?
        };
        let x = word.f_add(&pos)?;
        let x = match &self.token_types {
            Some(t) => x.f_add(&t.f_get(0)?)?,
            None => x,
        };
        self.emb_ln.forward(&x)
    }

    fn layer(
        &self,
        layer: &BertLayer,
        x: &Tensor,
        bias: Option<&Tensor>,
        mut rng: Option<&mut ChaCha8Rng>,
        first_only: bool,
    ) -> Result<Tensor> {
        let p = self.config.hidden_dropout_prob;
        // The positions whose outputs are computed: the first, or all.
        let xq = if first_only {
            x.f_narrow(1, 0, 1)?
        } else {
            x.shallow_clone()
        };
        let ctx = self.attention(layer, x, &xq, bias, rng.as_deref_mut())?;
        let a = dropout(&layer.attn_out.forward(&ctx)?, p, rng.as_deref_mut())?;
        let a = layer.attn_ln.forward(&a.f_add(&xq)?)?;
        let h = activation(self.config.hidden_act, &layer.intermediate.forward(&a)?)?;
        let h = dropout(&layer.output.forward(&h)?, p, rng)?;
        layer.output_ln.forward(&h.f_add(&a)?)
    }

    /// Multi-head self-attention of the queries `xq` (`[b, lq, hidden]`, the
    /// first `lq` positions of `x`) over `x`, before its output projection:
    /// `[b, lq, hidden]`.
    fn attention(
        &self,
        layer: &BertLayer,
        x: &Tensor,
        xq: &Tensor,
        bias: Option<&Tensor>,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let (b, _, d) = x.size3()?;
        let lq = xq.size3()?.1;
        let h = self.config.num_attention_heads as i64;
        let hd = d / h;
        let heads = |lin: &Linear, x: &Tensor| -> Result<Tensor> {
            Ok(lin.forward(x)?.f_view([b, -1, h, hd])?.f_transpose(1, 2)?)
        };
        let (q, k, v) = (
            heads(&layer.query, xq)?,
            heads(&layer.key, x)?,
            heads(&layer.value, x)?,
        );
        let ctx = match rng {
            // Evaluation and attribution: libtorch's fused attention (the flash
            // kernel on CPU), as `transformers` runs it by default ("sdpa"):
            // the `[b, heads, lq, len]` scores are never materialised.
            None => {
                Tensor::f_scaled_dot_product_attention(&q, &k, &v, bias, 0.0, false, None, false)?
            }
            // Training: the explicit product, so that attention dropout draws
            // from the seeded stream.
            Some(rng) => self.eager_attention(&q, &k, &v, bias, rng)?,
        };
        Ok(ctx.f_transpose(1, 2)?.f_reshape([b, lq, d])?)
    }

    /// `dropout(softmax(q kᵀ / √d + bias)) v`, `[b, heads, lq, head_dim]`.
    fn eager_attention(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        bias: Option<&Tensor>,
        rng: &mut ChaCha8Rng,
    ) -> Result<Tensor> {
        let hd = q.size().last().copied().unwrap_or(1);
        let scores = q
            .f_matmul(&k.f_transpose(-2, -1)?)?
            .f_div_scalar((hd as f64).sqrt())?;
        let scores = match bias {
            Some(bias) => scores.f_add(bias)?,
            None => scores,
        };
        let probs = scores.f_softmax(-1, Kind::Float)?;
        let probs = dropout(&probs, self.config.attention_probs_dropout_prob, Some(rng))?;
        Ok(probs.f_matmul(v)?)
    }
}

/// Hugging Face's names of a layer's parts: the layer prefix, then query, key,
/// value, attention output, its layer norm, intermediate, output, its layer norm.
fn layer_names(arch: HfArchitecture) -> (&'static str, [&'static str; 8]) {
    match arch {
        HfArchitecture::DistilBert => (
            "transformer.layer",
            [
                "attention.q_lin",
                "attention.k_lin",
                "attention.v_lin",
                "attention.out_lin",
                "sa_layer_norm",
                "ffn.lin1",
                "ffn.lin2",
                "output_layer_norm",
            ],
        ),
        _ => (
            "encoder.layer",
            [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "attention.output.LayerNorm",
                "intermediate.dense",
                "output.dense",
                "output.LayerNorm",
            ],
        ),
    }
}

fn load_layer(l: &mut Loader<'_>, c: &HfConfig, i: usize) -> Result<BertLayer> {
    let (prefix, [q, k, v, ao, aln, inter, out, oln]) = layer_names(c.architecture);
    let name = |part: &str| format!("{prefix}.{i}.{part}");
    let (d, ff, eps) = (c.hidden_size, c.intermediate_size, c.layer_norm_eps);
    Ok(BertLayer {
        query: l.linear(&name(q), d, d)?,
        key: l.linear(&name(k), d, d)?,
        value: l.linear(&name(v), d, d)?,
        attn_out: l.linear(&name(ao), d, d)?,
        attn_ln: l.layer_norm(&name(aln), d, eps)?,
        intermediate: l.linear(&name(inter), ff, d)?,
        output: l.linear(&name(out), d, ff)?,
        output_ln: l.layer_norm(&name(oln), d, eps)?,
    })
}

/// Hugging Face's additive attention mask: `(1 - mask) · f32::MIN` on the keys,
/// `[b, 1, 1, len]`; `None` when nothing is padded.
fn attention_bias(mask: &Tensor) -> Result<Option<Tensor>> {
    let m = mask.f_to_kind(Kind::Float)?;
    if m.numel() == 0 || m.f_min()?.f_double_value(&[])? >= 1.0 {
        return Ok(None);
    }
    let bias = m
        .f_neg()?
        .f_add_scalar(1.0)?
        .f_mul_scalar(f64::from(f32::MIN))?
        .f_unsqueeze(1)?
        .f_unsqueeze(1)?;
    Ok(Some(bias))
}

fn activation(act: HiddenAct, x: &Tensor) -> Result<Tensor> {
    Ok(match act {
        HiddenAct::Gelu => x.f_gelu("none")?,
        HiddenAct::GeluTanh => x.f_gelu("tanh")?,
        HiddenAct::Relu => x.f_relu()?,
        HiddenAct::Silu => x.f_silu()?,
    })
}
