//! Training progress: the observer trait the trainer calls, and a silent one.
//! Displays (bars, log lines) live with the application, not in this library.

/// Progress after one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchProgress {
    /// Current epoch (1-based).
    pub epoch: usize,
    /// Epochs planned.
    pub epochs: usize,
    /// Batches done in this epoch (1-based).
    pub batch: usize,
    /// Batches in this epoch.
    pub batches: usize,
    /// Mean training loss over the epoch so far.
    pub loss: f64,
    /// Documents per second over the epoch so far.
    pub docs_per_sec: f64,
    /// The learning rate of the last optimizer step.
    pub lr: f64,
}

/// Summary of one finished epoch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochSummary {
    /// The epoch (1-based).
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f64,
    /// Validation loss.
    pub valid_loss: f64,
    /// Validation micro-F1 at the decision threshold.
    #[serde(default)]
    pub valid_micro_f1: f64,
    /// Training documents per second (training passes only).
    pub docs_per_sec: f64,
    /// Wall-clock seconds of the epoch, validation included.
    pub seconds: f64,
    /// Whether the monitored validation figure ([`crate::Monitor`]) improved on
    /// every earlier epoch (this epoch's weights became the best checkpoint).
    pub improved: bool,
}

/// Receives training progress. Every method has an empty default.
pub trait TrainObserver {
    /// An epoch starts with `batches` batches.
    fn epoch_start(&mut self, _epoch: usize, _epochs: usize, _batches: usize) {}
    /// A batch finished.
    fn batch_end(&mut self, _progress: &BatchProgress) {}
    /// An epoch finished (after validation).
    fn epoch_end(&mut self, _summary: &EpochSummary) {}
    /// A free-form note (resuming, early stopping).
    fn note(&mut self, _message: &str) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl TrainObserver for Silent {}
