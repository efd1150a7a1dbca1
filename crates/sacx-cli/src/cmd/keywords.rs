//! `sacx keywords`: per-class keywords that hold across runs, or a classical
//! baseline, in the original pipeline's output format.
use crate::args::keywords::KeywordArgs;
use anyhow::{Context, Result, bail};
use sacx_aggregate::{ClassCounts, Inputs, Keywords, Method, aggregate, baseline};
use std::path::{Path, PathBuf};

/// Arguments of `sacx keywords`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Explanations: shard files, directories of shards (a run's `explanations/`,
    /// or a `sacx run` output directory for all its seeds), or TSV files in the
    /// original format (one run each).
    #[arg(long, value_name = "PATH", action = clap::ArgAction::Append)]
    pub explanations: Vec<PathBuf>,
    /// Class word counts directory (`tf.json`, `df.json` from `sacx count-words`):
    /// the corpus filter for `ig`, the input of the baselines.
    #[arg(long, value_name = "DIR")]
    pub counts: Option<PathBuf>,
    /// ig (attributions across runs), log-odds, chi2 or ctfidf.
    #[arg(long, default_value = "ig")]
    pub method: Method,
    /// Label list in model order, for TSV-only input.
    #[arg(long, value_delimiter = ',', value_name = "LABEL,...")]
    pub labels: Vec<String>,
    /// Decision threshold used by `--style exact`.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f32,
    #[command(flatten)]
    pub ranking: KeywordArgs,
    /// Output directory: per-class `<class>_stable.tsv`, `<class>_unstable.tsv`
    /// and `keywords.json`.
    #[arg(long, value_name = "DIR", default_value = "keywords")]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
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
    print_summary(&keywords, &args.out);
    Ok(())
}

/// One line per class with its first keywords.
pub fn print_summary(keywords: &Keywords, out: &Path) {
    for c in &keywords.classes {
        let top: Vec<&str> = c.keywords.iter().take(8).map(|k| k.word.as_str()).collect();
        match &c.note {
            Some(why) if top.is_empty() => println!("{:<20} (no keywords: {why})", c.class),
            _ => println!("{:<20} {}", c.class, top.join(", ")),
        }
    }
    println!(
        "keywords ({}) written to {}",
        keywords.method,
        out.display()
    );
}

/// Reads `tf.json` and `df.json` from a counts directory.
pub fn read_counts(dir: &Path) -> Result<ClassCounts> {
    let (tf, df) = (dir.join("tf.json"), dir.join("df.json"));
    if !df.exists() {
        bail!(
            "{}: no df.json here; run `sacx count-words --out {}` first",
            dir.display(),
            dir.display()
        );
    }
    Ok(ClassCounts::from_json_files(
        &df,
        tf.exists().then_some(tf.as_path()),
    )?)
}

/// Expands explanation paths into aggregation inputs: directories become their
/// shard files (a `sacx run` directory, all seeds' explanations).
pub fn explanation_inputs(paths: &[PathBuf], labels: &[String]) -> Result<Inputs> {
    if paths.is_empty() {
        bail!(
            "no explanations given; pass --explanations with shard files, directories or TSV files"
        );
    }
    let mut files = Vec::new();
    for path in paths {
        files.extend(expand(path)?);
    }
    if files.is_empty() {
        bail!("no explanation shards found under {}", paths[0].display());
    }
    let mut inputs = Inputs::new().paths(files);
    if !labels.is_empty() {
        inputs = inputs.labels(labels.iter().cloned());
    }
    Ok(inputs)
}

fn expand(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        bail!("{}: no such file or directory", path.display());
    }
    let runs = path.join("runs");
    if runs.is_dir() {
        let mut out = Vec::new();
        for seed in sorted_entries(&runs)? {
            let dir = seed.join("explanations");
            if dir.is_dir() {
                out.extend(sacx_data::explanation::list_shards(&dir)?);
            }
        }
        return Ok(out);
    }
    Ok(sacx_data::explanation::list_shards(path)?)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    out.sort();
    Ok(out)
}
