//! How `sacx select` chooses documents, apart from the pool it reads: the
//! options `sacx slurm select` passes on to its selection job unchanged.
use anyhow::{Context as _, Result, bail};
use sacx_data::{CaseFold, DocStream, LoadOptions, Segmenter};
use sacx_select::{Context, SelectParams};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The selection options of `sacx select`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct SelectionArgs {
    /// Keep the case of words, as the run did with `--keep-case`.
    #[arg(long)]
    pub keep_case: bool,
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
    /// How documents are chosen: `sacx` (per class exploit, explore and
    /// uncertainty documents; the default) or one of the field's strategies:
    /// `random`, `least-confidence`, `prediction-entropy`, `breaking-ties`,
    /// `cvirs`, `label-cardinality` (these two compare with the classes of
    /// the --labelled documents), `committee` (the seed models' disagreement;
    /// needs --predictions of two or more seeds). docs/metrics.md §4.
    #[arg(long, default_value = "sacx")]
    pub strategy: String,
    /// Documents a strategy other than `sacx` chooses [default: as many as
    /// `sacx` asks for: classes × (exploit + uncertain + explore)].
    #[arg(long, value_name = "N")]
    pub budget: Option<usize>,
}

impl SelectionArgs {
    /// The strategy, checked with what it needs of the other options: a
    /// budget of at least one, and `--labelled` for those that compare with
    /// the labelled documents' classes.
    pub fn strategy(&self) -> Result<sacx_select::Strategy> {
        let strategy: sacx_select::Strategy = self.strategy.parse()?;
        if self.budget == Some(0) {
            bail!("--budget 0: choose at least one document");
        }
        if strategy.needs_labelled() && self.labelled.is_empty() {
            bail!(
                "--strategy {strategy} compares with the classes of the documents labelled so far: give them with --labelled"
            );
        }
        Ok(strategy)
    }

    /// The documents a peer strategy chooses on a pool of `classes` classes
    /// (at least one: [`SelectionArgs::strategy`] refuses `--budget 0`, and
    /// every default count is at least one).
    pub fn budget(&self, classes: usize) -> Result<usize> {
        Ok(match self.budget {
            Some(n) => n,
            None => {
                let p = self.params()?;
                classes * (p.exploit() + p.uncertain() + p.explore())
            }
        })
    }

    /// The checked selection parameters.
    pub fn params(&self) -> Result<SelectParams> {
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

    /// The segmenter of the run's words (`preprocess` as the corpus is read).
    fn segmenter(&self, preprocess: bool) -> Segmenter {
        let fold = if self.keep_case {
            CaseFold::None
        } else {
            CaseFold::Lower
        };
        Segmenter::new()
            .with_case_fold(fold)
            .with_preprocess(preprocess)
    }

    /// The selection's context: segmenter, keywords, the labelled documents'
    /// ids and their classes as indices into the pool's `labels` (classes the
    /// pool does not score are left out), from one read of `--labelled`.
    pub fn context(&self, opts: &LoadOptions, labels: &[String]) -> Result<Context> {
        let mut ctx = Context {
            segmenter: self.segmenter(opts.preprocess()),
            ..Context::default()
        };
        if let Some(dir) = &self.keywords {
            ctx.keywords = read_keywords(dir)?;
        }
        if self.labelled.is_empty() {
            return Ok(ctx);
        }
        let index: HashMap<&str, u32> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i as u32))
            .collect();
        for rec in DocStream::open(&self.labelled, opts).context("reading --labelled")? {
            let rec = rec.context("reading --labelled")?;
            ctx.labelled_labels.push(
                rec.labels
                    .iter()
                    .flatten()
                    .filter_map(|l| index.get(l.as_str()).copied())
                    .collect(),
            );
            ctx.labelled.insert(rec.id);
        }
        Ok(ctx)
    }

    /// Checks everything a selection would read before it reads the pool:
    /// the parameters, the keywords, that the labelled files open.
    pub fn check(&self, opts: &LoadOptions) -> Result<()> {
        self.params()?;
        self.strategy()?;
        if let Some(dir) = &self.keywords {
            read_keywords(dir)?;
        }
        if !self.labelled.is_empty() {
            DocStream::open(&self.labelled, opts).context("--labelled")?;
        }
        Ok(())
    }

    /// The same options as command-line words; the paths made absolute (a job
    /// may start elsewhere).
    pub fn to_args(&self) -> Result<Vec<OsString>> {
        let mut out: Vec<OsString> = Vec::new();
        let mut push = |flag: &str, value: OsString| {
            out.push(flag.into());
            out.push(value);
        };
        if let Some(dir) = &self.keywords {
            push("--keywords", std::path::absolute(dir)?.into());
        }
        for file in &self.labelled {
            push("--labelled", std::path::absolute(file)?.into());
        }
        let optional = [
            ("--threshold", self.threshold.map(|v| v.to_string())),
            ("--top-n", self.top_n.map(|v| v.to_string())),
            ("--random-sample", self.random_sample.map(|v| v.to_string())),
            ("--min-obs", self.min_obs.map(|v| v.to_string())),
            ("--keyword-docs", self.keyword_docs.map(|v| v.to_string())),
            ("--budget", self.budget.map(|v| v.to_string())),
        ];
        for (flag, value) in optional {
            if let Some(v) = value {
                push(flag, v.into());
            }
        }
        let given = [
            ("--exploit", self.exploit.to_string()),
            ("--max-n", self.max_n.to_string()),
            ("--skip", self.skip.to_string()),
            ("--min-lift", self.min_lift.to_string()),
            ("--motifs", self.motifs.to_string()),
            ("--explore", self.explore.to_string()),
            ("--uncertain", self.uncertain.to_string()),
            ("--keyword-motifs", self.keyword_motifs.to_string()),
            ("--max-words", self.max_words.to_string()),
            ("--seed", self.seed.to_string()),
            ("--strategy", self.strategy.clone()),
        ];
        for (flag, value) in given {
            push(flag, value.into());
        }
        if self.keep_case {
            out.push("--keep-case".into());
        }
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::SelectionArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        selection: SelectionArgs,
    }

    /// Every option survives the trip through the job script's words.
    #[test]
    fn options_parse_back_from_their_words() {
        let given = Cli::parse_from([
            "x",
            "--keep-case",
            "--keywords",
            "/k",
            "--labelled",
            "/a.jsonl",
            "--labelled",
            "/b.jsonl",
            "--threshold",
            "0.25",
            "--exploit",
            "7",
            "--top-n",
            "70",
            "--random-sample",
            "900",
            "--max-n",
            "2",
            "--skip",
            "1",
            "--min-obs",
            "4",
            "--min-lift",
            "1.5",
            "--motifs",
            "3",
            "--explore",
            "9",
            "--uncertain",
            "11",
            "--keyword-motifs",
            "5",
            "--keyword-docs",
            "2",
            "--max-words",
            "100",
            "--seed",
            "42",
        ])
        .selection;
        let mut words: Vec<std::ffi::OsString> = vec!["x".into()];
        words.extend(given.to_args().unwrap());
        assert_eq!(Cli::parse_from(words).selection, given);
        let defaults = Cli::parse_from(["x"]).selection;
        let mut words: Vec<std::ffi::OsString> = vec!["x".into()];
        words.extend(defaults.to_args().unwrap());
        assert_eq!(Cli::parse_from(words).selection, defaults);
    }
}
