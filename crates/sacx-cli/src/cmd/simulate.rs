//! `sacx simulate-al`: active-learning strategies compared on a labelled
//! corpus (a thin mapping onto `sacx_pipeline::simulate::Simulate`).
use crate::observer::Console;
use anyhow::Result;
use sacx_pipeline::simulate::{PAGE_FILE, Simulate, SimulateOptions};

/// Arguments of `sacx simulate-al`: the library's options, one flag per field.
pub type Args = SimulateOptions;

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let sim = Simulate::new(args.clone())?;
    let result = sim.run(&mut Console::new())?;
    println!("learning curves: {}", sim.out().join(PAGE_FILE).display());
    println!("{}", result.verdict());
    Ok(())
}
