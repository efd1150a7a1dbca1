//! `sacx select`: documents to label next, per class exploit / explore /
//! uncertainty, from a scored pool, streaming in bounded memory.
use anyhow::{Context as _, Result, bail};
use sacx_data::{CaseFold, DocStream, Format, LoadOptions, Segmenter};
use sacx_select::{Context, SelectParams, select};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

mod predictions;
mod scores;
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
    /// probabilities and the run's threshold.
    #[arg(long, value_name = "DIR")]
    pub predictions: Option<PathBuf>,
    /// The pool's corpus file(s) (JSON Lines with ids), read in the order they
    /// were scored; the n-th document must have the n-th score line's id.
    #[arg(long, value_name = "FILE", required = true, num_args = 1.., action = clap::ArgAction::Append)]
    pub corpus: Vec<PathBuf>,
    /// Corpus format; `auto` tells by the file name.
    #[arg(long, default_value = "auto", value_parser = ["auto", "jsonl", "tsv"])]
    pub format: String,
    /// Count and report malformed corpus lines instead of stopping at the
    /// first (the score source must have skipped the same lines).
    #[arg(long)]
    pub skip_bad_lines: bool,
    /// Segment words as the run did with `--preprocess`.
    #[arg(long)]
    pub preprocess: bool,
    /// Keep the case of words, as the run did with `--keep-case`.
    #[arg(long)]
    pub keep_case: bool,
    /// The selection file to write (JSON Lines: id, text, class, reason, score,
    /// motif); the summary goes beside it as `NAME.summary.json`.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A `sacx run` directory (or its `keywords/` directory): each class's
    /// stable IG keywords become exploration motifs.
    #[arg(long, value_name = "RUN_DIR")]
    pub keywords: Option<PathBuf>,
    /// Corpus files of documents already labelled: their ids are never selected.
    #[arg(long, value_name = "FILE", num_args = 1.., action = clap::ArgAction::Append)]
    pub labelled: Vec<PathBuf>,
    /// Decision threshold of every class (default: the run's with
    /// --predictions, the score file's with --scores, else 0.5).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Exploit documents per class, sampled from the top ranks.
    #[arg(long, default_value_t = SelectParams::default().exploit())]
    pub exploit: usize,
    /// Top ranks per class (exploit sample, motif counts) [default: 10 × exploit].
    #[arg(long)]
    pub top_n: Option<usize>,
    /// Random sample of the pool motifs are compared with [default: 10 × top-n].
    #[arg(long)]
    pub random_sample: Option<usize>,
    /// Most words in a motif (1..=3).
    #[arg(long, default_value_t = SelectParams::default().max_n())]
    pub max_n: usize,
    /// Most words skipped inside a motif, in total (k of k-skip-n-grams).
    #[arg(long, default_value_t = SelectParams::default().skip())]
    pub skip: usize,
    /// Fewest top documents of a kept motif [default: max(3, top-n / 100)].
    #[arg(long)]
    pub min_obs: Option<u64>,
    /// Smallest lift of a kept motif.
    #[arg(long, default_value_t = SelectParams::default().min_lift())]
    pub min_lift: f64,
    /// Most motifs kept per class.
    #[arg(long, default_value_t = SelectParams::default().motifs())]
    pub motifs: usize,
    /// Explore documents per class.
    #[arg(long, default_value_t = SelectParams::default().explore())]
    pub explore: usize,
    /// Uncertainty documents per class (probability closest to the threshold).
    #[arg(long, default_value_t = SelectParams::default().uncertain())]
    pub uncertain: usize,
    /// IG keywords per class used as motifs.
    #[arg(long, default_value_t = SelectParams::default().keyword_motifs())]
    pub keyword_motifs: usize,
    /// Documents per class holding a keyword motif [default: explore / 2].
    #[arg(long)]
    pub keyword_docs: Option<usize>,
    /// Words of a document (from its start) scanned for motifs.
    #[arg(long, default_value_t = SelectParams::default().max_words())]
    pub max_words: usize,
    /// Seed of every sample.
    #[arg(long, default_value_t = SelectParams::default().seed())]
    pub seed: u64,
}

