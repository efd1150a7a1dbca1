//! `sacx explain`: Integrated Gradients for one trained seed's validation
//! documents (`--run DIR --seed N`), or for any documents with a run's models
//! (`--model RUN_DIR|CHECKPOINT --corpus FILES --out DIR`).
use anyhow::{Result, bail};
use sacx_data::layout::SeedLayout;
use sacx_pipeline::ExplainCorpusJob;
use sacx_pipeline::options::{CorpusArgs, IgArgs, SplitArgs, TrainArgs};
use sacx_pipeline::seed::{self, ExplainJob};
use std::path::PathBuf;

/// Arguments of `sacx explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// The seed the model was trained with (its split's validation documents are explained).
    #[arg(long, requires = "run", conflicts_with = "model")]
    pub seed: Option<u64>,
    /// The seed's directory written by `sacx train`; shards go to `DIR/explanations/`.
    #[arg(long, value_name = "DIR", requires = "seed", conflicts_with = "model")]
    pub run: Option<PathBuf>,
    /// Explain the documents of --corpus (every line needs an `id`; labels
    /// optional: a document without them is explained for its predicted
    /// classes) with this run's seeds or this one checkpoint.
    #[arg(long, value_name = "RUN_DIR|CHECKPOINT", requires = "out")]
    pub model: Option<PathBuf>,
    /// With --model: shards go to `DIR/seed-N/`, one directory per seed.
    #[arg(long, value_name = "DIR", requires = "model")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub ig: IgArgs,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    /// CPU threads for libtorch, 1 to 1024 [default: libtorch's choice].
    #[arg(long, value_parser = sacx_pipeline::options::model::parse_threads)]
    pub threads: Option<usize>,
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(out) = args.out.as_ref().or(args.run.as_ref()) {
        super::check_out(out, sacx_data::OutputKind::Dir)?;
    }
    if let Some(n) = args.threads {
        tch::set_num_threads(n as i32);
    }
    match (&args.model, &args.out, &args.run, args.seed) {
        (Some(model), Some(out), _, _) => corpus_mode(args, model, out),
        (_, _, Some(run), Some(seed)) => validation_mode(args, run, seed),
        _ => bail!(
            "give --run DIR --seed N (a seed's validation documents) or --model RUN_DIR --corpus FILE --out DIR (any documents)"
        ),
    }
}

fn validation_mode(args: &Args, run: &std::path::Path, seed: u64) -> Result<()> {
    let split = args.split.options(seed)?;
    let corpus = args.corpus.load()?;
    eprintln!("{}", corpus.report);
    let layout = SeedLayout::at(run);
    let job = ExplainJob {
        corpus: &corpus,
        seed,
        split: &split,
        device: args.device.parse()?,
        ig: &args.ig,
    };
    seed::explain(&job, &layout, &mut crate::observer::Console::new())?;
    println!("explanations: {}", layout.explanations().display());
    Ok(())
}

fn corpus_mode(args: &Args, model: &std::path::Path, out: &std::path::Path) -> Result<()> {
    if args.corpus.corpus.is_empty() {
        bail!("--model explains the documents of --corpus: give --corpus FILE");
    }
    let job = ExplainCorpusJob {
        model: model.to_path_buf(),
        corpus: args.corpus.corpus.clone(),
        load: args.corpus.pool_options()?,
        out: out.to_path_buf(),
        device: args.device.parse()?,
        ig: &args.ig,
    };
    for dir in job.run(&mut crate::observer::Console::new())? {
        println!("explanations: {}", dir.display());
    }
    Ok(())
}
