//! Documents and corpora: loading JSON Lines and SACX TSV files (optionally gzip
//! compressed) into memory with a [`LoadReport`].

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

#[cfg(feature = "text")]
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::label::LabelSet;
use crate::options::LoadOptions;
use crate::reader::{Record, Source, read_records};
use crate::report::LoadReport;
#[cfg(feature = "text")]
use crate::tokenize::{Encoding, Tokenizer};

/// One document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Document id; translations of one text share it. Defaults to `line-N`
    /// (`<file>:line-N` when several files are loaded together).
    pub id: String,
    /// Language code, e.g. `en`.
    pub lang: String,
    /// The text.
    pub text: String,
    /// Sorted, unique indices into the corpus [`LabelSet`].
    pub labels: Vec<u32>,
}

/// Documents, their label set and the report of how they were loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corpus {
    /// The documents, in file and line order.
    pub docs: Vec<Document>,
    /// The label set the documents' label indices refer to.
    pub labels: LabelSet,
    /// What loading did.
    pub report: LoadReport,
}

/// Maps label names to sorted unique indices; `None` when the document must be
/// dropped because all its labels fall outside `set`.
pub(crate) fn resolve_labels(
    names: &[String],
    set: &LabelSet,
    report: &mut LoadReport,
) -> Option<Vec<u32>> {
    let mut ids: Vec<u32> = Vec::with_capacity(names.len());
    for name in names {
        match set.index(name) {
            Some(i) => ids.push(i),
            None => *report.unknown_labels.entry(name.clone()).or_default() += 1,
        }
    }
    if ids.is_empty() && !names.is_empty() {
        report.dropped_outside_labels += 1;
        return None;
    }
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

impl Corpus {
    /// A corpus from documents already in memory; every label index must be in `labels`.
    pub fn new(mut docs: Vec<Document>, labels: LabelSet) -> Result<Corpus> {
        let mut report = LoadReport::default();
        for doc in &mut docs {
            doc.labels.sort_unstable();
            doc.labels.dedup();
            if let Some(&bad) = doc.labels.iter().find(|&&l| l as usize >= labels.len()) {
                return Err(Error::param(
                    "label index",
                    format!("{bad} (document {:?})", doc.id),
                    "an index into the label set",
                ));
            }
            report.lines += 1;
            report.add_document(&doc.lang, doc.labels.iter().filter_map(|&l| labels.name(l)));
        }
        Ok(Corpus {
            docs,
            labels,
            report,
        })
    }

    /// Loads corpus files, in order. See [`LoadOptions`] for formats, languages and labels.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("news.tsv");
    /// std::fs::write(&path, "sport,local\tThe match ended late.\nweather\tRain again.\n")?;
    /// let opts = sacx_data::LoadOptions::builder().languages(["en"]).build()?;
    /// let corpus = sacx_data::Corpus::load(&[&path], &opts)?;
    /// assert_eq!(corpus.len(), 2);
    /// assert_eq!(corpus.labels.names(), ["local", "sport", "weather"]);
    /// assert_eq!(corpus.docs[1].lang, "en");
    /// # Ok(())
    /// # }
    /// ```
    pub fn load<P: AsRef<Path>>(paths: &[P], opts: &LoadOptions) -> Result<Corpus> {
        let sources = Source::from_paths(paths, opts)?;
        Self::from_sources(sources, opts)
    }

    /// Loads one corpus from a reader named `name` (the name picks the format under
    /// [`crate::Format::Auto`] and appears in errors); gzip data is detected by its
    /// magic bytes, so `include_bytes!` of a `.jsonl.gz` file works as is.
    ///
    /// ```
    /// let data = b"{\"text\": \"Hello world\", \"labels\": [\"greeting\"], \"lang\": \"en\"}\n";
    /// let opts = sacx_data::LoadOptions::default();
    /// let corpus = sacx_data::Corpus::from_reader("mem.jsonl", &data[..], &opts)?;
    /// assert_eq!(corpus.docs[0].id, "line-1");
    /// assert_eq!(corpus.labels.names(), ["greeting"]);
    /// # Ok::<(), sacx_data::Error>(())
    /// ```
    pub fn from_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
    ) -> Result<Corpus> {
        let lang = opts.file_language(0, 1)?;
        let source = Source::from_reader(name, reader, opts, lang, false)?;
        Self::from_sources(vec![source], opts)
    }

    fn from_sources(sources: Vec<Source>, opts: &LoadOptions) -> Result<Corpus> {
        let mut report = LoadReport::default();
        let mut records: Vec<Record> = Vec::new();
        for source in sources {
            read_records(source, opts, &mut report, |chunk, _| {
                records.extend(chunk);
                Ok(())
            })?;
        }
        let labels = match opts.labels() {
            Some(set) => set.clone(),
            None => {
                let names: BTreeSet<&str> = records
                    .iter()
                    .flat_map(|r| r.labels.iter().map(String::as_str))
                    .collect();
                LabelSet::sorted(names)
            }
        };
        let mut docs = Vec::with_capacity(records.len());
        for rec in records {
            let Some(ids) = resolve_labels(&rec.labels, &labels, &mut report) else {
                continue;
            };
            report.add_document(&rec.lang, ids.iter().filter_map(|&l| labels.name(l)));
            docs.push(Document {
                id: rec.id,
                lang: rec.lang,
                text: rec.text,
                labels: ids,
            });
        }
        Ok(Corpus {
            docs,
            labels,
            report,
        })
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The languages present, sorted.
    pub fn languages(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.docs.iter().map(|d| d.lang.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// Encodes every document in parallel (results in document order) and records
    /// the number of truncated documents in [`LoadReport::truncated`].
    #[cfg(feature = "text")]
    pub fn encode(&mut self, tokenizer: &Tokenizer) -> Vec<Encoding> {
        let encodings: Vec<Encoding> = self
            .docs
            .par_iter()
            .map(|d| tokenizer.encode(&d.text))
            .collect();
        self.report.truncated = encodings.iter().filter(|e| e.truncated).count();
        encodings
    }
}
