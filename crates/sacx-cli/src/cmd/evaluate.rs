//! `sacx evaluate`: keyword-quality metrics of one or more keyword sets on the
//! explained documents.
use anyhow::{Result, bail};
use sacx_aggregate::Evaluation;
use sacx_data::layout::RunLayout;
use sacx_pipeline::options::{CorpusArgs, EvalArgs, SplitArgs, TrainArgs};
use sacx_pipeline::stages::{evaluate_sets, read_counts, read_keywords, write_evaluations};
use std::path::PathBuf;

/// Arguments of `sacx evaluate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Keyword sets: `keywords.json` files or the directories holding them (IG and
    /// baselines side by side).
    #[arg(long, value_name = "PATH", action = clap::ArgAction::Append, required = true)]
    pub keywords: Vec<PathBuf>,
    /// Explanations whose documents (and labels) the keywords are evaluated on.
    #[arg(long, value_name = "PATH", action = clap::ArgAction::Append, required = true)]
    pub explanations: Vec<PathBuf>,
    /// Class word counts (`sacx count-words`): corpus coverage is then measured on
    /// the whole corpus instead of the explained documents.
    #[arg(long, value_name = "DIR")]
    pub counts: Option<PathBuf>,
    /// Decision threshold for predicted labels.
    #[arg(long, default_value_t = sacx_aggregate::EvalDocOptions::default().prediction_threshold())]
    pub threshold: f32,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output file: a JSON array with one evaluation per keyword set.
    #[arg(long, value_name = "FILE", default_value = "evaluation.json")]
    pub out: PathBuf,
    /// A `sacx run` directory: its seeds' models then measure faithfulness
    /// (comprehensiveness and sufficiency) of every set on their validation
    /// documents. Give the corpus and split options the run was made with.
    #[arg(long, value_name = "DIR")]
    pub run: Option<PathBuf>,
    #[command(flatten)]
    pub corpus: CorpusArgs,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Device of the faithfulness models: auto, cpu or cuda:N.
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    /// Memory budget of one faithfulness model call, in tokens.
    #[arg(long, default_value_t = sacx_ig::IgParams::default().max_batch_tokens())]
    pub max_batch_tokens: usize,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::File)?;
    let sets = args
        .keywords
        .iter()
        .map(|p| read_keywords(p))
        .collect::<sacx_pipeline::Result<Vec<_>>>()?;
    let counts = args.counts.as_deref().map(read_counts).transpose()?;
    let device: sacx_model::DeviceSpec = args.device.parse()?;
    let mut evals = evaluate_sets(
        &sets,
        &args.explanations,
        &args.eval,
        args.threshold,
        counts.as_ref(),
    )?;
    if let Some(run) = &args.run {
        let layout = RunLayout::new(run);
        let seeds = layout.seeds()?;
        if seeds.is_empty() {
            bail!("--run {}: no runs/seed-N directories here", run.display());
        }
        let counts = match counts {
            Some(c) => c,
            None => read_counts(&layout.counts())?,
        };
        let corpus = args.corpus.load()?;
        let labels = corpus.labels.names().to_vec();
        let control = sacx_pipeline::control_sets(&counts, &labels, &evals, args.eval.control_seed);
        drop(counts);
        let job = sacx_pipeline::FaithJob {
            corpus: &corpus,
            layout: &layout,
            seeds: &seeds,
            split: &args.split,
            device,
            control: &control,
            control_seed: args.eval.control_seed,
            max_batch_tokens: args.max_batch_tokens,
        };
        sacx_pipeline::attach_faithfulness(&job, &sets, &mut evals)?;
    }
    write_evaluations(&args.out, &evals)?;
    for e in &evals {
        print_summary(e);
    }
    println!("evaluation written to {}", args.out.display());
    Ok(())
}

fn print_summary(e: &Evaluation) {
    for r in &e.results {
        println!(
            "{:<8} K={:<4} distinctiveness {}  macro coverage {}  cross-coverage {}",
            e.method.to_string(),
            r.k,
            fmt(r.distinctiveness.mean),
            fmt(r.macro_coverage.mean),
            fmt(r.cross_coverage.mean),
        );
    }
    if let Some(st) = &e.stability {
        let [lo, hi] = st.mean_rbo_interval;
        println!(
            "{:<8} stability of the top {} across {} seeds: {:.3} (95 % interval {:.3}-{:.3}; Jaccard {:.3}; {} classes)",
            e.method.to_string(),
            st.params.k(),
            st.seeds,
            st.mean_rbo,
            lo,
            hi,
            st.mean_jaccard,
            st.classes.len(),
        );
        let mut low: Vec<_> = st.classes.iter().collect();
        low.sort_by(|a, b| a.rbo.total_cmp(&b.rbo));
        for c in low.iter().take(5) {
            println!("         least stable: {:<30} {:.3}", c.class, c.rbo);
        }
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.3}"))
}
