//! `sacx count-words`: per-class term and document frequencies of words.
use crate::args::corpus::CorpusArgs;
use crate::bundled;
use anyhow::Result;
use sacx_data::{ClassWordCounts, LoadReport};
use std::path::{Path, PathBuf};

/// Arguments of `sacx count-words`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Output directory: `tf.json` and `df.json` in the original pipeline's
    /// shape `{class: {word: n, "_N_DOCS": n}}`.
    #[arg(long, value_name = "DIR", default_value = "counts")]
    pub out: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    let (counts, report) = count(&args.corpus)?;
    eprintln!("{report}");
    save(&counts, &args.out)?;
    println!(
        "class word counts: {} classes, written to {}",
        counts.n_docs.len(),
        args.out.display()
    );
    Ok(())
}

/// Counts the corpus of `args`, streaming the files.
pub fn count(args: &CorpusArgs) -> Result<(ClassWordCounts, LoadReport)> {
    let opts = args.load_options()?;
    let seg = args.segmenter();
    Ok(if args.corpus.is_empty() {
        ClassWordCounts::count_reader(bundled::NAME, bundled::BYTES, &opts, &seg)?
    } else {
        ClassWordCounts::count_files(&args.corpus, &opts, &seg)?
    })
}

/// Writes `tf.json` and `df.json` into `dir` (atomically).
pub fn save(counts: &ClassWordCounts, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the directory: {e}", dir.display()))?;
    counts.save(&dir.join("tf.json"), &dir.join("df.json"))?;
    Ok(())
}
