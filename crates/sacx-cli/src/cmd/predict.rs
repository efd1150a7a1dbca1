//! `sacx predict`: a run's models (or one checkpoint) score any corpus, streaming.
use anyhow::Result;
use sacx_data::{Format, LoadOptions};
use sacx_pipeline::options::TrainArgs;
use sacx_pipeline::predict::{PredictJob, PredictParams};
use std::path::PathBuf;

/// Arguments of `sacx predict`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory (`sacx run --out`, every trained seed: the seed
    /// ensemble) or one checkpoint directory (`…/model/best`).
    #[arg(long, value_name = "RUN_DIR|CHECKPOINT")]
    pub model: PathBuf,
    /// The documents: JSON Lines (every line needs an `id`; `labels` optional)
    /// or SACX TSV, gzipped or not, read in order and streamed.
    #[arg(long, value_name = "FILE", required = true, num_args = 1.., action = clap::ArgAction::Append)]
    pub corpus: Vec<PathBuf>,
    /// Output directory: predictions.json, part-NNNNN.parquet, metrics.json
    /// (with gold labels), summary.json. A killed prediction resumes here.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also write every part as part-NNNNN.jsonl (same fields).
    #[arg(long)]
    pub jsonl: bool,
    /// Documents per part (the unit of resuming).
    #[arg(long, default_value_t = PredictParams::default().chunk_docs())]
    pub chunk_docs: u64,
    /// Documents per model call.
    #[arg(long, default_value_t = PredictParams::default().batch_size())]
    pub batch_size: usize,
    /// Corpus format; `auto` tells by the file name.
    #[arg(long, default_value = "auto", value_parser = ["auto", "jsonl", "tsv"])]
    pub format: String,
    /// Languages of the corpus files, in file order (`en,fi`), or one for all.
    #[arg(long, value_name = "LANG,...", value_delimiter = ',')]
    pub language: Vec<String>,
    /// Count and report malformed lines instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_lines: bool,
    /// Insert a space after `.,:;!?"()` when a word character follows (give it
    /// when the model was trained with --preprocess).
    #[arg(long)]
    pub preprocess: bool,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    /// CPU threads for libtorch [default: libtorch's choice].
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(args: &Args) -> Result<()> {
    let params = PredictParams::builder()
        .chunk_docs(args.chunk_docs)
        .batch_size(args.batch_size)
        .jsonl(args.jsonl)
        .build()?;
    let mut load = LoadOptions::builder()
        .format(args.format.parse::<Format>()?)
        .skip_bad_lines(args.skip_bad_lines)
        .preprocess(args.preprocess)
        .require_ids(true);
    if !args.language.is_empty() {
        load = load.languages(args.language.iter().cloned());
    }
    if let Some(n) = args.threads {
        tch::set_num_threads(n as i32);
    }
    let job = PredictJob {
        model: args.model.clone(),
        corpus: args.corpus.clone(),
        load: load.build()?,
        out: args.out.clone(),
        params,
        device: args.device.parse()?,
    };
    let summary = job.run(&mut crate::observer::Console::new())?;
    eprintln!(
        "{} documents ({} scored, {} parts written, {} found complete), {:.0} docs/s",
        summary.documents,
        summary.scored,
        summary.parts_written,
        summary.parts_skipped,
        summary.docs_per_second
    );
    if summary.labelled > 0 {
        println!(
            "metrics ({} documents with gold labels): {}",
            summary.labelled,
            args.out.join("metrics.json").display()
        );
    }
    println!("predictions: {}", args.out.display());
    Ok(())
}
