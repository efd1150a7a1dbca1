//! Class word counts, as the original `count_class_words.py` made them: per
//! class, the term frequency (TF) and document frequency (DF) of every word and
//! the number of documents.
//!
//! On disk each is one JSON object `{class: {word: n, ..., "_N_DOCS": n}}`: one
//! file for TF, one for DF. Words are in keyword form ([`Segmenter::fold`]); the
//! word `_N_DOCS` itself is never counted.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};

use crate::corpus::{Corpus, resolve_labels};
use crate::error::{Error, Result};
use crate::options::LoadOptions;
use crate::reader::{Record, Source, read_records};
use crate::report::LoadReport;
use crate::segment::Segmenter;

/// The key holding the number of documents of a class.
pub const N_DOCS_KEY: &str = "_N_DOCS";

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

#[derive(Default)]
struct ClassAcc {
    tf: HashMap<String, u64>,
    df: HashMap<String, u64>,
    n: u64,
}

#[derive(Default)]
struct Acc(HashMap<String, ClassAcc>);

fn bump(map: &mut HashMap<String, u64>, key: &str, by: u64) {
    match map.get_mut(key) {
        Some(v) => *v += by,
        None => {
            map.insert(key.to_string(), by);
        }
    }
}

impl Acc {
    fn add_doc<'a>(&mut self, seg: &Segmenter, text: &str, classes: impl Iterator<Item = &'a str>) {
        let mut words: HashMap<std::borrow::Cow<'_, str>, u64> = HashMap::new();
        for w in seg.words(text) {
            let form = seg.fold(w.text);
            if form != N_DOCS_KEY {
                *words.entry(form).or_default() += 1;
            }
        }
        for class in classes {
            let acc = match self.0.get_mut(class) {
                Some(a) => a,
                None => self.0.entry(class.to_string()).or_default(),
            };
            acc.n += 1;
            for (w, &c) in &words {
                bump(&mut acc.tf, w, c);
                bump(&mut acc.df, w, 1);
            }
        }
    }

    fn merge(mut self, mut other: Acc) -> Acc {
        if self.0.len() < other.0.len() {
            std::mem::swap(&mut self, &mut other);
        }
        for (class, o) in other.0 {
            let acc = self.0.entry(class).or_default();
            acc.n += o.n;
            for (w, c) in o.tf {
                *acc.tf.entry(w).or_default() += c;
            }
            for (w, c) in o.df {
                *acc.df.entry(w).or_default() += c;
            }
        }
        self
    }

    fn finish(self, classes: &[String]) -> ClassWordCounts {
        let mut out = ClassWordCounts::default();
        for c in classes {
            out.tf.entry(c.clone()).or_default();
            out.df.entry(c.clone()).or_default();
            out.n_docs.entry(c.clone()).or_default();
        }
        for (class, acc) in self.0 {
            out.tf.insert(class.clone(), acc.tf.into_iter().collect());
            out.df.insert(class.clone(), acc.df.into_iter().collect());
            out.n_docs.insert(class, acc.n);
        }
        out
    }
}

/// Counts one chunk of records in parallel.
fn count_chunk(seg: &Segmenter, docs: &[(Record, Vec<String>)]) -> Acc {
    docs.par_iter()
        .fold(Acc::default, |mut acc, (rec, classes)| {
            acc.add_doc(seg, &rec.text, classes.iter().map(String::as_str));
            acc
        })
        .reduce(Acc::default, Acc::merge)
}

impl ClassWordCounts {
    /// Counts corpus files, streaming them line by line (memory grows with the
    /// vocabulary, not with the corpus) and counting each chunk in parallel.
    /// Labels, languages and bad lines are handled as by [`Corpus::load`]; the
    /// report says what was counted.
    pub fn count_files<P: AsRef<Path>>(
        paths: &[P],
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LoadReport)> {
        let sources = Source::from_paths(paths, opts)?;
        Self::count_sources(sources, opts, seg)
    }

