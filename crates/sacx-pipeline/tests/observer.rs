//! A run reports what it does through its observer, and a second run of the
//! same directory skips every seed stage and says so.
use sacx_data::{Corpus, LoadOptions};
use sacx_model::{EpochSummary, TrainObserver};
use sacx_pipeline::{Error, Event, Observer, Run, RunOptions, bundled};
use std::path::Path;

/// Records the events as short strings.
#[derive(Default)]
struct Recorder {
    events: Vec<String>,
    epochs: usize,
}

impl TrainObserver for Recorder {
    fn epoch_end(&mut self, _summary: &EpochSummary) {
        self.epochs += 1;
    }
}

impl Observer for Recorder {
    fn event(&mut self, event: Event<'_>) {
        let text = match event {
            Event::Loaded(r) => format!("loaded {}", r.lines),
            Event::Note(line) => format!("note {line}"),
            Event::StageStarted { stage } => format!("start {stage}"),
            Event::StageFinished { stage, .. } => format!("end {stage}"),
            Event::Explaining { .. } => "explaining".to_string(),
            Event::Explained { seed } => format!("explained {seed}"),
            Event::Keywords { keywords, .. } => format!("keywords {}", keywords.classes.len()),
            Event::Report { .. } => "report".to_string(),
            _ => "other".to_string(),
        };
        if self.events.last() != Some(&text) {
            self.events.push(text);
        }
    }
}

fn corpus(dir: &Path, n: usize) -> std::path::PathBuf {
    let all = Corpus::from_reader(bundled::NAME, bundled::BYTES, &LoadOptions::default()).unwrap();
    let lines: Vec<String> = all
        .docs
        .iter()
        .take(n)
        .map(|d| {
            let labels: Vec<&str> = d
                .labels
                .iter()
                .filter_map(|&l| all.labels.name(l))
                .collect();
            serde_json::json!({ "id": d.id, "lang": d.lang, "text": d.text, "labels": labels })
                .to_string()
        })
        .collect();
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

fn options() -> RunOptions {
    let mut o = RunOptions::default();
    o.train.epochs = 2;
    o.train.threads = Some(1);
    o.model.embedding_dim = Some(16);
    o.model.filters = Some(16);
    o.model.hidden = Some(32);
    o.ig.ig_steps = 8;
    o.eval.k = vec![10];
    o
}

#[test]
fn events_follow_the_stages_and_a_resume_skips_the_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = corpus(tmp.path(), 200);
    let run = Run::builder()
        .options(options())
        .corpus([&corpus])
        .seed_list([1])
        .out(tmp.path().join("run"))
        .build()
        .unwrap();

    let mut first = Recorder::default();
    run.run(&mut first).unwrap();
    assert_eq!(first.events[0], "loaded 200");
    assert!(first.epochs >= 1, "training progress reaches the observer");
    let at = |r: &Recorder, e: &str| r.events.iter().position(|x| x == e);
    let order = [
        "explaining",
        "explained 1",
        "start counting class words",
        "end counting class words",
        "end evaluating keywords",
        "report",
    ];
    let positions: Vec<Option<usize>> = order.iter().map(|e| at(&first, e)).collect();
    assert!(positions.iter().all(Option::is_some), "{:?}", first.events);
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{:?}",
        first.events
    );
    assert!(first.events.iter().any(|e| e.starts_with("keywords ")));

    let mut second = Recorder::default();
    run.run(&mut second).unwrap();
    assert_eq!(second.epochs, 0, "nothing is trained again");
    assert!(
        at(
            &second,
            "note seed 1: trained model found, skipping training"
        )
        .is_some()
    );
    assert!(
        at(
            &second,
            "note seed 1: explanations found, skipping explanation"
        )
        .is_some()
    );
    assert!(at(&second, "explaining").is_none());
}

#[test]
fn bad_options_are_refused_when_the_run_is_built() {
    let mut o = options();
    o.eval.k = vec![0];
    match Run::builder().options(o).build() {
        Err(Error::InvalidParameter(p)) => assert_eq!((p.name(), p.value()), ("eval-k", "0")),
        other => panic!("expected an option error, got {other:?}"),
    }
    let mut o = options();
    o.keywords.top_n = 0;
    let err = Run::builder().options(o).build().unwrap_err();
    assert!(
        matches!(&err, Error::Aggregate(sacx_aggregate::Error::InvalidParameter(p)) if p.name() == "top_n"),
        "{err:?}"
    );
    let mut o = options();
    o.train.threads = Some(0);
    let err = Run::builder().options(o).build().unwrap_err();
    assert!(err.to_string().starts_with("threads = 0"), "{err}");
}
