//! Corpus loading options.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::label::LabelSet;

/// Corpus file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Tell by the name: `.jsonl`, `.ndjson`, `.json` are JSON Lines, `.tsv`, `.txt`
    /// are SACX TSV (a trailing `.gz` is ignored). A name with no known extension is
    /// sniffed: a first non-blank byte `{` means JSON Lines, anything else TSV.
    #[default]
    Auto,
    /// JSON Lines: `{"id": ..., "text": ..., "labels": [...], "lang": ...}` per line.
    Jsonl,
    /// SACX TSV: headerless `labels<TAB>text`, labels separated by spaces or commas.
    Tsv,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Format::Auto),
            "jsonl" | "json" | "ndjson" => Ok(Format::Jsonl),
            "tsv" => Ok(Format::Tsv),
            _ => Err(Error::param("format", s, "one of auto, jsonl, tsv")),
        }
    }
}

/// How to load a corpus; build with [`LoadOptions::builder`].
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `format` | [`Format::Auto`] | file format |
/// | `languages` | none | one language for all files, or one per file in file order; required for TSV unless `default_language` fits |
/// | `labels` | from the corpus, sorted | explicit label set; documents whose labels all fall outside it are dropped and counted |
/// | `skip_bad_lines` | `false` | count and report malformed lines instead of failing on the first |
/// | `default_language` | `und` | language of documents with neither a `lang` field nor a file language |
/// | `preprocess` | `false` | apply [`crate::preprocess`] to every text at load time |
/// | `require_ids` | `false` | a line without an `id` is a bad line (documents are joined or merged by id); otherwise it is named after its line |
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    pub(crate) format: Format,
    pub(crate) languages: Vec<String>,
    pub(crate) labels: Option<LabelSet>,
    pub(crate) skip_bad_lines: bool,
    pub(crate) default_language: String,
    pub(crate) preprocess: bool,
    pub(crate) require_ids: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            format: Format::Auto,
            languages: Vec::new(),
            labels: None,
            skip_bad_lines: false,
            default_language: "und".to_string(),
            preprocess: false,
            require_ids: false,
        }
    }
}

impl LoadOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> LoadOptionsBuilder {
        LoadOptionsBuilder {
            opts: LoadOptions::default(),
        }
    }

    /// The file format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The file languages.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The explicit label set, if any.
    pub fn labels(&self) -> Option<&LabelSet> {
        self.labels.as_ref()
    }

    /// Whether malformed lines are skipped and counted.
    pub fn skip_bad_lines(&self) -> bool {
        self.skip_bad_lines
    }

    /// The fallback language.
    pub fn default_language(&self) -> &str {
        &self.default_language
    }

    /// Whether texts are preprocessed at load time.
    pub fn preprocess(&self) -> bool {
        self.preprocess
    }

    /// Whether a line without an `id` is a bad line.
    pub fn require_ids(&self) -> bool {
        self.require_ids
    }

    /// The language of file `i` of `n`, checking the count.
    pub(crate) fn file_language(&self, i: usize, n: usize) -> Result<Option<String>> {
        match self.languages.len() {
            0 => Ok(None),
            1 => Ok(Some(self.languages[0].clone())),
            k if k == n => Ok(Some(self.languages[i].clone())),
            k => Err(Error::LanguageCount {
                files: n,
                languages: k,
                given: self.languages.join(","),
            }),
        }
    }
}

/// Builder for [`LoadOptions`]; [`LoadOptionsBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct LoadOptionsBuilder {
    opts: LoadOptions,
}

impl LoadOptionsBuilder {
    /// Sets the file format.
    pub fn format(mut self, format: Format) -> Self {
        self.opts.format = format;
        self
    }

    /// Sets the file languages: one for all files, or one per file in file order.
    pub fn languages<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.opts.languages = languages.into_iter().map(Into::into).collect();
        self
    }

    /// Sets an explicit label set.
    pub fn labels(mut self, labels: LabelSet) -> Self {
        self.opts.labels = Some(labels);
        self
    }

    /// Skips and counts malformed lines instead of failing.
    pub fn skip_bad_lines(mut self, skip: bool) -> Self {
        self.opts.skip_bad_lines = skip;
        self
    }

    /// Sets the fallback language (default `und`).
    pub fn default_language(mut self, lang: impl Into<String>) -> Self {
        self.opts.default_language = lang.into();
        self
    }

    /// Applies [`crate::preprocess`] to every text at load time.
    pub fn preprocess(mut self, on: bool) -> Self {
        self.opts.preprocess = on;
        self
    }

    /// Makes a line without an `id` a bad line (for inputs joined or merged
    /// by id, such as extra labelled files or a pool to score).
    pub fn require_ids(mut self, on: bool) -> Self {
        self.opts.require_ids = on;
        self
    }

    /// Validates: language codes are non-empty and contain no whitespace or commas.
    pub fn build(self) -> Result<LoadOptions> {
        let valid = |l: &str| !l.is_empty() && !l.contains(|c: char| c.is_whitespace() || c == ',');
        for lang in &self.opts.languages {
            if !valid(lang) {
                return Err(Error::param(
                    "language",
                    format!("{lang:?}"),
                    "a non-empty language code without spaces or commas, such as en",
                ));
            }
        }
        if !valid(&self.opts.default_language) {
            return Err(Error::param(
                "default_language",
                format!("{:?}", self.opts.default_language),
                "a non-empty language code without spaces or commas, such as und",
            ));
        }
        Ok(self.opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_validates_languages() {
        assert!(
            LoadOptions::builder()
                .languages(["en", "fi"])
                .build()
                .is_ok()
        );
        let err = LoadOptions::builder()
            .languages(["en fi"])
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("\"en fi\""), "{err}");
        let opts = LoadOptions::builder()
            .languages(["en", "fi"])
            .build()
            .unwrap();
        assert_eq!(opts.file_language(1, 2).unwrap().as_deref(), Some("fi"));
        assert!(opts.file_language(0, 3).is_err());
    }

    #[test]
    fn format_parses() {
        assert_eq!("TSV".parse::<Format>().unwrap(), Format::Tsv);
        assert!("csv".parse::<Format>().is_err());
    }
}
