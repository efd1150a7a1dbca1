//! Progress on standard error: bars on a terminal, plain periodic lines otherwise.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Progress of one long stage (explanation, aggregation) counted in documents.
pub struct StageProgress {
    label: String,
    bar: Option<ProgressBar>,
    last_line: Instant,
    every: Duration,
}

impl StageProgress {
    /// A progress display for `total` documents.
    pub fn new(label: &str, total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>14} [{bar:30}] {pos}/{len} docs {msg} ETA {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            bar
        });
        Self {
            label: label.to_string(),
            bar,
            last_line: Instant::now(),
            every: Duration::from_secs(10),
        }
    }

    /// Documents done so far, with a free-form message (pairs, rates).
    pub fn update(&mut self, done: u64, total: u64, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done);
                bar.set_message(message.to_string());
            }
            None => {
                if self.last_line.elapsed() >= self.every || done == total {
                    eprintln!("{}: {done}/{total} docs, {message}", self.label);
                    self.last_line = Instant::now();
                }
            }
        }
    }

    /// Ends the display.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
