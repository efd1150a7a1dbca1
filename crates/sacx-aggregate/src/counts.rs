//! Class word counts: per class, each word's document frequency (DF), optionally its
//! term frequency (TF), and the class's document count — the original's `class_df.json`
//! / `class_tf.json` shape `{class: {word: n, "_N_DOCS": n}}`.
use crate::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Counts of one class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassCount {
    /// Documents labelled with the class.
    pub n_docs: u64,
    /// Per word: documents of the class containing it.
    pub df: HashMap<String, u64>,
    /// Per word: occurrences in the class's documents (empty when not known).
    pub tf: HashMap<String, u64>,
}

/// Word counts of every class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassCounts {
    classes: BTreeMap<String, ClassCount>,
    has_tf: bool,
    /// Document frequencies per language and over the corpus, when counted.
    languages: Option<sacx_data::LanguageCounts>,
}

impl ClassCounts {
    /// Counts computed from labelled documents given as (words in order, class names).
    pub fn from_documents<'a, W, L>(docs: impl IntoIterator<Item = (W, L)>) -> Self
    where
        W: IntoIterator<Item = &'a str>,
        L: IntoIterator<Item = &'a str>,
    {
        let mut out = Self {
            has_tf: true,
            ..Self::default()
        };
        for (words, labels) in docs {
            let mut tf: HashMap<&str, u64> = HashMap::new();
            for w in words {
                *tf.entry(w).or_default() += 1;
            }
            for label in labels {
                let c = out.classes.entry(label.to_string()).or_default();
                c.n_docs += 1;
                for (w, n) in &tf {
                    *c.df.entry(w.to_string()).or_default() += 1;
                    *c.tf.entry(w.to_string()).or_default() += n;
                }
            }
        }
        out
    }

    /// Reads the original JSON files: `df` (with `_N_DOCS` per class) and optionally
    /// `tf` (same shape; its `_N_DOCS`, if any, is ignored), with the one parser of
    /// the format, [`sacx_data::ClassWordCounts::load_df`].
    pub fn from_json_files(df: &Path, tf: Option<&Path>) -> Result<Self> {
        let counts = sacx_data::ClassWordCounts::load_df(df, tf)?;
        let mut out = Self::from(counts);
        out.has_tf = tf.is_some();
        Ok(out)
    }

    /// Attaches the per-language and corpus document frequencies of the same
    /// corpus: keyword lists per language and the generic-word share need them.
    pub fn with_languages(mut self, languages: sacx_data::LanguageCounts) -> Self {
        self.languages = Some(languages);
        self
    }

    /// The per-language and corpus document frequencies, when attached.
    pub fn languages(&self) -> Option<&sacx_data::LanguageCounts> {
        self.languages.as_ref()
    }

    /// The class counts of the documents of one language (document frequencies
    /// only), from the attached [`sacx_data::LanguageCounts`].
    pub fn for_language(&self, lang: &str) -> Option<ClassCounts> {
        let per_class = self.languages.as_ref()?.languages.get(lang)?;
        let mut out = ClassCounts::default();
        for class in self.classes.keys() {
            let count = per_class
                .get(class)
                .map(|f| ClassCount {
                    n_docs: f.n_docs,
                    df: f.df.iter().map(|(w, &n)| (w.clone(), n)).collect(),
                    tf: HashMap::new(),
                })
                .unwrap_or_default();
            out.classes.insert(class.clone(), count);
        }
        Some(out)
    }

    /// Adds or replaces one class's counts.
    pub fn insert(&mut self, class: impl Into<String>, count: ClassCount) {
        self.classes.insert(class.into(), count);
    }

    /// Marks the counts as carrying term frequencies.
    pub fn set_has_tf(&mut self, has_tf: bool) {
        self.has_tf = has_tf;
    }

    /// Whether term frequencies are known.
    pub fn has_tf(&self) -> bool {
        self.has_tf
    }

    /// Counts of one class.
    pub fn class(&self, class: &str) -> Option<&ClassCount> {
        self.classes.get(class)
    }

    /// Every class with its counts, sorted by name.
    pub(crate) fn classes(&self) -> impl Iterator<Item = (&str, &ClassCount)> {
        self.classes.iter().map(|(c, cc)| (c.as_str(), cc))
    }

    /// Class names, sorted.
    pub fn class_names(&self) -> impl Iterator<Item = &str> {
        self.classes.keys().map(String::as_str)
    }

