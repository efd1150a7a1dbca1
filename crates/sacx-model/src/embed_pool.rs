//! embed-pool: embedding → global max pooling over tokens → hidden → output.
//!
//! The simplest model whose pooling can be explained: each pooled feature comes
//! from exactly one token. Padding positions never win the max; a document with
//! no tokens pools to zeros.
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::Result;
use crate::embedding::{Embedding, WordVectors};
use crate::layers::{Linear, lengths};
use crate::params::ParamStore;
use crate::xml_cnn::{check_dropout, check_range};

crate::builder::params! {
    /// embed-pool hyperparameters, valid by construction: build with
    /// [`EmbedPoolParams::builder`] (or deserialize; the same checks apply).
    pub struct EmbedPoolParams, builder EmbedPoolParamsBuilder,
    raw EmbedPoolParamsRaw = "EmbedPoolParamsRaw", check EmbedPoolParams::check {
        /// Token embedding width. Default 128, range 1–4096.
        copy embedding_dim: usize = 128,
        /// Hidden layer width. Default 256, range 1–16384.
        copy hidden: usize = 256,
        /// Dropout after the hidden layer. Default 0.2, range `[0, 1)`.
        copy dropout: f64 = 0.2,
        /// Keep the embedding fixed during training. Default false.
        copy freeze_embeddings: bool = false,
    }
}

impl EmbedPoolParams {
    /// Checks every field against its documented range.
    fn check(&self) -> Result<()> {
        check_range("embedding_dim", self.embedding_dim, 1, 4096)?;
        check_range("hidden", self.hidden, 1, 16384)?;
        check_dropout(self.dropout)
    }
}

/// The embed-pool network (`embedding`, `hidden`, `output`).
#[derive(Debug)]
pub struct EmbedPool {
    params: EmbedPoolParams,
    emb: Embedding,
    hidden: Linear,
    output: Linear,
    device: Device,
}

impl EmbedPool {
    pub(crate) fn new(
        store: &mut ParamStore,
        rng: &mut ChaCha8Rng,
        params: &EmbedPoolParams,
        vocab: (usize, i64),
        num_classes: usize,
        vectors: Option<&WordVectors>,
    ) -> Result<EmbedPool> {
        let d = params.embedding_dim;
        let emb = Embedding::new(
            store,
            rng,
            (vocab.0, d),
            vocab.1,
            0.1,
            vectors,
            params.freeze_embeddings,
        )?;
        let hidden = Linear::new(store, rng, "hidden", params.hidden, d)?;
        let output = Linear::new(store, rng, "output", num_classes, params.hidden)?;
        Ok(EmbedPool {
            params: params.clone(),
            emb,
            hidden,
            output,
            device: store.device(),
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &EmbedPoolParams {
        &self.params
    }

    pub(crate) fn embedding(&self) -> &Embedding {
        &self.emb
    }

    pub(crate) fn forward_t(
        &self,
        emb: &Tensor,
        mask: &Tensor,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<Tensor> {
        let h = self.features(emb, mask)?;
        let h = crate::rng::dropout(&h, self.params.dropout, rng)?;
        self.output.forward(&h)
    }

    /// The document vectors the output layer reads, `[b, hidden]` (before dropout).
    pub(crate) fn features(&self, emb: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let pad = mask.f_le(0.0)?.f_unsqueeze(-1)?;
        let pooled = emb
            .f_masked_fill(&pad, f64::NEG_INFINITY)?
            .f_amax([1i64].as_slice(), false)?;
        let any = lengths(mask)?.f_gt(0)?.f_unsqueeze(-1)?;
        let zeros = Tensor::f_zeros([1], (Kind::Float, emb.device()))?;
        let pooled = pooled.f_where_self(&any, &zeros)?;
        Ok(self.hidden.forward(&pooled)?.f_relu()?)
    }
}

crate::classifier::impl_classifier!(EmbedPool);
