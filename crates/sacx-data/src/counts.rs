//! Class word counts, as the original `count_class_words.py` made them: per
//! class, the term frequency (TF) and document frequency (DF) of every word and
//! the number of documents.
//!
//! On disk each is one JSON object `{class: {word: n, ..., "_N_DOCS": n}}`: one
//! file for TF, one for DF. Words are in keyword form ([`Segmenter::fold`]); the
//! word `_N_DOCS` itself is never counted.

use std::collections::BTreeMap;
use std::path::Path;

use serde::ser::{SerializeMap, Serializer};

use crate::error::{Error, Result};

/// The key holding the number of documents of a class.
pub const N_DOCS_KEY: &str = "_N_DOCS";
/// File name of the class term frequencies in a counts directory.
pub const TF_FILE: &str = "tf.json";
/// File name of the class document frequencies in a counts directory.
pub const DF_FILE: &str = "df.json";

/// Per-class word counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassWordCounts {
    /// Class → word → total occurrences in the class's documents.
    pub tf: BTreeMap<String, BTreeMap<String, u64>>,
    /// Class → word → number of the class's documents containing the word.
    pub df: BTreeMap<String, BTreeMap<String, u64>>,
    /// Class → number of documents.
    pub n_docs: BTreeMap<String, u64>,
}

impl ClassWordCounts {
    /// Term frequency of `word` in `class` (0 when absent).
    pub fn tf(&self, class: &str, word: &str) -> u64 {
        self.tf
            .get(class)
            .and_then(|m| m.get(word))
            .copied()
            .unwrap_or(0)
    }

    /// Document frequency of `word` in `class` (0 when absent).
    pub fn df(&self, class: &str, word: &str) -> u64 {
        self.df
            .get(class)
            .and_then(|m| m.get(word))
            .copied()
            .unwrap_or(0)
    }

    /// Number of documents of `class` (0 when absent).
    pub fn n_docs(&self, class: &str) -> u64 {
        self.n_docs.get(class).copied().unwrap_or(0)
    }

    /// Writes the TF and DF files atomically (each to a temporary file in the same
    /// directory, then renamed), so a reader never sees a half-written file.
    pub fn save(&self, tf_path: &Path, df_path: &Path) -> Result<()> {
        write_counts(tf_path, &self.tf, &self.n_docs)?;
        write_counts(df_path, &self.df, &self.n_docs)
    }

    /// Reads TF and DF files written by [`ClassWordCounts::save`] or by the original
    /// `count_class_words.py`. Both must have the same classes and `_N_DOCS`.
    pub fn load(tf_path: &Path, df_path: &Path) -> Result<Self> {
        let (tf, n_tf) = read_counts(tf_path, true)?;
        let (df, n_df) = read_counts(df_path, true)?;
        if n_tf != n_df {
            let class = n_tf
                .iter()
                .find(|(c, n)| n_df.get(*c) != Some(n))
                .or_else(|| n_df.iter().find(|(c, _)| !n_tf.contains_key(*c)))
                .map(|(c, _)| c.clone())
                .unwrap_or_default();
            return Err(Error::Counts {
                path: df_path.to_path_buf(),
                reason: format!(
                    "class {class:?} has a different {N_DOCS_KEY} (or is missing) than in {}; use TF and DF files from the same count",
                    tf_path.display()
                ),
            });
        }
        Ok(ClassWordCounts {
            tf,
            df,
            n_docs: n_tf,
        })
    }

    /// Reads a DF file (every class with its `_N_DOCS`) and, when given, a TF
    /// file of the same shape whose `_N_DOCS` entries are optional and ignored;
    /// every TF class must be in the DF file. Without a TF file, `tf` is empty.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let df = dir.path().join("class_df.json");
    /// std::fs::write(&df, r#"{"HI": {"recipe": 5, "_N_DOCS": 9}}"#)?;
    /// let counts = sacx_data::ClassWordCounts::load_df(&df, None)?;
    /// assert_eq!((counts.df("HI", "recipe"), counts.n_docs("HI")), (5, 9));
    /// assert!(counts.tf.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_df(df_path: &Path, tf_path: Option<&Path>) -> Result<Self> {
        let (df, n_docs) = read_counts(df_path, true)?;
        let mut tf = BTreeMap::new();
        if let Some(tf_path) = tf_path {
            let (counts, _) = read_counts(tf_path, false)?;
            if let Some(class) = counts.keys().find(|c| !df.contains_key(*c)) {
                return Err(Error::Counts {
                    path: tf_path.to_path_buf(),
                    reason: format!(
                        "class {class:?} is not in the DF file {}",
                        df_path.display()
                    ),
                });
            }
            tf = counts;
        }
        Ok(ClassWordCounts { tf, df, n_docs })
    }
}

struct ClassView<'a>(&'a BTreeMap<String, u64>, u64);

impl serde::Serialize for ClassView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len() + 1))?;
        for (w, n) in self.0 {
            map.serialize_entry(w, n)?;
        }
        map.serialize_entry(N_DOCS_KEY, &self.1)?;
        map.end()
    }
}

struct FileView<'a>(
    &'a BTreeMap<String, BTreeMap<String, u64>>,
    &'a BTreeMap<String, u64>,
);

impl serde::Serialize for FileView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (class, words) in self.0 {
            let n = self.1.get(class).copied().unwrap_or(0);
            map.serialize_entry(class, &ClassView(words, n))?;
        }
        map.end()
    }
}

fn write_counts(
    path: &Path,
    counts: &BTreeMap<String, BTreeMap<String, u64>>,
    n_docs: &BTreeMap<String, u64>,
) -> Result<()> {
    let bytes = serde_json::to_vec(&FileView(counts, n_docs)).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        expected: COUNTS_SHAPE,
        source,
    })?;
    crate::write_atomic(path, &bytes)
}

type Counts = (
    BTreeMap<String, BTreeMap<String, u64>>,
    BTreeMap<String, u64>,
);

/// The one parser of a class-count file: `{class: {word: n, "_N_DOCS": n}}`.
/// Classes without `_N_DOCS` are an error when `need_n_docs`, else they get none.
fn read_counts(path: &Path, need_n_docs: bool) -> Result<Counts> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let raw: BTreeMap<String, BTreeMap<String, u64>> =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            expected: COUNTS_SHAPE,
            source,
        })?;
    let mut counts = BTreeMap::new();
    let mut n_docs = BTreeMap::new();
    for (class, mut words) in raw {
        match words.remove(N_DOCS_KEY) {
            Some(n) => {
                n_docs.insert(class.clone(), n);
            }
            None if need_n_docs => {
                return Err(Error::Counts {
                    path: path.to_path_buf(),
                    reason: format!("class {class:?} has no \"{N_DOCS_KEY}\" entry"),
                });
            }
            None => {}
        }
        counts.insert(class, words);
    }
    Ok((counts, n_docs))
}

/// What a class-count file holds, for messages.
const COUNTS_SHAPE: &str = "{class: {word: count, \"_N_DOCS\": count}} with whole-number counts";