    /// Documents of `class` containing `word` (0 when unknown).
    pub fn df(&self, class: &str, word: &str) -> u64 {
        self.classes
            .get(class)
            .and_then(|c| c.df.get(word))
            .copied()
            .unwrap_or(0)
    }
}

impl From<&sacx_data::ClassWordCounts> for ClassCounts {
    /// The counts computed by `sacx-data` (term and document frequencies per class).
    fn from(c: &sacx_data::ClassWordCounts) -> Self {
        let copy = |m: Option<&BTreeMap<String, u64>>| -> HashMap<String, u64> {
            m.map(|m| m.iter().map(|(w, n)| (w.clone(), *n)).collect())
                .unwrap_or_default()
        };
        let mut out = Self {
            has_tf: true,
            ..Self::default()
        };
        let names = c.n_docs.keys().chain(c.df.keys()).chain(c.tf.keys());
        for class in names.collect::<std::collections::BTreeSet<_>>() {
            out.classes.insert(
                class.clone(),
                ClassCount {
                    n_docs: c.n_docs.get(class).copied().unwrap_or(0),
                    df: copy(c.df.get(class)),
                    tf: copy(c.tf.get(class)),
                },
            );
        }
        out
    }
}

impl From<sacx_data::ClassWordCounts> for ClassCounts {
    /// The counts computed by `sacx-data`, taken over class by class (the
    /// words move, so the two shapes are never held whole at once).
    fn from(c: sacx_data::ClassWordCounts) -> Self {
        let sacx_data::ClassWordCounts {
            n_docs,
            mut df,
            mut tf,
        } = c;
        let mut out = Self {
            has_tf: true,
            ..Self::default()
        };
        let names: std::collections::BTreeSet<String> = n_docs
            .keys()
            .chain(df.keys())
            .chain(tf.keys())
            .cloned()
            .collect();
        for class in names {
            let take = |m: Option<BTreeMap<String, u64>>| -> HashMap<String, u64> {
                m.map(|m| m.into_iter().collect()).unwrap_or_default()
            };
            let count = ClassCount {
                n_docs: n_docs.get(&class).copied().unwrap_or(0),
                df: take(df.remove(&class)),
                tf: take(tf.remove(&class)),
            };
            out.classes.insert(class, count);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_sacx_data_counts() {
        let mut d = sacx_data::ClassWordCounts::default();
        d.n_docs.insert("X".into(), 4);
        d.df.entry("X".into()).or_default().insert("a".into(), 3);
        d.tf.entry("X".into()).or_default().insert("a".into(), 7);
        let c = ClassCounts::from(&d);
        assert!(c.has_tf());
        assert_eq!(
            (
                c.df("X", "a"),
                c.class("X").unwrap().tf["a"],
                c.class("X").unwrap().n_docs
            ),
            (3, 7, 4)
        );
    }

    #[test]
    fn counts_documents_per_class() {
        let docs = vec![
            (vec!["a", "b", "a"], vec!["X"]),
            (vec!["a"], vec!["X", "Y"]),
        ];
        let c = ClassCounts::from_documents(docs);
        assert_eq!(c.df("X", "a"), 2);
        assert_eq!(c.class("X").unwrap().tf["a"], 3);
        assert_eq!(c.class("X").unwrap().n_docs, 2);
        assert_eq!(c.df("Y", "b"), 0);
    }

    #[test]
    fn reads_the_original_json_and_names_missing_doc_counts() {
        let dir = tempfile::tempdir().unwrap();
        let df = dir.path().join("class_df.json");
        std::fs::write(&df, r#"{"HI": {"recipe": 5, "_N_DOCS": 9}}"#).unwrap();
        let tf = dir.path().join("class_tf.json");
        std::fs::write(&tf, r#"{"HI": {"recipe": 12}}"#).unwrap();
        let c = ClassCounts::from_json_files(&df, Some(&tf)).unwrap();
        assert_eq!(
            (c.df("HI", "recipe"), c.class("HI").unwrap().n_docs),
            (5, 9)
        );
        assert_eq!(c.class("HI").unwrap().tf["recipe"], 12);
        std::fs::write(&df, r#"{"HI": {"recipe": 5}}"#).unwrap();
        let e = ClassCounts::from_json_files(&df, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("class_df.json") && e.contains("_N_DOCS"), "{e}");
    }
}
