//! One training run's inputs, checked when built.
use std::path::{Path, PathBuf};

use crate::checkpoint::TokenizerFiles;
use crate::embedding::WordVectors;
use crate::example::{Example, validate};
use crate::model::ModelSpec;
use crate::train_params::TrainParams;
use crate::{Error, Result};

/// One training run's inputs, checked when built: build with [`TrainJob::new`],
/// then optionally [`TrainJob::resume`], [`TrainJob::tokenizer`] and
/// [`TrainJob::vectors`].
pub struct TrainJob<'a> {
    pub(crate) spec: ModelSpec,
    pub(crate) labels: Vec<String>,
    pub(crate) params: TrainParams,
    pub(crate) train: &'a [Example],
    pub(crate) valid: &'a [Example],
    pub(crate) out_dir: PathBuf,
    pub(crate) resume: bool,
    pub(crate) tokenizer: Option<&'a dyn TokenizerFiles>,
    pub(crate) vectors: Option<&'a WordVectors>,
}

impl<'a> TrainJob<'a> {
    /// A fresh run of the model `spec` with class names `labels` (one per
    /// class), trained on `train`, validated on `valid`, written to `out_dir`.
    ///
    /// Errors: a label count or `pos_weight` length other than the class count,
    /// an empty split, an example with an id outside the vocabulary or a label
    /// outside the classes.
    pub fn new(
        spec: ModelSpec,
        labels: Vec<String>,
        params: TrainParams,
        train: &'a [Example],
        valid: &'a [Example],
        out_dir: impl Into<PathBuf>,
    ) -> Result<Self> {
        let c = spec.num_classes;
        if labels.len() != c {
            return Err(Error::param("labels", labels.len(), "one label per class"));
        }
        if let Some(w) = params.pos_weight()
            && w.len() != c
        {
            return Err(Error::param(
                "pos_weight",
                format!("{} weights", w.len()),
                "one weight per class",
            ));
        }
        if train.is_empty() {
            return Err(Error::EmptySplit { split: "train" });
        }
        if valid.is_empty() {
            return Err(Error::EmptySplit { split: "valid" });
        }
        validate(train, spec.vocab_size, c, "train")?;
        validate(valid, spec.vocab_size, c, "valid")?;
        Ok(TrainJob {
            spec,
            labels,
            params,
            train,
            valid,
            out_dir: out_dir.into(),
            resume: false,
            tokenizer: None,
            vectors: None,
        })
    }

    /// Continue the run in the output directory from its last completed
    /// epoch, if any (default false: a directory holding a run is an error).
    pub fn resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Saved into every checkpoint when given (default none).
    pub fn tokenizer(mut self, tokenizer: Option<&'a dyn TokenizerFiles>) -> Self {
        self.tokenizer = tokenizer;
        self
    }

    /// Pretrained vectors for the embedding, fresh runs only (default none).
    pub fn vectors(mut self, vectors: Option<&'a WordVectors>) -> Self {
        self.vectors = vectors;
        self
    }

    /// The run directory.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// The training settings.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }
}
