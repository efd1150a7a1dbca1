//! The whole sacx pipeline from Rust, on 300 documents of the bundled corpus:
//! two seeds trained and explained, keywords ranked across them, the baselines,
//! the evaluation and the report.
//!
//! ```text
//! cargo run --release --example pipeline [OUT_DIR]
//! ```
//!
//! It also runs in the test suite (`cargo test --example pipeline`), which
//! checks that every class has its keyword list and that the report exists.
use sacx::pipeline::{Event, Observer, Run, RunOptions, Summary};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// Documents taken from the bundled corpus.
const DOCUMENTS: usize = 300;

/// Prints the run's notes and stage results; ignores the progress events.
struct Lines;

impl sacx::model::TrainObserver for Lines {}

impl Observer for Lines {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Note(line) => println!("{line}"),
            Event::StageFinished { stage, result, .. } => println!("{stage}: {result}"),
            Event::Report { path } => println!("report: {}", path.display()),
            _ => {}
        }
    }
}

/// Writes the first `n` documents of the bundled corpus to `path`.
fn bundled_subset(path: &Path, n: usize) -> std::io::Result<()> {
    let gz = flate2::read::GzDecoder::new(sacx::pipeline::bundled::BYTES);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in BufReader::new(gz).lines().take(n) {
        writeln!(out, "{}", line?)?;
    }
    out.flush()
}

/// Runs the pipeline into `out` with small, fast settings.
fn run(out: &Path) -> Result<Summary, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(out)?;
    let corpus = out.with_extension("jsonl");
    bundled_subset(&corpus, DOCUMENTS)?;
    let mut options = RunOptions::default();
    options.train.epochs = 3;
    options.train.threads = Some(2);
    options.model.embedding_dim = Some(32);
    options.model.filters = Some(32);
    options.model.hidden = Some(64);
    options.ig.ig_steps = 16;
    options.eval.k = vec![10];
    let summary = Run::builder()
        .options(options)
        .corpus([corpus])
        .seed_list([1, 2])
        .out(out)
        .build()?
        .run(&mut Lines)?;
    Ok(summary)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sacx-example".to_string());
    let summary = run(Path::new(&out))?;
    println!(
        "{} seeds in {:.1} s; keywords in {}",
        summary.seeds.len(),
        summary.seconds,
        summary.out.join("keywords").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pipeline_runs_from_rust_and_writes_keywords_for_every_class() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let summary = super::run(&out).unwrap();
        assert_eq!(summary.seeds, vec![1, 2]);
        assert!(summary.report.as_ref().unwrap().is_file());
        let keywords = sacx::aggregate::Keywords::read(
            &out.join("keywords").join(sacx::aggregate::KEYWORDS_JSON),
        )
        .unwrap();
        assert!(!keywords.classes.is_empty());
        assert!(
            keywords
                .classes
                .iter()
                .all(|c| !c.keywords.is_empty() || c.note.is_some()),
            "a class without keywords must say why"
        );
        // A second run of the same directory resumes: every stage is skipped
        // and the keywords are the same bytes.
        let before =
            std::fs::read(out.join("keywords").join(sacx::aggregate::KEYWORDS_JSON)).unwrap();
        super::run(&out).unwrap();
        let after =
            std::fs::read(out.join("keywords").join(sacx::aggregate::KEYWORDS_JSON)).unwrap();
        assert_eq!(before, after);
    }
}
