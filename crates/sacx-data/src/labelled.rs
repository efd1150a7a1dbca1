//! Extra labelled documents merged into a corpus: the documents an annotator
//! labelled after `sacx select`, for the next round of training.
//!
//! Documents are matched by `(id, language)`. One already in the corpus must
//! carry the same labels (it is then counted, not added again); a new one is
//! appended; every label must be one of the corpus's.
use std::collections::HashMap;

use crate::corpus::{Corpus, Document};
use crate::error::{Error, Result};

/// What merging one file of labelled documents did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// Documents appended to the corpus.
    pub added: usize,
    /// Documents the corpus (or the file, earlier) already held with the same labels.
    pub already_present: usize,
}

impl Corpus {
    /// Merges `extra`, the documents of the labelled file `file` (loaded with
    /// [`crate::LoadOptionsBuilder::require_ids`]), into this corpus.
    ///
    /// Errors, naming the file and the document: a document without text, a
    /// label the corpus does not have, and a document whose labels differ from
    /// the corpus's (or from an earlier line of the file) for the same id and
    /// language. Nothing is merged when an error is returned.
    ///
    /// ```
    /// use sacx_data::{Corpus, LoadOptions};
    /// let opts = LoadOptions::default();
    /// let base = b"{\"id\":\"a\",\"text\":\"Play chess\",\"labels\":[\"Game\"],\"lang\":\"en\"}\n\
    ///              {\"id\":\"b\",\"text\":\"Edit photos\",\"labels\":[\"Graphics\"],\"lang\":\"en\"}\n";
    /// let mut corpus = Corpus::from_reader("corpus.jsonl", &base[..], &opts)?;
    /// let more = b"{\"id\":\"a\",\"text\":\"Play chess\",\"labels\":[\"Game\"],\"lang\":\"en\"}\n\
    ///              {\"id\":\"c\",\"text\":\"Paint\",\"labels\":[\"Graphics\"],\"lang\":\"en\"}\n";
    /// let ids = LoadOptions::builder().require_ids(true).build()?;
    /// let extra = Corpus::from_reader("labelled.jsonl", &more[..], &ids)?;
    /// let counts = corpus.merge_labelled(extra, "labelled.jsonl")?;
    /// assert_eq!((counts.added, counts.already_present), (1, 1));
    /// assert_eq!(corpus.docs[2].id, "c");
    /// # Ok::<(), sacx_data::Error>(())
    /// ```
    pub fn merge_labelled(&mut self, extra: Corpus, file: &str) -> Result<MergeCounts> {
        let fail = |reason: String| Error::Labelled {
            file: file.to_string(),
            reason,
        };
        if let Some(empty) = extra.report.empty.first() {
            return Err(fail(format!(
                "line {}: no text; a labelled document needs its text (as `sacx select` wrote it)",
                empty.line
            )));
        }
        let names = |labels: &[u32], set: &crate::LabelSet| -> Vec<String> {
            labels
                .iter()
                .filter_map(|&l| set.name(l).map(str::to_string))
                .collect()
        };
        let mut index: HashMap<(String, String), Vec<u32>> = self
            .docs
            .iter()
            .map(|d| ((d.id.clone(), d.lang.clone()), d.labels.clone()))
            .collect();
        let mut counts = MergeCounts::default();
        let mut new_docs = Vec::new();
        // Lines skipped under `skip_bad_lines` are reported with the corpus's.
        self.report.bad_lines.extend(extra.report.bad_lines);
        for doc in extra.docs {
            let mut labels = Vec::with_capacity(doc.labels.len());
            for name in names(&doc.labels, &extra.labels) {
                let i = self.labels.index(&name).ok_or_else(|| {
                    fail(format!(
                        "document {:?}: label {name:?} is not one of the corpus's {} labels ({}); check its spelling",
                        doc.id,
                        self.labels.len(),
                        preview(self.labels.names())
                    ))
                })?;
                labels.push(i);
            }
            labels.sort_unstable();
            let key = (doc.id.clone(), doc.lang.clone());
            if let Some(known) = index.get(&key) {
                if *known != labels {
                    return Err(fail(format!(
                        "document {:?} ({}) is labelled [{}] here but [{}] before; fix one of them",
                        doc.id,
                        doc.lang,
                        names(&labels, &self.labels).join(", "),
                        names(known, &self.labels).join(", ")
                    )));
                }
                counts.already_present += 1;
                continue;
            }
            index.insert(key, labels.clone());
            new_docs.push(Document { labels, ..doc });
        }
        for doc in new_docs {
            let classes = names(&doc.labels, &self.labels);
            self.report
                .add_document(&doc.lang, classes.iter().map(String::as_str));
            self.docs.push(doc);
            counts.added += 1;
        }
        self.report.labelled_added += counts.added;
        self.report.labelled_present += counts.already_present;
        Ok(counts)
    }
}

/// The first few names, then how many more.
fn preview(names: &[String]) -> String {
    const SHOWN: usize = 8;
    let head = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        format!("{head}, … {} more", names.len() - SHOWN)
    } else {
        head
    }
}
