//! `sacx predict`: a run's models (or one checkpoint) score any corpus, streaming.
use super::reading::ReadArgs;
use anyhow::Result;
use sacx_pipeline::options::TrainArgs;
use sacx_pipeline::predict::{PredictJob, PredictParams};
use std::ffi::OsString;
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
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub options: PredictOptions,
}

/// How `sacx predict` scores, apart from what and where.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct PredictOptions {
    /// Also write every part as part-NNNNN.jsonl (same fields).
    #[arg(long)]
    pub jsonl: bool,
    /// Documents per part (the unit of resuming).
    #[arg(long, default_value_t = PredictParams::default().chunk_docs())]
    pub chunk_docs: u64,
    /// Documents per model call.
    #[arg(long, default_value_t = PredictParams::default().batch_size())]
    pub batch_size: usize,
    /// Languages of the corpus files, in file order (`en,fi`), or one for all.
    #[arg(long, value_name = "LANG,...", value_delimiter = ',')]
    pub language: Vec<String>,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    /// CPU threads for libtorch, 1 to 1024 [default: libtorch's choice].
    #[arg(long, value_parser = sacx_pipeline::options::model::parse_threads)]
    pub threads: Option<usize>,
}

impl PredictOptions {
    /// The checked prediction parameters.
    pub fn params(&self) -> Result<PredictParams> {
        Ok(PredictParams::builder()
            .chunk_docs(self.chunk_docs)
            .batch_size(self.batch_size)
            .jsonl(self.jsonl)
            .build()?)
    }

    /// `--jsonl`, `--chunk-docs`, `--batch-size` and `--device` as
    /// command-line words (`--language` and `--threads` depend on the job).
    pub fn to_args(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        if self.jsonl {
            out.push("--jsonl".into());
        }
        for (flag, value) in [
            ("--chunk-docs", self.chunk_docs.to_string()),
            ("--batch-size", self.batch_size.to_string()),
            ("--device", self.device.clone()),
        ] {
            out.push(flag.into());
            out.push(value.into());
        }
        out
    }
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let opts = &args.options;
    let params = opts.params()?;
    let mut load = args.read.load_builder()?;
    if !opts.language.is_empty() {
        load = load.languages(opts.language.iter().cloned());
    }
    if let Some(n) = opts.threads {
        tch::set_num_threads(n as i32);
    }
    let job = PredictJob {
        model: args.model.clone(),
        corpus: args.corpus.clone(),
        load: load.build()?,
        out: args.out.clone(),
        params,
        device: opts.device.parse()?,
    };
    let summary = job.run(&mut crate::observer::Console::new())?;
    let mut skipped = String::new();
    if summary.empty_texts > 0 {
        skipped += &format!("; {} with an empty text skipped", summary.empty_texts);
    }
    if summary.bad_lines > 0 {
        skipped += &format!("; {} bad lines skipped", summary.bad_lines);
    }
    eprintln!(
        "{} documents ({} scored, {} parts written, {} found complete){skipped}, {:.0} docs/s",
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
