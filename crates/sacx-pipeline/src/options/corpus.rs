//! Which corpus, in which format, with which languages and labels.
use crate::{Error, Result, bundled};
use sacx_data::{CaseFold, Corpus, Format, LabelSet, LoadOptions, Segmenter};
use std::path::PathBuf;

/// Which corpus to read and how (`sacx run --corpus …`). The default is the
/// bundled corpus with every label.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct CorpusArgs {
    /// Corpus file(s): JSON Lines (`{"id","text","labels","lang"}`) or SACX TSV
    /// (`labels<TAB>text`, one file per language), optionally gzipped. Without
    /// it, the bundled AppStream corpus (12 languages, 35 classes).
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE", action = clap::ArgAction::Append))]
    pub corpus: Vec<PathBuf>,
    /// Corpus format; `auto` tells by the file name.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = CorpusArgs::default().format, value_parser = ["auto", "jsonl", "tsv"]))]
    pub format: String,
    /// Languages of the corpus files, in file order (`en,fi`), or one for all.
    #[cfg_attr(feature = "clap", arg(long, value_name = "LANG,...", value_delimiter = ',', action = clap::ArgAction::Append))]
    pub language: Vec<String>,
    /// Explicit label set (`HI,ID,IN,IP,NA,OP`); documents with none of them are
    /// dropped and counted. Default: every label in the corpus.
    #[cfg_attr(feature = "clap", arg(long, value_name = "LABEL,...", value_delimiter = ',', action = clap::ArgAction::Append))]
    pub labels: Vec<String>,
    /// Count and report malformed lines instead of stopping at the first.
    #[cfg_attr(feature = "clap", arg(long))]
    pub skip_bad_lines: bool,
    /// Insert a space after `.,:;!?"()` when a word character follows (as the
    /// original pipeline did).
    #[cfg_attr(feature = "clap", arg(long))]
    pub preprocess: bool,
    /// Keep the case of keywords (default: keywords are lower-cased).
    #[cfg_attr(feature = "clap", arg(long))]
    pub keep_case: bool,
    /// Extra labelled documents merged with the corpus (JSON Lines with an
    /// `id` on every line, such as the file `sacx select` wrote once labelled).
    /// A document already in the corpus (same id and language) must carry the
    /// same labels; the others are added. Give the same files to every command
    /// of a run.
    #[cfg_attr(feature = "clap", arg(long, value_name = "FILE", action = clap::ArgAction::Append))]
    pub labelled: Vec<PathBuf>,
}

impl CorpusArgs {
    /// The validated load options.
    pub fn load_options(&self) -> Result<LoadOptions> {
        let format = match self.format.as_str() {
            "jsonl" => Format::Jsonl,
            "tsv" => Format::Tsv,
            _ => Format::Auto,
        };
        let mut b = LoadOptions::builder()
            .format(format)
            .skip_bad_lines(self.skip_bad_lines)
            .preprocess(self.preprocess);
        if !self.language.is_empty() {
            b = b.languages(self.language.iter().cloned());
        }
        if !self.labels.is_empty() {
            b = b.labels(LabelSet::new(self.labels.clone())?);
        }
        Ok(b.build()?)
    }

    /// How an extra labelled file is read: the corpus's format,
    /// preprocessing and `skip_bad_lines`, every line with an id, every label
    /// kept (an unknown one is an error when merging, not a dropped document).
    fn labelled_options(&self, corpus: &LoadOptions) -> Result<LoadOptions> {
        Ok(LoadOptions::builder()
            .format(corpus.format())
            .preprocess(corpus.preprocess())
            .skip_bad_lines(corpus.skip_bad_lines())
            .default_language(corpus.default_language())
            .require_ids(true)
            .build()?)
    }

    /// The load options of a pool scored or explained document by document
    /// (`sacx explain --model`): as [`CorpusArgs::load_options`], and every
    /// line needs an `id` (results are matched by id).
    pub fn pool_options(&self) -> Result<LoadOptions> {
        let mut b = LoadOptions::builder()
            .format(self.format.parse()?)
            .skip_bad_lines(self.skip_bad_lines)
            .preprocess(self.preprocess)
            .require_ids(true);
        if !self.language.is_empty() {
            b = b.languages(self.language.iter().cloned());
        }
        Ok(b.build()?)
    }

    /// The word segmenter the keywords use.
    pub fn segmenter(&self) -> Segmenter {
        let fold = if self.keep_case {
            CaseFold::None
        } else {
            CaseFold::Lower
        };
        Segmenter::new()
            .with_case_fold(fold)
            .with_preprocess(self.preprocess)
    }

    /// A short name of the corpus for reports.
    pub fn name(&self) -> String {
        if self.corpus.is_empty() {
            format!("{} (bundled)", bundled::NAME)
        } else {
            self.corpus
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// Loads the corpus (the bundled one when no file is given).
    pub fn load(&self) -> Result<Corpus> {
        let opts = self.load_options()?;
        for path in &self.labelled {
            if !path.exists() {
                return Err(Error::NoCorpusFile { path: path.clone() });
            }
        }
        let mut corpus = if self.corpus.is_empty() {
            Corpus::from_reader(bundled::NAME, bundled::BYTES, &opts)?
        } else {
            for path in &self.corpus {
                if !path.exists() {
                    return Err(Error::NoCorpusFile { path: path.clone() });
                }
            }
            Corpus::load(&self.corpus, &opts)?
        };
        for path in &self.labelled {
            let extra = Corpus::load(&[path], &self.labelled_options(&opts)?)?;
            corpus.merge_labelled(extra, &path.display().to_string())?;
        }
        if corpus.is_empty() {
            let r = &corpus.report;
            return Err(Error::EmptyCorpus {
                corpus: self.name(),
                detail: format!(
                    "{} non-blank lines read, {} empty texts, {} bad lines skipped, {} documents outside the label set",
                    r.lines,
                    r.empty.len(),
                    r.bad_lines.len(),
                    r.dropped_outside_labels
                ),
            });
        }
        Ok(corpus)
    }
}

impl Default for CorpusArgs {
    fn default() -> Self {
        CorpusArgs {
            corpus: Vec::new(),
            format: "auto".to_string(),
            language: Vec::new(),
            labels: Vec::new(),
            skip_bad_lines: false,
            preprocess: false,
            keep_case: false,
            labelled: Vec::new(),
        }
    }
}
