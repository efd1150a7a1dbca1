//! `sacx run`: the whole pipeline (a thin mapping onto `sacx_pipeline::Run`),
//! and `sacx run-plan`: the same for a plan file that `sacx slurm` wrote.
use crate::observer::Console;
use anyhow::Result;
use sacx_pipeline::{Run, RunOptions, RunPlan};
use std::path::PathBuf;

/// Arguments of `sacx run`: the library's run options, one flag per field.
pub type Args = RunOptions;

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    Run::builder()
        .options(args.clone())
        .build()?
        .run(&mut Console::new())?;
    Ok(())
}

/// Arguments of `sacx run-plan`: a plan file and what a cluster job changes.
#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// The plan file (`<out>/slurm/plan.json`, written by `sacx slurm`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Only these seeds (an array task's).
    #[arg(long, value_delimiter = ',', value_name = "SEED,...")]
    pub seed_list: Vec<u64>,
    /// Only train and explain the seeds, then stop.
    #[arg(long)]
    pub seeds_only: bool,
    /// CPU threads for libtorch, used when the plan names none.
    #[arg(long, value_parser = sacx_pipeline::options::model::parse_threads)]
    pub threads: Option<usize>,
}

pub fn run_plan(args: &PlanArgs) -> Result<()> {
    let mut options = RunPlan::read(&args.plan)?;
    if !args.seed_list.is_empty() {
        options.seed_list.clone_from(&args.seed_list);
    }
    options.seeds_only |= args.seeds_only;
    if options.train.threads.is_none() {
        options.train.threads = args.threads;
    }
    run(&options)
}
