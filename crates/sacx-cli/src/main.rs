//! The `sacx` command: a thin layer that turns command-line arguments into the
//! libraries' validated parameters.
use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod atomic;
mod cmd;
mod config;
mod hint;
mod observer;
mod progress;
mod train_progress;

/// Which words does a text classifier rely on for each class?
///
/// sacx trains several classifiers (one per seed), explains every prediction
/// with Integrated Gradients, and keeps per class the words that score high
/// consistently across models.
#[derive(Parser, Debug)]
#[command(name = "sacx", version, about, long_about = None, propagate_version = true)]
#[command(args_override_self = true)]
struct Cli {
    /// Read options from a TOML file (keys are the long option names; the
    /// command line wins).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only add noise
enum Command {
    /// Report the sacx and libtorch versions, the device sacx will use, and the bundled corpus.
    Doctor(cmd::doctor::Args),
    /// The whole pipeline: per seed train and explain, then keywords, evaluation, report.
    Run(cmd::run::Args),
    /// Run (or resume) a checked plan file, as the jobs of `sacx slurm` do.
    RunPlan(cmd::run::PlanArgs),
    /// Train one seed's classifier.
    Train(cmd::train::Args),
    /// Explain one trained seed's validation documents with Integrated Gradients.
    Explain(cmd::explain::Args),
    /// Score any corpus with a run's seed ensemble (or one checkpoint): Parquet predictions, resumable.
    Predict(cmd::predict::Args),
    /// Count per-class term and document frequencies of words (streaming).
    CountWords(cmd::count_words::Args),
    /// Rank per-class keywords across runs (or a classical baseline).
    Keywords(cmd::keywords::Args),
    /// Measure keyword distinctiveness and coverage.
    Evaluate(cmd::evaluate::Args),
    /// Write the self-contained HTML report of a run directory.
    Report(cmd::report::Args),
    /// Choose documents to label next from a scored pool (exploit, explore, uncertainty).
    Select(cmd::select::Args),
    /// Simulate active learning on a labelled corpus: select, reveal, retrain, against random selection.
    SimulateAl(cmd::simulate::Args),
    /// A topic map of the corpus: document vectors, UMAP, HDBSCAN clusters, map.html.
    Map(cmd::map::Args),
    /// The documents and clusters of a map nearest to a query.
    Search(cmd::search::Args),
    /// Run the pipeline on a Slurm cluster: an array task per seed, then aggregation
    /// (`sacx slurm select`: score a pool file by file, then select).
    Slurm(cmd::slurm::Args),
}

fn main() {
    sacx_pipeline::memory::bound_heap();
    let result = parse().and_then(|cli| match cli.command {
        Command::Doctor(args) => cmd::doctor::run(&args),
        Command::Run(args) => cmd::run::run(&args),
        Command::RunPlan(args) => cmd::run::run_plan(&args),
        Command::Train(args) => cmd::train::run(&args),
        Command::Explain(args) => cmd::explain::run(&args),
        Command::Report(args) => cmd::report::run(&args),
        Command::Slurm(args) => cmd::slurm::run(&args),
        Command::Predict(args) => cmd::predict::run(&args),
        Command::CountWords(args) => cmd::count_words::run(&args),
        Command::Keywords(args) => cmd::keywords::run(&args),
        Command::Evaluate(args) => cmd::evaluate::run(&args),
        Command::Select(args) => cmd::select::run(&args),
        Command::SimulateAl(args) => cmd::simulate::run(&args),
        Command::Map(args) => cmd::map::run(&args),
        Command::Search(args) => cmd::search::run(&args),
    });
    if let Err(err) = result {
        // One line: what went wrong and where, with the causes chained.
        eprintln!("sacx: error: {}", one_line(&err));
        std::process::exit(1);
    }
}

/// The error and its causes on one line, joined with ": ". Every library
/// error keeps its cause as its source without quoting it, so each cause is
/// printed once; library errors that name a library setting are worded with
/// the flag that sets it ([`hint::cli_message`]).
fn one_line(err: &anyhow::Error) -> String {
    err.chain()
        .map(|cause| hint::cli_message(cause).unwrap_or_else(|| cause.to_string()))
        .collect::<Vec<_>>()
        .join(": ")
}

/// Parses the command line, with options from `--config` filled in.
fn parse() -> Result<Cli> {
    let cmd = Cli::command();
    let args = config::merge(&cmd, std::env::args_os().collect())?;
    let matches = cmd.get_matches_from(args);
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}
