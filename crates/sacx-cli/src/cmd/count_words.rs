//! `sacx count-words`: per-class term and document frequencies of words.
use anyhow::Result;
use sacx_pipeline::options::CorpusArgs;
use sacx_pipeline::stages::{count, save_counts};
use std::path::PathBuf;

/// Arguments of `sacx count-words`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Output directory: `tf.json` and `df.json` in the original pipeline's
    /// shape `{class: {word: n, "_N_DOCS": n}}`, and `languages.json` (document
    /// frequencies per language and class, and over the corpus).
    #[arg(long, value_name = "DIR", default_value = "counts")]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let (counts, languages, report) = count(&args.corpus)?;
    eprintln!("{report}");
    save_counts(&counts, &languages, &args.out)?;
    println!(
        "class word counts: {} classes, written to {}",
        counts.n_docs.len(),
        args.out.display()
    );
    Ok(())
}