impl Args {
    fn params(&self) -> Result<SelectParams> {
        let mut b = SelectParams::builder()
            .exploit(self.exploit)
            .max_n(self.max_n)
            .skip(self.skip)
            .min_lift(self.min_lift)
            .motifs(self.motifs)
            .explore(self.explore)
            .uncertain(self.uncertain)
            .keyword_motifs(self.keyword_motifs)
            .max_words(self.max_words)
            .seed(self.seed);
        if let Some(v) = self.top_n {
            b = b.top_n(v);
        }
        if let Some(v) = self.random_sample {
            b = b.random_sample(v);
        }
        if let Some(v) = self.min_obs {
            b = b.min_obs(v);
        }
        if let Some(v) = self.keyword_docs {
            b = b.keyword_docs(v);
        }
        Ok(b.build()?)
    }

    fn load_options(&self, require_ids: bool) -> Result<LoadOptions> {
        let format = match self.format.as_str() {
            "jsonl" => Format::Jsonl,
            "tsv" => Format::Tsv,
            _ => Format::Auto,
        };
        Ok(LoadOptions::builder()
            .format(format)
            .preprocess(self.preprocess)
            .skip_bad_lines(self.skip_bad_lines)
            .require_ids(require_ids)
            .build()?)
    }

    fn segmenter(&self) -> Segmenter {
        let fold = if self.keep_case {
            CaseFold::None
        } else {
            CaseFold::Lower
        };
        Segmenter::new()
            .with_case_fold(fold)
            .with_preprocess(self.preprocess)
    }
}

/// Each class's stable keywords from a run directory or its `keywords/`.
fn read_keywords(dir: &Path) -> Result<HashMap<String, Vec<String>>> {
    let run = sacx_data::layout::RunLayout::new(dir)
        .keywords()
        .join(sacx_aggregate::KEYWORDS_JSON);
    let direct = dir.join(sacx_aggregate::KEYWORDS_JSON);
    let path = if run.is_file() { run } else { direct };
    if !path.is_file() {
        bail!(
            "--keywords {}: no keywords/{} or {} there; pass a `sacx run` directory or its keywords/ directory",
            dir.display(),
            sacx_aggregate::KEYWORDS_JSON,
            sacx_aggregate::KEYWORDS_JSON
        );
    }
    let kw = sacx_aggregate::Keywords::read(&path)?;
    Ok(kw
        .classes
        .into_iter()
        .map(|c| (c.class, c.keywords.into_iter().map(|k| k.word).collect()))
        .collect())
}

/// The ids of the labelled files.
fn read_labelled(paths: &[PathBuf], opts: &LoadOptions) -> Result<HashSet<String>> {
    let mut ids = HashSet::new();
    if paths.is_empty() {
        return Ok(ids);
    }
    for rec in DocStream::open(paths, opts)? {
        ids.insert(rec?.id);
    }
    Ok(ids)
}

pub fn run(args: &Args) -> Result<()> {
    let params = args.params()?;
    sacx_select::check_replaceable(&args.out)?;
    let pool: Box<dyn sacx_select::Pool> = match (&args.predictions, &args.scores) {
        (Some(dir), _) => {
            let mut pool = PredictionsPool::open(dir, &args.corpus, args.load_options(true)?)?;
            if let Some(t) = args.threshold {
                pool.set_threshold(t);
            }
            Box::new(pool)
        }
        (None, Some(scores)) => {
            let mut pool = ScoresPool::open(scores, &args.corpus, args.load_options(true)?)?;
            if let Some(t) = args.threshold {
                pool.set_threshold(t);
            }
            Box::new(pool)
        }
        (None, None) => bail!("give --predictions DIR (from sacx predict) or --scores FILE"),
    };
    let mut ctx = Context {
        segmenter: args.segmenter(),
        ..Context::default()
    };
    if let Some(dir) = &args.keywords {
        ctx.keywords = read_keywords(dir)?;
    }
    ctx.labelled =
        read_labelled(&args.labelled, &args.load_options(true)?).context("reading --labelled")?;
    let selection = select(pool.as_ref(), &params, &ctx)?;
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
