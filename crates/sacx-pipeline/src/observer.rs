//! How a pipeline run reports what it does: an [`Observer`] receives every
//! event; rendering (bars, spinners, plain lines) is the caller's business.
use sacx_aggregate::Keywords;
use sacx_data::LoadReport;
use sacx_ig::Progress;
use sacx_model::TrainObserver;
use std::path::Path;

/// One thing that happened in a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The corpus was read.
    Loaded(&'a LoadReport),
    /// A line worth showing the user (a skipped stage, a seed's result, a
    /// truncation count, temporary files removed).
    Note(&'a str),
    /// Documents of a seed were cut at the tokenizer's maximum length.
    Truncated {
        /// The seed.
        seed: u64,
        /// Documents cut.
        truncated: usize,
        /// Documents tokenized (training and validation).
        documents: usize,
        /// The maximum length in tokens.
        max_len: usize,
    },
    /// A stage without a natural count started (counting, ranking, baselines,
    /// evaluation, faithfulness).
    StageStarted {
        /// What the stage does, e.g. `counting class words`.
        stage: &'a str,
    },
    /// The stage last started finished.
    StageFinished {
        /// The stage, as in [`Event::StageStarted`].
        stage: &'a str,
        /// Its one-line result (a path, a count).
        result: &'a str,
        /// Wall time of the stage.
        seconds: f64,
    },
    /// A seed's explanation advanced.
    Explaining {
        /// The seed.
        seed: u64,
        /// Documents and pairs done so far.
        progress: &'a Progress,
    },
    /// A seed's explanation finished.
    Explained {
        /// The seed.
        seed: u64,
    },
    /// A prediction finished a part (written or found complete).
    Predicting {
        /// Documents of the pool passed so far.
        documents: u64,
        /// Of them, documents scored in this call.
        scored: u64,
        /// Seconds spent scoring and writing in this call.
        seconds: f64,
    },
    /// The IG keyword lists were written to `dir`.
    Keywords {
        /// The lists.
        keywords: &'a Keywords,
        /// Where they were written.
        dir: &'a Path,
    },
    /// The report was written.
    Report {
        /// The page.
        path: &'a Path,
    },
}

/// Receives a run's events and its training progress (every method has a
/// default that ignores it).
///
/// ```
/// use sacx_pipeline::{Event, Observer};
/// /// Keeps the notes, ignores the rest.
/// #[derive(Default)]
/// struct Notes(Vec<String>);
/// impl sacx_model::TrainObserver for Notes {}
/// impl Observer for Notes {
///     fn event(&mut self, event: Event<'_>) {
///         if let Event::Note(line) = event {
///             self.0.push(line.to_string());
///         }
///     }
/// }
/// let mut notes = Notes::default();
/// notes.event(Event::Note("seed 1: trained model found, skipping training"));
/// assert_eq!(notes.0.len(), 1);
/// ```
pub trait Observer: TrainObserver {
    /// One event of the run.
    fn event(&mut self, _event: Event<'_>) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl TrainObserver for Silent {}
impl Observer for Silent {}

/// Wall time of a stage, reported as [`Event::StageStarted`] and
/// [`Event::StageFinished`].
pub(crate) struct Stage {
    name: String,
    started: std::time::Instant,
}

impl Stage {
    pub(crate) fn start(observer: &mut dyn Observer, name: String) -> Self {
        observer.event(Event::StageStarted { stage: &name });
        crate::memory::stage_start();
        Stage {
            name,
            started: std::time::Instant::now(),
        }
    }

    /// Ends the stage; returns its seconds.
    pub(crate) fn finish(self, observer: &mut dyn Observer, result: &str) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        observer.event(Event::StageFinished {
            stage: &self.name,
            result,
            seconds,
        });
        seconds
    }
}
