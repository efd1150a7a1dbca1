//! Training progress on standard error: an indicatif bar per epoch on a
//! terminal, plain lines otherwise (the [`TrainObserver`] the CLI trains with).
use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sacx_model::{BatchProgress, EpochSummary, TrainObserver};

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
