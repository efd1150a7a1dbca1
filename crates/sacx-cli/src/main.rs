//! The `sacx` command: a thin layer that turns command-line arguments into the
//! libraries' validated parameters.
use anyhow::Result;
use clap::{Parser, Subcommand};

mod bundled;
mod cmd;

/// Which words does a text classifier rely on for each class?
///
/// sacx trains several classifiers (one per seed), explains every prediction
/// with Integrated Gradients, and keeps per class the words that score high
/// consistently across models.
#[derive(Parser, Debug)]
#[command(name = "sacx", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report the sacx and libtorch versions, the device sacx will use, and the bundled corpus.
    Doctor(cmd::doctor::Args),
}

fn main() {
    let cli = Cli::parse();
    let result: Result<()> = match cli.command {
        Command::Doctor(args) => cmd::doctor::run(&args),
    };
    if let Err(err) = result {
        // One line: what went wrong and where, with the causes chained.
        eprintln!("sacx: error: {err:#}");
        std::process::exit(1);
    }
}
