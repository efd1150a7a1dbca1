//! `sacx slurm`: the same run as `sacx run`, as Slurm jobs — an array task per
//! seed (train + explain into the run directory) and a dependent aggregation job
//! (`--dependency=afterok`) that ranks keywords, evaluates and reports. A partly
//! finished cluster run is completed by `sacx run` with the same options.
//! `sacx slurm select` (`select.rs`) scores a pool file by file and selects
//! from it; `sbatch.rs` holds what the scripts of both share.
use anyhow::{Context, Result};
use sacx_data::layout::RunLayout as Layout;
use sacx_pipeline::RunOptions as RunArgs;
use std::ffi::OsString;
use std::path::Path;

mod sbatch;
mod select;
use sbatch::{Job, Scheduler, Word, command_line, sbatch};

/// Arguments of `sacx slurm`: every `sacx run` option plus the scheduler's,
/// or a subcommand.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, disable_help_subcommand = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<SlurmCommand>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub scheduler: Scheduler,
}

/// What `sacx slurm` can run besides a whole run.
#[derive(clap::Subcommand, Debug)]
pub enum SlurmCommand {
    /// Score a pool split into files (an array task per file: sacx predict),
    /// then choose documents to label from all of it (a dependent sacx select job).
    Select(select::Args),
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(SlurmCommand::Select(select)) = &args.command {
        return select::run(select);
    }
    // The options are checked once, here; the jobs read the checked plan.
    let plan = args.run.clone().check()?;
    super::check_out(&args.run.out, sacx_data::OutputKind::Dir)?;
    // With --seeds auto the array trains the first --min-seeds seeds; the
    // aggregation job adds seeds one by one until the lists are stable.
    let seeds = if args.run.chooses_seeds() {
        let min = args.run.auto_seeds.min_seeds as usize;
        plan.seeds()[..min.min(plan.seeds().len())].to_vec()
    } else {
        plan.seeds().to_vec()
    };
    let layout = Layout::new(&args.run.out);
    let dir = layout.root().join("slurm");
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
    let exe = std::env::current_exe().context("cannot locate the sacx binary")?;
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let plan_path = dir.join("plan.json");
    plan.write(&plan_path)?;
    let mut common: Vec<OsString> = vec![plan_path.clone().into_os_string()];
    if args.run.train.threads.is_none() {
        common.push("--threads".into());
        common.push("${SLURM_CPUS_PER_TASK}".into());
    }
    let seed_list: Vec<String> = seeds.iter().map(u64::to_string).collect();
    let seeds_script = script(
        args,
        &cwd,
        &dir,
        "sacx-seeds",
        Some(&seed_list.join(",")),
        &exe,
        &[
            common.clone(),
            vec![
                "--seed-list".into(),
                "${SLURM_ARRAY_TASK_ID}".into(),
                "--seeds-only".into(),
            ],
        ]
        .concat(),
    );
    let aggregate_script = script(args, &cwd, &dir, "sacx-aggregate", None, &exe, &common);
    let (seeds_path, aggregate_path) = (dir.join("seeds.sbatch"), dir.join("aggregate.sbatch"));
    crate::atomic::write(&seeds_path, seeds_script.as_bytes())?;
    crate::atomic::write(&aggregate_path, aggregate_script.as_bytes())?;
    if !args.scheduler.submit {
        println!("# {}\n{seeds_script}", seeds_path.display());
        println!("# {}\n{aggregate_script}", aggregate_path.display());
        println!("submit with:");
        println!("  jobid=$(sbatch --parsable {})", seeds_path.display());
        println!(
            "  sbatch --dependency=afterok:${{jobid}} {}",
            aggregate_path.display()
        );
        return Ok(());
    }
    let seeds_job = sbatch(&seeds_path, None, "sacx slurm")?;
    let aggregate_job = sbatch(&aggregate_path, Some(&seeds_job), "sacx slurm")?;
    std::fs::write(
        dir.join("jobs.txt"),
        format!("seeds {seeds_job}\naggregate {aggregate_job}\n"),
    )
    .with_context(|| format!("{}: cannot write", dir.join("jobs.txt").display()))?;
    println!(
        "submitted: seeds array job {seeds_job} ({} tasks), aggregation job {aggregate_job} (after it succeeds)",
        seeds.len()
    );
    println!(
        "results will be in {}; logs in {}",
        layout.root().display(),
        dir.join("logs").display()
    );
    Ok(())
}

fn script(
    args: &Args,
    cwd: &Path,
    dir: &Path,
    name: &str,
    array: Option<&str>,
    exe: &Path,
    run_args: &[OsString],
) -> String {
    let log = match array {
        Some(_) => dir.join("logs/seed-%a.out"),
        None => dir.join("logs/aggregate.out"),
    };
    let job = Job {
        name,
        array,
        log: &log,
    };
    let mut s = args.scheduler.header(cwd, &job);
    let mut words = vec![Word::text("exec"), Word::text(exe), Word::text("run-plan")];
    for a in run_args {
        let a = a.to_string_lossy();
        if a.starts_with("${") {
            words.push(Word::Shell(format!("\"{a}\"")));
        } else {
            words.push(Word::text(&*a));
        }
    }
    s.push_str(&command_line(&words));
    s.push('\n');
    s
}
