//! The model contract that attribution relies on.
//!
//! Every sacx classifier maps token ids (plus a padding mask) to one logit per
//! class, split in two halves so that Integrated Gradients can start from the
//! embedding output: [`Classifier::embed`] then [`Classifier::forward_embedded`].
//! `sacx-ig` depends on this trait only, never on a concrete model.
use tch::{Device, Tensor};

use crate::Result;

/// A multilabel text classifier split at its embedding layer.
///
/// Shapes: `ids` is `[batch, len]` (`i64`), `mask` is `[batch, len]` (`f32`, 1 for
/// a real token, 0 for padding), embeddings are `[batch, len, embedding_dim]`
/// (`f32`), logits are `[batch, num_classes]`. `forward_embedded` runs in
/// evaluation mode (no dropout) and must be differentiable in its embedding input.
///
/// Every tensor method returns an error instead of panicking: an id outside
/// `0..vocab_size()`, a shape mismatch or a device out of memory is an `Err`
/// (with [`crate::Error::Torch`] holding libtorch's error as its source).
pub trait Classifier {
    /// Number of classes (logits per document).
    fn num_classes(&self) -> usize;
    /// Width of one token embedding.
    fn embedding_dim(&self) -> usize;
    /// The device the parameters live on.
    fn device(&self) -> Device;
    /// The padding token id.
    fn pad_id(&self) -> i64;
    /// Vocabulary size: token ids are `0..vocab_size()`.
    fn vocab_size(&self) -> usize;
    /// Token embeddings: `[batch, len]` ids to `[batch, len, dim]`.
    fn embed(&self, ids: &Tensor) -> Result<Tensor>;
    /// Logits from embeddings: `[batch, len, dim]` and mask to `[batch, classes]`.
    fn forward_embedded(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor>;
    /// The model's linear first stage after the embedding, when it has one.
    ///
    /// When `Some(stage)`, for every input `forward_embedded(e, m)` equals
    /// `stage.forward_from(&stage.apply(e), m)` and `stage.apply` is affine in `e`.
    /// Integrated Gradients then interpolates the stage output instead of the
    /// embeddings, which is exact and much cheaper.
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        None
    }
    /// Another handle on the same (frozen) weights that can move to another
    /// thread, so that attribution can run several documents side by side on
    /// the CPU; `None` (the default) when the model cannot make one, and then
    /// attribution runs one call at a time.
    fn replica(&self) -> Result<Option<Box<dyn Classifier + Send>>> {
        Ok(None)
    }
}

/// An affine first stage of a model (for example xml-cnn's convolutions before
/// their non-linearity), exposed so attribution can skip re-running it per step.
pub trait LinearStage {
    /// The affine map: `[batch, len, dim]` embeddings to the stage output
    /// (any shape; the stage defines it). Must include the bias, so that
    /// `apply(b + a (e - b)) == apply(b) + a (apply(e) - apply(b))`.
    fn apply(&self, embeddings: &Tensor, mask: &Tensor) -> Result<Tensor>;
    /// The rest of the model: stage output and mask to logits `[batch, classes]`.
    fn forward_from(&self, stage_output: &Tensor, mask: &Tensor) -> Result<Tensor>;
    /// The rest of the model as max pooling of the stage output's ReLU followed
    /// by a head, when it has that shape (see [`MaxPoolHead`]).
    fn max_pool_head(&self) -> Option<&dyn MaxPoolHead> {
        None
    }
}

/// One pooled feature: the maximum of stage-output channel `channel` over the
/// positions `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolWindow {
    /// Channel of the stage output viewed as `[batch, channels, positions]`
    /// (every dimension between the first and the last flattened, row-major).
    pub channel: usize,
    /// First position of the window.
    pub start: usize,
    /// One past the last position (`end > start`).
    pub end: usize,
}

/// A model whose part after its [`LinearStage`] is `head(relu(max-pool(S)))`.
///
/// Contract: for a stage output `s` of a document with `len` tokens padded to
/// `s`'s last dimension `positions`, `forward_from(s, mask)` equals
/// `forward_pooled(p)` where `p[j] = max(0, max_{t ∈ w.start..w.end}
/// s[w.channel, t])` for `w = pool_windows(len, positions)[j]`. Each pooled
/// feature is then the upper envelope of lines in the interpolation
/// coefficient α, so attribution can find every step's maximum without
/// materialising the interpolated stage outputs, and pass gradients back only
/// to the winning positions.
pub trait MaxPoolHead {
    /// The pooling windows of a document of `len` tokens, in pooled-feature order.
    fn pool_windows(&self, len: usize, positions: usize) -> Vec<PoolWindow>;
    /// Logits `[rows, classes]` from pooled features `[rows, windows]`
    /// (evaluation mode, differentiable in `pooled`).
    fn forward_pooled(&self, pooled: &Tensor) -> Result<Tensor>;
}

/// Implements [`Classifier`] for a network with the fields every sacx network
/// has (`output`, `params.embedding_dim`, `device`, `emb`) and a fallible
/// `forward_t(embeddings, mask, None)`; extra trait items (such as
/// `linear_stage`) follow the type.
macro_rules! impl_classifier {
    ($ty:ty $(, $extra:item)*) => {
        impl $crate::classifier::Classifier for $ty {
            fn num_classes(&self) -> usize {
                self.output.b.size().first().map_or(0, |&n| n as usize)
            }
            fn embedding_dim(&self) -> usize {
                self.params.embedding_dim()
            }
            fn device(&self) -> tch::Device {
                self.device
            }
            fn pad_id(&self) -> i64 {
                self.emb.pad_id
            }
            fn vocab_size(&self) -> usize {
                self.emb.vocab_size() as usize
            }
            fn embed(&self, ids: &tch::Tensor) -> $crate::Result<tch::Tensor> {
                self.emb.forward(ids)
            }
            fn forward_embedded(
                &self,
                embeddings: &tch::Tensor,
                mask: &tch::Tensor,
            ) -> $crate::Result<tch::Tensor> {
                self.forward_t(embeddings, mask, None)
            }
            $($extra)*
        }
    };
}
pub(crate) use impl_classifier;
