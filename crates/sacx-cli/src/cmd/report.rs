//! `sacx report`: the self-contained HTML report of a run directory.
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `sacx report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The run directory (`sacx run --out DIR`); the report is `DIR/report.html`.
    #[arg(long, value_name = "DIR", default_value = "sacx-out")]
    pub run: PathBuf,
    /// Write the report even when DIR holds no sacx run.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args) -> Result<()> {
    use sacx_pipeline::guard;
    if !args.force && !guard::is_run_dir(&args.run) {
        anyhow::bail!(
            "{}: not a sacx run directory (no sacx params.json); give the --out of a sacx run, or --force to write report.html into it",
            args.run.display()
        );
    }
    super::check_out(&args.run, sacx_data::OutputKind::Dir)?;
    let _lock = guard::lock(&args.run, guard::Mode::Exclusive)?;
    let path = sacx_report::write(&args.run)?;
    println!("report: {}", path.display());
    Ok(())
}
