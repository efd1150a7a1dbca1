//! `sacx run`: the whole pipeline (a thin mapping onto `sacx_pipeline::Run`).
use crate::observer::Console;
use anyhow::Result;
use sacx_pipeline::{Run, RunOptions};

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
