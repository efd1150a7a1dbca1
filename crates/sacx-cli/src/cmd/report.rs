//! `sacx report`: the self-contained HTML report of a run directory.
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `sacx report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The run directory (`sacx run --out DIR`); the report is `DIR/report.html`.
    #[arg(long, value_name = "DIR", default_value = "sacx-out")]
    pub run: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    let path = crate::report::write(&args.run)?;
    println!("report: {}", path.display());
    Ok(())
}
