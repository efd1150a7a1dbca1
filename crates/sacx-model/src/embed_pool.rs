//! embed-pool: embedding → global max pooling over tokens → hidden → output.
//!
//! The simplest model whose pooling can be explained: each pooled feature comes
//! from exactly one token. Padding positions never win the max; a document with
//! no tokens pools to zeros.
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::Result;
use crate::embedding::{Embedding, WordVectors};
use crate::layers::{Linear, lengths};
use crate::params::ParamStore;
use crate::xml_cnn::{check_dropout, check_range};

/// embed-pool hyperparameters. Build with [`EmbedPoolParams::builder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedPoolParams {
    /// Token embedding width. Default 128, range 1–4096.
    pub embedding_dim: usize,
    /// Hidden layer width. Default 256, range 1–16384.
    pub hidden: usize,
    /// Dropout after the hidden layer. Default 0.2, range `[0, 1)`.
    pub dropout: f64,
    /// Keep the embedding fixed during training. Default false.
    pub freeze_embeddings: bool,
}

impl Default for EmbedPoolParams {
    fn default() -> Self {
        EmbedPoolParams {
            embedding_dim: 128,
            hidden: 256,
            dropout: 0.2,
            freeze_embeddings: false,
        }
    }
}

/// Builder for [`EmbedPoolParams`]; [`EmbedPoolParamsBuilder::build`] validates.
#[derive(Debug, Clone, Default)]
pub struct EmbedPoolParamsBuilder(EmbedPoolParams);

impl EmbedPoolParams {
    /// A builder starting from the defaults.
    pub fn builder() -> EmbedPoolParamsBuilder {
        EmbedPoolParamsBuilder::default()
    }

    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<()> {
        check_range("embedding_dim", self.embedding_dim, 1, 4096)?;
        check_range("hidden", self.hidden, 1, 16384)?;
        check_dropout(self.dropout)
    }
}

crate::builder::builder!(EmbedPoolParamsBuilder => EmbedPoolParams {
    /// Token embedding width.
    embedding_dim: usize,
    /// Hidden layer width.
    hidden: usize,
    /// Dropout probability after the hidden layer.
    dropout: f64,
    /// Keep the embedding fixed during training.
    freeze_embeddings: bool,
});

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
        params.validate()?;
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
        let pad = mask.f_le(0.0)?.f_unsqueeze(-1)?;
        let pooled = emb
            .f_masked_fill(&pad, f64::NEG_INFINITY)?
            .f_amax([1i64].as_slice(), false)?;
        let any = lengths(mask)?.f_gt(0)?.f_unsqueeze(-1)?;
        let zeros = Tensor::f_zeros([1], (Kind::Float, emb.device()))?;
        let pooled = pooled.f_where_self(&any, &zeros)?;
        let h = self.hidden.forward(&pooled)?.f_relu()?;
        let h = crate::rng::dropout(&h, self.params.dropout, rng)?;
        self.output.forward(&h)
    }
}

crate::classifier::impl_classifier!(EmbedPool, "embed-pool");
