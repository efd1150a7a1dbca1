#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod builder;
pub mod checkpoint;
pub mod classifier;
pub mod data;
pub mod device;
pub mod embed_pool;
pub mod embedding;
mod error;
pub mod example;
mod layers;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod params;
pub mod progress;
mod rng;
pub mod train;
pub mod train_params;
pub mod transformer;
mod weights;
pub mod xml_cnn;

pub use checkpoint::{Checkpoint, CheckpointConfig, TokenizerFiles, TokenizerInfo};
pub use classifier::{Classifier, LinearStage, MaxPoolHead, PoolWindow};
pub use device::DeviceSpec;
pub use embed_pool::{EmbedPool, EmbedPoolParams};
pub use embedding::WordVectors;
pub use error::{Error, Result};
pub use example::{Batch, Example};
pub use metrics::Metrics;
pub use model::{Architecture, Model, ModelSpec};
pub use optim::AdamW;
pub use progress::{BatchProgress, ConsoleProgress, EpochSummary, Silent, TrainObserver};
pub use train::{TrainJob, TrainReport, fit_batches, train};
pub use train_params::{Monitor, TrainParams, balanced_pos_weights};
pub use transformer::{Pooling, Transformer, TransformerParams};
pub use xml_cnn::{XmlCnn, XmlCnnParams};