    /// Counts a corpus read from `reader` (gzip detected by magic bytes), streaming.
    pub fn count_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LoadReport)> {
        let lang = opts.file_language(0, 1)?;
        let source = Source::from_reader(name, reader, opts, lang, false)?;
        Self::count_sources(vec![source], opts, seg)
    }

    fn count_sources(
        sources: Vec<Source>,
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LoadReport)> {
        let mut report = LoadReport::default();
        let mut total = Acc::default();
        for source in sources {
            read_records(source, opts, &mut report, |chunk, report| {
                let mut docs = Vec::with_capacity(chunk.len());
                for rec in chunk {
                    let classes: Vec<String> = match opts.labels() {
                        Some(set) => match resolve_labels(&rec.labels, set, report) {
                            Some(ids) => ids
                                .iter()
                                .filter_map(|&i| set.name(i))
                                .map(str::to_string)
                                .collect(),
                            None => continue,
                        },
                        None => {
                            let mut c = rec.labels.clone();
                            c.sort();
                            c.dedup();
                            c
                        }
                    };
                    report.add_document(&rec.lang, classes.iter().map(String::as_str));
                    docs.push((rec, classes));
                }
                let acc = count_chunk(seg, &docs);
                total = std::mem::take(&mut total).merge(acc);
                Ok(())
            })?;
        }
        let classes = opts
            .labels()
            .map(|s| s.names().to_vec())
            .unwrap_or_default();
        Ok((total.finish(&classes), report))
    }

    /// Counts the documents `docs` of an in-memory corpus (all documents when `None`),
    /// in parallel. Every class of the label set appears, possibly with zero documents.
    pub fn from_corpus(corpus: &Corpus, seg: &Segmenter, docs: Option<&[usize]>) -> Result<Self> {
        let all: Vec<usize>;
        let idx = match docs {
            Some(d) => d,
            None => {
                all = (0..corpus.len()).collect();
                &all
            }
        };
        if let Some(&bad) = idx.iter().find(|&&i| i >= corpus.len()) {
            return Err(Error::DocumentIndex {
                index: bad,
                len: corpus.len(),
            });
        }
        let acc = idx
            .par_iter()
            .fold(Acc::default, |mut acc, &i| {
                let d = &corpus.docs[i];
                acc.add_doc(
                    seg,
                    &d.text,
                    d.labels.iter().filter_map(|&l| corpus.labels.name(l)),
                );
                acc
            })
            .reduce(Acc::default, Acc::merge);
        Ok(acc.finish(corpus.labels.names()))
    }

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
        write_atomic(tf_path, &self.tf, &self.n_docs)?;
        write_atomic(df_path, &self.df, &self.n_docs)
    }

    /// Reads TF and DF files written by [`ClassWordCounts::save`] or by the original
    /// `count_class_words.py`. Both must have the same classes and `_N_DOCS`.
    pub fn load(tf_path: &Path, df_path: &Path) -> Result<Self> {
        let (tf, n_tf) = read_counts(tf_path)?;
        let (df, n_df) = read_counts(df_path)?;
        if n_tf != n_df {
            let class = n_tf
                .iter()
                .find(|(c, n)| n_df.get(*c) != Some(n))
                .or_else(|| n_df.iter().find(|(c, _)| !n_tf.contains_key(*c)))
                .map(|(c, _)| c.clone())
                .unwrap_or_default();
            return Err(Error::Json {
                path: df_path.to_path_buf(),
                message: format!(
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

fn write_atomic(
    path: &Path,
    counts: &BTreeMap<String, BTreeMap<String, u64>>,
    n_docs: &BTreeMap<String, u64>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let io = |e| Error::io(&tmp, e);
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut out = BufWriter::new(file);
    let result = serde_json::to_writer(&mut out, &FileView(counts, n_docs))
        .map_err(|e| Error::Json {
            path: tmp.clone(),
            message: e.to_string(),
        })
        .and_then(|_| out.flush().map_err(io))
        .and_then(|_| out.get_ref().sync_all().map_err(io))
        .and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

type Counts = (
    BTreeMap<String, BTreeMap<String, u64>>,
    BTreeMap<String, u64>,
);

fn read_counts(path: &Path) -> Result<Counts> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let raw: BTreeMap<String, BTreeMap<String, u64>> =
        serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| Error::Json {
            path: path.to_path_buf(),
            message: format!(
                "{e}; expected {{class: {{word: count, \"{N_DOCS_KEY}\": count}}}} with whole-number counts"
            ),
        })?;
    let mut counts = BTreeMap::new();
    let mut n_docs = BTreeMap::new();
    for (class, mut words) in raw {
        let Some(n) = words.remove(N_DOCS_KEY) else {
            return Err(Error::Json {
                path: path.to_path_buf(),
                message: format!("class {class:?} has no \"{N_DOCS_KEY}\" entry"),
            });
        };
        n_docs.insert(class.clone(), n);
        counts.insert(class, words);
    }
    Ok((counts, n_docs))
}
