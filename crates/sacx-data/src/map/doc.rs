//! The per-document and per-cluster records of a map (`documents.json` and
//! the `clusters` of `map.json`).
use serde::{Deserialize, Serialize};

/// One document's metadata on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapDoc {
    /// The document id.
    pub id: String,
    /// Its language.
    pub lang: String,
    /// Its gold classes (names).
    pub labels: Vec<String>,
    /// Its first words, for display.
    pub snippet: String,
}

/// Words of a document's snippet.
const SNIPPET_WORDS: usize = 24;

impl MapDoc {
    /// Every document of `corpus`: its id, language, class names and first
    /// 24 words (with `…` when there are more).
    pub fn of_corpus(corpus: &crate::Corpus) -> Vec<MapDoc> {
        corpus
            .docs
            .iter()
            .map(|d| {
                let mut snippet: Vec<&str> =
                    d.text.split_whitespace().take(SNIPPET_WORDS + 1).collect();
                let more = snippet.len() > SNIPPET_WORDS;
                snippet.truncate(SNIPPET_WORDS);
                MapDoc {
                    id: d.id.clone(),
                    lang: d.lang.clone(),
                    labels: d
                        .labels
                        .iter()
                        .filter_map(|&l| corpus.labels.name(l).map(str::to_string))
                        .collect(),
                    snippet: snippet.join(" ") + if more { " …" } else { "" },
                }
            })
            .collect()
    }
}

/// A cluster (or the noise group) summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// The cluster number; `None` for the noise group.
    pub cluster: Option<usize>,
    /// Documents in it.
    pub size: usize,
    /// Its most characteristic words (c-TF-IDF times topicality, words generic
    /// in the main language last), with their scores.
    pub top_words: Vec<(String, f64)>,
    /// Share of its documents labelled with each class, largest first.
    pub classes: Vec<(String, f64)>,
    /// Share of its documents in each language, largest first.
    pub languages: Vec<(String, f64)>,
    /// The IG keywords of the (up to three) classes with the largest shares.
    pub keywords: Vec<(String, Vec<String>)>,
}
