//! Keyword lists per language: the same ranking over the explanations of one
//! language's documents, with that language's class word counts.
use crate::counts::ClassCounts;
use crate::keywords::Keyword;
use crate::params::KeywordParams;
use crate::rank::rank;
use crate::table::PairTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fewer documents of a class in a language than this, and its list there gets
/// a note that they are too few to say anything about the language: with
/// 3 runs and the default validation share, fewer than 10 documents leave two or
/// three explained ones.
pub const MIN_LANGUAGE_DOCS: u64 = 10;

/// One language's keyword lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LanguageKeywords {
    /// The language code of the documents.
    pub lang: String,
    /// Documents of the language in the corpus (`None`: no language counts).
    pub documents: Option<u64>,
    /// Per class, in label order.
    pub classes: Vec<LanguageClass>,
}

/// A class's stable keywords in one language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LanguageClass {
    /// Class name.
    pub class: String,
    /// Documents of the language labelled with the class in the corpus
    /// (`None`: no language counts).
    pub documents: Option<u64>,
    /// Explained (run, document) pairs of the class in this language.
    pub explained: u64,
    /// Runs with at least one such pair.
    pub explained_runs: u32,
    /// Ranked stable keywords, as the overall list but from this language only.
    pub keywords: Vec<Keyword>,
    /// Why the list is empty or not to be trusted (too few documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LanguageKeywords {
    /// The lists of `class`.
    pub fn class(&self, class: &str) -> Option<&LanguageClass> {
        self.classes.iter().find(|c| c.class == class)
    }
}

/// Ranks every language's table; nothing for fewer than two languages (the
/// overall list is then the language's list).
pub(crate) fn rank_languages(
    tables: BTreeMap<Box<str>, PairTable>,
    labels: &[String],
    n_runs: usize,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> Vec<LanguageKeywords> {
    if tables.len() < 2 {
        return Vec::new();
    }
    let lang_counts = counts.and_then(ClassCounts::languages);
    tables
        .into_iter()
        .map(|(lang, table)| {
            let own = counts.and_then(|c| c.for_language(&lang));
            // Without per-language counts, the corpus's counts still filter and
            // weigh the words (a language's words are mostly its own).
            let classes = rank(&table, labels, n_runs, params, own.as_ref().or(counts));
            let documents = lang_counts.map(|c| c.language_docs.get(&*lang).copied().unwrap_or(0));
            let classes = classes
                .into_iter()
                .map(|ck| {
                    let docs = lang_counts.map(|c| c.class_documents(&lang, &ck.class));
                    let note = match docs {
                        Some(n) if n < MIN_LANGUAGE_DOCS => Some(format!(
                            "{n} documents of {} in {lang}: too few to say anything about this language (at least {MIN_LANGUAGE_DOCS})",
                            ck.class
                        )),
                        _ => ck.note,
                    };
                    LanguageClass {
                        class: ck.class,
                        documents: docs,
                        explained: ck.explained,
                        explained_runs: ck.explained_runs,
                        keywords: ck.keywords,
                        note,
                    }
                })
                .collect();
            LanguageKeywords {
                lang: lang.into(),
                documents,
                classes,
            }
        })
        .collect()
}
