//! `sacx explain`: Integrated Gradients for one trained seed's validation documents.
use anyhow::Result;
use sacx_data::layout::SeedLayout;
use sacx_pipeline::options::{CorpusArgs, IgArgs, SplitArgs, TrainArgs};
use sacx_pipeline::seed::{self, ExplainJob};
use std::path::PathBuf;

/// Arguments of `sacx explain`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// The seed the model was trained with (its split's validation documents are explained).
    #[arg(long)]
    pub seed: u64,
    /// The seed's directory written by `sacx train`; shards go to `DIR/explanations/`.
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub ig: IgArgs,
    /// auto (CUDA when present), cpu, or cuda:N.
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    /// CPU threads for libtorch [default: libtorch's choice].
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(n) = args.threads {
        tch::set_num_threads(n as i32);
    }
    let corpus = args.corpus.load()?;
    eprintln!("{}", corpus.report);
    let layout = SeedLayout::at(&args.run);
    let job = ExplainJob {
        corpus: &corpus,
        seed: args.seed,
        split: &args.split,
        device: args.device.parse()?,
        ig: &args.ig,
    };
    seed::explain(&job, &layout, &mut crate::observer::Console::new())?;
    println!("explanations: {}", layout.explanations().display());
    Ok(())
}
