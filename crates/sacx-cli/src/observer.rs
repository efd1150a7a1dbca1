//! The console rendering of a pipeline's events: training bars, explanation
//! bars, stage spinners and notes on standard error; keyword summaries on
//! standard output.
use crate::progress::{Counter, Spinner, StageProgress};
use crate::train_progress::ConsoleProgress;
use sacx_model::{BatchProgress, EpochSummary, TrainObserver};
use sacx_pipeline::{Event, Observer};
use std::collections::HashMap;

/// Renders every event of a run.
pub struct Console {
    train: ConsoleProgress,
    spinner: Option<Spinner>,
    explaining: HashMap<u64, StageProgress>,
    predicting: Option<Counter>,
}

impl Console {
    /// Bars on a terminal, plain lines otherwise.
    pub fn new() -> Self {
        Console {
            train: ConsoleProgress::new(),
            spinner: None,
            explaining: HashMap::new(),
            predicting: None,
        }
    }
}

impl TrainObserver for Console {
    fn epoch_start(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.train.epoch_start(epoch, epochs, batches);
    }
    fn batch_end(&mut self, progress: &BatchProgress) {
        self.train.batch_end(progress);
    }
    fn epoch_end(&mut self, summary: &EpochSummary) {
        self.train.epoch_end(summary);
    }
    fn note(&mut self, message: &str) {
        self.train.note(message);
    }
}

impl Observer for Console {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Loaded(report) => eprintln!("{report}"),
            Event::Note(line) => eprintln!("{line}"),
            Event::Truncated {
                seed,
                truncated,
                documents,
                max_len,
            } => eprintln!(
                "seed {seed}: {truncated} of {documents} documents truncated at tokenization (--max-len {max_len})"
            ),
            Event::StageStarted { stage } => self.spinner = Some(Spinner::start(stage)),
            Event::StageFinished { result, .. } => {
                if let Some(s) = self.spinner.take() {
                    s.finish(result);
                }
            }
            Event::Explaining { seed, progress: p } => {
                let bar = self.explaining.entry(seed).or_insert_with(|| {
                    StageProgress::new(&format!("explain seed-{seed}"), p.docs_total as u64)
                });
                let rate = p.pairs_done as f64 / p.seconds.max(1e-9);
                bar.update(
                    p.docs_done as u64,
                    p.docs_total as u64,
                    &format!("{} pairs, {rate:.1} pairs/s", p.pairs_done),
                );
            }
            Event::Explained { seed } => {
                if let Some(bar) = self.explaining.remove(&seed) {
                    bar.finish();
                }
            }
            Event::Predicting {
                documents,
                scored,
                seconds,
            } => {
                let bar = self
                    .predicting
                    .get_or_insert_with(|| Counter::new("predict"));
                let rate = scored as f64 / seconds.max(1e-9);
                bar.update(documents, &format!("{scored} scored, {rate:.0} docs/s"));
            }
            Event::Keywords { keywords, dir } => print_keywords(keywords, dir),
            Event::Report { path } => println!("report: {}", path.display()),
            _ => {}
        }
    }
}

/// One line per class with its first keywords.
pub fn print_keywords(keywords: &sacx_aggregate::Keywords, out: &std::path::Path) {
    for c in &keywords.classes {
        let top: Vec<&str> = c.keywords.iter().take(8).map(|k| k.word.as_str()).collect();
        match &c.note {
            Some(why) if top.is_empty() => println!("{:<20} (no keywords: {why})", c.class),
            _ => println!("{:<20} {}", c.class, top.join(", ")),
        }
    }
    println!(
        "keywords ({}) written to {}",
        keywords.method,
        out.display()
    );
}
