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

/// Progress counted in documents without a known total (a streamed pool):
/// a counter with a message on a terminal, a line every 10 s otherwise.
pub struct Counter {
    label: String,
    bar: Option<ProgressBar>,
    last_line: Instant,
}

impl Counter {
    /// A counter named `label`.
    pub fn new(label: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{prefix:>14} {pos} docs {msg} {elapsed}")
                    .expect("valid template"),
            );
            bar.set_prefix(label.to_string());
            bar
        });
        Self {
            label: label.to_string(),
            bar,
            last_line: Instant::now(),
        }
    }

    /// Documents done so far, with a message (rates).
    pub fn update(&mut self, done: u64, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done);
                bar.set_message(message.to_string());
            }
            None if self.last_line.elapsed() >= Duration::from_secs(10) => {
                eprintln!("{}: {done} docs, {message}", self.label);
                self.last_line = Instant::now();
            }
            None => {}
        }
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A stage without a natural count (counting, ranking, evaluating): a spinner
/// on a terminal, a start and an end line otherwise.
pub struct Spinner {
    label: String,
    bar: Option<ProgressBar>,
    started: Instant,
}

impl Spinner {
    /// Starts the stage.
    pub fn start(label: &str) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
            );
            bar.set_message(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            Some(bar)
        } else {
            eprintln!("{label}…");
            None
        };
        Self {
            label: label.to_string(),
            bar,
            started: Instant::now(),
        }
    }

    /// Ends the stage with a one-line result.
    pub fn finish(self, result: &str) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "{}: {result} ({:.1} s)",
            self.label,
            self.started.elapsed().as_secs_f64()
        );
    }
}

/// A map's progress ([`sacx_map::Progress`]): a bar per running step on a
/// terminal (the two UMAP reductions run side by side), a line per step
/// every 10 s otherwise, and one line as each step ends.
pub struct MapProgress {
    bars: indicatif::MultiProgress,
    state: std::sync::Mutex<Vec<(sacx_map::Step, Option<ProgressBar>, Instant)>>,
}

impl MapProgress {
    /// A display with no step started.
    pub fn new() -> Self {
        MapProgress {
            bars: indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            state: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn bar(&self, step: sacx_map::Step, total: usize) -> Option<ProgressBar> {
        std::io::stderr().is_terminal().then(|| {
            let bar = self.bars.add(ProgressBar::new(total as u64));
            if let Ok(style) =
                ProgressStyle::with_template("{prefix:>24} [{bar:30}] {pos}/{len} {msg} ETA {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(step.name());
            bar.set_message(step.unit());
            bar
        })
    }
}

impl sacx_map::Progress for MapProgress {
    fn advance(&self, step: sacx_map::Step, done: usize, total: usize) {
        let Ok(mut running) = self.state.lock() else {
            return;
        };
        let at = match running.iter().position(|r| r.0 == step) {
            Some(at) => at,
            None => {
                running.push((step, self.bar(step, total), Instant::now()));
                running.len() - 1
            }
        };
        let (_, bar, last) = &mut running[at];
        match bar {
            Some(bar) => bar.set_position(done as u64),
            None if last.elapsed() >= Duration::from_secs(10) => {
                eprintln!("{}: {done}/{total} {}", step.name(), step.unit());
                *last = Instant::now();
            }
            None => {}
        }
    }

    fn finished(&self, step: sacx_map::Step, seconds: f64, reused: bool) {
        if let Ok(mut running) = self.state.lock()
            && let Some(at) = running.iter().position(|r| r.0 == step)
            && let (_, Some(bar), _) = running.remove(at)
        {
            bar.finish_and_clear();
            self.bars.remove(&bar);
        }
        let line = if reused {
            format!(
                "{}: reused, kept by an earlier build of the same inputs",
                step.name()
            )
        } else {
            format!("{}: {seconds:.1} s", step.name())
        };
        // Above the bars on a terminal, else a plain line.
        if !std::io::stderr().is_terminal() || self.bars.println(&line).is_err() {
            eprintln!("{line}");
        }
    }
}
