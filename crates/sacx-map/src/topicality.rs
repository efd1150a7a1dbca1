//! Which words name a topic and which are generic in their language,
//! measured from the corpus and the map's own neighbourhoods, with no
//! stop-word list (docs/metrics.md, "Top words").
//!
//! - **Neighbour lift**: how much more often a document's neighbours share
//!   a word than documents drawn at random from the neighbours' languages
//!   would. A function word is in most documents of its language, so a
//!   neighbour has it about as often as chance (lift ≈ 1); a topic word is
//!   in the documents the map puts together (lift ≫ 1). Its *topicality* is
//!   `1 − 1/lift` (0 for lift ≤ 1).
//! - **Language share**: the share of its language's documents a word is
//!   in. A word in more of a language's documents than an average cluster
//!   holds (`1/k` of them, `k` clusters) is generic in that language: it
//!   cannot name one cluster.
use crate::knn::Knn;
use sacx_data::map::ClusterSummary;
use std::collections::HashMap;

/// A word's document counts in one language.
#[derive(Clone, Copy, Default)]
struct Cell {
    /// Documents of the language that have the word.
    df: u64,
    /// Neighbour slots of the word's documents held by a document of the
    /// same language (the document itself is never its own neighbour).
    same: u64,
    /// Neighbour slots held by a document of this language, the word's
    /// document being of another one.
    cross: u64,
}

/// The corpus-measured generality of every word.
pub struct Topicality<'a> {
    words: HashMap<&'a str, u32>,
    langs: HashMap<&'a str, u16>,
    /// Documents per language.
    lang_docs: Vec<u64>,
    /// `(word, language)` counts.
    cells: HashMap<(u32, u16), Cell>,
    /// Per word: neighbour pairs that share it.
    hits: Vec<u64>,
}

impl<'a> Topicality<'a> {
    /// Measures `words` (one list per document, `langs[i]` its language)
    /// over the neighbourhoods of `knn`: each row's first `k` neighbours.
    pub fn measure<S: AsRef<str>>(
        words: &'a [Vec<S>],
        langs: &[&'a str],
        knn: &Knn,
        k: usize,
    ) -> Self {
        let k = k.min(knn.k());
        let mut ids: HashMap<&'a str, u32> = HashMap::new();
        let docs: Vec<Vec<u32>> = words
            .iter()
            .map(|ws| {
                let mut d: Vec<u32> = ws
                    .iter()
                    .map(|w| {
                        let next = ids.len() as u32;
                        *ids.entry(w.as_ref()).or_insert(next)
                    })
                    .collect();
                d.sort_unstable();
                d.dedup();
                d
            })
            .collect();
        let mut lang_ids: HashMap<&'a str, u16> = HashMap::new();
        let lang: Vec<u16> = langs
            .iter()
            .map(|l| {
                let next = lang_ids.len() as u16;
                *lang_ids.entry(l).or_insert(next)
            })
            .collect();
        let mut lang_docs = vec![0u64; lang_ids.len()];
        let mut cells: HashMap<(u32, u16), Cell> = HashMap::new();
        let mut hits = vec![0u64; ids.len()];
        let mut slots: Vec<(u16, u64)> = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let li = lang[i];
            lang_docs[li as usize] += 1;
            slots.clear();
            let neighbours = if i < knn.rows() {
                &knn.indices(i)[..k]
            } else {
                &[]
            };
            for &j in neighbours {
                let (j, lj) = (j as usize, lang[j as usize]);
                match slots.iter_mut().find(|s| s.0 == lj) {
                    Some(s) => s.1 += 1,
                    None => slots.push((lj, 1)),
                }
                for &w in &docs[j] {
                    if d.binary_search(&w).is_ok() {
                        hits[w as usize] += 1;
                    }
                }
            }
            for &w in d {
                cells.entry((w, li)).or_default().df += 1;
                for &(lj, m) in &slots {
                    let c = cells.entry((w, lj)).or_default();
                    if lj == li {
                        c.same += m;
                    } else {
                        c.cross += m;
                    }
                }
            }
        }
        Topicality {
            words: ids,
            langs: lang_ids,
            lang_docs,
            cells,
            hits,
        }
    }

