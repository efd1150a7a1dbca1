//! Training progress: an observer trait the trainer calls, a silent one, and a
//! console one (an indicatif bar per epoch on a terminal, plain lines otherwise).
use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// A progress bar per epoch on standard error when it is a terminal; otherwise
/// one plain line per `every` batches and one per epoch.
#[derive(Debug)]
pub struct ConsoleProgress {
    bar: Option<ProgressBar>,
    terminal: bool,
    every: usize,
    started: Instant,
}

impl ConsoleProgress {
    /// Bars if standard error is a terminal, plain lines every 50 batches otherwise.
    pub fn new() -> Self {
        ConsoleProgress {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
            every: 50,
            started: Instant::now(),
        }
    }

    /// Plain lines every `every` batches, even on a terminal.
    pub fn plain(every: usize) -> Self {
        ConsoleProgress {
            terminal: false,
            every: every.max(1),
            ..Self::new()
        }
    }
}

impl Default for ConsoleProgress {
    fn default() -> Self {
        Self::new()
    }
}

fn line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{args}");
}

impl TrainObserver for ConsoleProgress {
    fn epoch_start(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.started = Instant::now();
        if self.terminal {
            let bar =
                ProgressBar::with_draw_target(Some(batches as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} batches  {msg}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(format!("{epoch}/{epochs}"));
            self.bar = Some(bar);
        }
    }

    fn batch_end(&mut self, p: &BatchProgress) {
        if let Some(bar) = &self.bar {
            bar.set_position(p.batch as u64);
            bar.set_message(format!("loss {:.4}  {:.0} docs/s", p.loss, p.docs_per_sec));
        } else if p.batch.is_multiple_of(self.every) || p.batch == p.batches {
            line(format_args!(
                "epoch {}/{} batch {}/{} loss {:.4} {:.0} docs/s lr {:.2e}",
                p.epoch, p.epochs, p.batch, p.batches, p.loss, p.docs_per_sec, p.lr
            ));
        }
    }

    fn epoch_end(&mut self, s: &EpochSummary) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        line(format_args!(
            "epoch {} train loss {:.4} valid loss {:.4} micro-F1 {:.4}{} {:.0} docs/s {:.1}s",
            s.epoch,
            s.train_loss,
            s.valid_loss,
            s.valid_micro_f1,
            if s.improved { " (best)" } else { "" },
            s.docs_per_sec,
            s.seconds
        ));
    }

    fn note(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => line(format_args!("{message}")),
        }
    }
}
