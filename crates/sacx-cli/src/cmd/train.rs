//! `sacx train`: one seed's split, tokenizer and classifier.
use anyhow::Result;
use sacx_data::layout::SeedLayout;
use sacx_pipeline::options::{CorpusArgs, ModelArgs, SplitArgs, TokenizerArgs, TrainArgs};
use sacx_pipeline::seed::{self, SeedJob, SeedParams};
use std::path::PathBuf;

/// Arguments of `sacx train`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// The seed of the split, initialisation, dropout and batch order.
    #[arg(long)]
    pub seed: u64,
    /// The seed's directory: `split.json`, `model/` (best/, last/, metrics.json).
    /// A killed training started again resumes from its last epoch.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub tokenizer: TokenizerArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub train: TrainArgs,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    if let Some(n) = args.train.threads {
        tch::set_num_threads(n as i32);
    }
    // Every option is checked once, before any work (an unusable hf:DIR too).
    let params = SeedParams::check(
        args.seed,
        &args.split,
        &args.tokenizer,
        &args.model,
        &args.train,
    )?;
    let corpus = args.corpus.load()?;
    eprintln!("{}", corpus.report);
    let layout = SeedLayout::at(&args.out);
    let job = SeedJob {
        corpus: &corpus,
        segmenter: args.corpus.segmenter(),
        seed: args.seed,
        params: &params,
    };
    seed::train(&job, &layout, &mut crate::observer::Console::new())?;
    println!("model: {}", layout.checkpoint().display());
    Ok(())
}
