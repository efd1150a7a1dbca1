//! `languages.json` beside the class word counts: document frequencies per
//! language and class, and over the whole corpus — what per-language keyword
//! lists and the generic-word share need. One versioned type, its writer and
//! its reader.
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Format tag of `languages.json`.
pub const LANGUAGE_COUNTS_FORMAT: &str = "sacx-language-counts/1";
/// File name of [`LanguageCounts`] in a counts directory.
pub const LANGUAGE_COUNTS_FILE: &str = "languages.json";

/// How many documents a set holds, and per word how many of them contain it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFrequencies {
    /// Documents in the set.
    pub n_docs: u64,
    /// Per word (keyword form): documents of the set containing it.
    pub df: BTreeMap<String, u64>,
}

impl DocFrequencies {
    /// Counts one document given its distinct words.
    pub fn add<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        self.n_docs += 1;
        for w in words {
            match self.df.get_mut(w) {
                Some(n) => *n += 1,
                None => {
                    self.df.insert(w.to_string(), 1);
                }
            }
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: DocFrequencies) {
        self.n_docs += other.n_docs;
        for (w, n) in other.df {
            *self.df.entry(w).or_default() += n;
        }
    }
}

/// Document frequencies per language and class, and over the whole corpus.
///
/// ```
/// use sacx_data::LanguageCounts;
/// let mut c = LanguageCounts::default();
/// c.add_document("en", ["Game"], ["the", "game"]);
/// c.add_document("it", ["Game"], ["il", "gioco"]);
/// c.add_document("en", ["Music"], ["the", "song"]);
/// assert_eq!(c.class_documents("en", "Game"), 1);
/// assert_eq!(c.generic_words(1), ["the"]);
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("languages.json");
/// c.save(&path)?;
/// assert_eq!(LanguageCounts::load(&path)?, c);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageCounts {
    /// [`LANGUAGE_COUNTS_FORMAT`].
    pub format: String,
    /// Every document of the corpus, labelled or not.
    pub corpus: DocFrequencies,
    /// Per language, every document of that language.
    pub language_docs: BTreeMap<String, u64>,
    /// Per language, per class: its documents of that language.
    pub languages: BTreeMap<String, BTreeMap<String, DocFrequencies>>,
}

impl Default for LanguageCounts {
    fn default() -> Self {
        Self {
            format: LANGUAGE_COUNTS_FORMAT.into(),
            corpus: DocFrequencies::default(),
            language_docs: BTreeMap::new(),
            languages: BTreeMap::new(),
        }
    }
}

impl LanguageCounts {
    /// Counts one document: its language, classes and distinct words.
    pub fn add_document<'a, 'w>(
        &mut self,
        lang: &str,
        classes: impl IntoIterator<Item = &'a str>,
        words: impl IntoIterator<Item = &'w str> + Clone,
    ) {
        self.corpus.add(words.clone());
        *self.language_docs.entry(lang.to_string()).or_default() += 1;
        let per_class = self.languages.entry(lang.to_string()).or_default();
        for class in classes {
            per_class
                .entry(class.to_string())
                .or_default()
                .add(words.clone());
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: LanguageCounts) {
        self.corpus.merge(other.corpus);
        for (lang, n) in other.language_docs {
            *self.language_docs.entry(lang).or_default() += n;
        }
        for (lang, classes) in other.languages {
            let mine = self.languages.entry(lang).or_default();
            for (class, f) in classes {
                mine.entry(class).or_default().merge(f);
            }
        }
    }

    /// Documents of `lang` labelled `class` (0 when none).
    pub fn class_documents(&self, lang: &str, class: &str) -> u64 {
        self.languages
            .get(lang)
            .and_then(|c| c.get(class))
            .map_or(0, |f| f.n_docs)
    }

    /// The corpus's `n` most document-frequent words, most frequent first (ties
    /// by byte order): the generic words of the evaluation.
    pub fn generic_words(&self, n: usize) -> Vec<&str> {
        let mut words: Vec<(&str, u64)> = self
            .corpus
            .df
            .iter()
            .map(|(w, &c)| (w.as_str(), c))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        words.into_iter().take(n).map(|(w, _)| w).collect()
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec(self).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            expected: LANGUAGE_COUNTS_FORMAT,
            source,
        })?;
        crate::write_atomic(path, &bytes)
    }

    /// Reads a file written by [`LanguageCounts::save`]; another format version
    /// is refused with its name.
    pub fn load(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let c: LanguageCounts =
            serde_json::from_reader(std::io::BufReader::new(file)).map_err(|source| {
                Error::Json {
                    path: path.to_path_buf(),
                    expected: LANGUAGE_COUNTS_FORMAT,
                    source,
                }
            })?;
        if c.format != LANGUAGE_COUNTS_FORMAT {
            return Err(Error::Counts {
                path: path.to_path_buf(),
                reason: format!(
                    "format {:?}, this sacx reads {LANGUAGE_COUNTS_FORMAT:?}; count the corpus again (sacx count-words)",
                    c.format
                ),
            });
        }
        Ok(c)
    }
}