    /// `1 − 1/lift` of `word` (0 when its neighbours share it no more than
    /// chance, or it is unknown).
    pub fn topicality(&self, word: &str) -> f64 {
        let Some(&w) = self.words.get(word) else {
            return 0.0;
        };
        let hits = self.hits[w as usize] as f64;
        // Expected shared slots: a same-language neighbour is another of the
        // language's documents, a cross-language one any of them.
        let expected: f64 = (0..self.lang_docs.len() as u16)
            .filter_map(|l| Some((l, self.cells.get(&(w, l))?)))
            .map(|(l, c)| {
                let n = self.lang_docs[l as usize] as f64;
                let df = c.df as f64;
                let same = if n > 1.0 {
                    (df - 1.0).max(0.0) / (n - 1.0)
                } else {
                    0.0
                };
                c.same as f64 * same + c.cross as f64 * df / n
            })
            .sum();
        if hits <= 0.0 || hits <= expected {
            0.0
        } else {
            1.0 - expected / hits
        }
    }

    /// The share of `lang`'s documents that have `word` (0 when either is unknown).
    pub fn language_share(&self, word: &str, lang: &str) -> f64 {
        let (Some(&w), Some(&l)) = (self.words.get(word), self.langs.get(lang)) else {
            return 0.0;
        };
        let df = self.cells.get(&(w, l)).map_or(0, |c| c.df);
        df as f64 / self.lang_docs[l as usize].max(1) as f64
    }
}

/// The label words (the first `label_words` top words of each cluster, the
/// noise group left out) that are among the `top` most document-frequent
/// words of the cluster's main language in `words` (one list per document,
/// `langs[i]` its language), as `(cluster, language, word)`: the measure of
/// labels that are generic in their language (docs/benchmarks.md).
pub fn generic_labels<S: AsRef<str>>(
    clusters: &[ClusterSummary],
    words: &[Vec<S>],
    langs: &[&str],
    label_words: usize,
    top: usize,
) -> Vec<(usize, String, String)> {
    let mut df: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (ws, lang) in words.iter().zip(langs) {
        let mut ws: Vec<&str> = ws.iter().map(AsRef::as_ref).collect();
        ws.sort_unstable();
        ws.dedup();
        let counts = df.entry(lang).or_default();
        ws.into_iter()
            .for_each(|w| *counts.entry(w).or_default() += 1);
    }
    let mut out = Vec::new();
    for c in clusters {
        let (Some(cluster), Some((lang, _))) = (c.cluster, c.languages.first()) else {
            continue;
        };
        let mut frequent: Vec<(&str, usize)> = df
            .get(lang.as_str())
            .map(|m| m.iter().map(|(w, n)| (*w, *n)).collect())
            .unwrap_or_default();
        frequent.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        frequent.truncate(top);
        for (w, _) in c.top_words.iter().take(label_words) {
            if frequent.iter().any(|f| f.0 == w) {
                out.push((cluster, lang.clone(), w.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::{Metric, neighbours};

    /// Two topics in one language, every document with the function word
    /// "the": neighbours share the topic words far beyond chance and "the"
    /// only as often as chance.
    #[test]
    fn topic_words_are_topical_and_function_words_generic() {
        let mut words = Vec::new();
        let mut points = Vec::new();
        for i in 0..40 {
            let topic = i % 2;
            let mut w = vec!["the".to_string(), format!("filler{}", i % 7)];
            w.push(if topic == 0 { "chess" } else { "audio" }.to_string());
            words.push(w);
            points.extend([topic as f32 * 10.0 + (i as f32) * 0.01, 0.0]);
        }
        let langs = vec!["en"; 40];
        let knn = neighbours(&points, 2, 5, Metric::Euclidean, 100, 1).unwrap();
        let t = Topicality::measure(&words, &langs, &knn, 5);
        assert!(t.topicality("chess") > 0.4, "{}", t.topicality("chess"));
        assert_eq!(t.topicality("the"), 0.0);
        assert_eq!(t.language_share("the", "en"), 1.0);
        assert_eq!(t.language_share("chess", "en"), 0.5);
        assert_eq!(t.language_share("chess", "fi"), 0.0);
        assert_eq!(t.topicality("unseen"), 0.0);
    }
}
