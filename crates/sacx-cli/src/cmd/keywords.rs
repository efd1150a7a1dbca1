//! `sacx keywords`: per-class keywords that hold across runs, or a classical
//! baseline, in the original pipeline's output format.
use crate::observer::print_keywords;
use anyhow::{Result, bail};
use sacx_aggregate::{Method, aggregate, baseline};
use sacx_pipeline::options::KeywordArgs;
use sacx_pipeline::stages::{explanation_inputs, read_counts};
use std::path::PathBuf;

/// Arguments of `sacx keywords`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Explanations: shard files, directories of shards (a run's `explanations/`,
    /// or a `sacx run` output directory for all its seeds), or TSV files in the
    /// original format (one run each, named by its path; a file given twice
    /// is an error).
    #[arg(long, value_name = "PATH", action = clap::ArgAction::Append)]
    pub explanations: Vec<PathBuf>,
    /// Class word counts directory (`tf.json`, `df.json` from `sacx count-words`):
    /// the corpus filter for `ig`, the input of the baselines.
    #[arg(long, value_name = "DIR")]
    pub counts: Option<PathBuf>,
    /// ig (attributions across runs), log-odds, chi2 or ctfidf.
    #[arg(long, default_value_t = Method::Ig)]
    pub method: Method,
    /// Label list in model order, for TSV-only input.
    #[arg(long, value_delimiter = ',', value_name = "LABEL,...")]
    pub labels: Vec<String>,
    /// Decision threshold used by `--style exact`.
    #[arg(long, default_value_t = sacx_aggregate::KeywordParams::default().prediction_threshold())]
    pub threshold: f32,
    #[command(flatten)]
    pub ranking: KeywordArgs,
    /// Output directory: per-class `<class>_stable.tsv`, `<class>_unstable.tsv`
    /// and `keywords.json`.
    #[arg(long, value_name = "DIR", default_value = "keywords")]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let counts = args.counts.as_deref().map(read_counts).transpose()?;
    let keywords = match args.method {
        Method::Ig => {
            let inputs = explanation_inputs(&args.explanations, &args.labels)?;
            aggregate(
                &inputs,
                &args.ranking.params(args.threshold)?,
                counts.as_ref(),
            )?
        }
        method => {
            let Some(counts) = counts.as_ref() else {
                bail!("--method {method} needs --counts DIR (from `sacx count-words`)");
            };
            let classes = if args.labels.is_empty() {
                counts.class_names().map(str::to_string).collect()
            } else {
                args.labels.clone()
            };
            baseline(counts, &classes, &args.ranking.baseline_params(method)?)?
        }
    };
    keywords.write(&args.out)?;
    print_keywords(&keywords, &args.out);
    Ok(())
}
