//! `sacx slurm`: the same run as `sacx run`, as Slurm jobs — an array task per
//! seed (train + explain into the run directory) and a dependent aggregation job
//! (`--dependency=afterok`) that ranks keywords, evaluates and reports. A partly
//! finished cluster run is completed by `sacx run` with the same options.
use anyhow::{Context, Result, bail};
use sacx_data::layout::RunLayout as Layout;
use sacx_pipeline::RunOptions as RunArgs;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// Arguments of `sacx slurm`: every `sacx run` option plus the scheduler's.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub run: RunArgs,
    /// Slurm partition (`#SBATCH --partition`) [default: the cluster's].
    #[arg(long)]
    pub partition: Option<String>,
    /// Generic resources per task, e.g. `gpu:1`.
    #[arg(long)]
    pub gres: Option<String>,
    /// Time limit per job (`HH:MM:SS`).
    #[arg(long, default_value = "04:00:00")]
    pub time: String,
    /// CPU cores per task (also sacx's libtorch threads unless --threads is given).
    #[arg(long, default_value_t = 4)]
    pub cpus_per_task: usize,
    /// Memory per task, e.g. `16G` [default: the cluster's].
    #[arg(long)]
    pub mem: Option<String>,
    /// Slurm account to charge.
    #[arg(long)]
    pub account: Option<String>,
    /// Submit the jobs with sbatch (otherwise only write and print the scripts).
    #[arg(long)]
    pub submit: bool,
}

/// Options of `sacx slurm` that are not `sacx run` options (with whether they take a value).
const SLURM_ONLY: [(&str, bool); 7] = [
    ("--partition", true),
    ("--gres", true),
    ("--time", true),
    ("--cpus-per-task", true),
    ("--mem", true),
    ("--account", true),
    ("--submit", false),
];

/// Seed options, replaced per job.
const SEED_OPTIONS: [(&str, bool); 3] = [
    ("--seeds", true),
    ("--seed-list", true),
    ("--seeds-only", false),
];

pub fn run(args: &Args) -> Result<()> {
    let seeds = args.run.seed_list()?;
    let layout = Layout::new(&args.run.out);
    let dir = layout.root().join("slurm");
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
    let exe = std::env::current_exe().context("cannot locate the sacx binary")?;
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let passed = run_options(std::env::args_os().collect());
    let mut common = passed.clone();
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
    let aggregate_script = script(
        args,
        &cwd,
        &dir,
        "sacx-aggregate",
        None,
        &exe,
        &[
            common,
            vec!["--seed-list".into(), seed_list.join(",").into()],
        ]
        .concat(),
    );
    let (seeds_path, aggregate_path) = (dir.join("seeds.sbatch"), dir.join("aggregate.sbatch"));
    crate::atomic::write(&seeds_path, seeds_script.as_bytes())?;
    crate::atomic::write(&aggregate_path, aggregate_script.as_bytes())?;
    if !args.submit {
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
    let seeds_job = sbatch(&seeds_path, None)?;
    let aggregate_job = sbatch(&aggregate_path, Some(&seeds_job))?;
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

/// The command-line options after the `slurm` subcommand that `sacx run` takes.
fn run_options(argv: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    // Options before the subcommand (only --config is global).
    let mut before = argv.iter().skip(1).take_while(|a| *a != "slurm").cloned();
    while let Some(a) = before.next() {
        if a == "--config" {
            out.push(a);
            out.extend(before.next());
        } else if a.to_string_lossy().starts_with("--config=") {
            out.push(a);
        }
    }
    let mut it = argv
        .into_iter()
        .skip(1)
        .skip_while(|a| a != "slurm")
        .skip(1);
    while let Some(arg) = it.next() {
        let text = arg.to_string_lossy().into_owned();
        let name = text.split('=').next().unwrap_or("").to_string();
        let dropped = SLURM_ONLY
            .iter()
            .chain(SEED_OPTIONS.iter())
            .find(|(n, _)| *n == name);
        match dropped {
            Some((_, true)) if !text.contains('=') => {
                it.next();
            }
            Some(_) => {}
            None => out.push(arg),
        }
    }
    out
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
    let mut s = String::from("#!/bin/bash\n");
    s.push_str(&format!("#SBATCH --job-name={name}\n"));
    s.push_str(&format!("#SBATCH --chdir={}\n", cwd.display()));
    s.push_str(&format!("#SBATCH --time={}\n", args.time));
    s.push_str(&format!("#SBATCH --cpus-per-task={}\n", args.cpus_per_task));
    s.push_str("#SBATCH --ntasks=1\n");
    if let Some(p) = &args.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(g) = &args.gres {
        s.push_str(&format!("#SBATCH --gres={g}\n"));
    }
    if let Some(m) = &args.mem {
        s.push_str(&format!("#SBATCH --mem={m}\n"));
    }
    if let Some(a) = &args.account {
        s.push_str(&format!("#SBATCH --account={a}\n"));
    }
    let logs = dir.join("logs");
    match array {
        Some(list) => {
            s.push_str(&format!("#SBATCH --array={list}\n"));
            s.push_str(&format!(
                "#SBATCH --output={}/seed-%a.out\n",
                logs.display()
            ));
        }
        None => s.push_str(&format!(
            "#SBATCH --output={}/aggregate.out\n",
            logs.display()
        )),
    }
    s.push_str("set -euo pipefail\n");
    s.push_str(&format!("exec {} run", quote(&exe.to_string_lossy())));
    for a in run_args {
        let a = a.to_string_lossy();
        if a.starts_with("${") {
            s.push_str(&format!(" \"{a}\""));
        } else {
            s.push(' ');
            s.push_str(&quote(&a));
        }
    }
    s.push('\n');
    s
}

/// Single-quotes a word for bash.
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Submits a script, after `after` succeeded when given; returns the job id.
fn sbatch(script: &Path, after: Option<&str>) -> Result<String> {
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable");
    if let Some(id) = after {
        cmd.arg(format!("--dependency=afterok:{id}"));
    }
    cmd.arg(script);
    let out = cmd
        .output()
        .context("cannot run sbatch; is Slurm installed here? Without --submit, sacx slurm only writes the scripts")?;
    if !out.status.success() {
        bail!(
            "sbatch {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() {
        bail!("sbatch {} printed no job id", script.display());
    }
    Ok(id)
}
