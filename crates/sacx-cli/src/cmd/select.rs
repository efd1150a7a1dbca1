//! `sacx select`: documents to label next, per class exploit / explore /
//! uncertainty, from a scored pool, streaming in bounded memory.
use super::reading::ReadArgs;
use anyhow::{Result, bail};
use sacx_select::select;
use std::path::PathBuf;

mod options;
mod predictions;
mod scores;
pub use options::SelectionArgs;
use predictions::PredictionsPool;
use scores::ScoresPool;

/// Arguments of `sacx select`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scores of the pool, in pool order: JSON Lines whose first line is
    /// `{"labels": [...], "threshold": T}` (threshold optional) and every other
    /// line `{"id": ..., "probs": [...]}`, one probability per label.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "predictions",
        conflicts_with = "predictions"
    )]
    pub scores: Option<PathBuf>,
    /// The output directory of `sacx predict` over the pool: the seed-ensemble
    /// probabilities and the run's threshold. Several directories (one model's
    /// predictions of a pool split into files) go with as many --corpus files,
    /// in the same order: the n-th directory scored the n-th file.
    #[arg(long, value_name = "DIR", num_args = 1.., action = clap::ArgAction::Append)]
    pub predictions: Vec<PathBuf>,
    /// The pool's corpus file(s) (JSON Lines with ids), read in the order they
    /// were scored; the n-th document must have the n-th score line's id.
    #[arg(long, value_name = "FILE", required = true, num_args = 1.., action = clap::ArgAction::Append)]
    pub corpus: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// The selection file to write (JSON Lines: id, text, class, reason, score,
    /// motif); the summary goes beside it as `NAME.summary.json`.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::File)?;
    let params = args.selection.params()?;
    let strategy = args.selection.strategy()?;
    if strategy == sacx_select::Strategy::Committee && args.predictions.is_empty() {
        bail!(
            "--strategy committee needs each seed model's probabilities: give --predictions (sacx predict over the pool, two or more seeds) instead of --scores"
        );
    }
    sacx_select::check_replaceable(&args.out)?;
    let opts = args.read.load_options()?;
    let threshold = args.selection.threshold;
    let pool: Box<dyn sacx_select::Pool> = match (&args.predictions[..], &args.scores) {
        ([_, ..], _) => {
            let mut pool = PredictionsPool::open(&args.predictions, &args.corpus, opts.clone())?;
            if let Some(t) = threshold {
                pool.set_threshold(t);
            }
            if strategy == sacx_select::Strategy::Committee {
                pool.read_seed_probs();
            }
            Box::new(pool)
        }
        ([], Some(scores)) => {
            let mut pool = ScoresPool::open(scores, &args.corpus, opts.clone())?;
            if let Some(t) = threshold {
                pool.set_threshold(t);
            }
            Box::new(pool)
        }
        ([], None) => bail!("give --predictions DIR (from sacx predict) or --scores FILE"),
    };
    let ctx = args.selection.context(&opts, pool.labels())?;
    let selection = if strategy == sacx_select::Strategy::Sacx {
        select(pool.as_ref(), &params, &ctx)?
    } else {
        let budget = args.selection.budget(pool.labels().len())?;
        sacx_select::select_with(pool.as_ref(), strategy, budget, &ctx, args.selection.seed)?
    };
    let summary = selection.write(&args.out)?;
    let s = &selection.summary;
    println!(
        "selected {} documents from a pool of {} ({} classes, {} labelled ids left out) in {:.1} s: {} ({})",
        s.selected,
        s.pool,
        s.classes.len(),
        s.labelled_skipped,
        s.seconds.get("total").copied().unwrap_or(0.0),
        args.out.display(),
        summary.display()
    );
    Ok(())
}
