//! What each cluster is: its size, its top words by class-based TF-IDF, its
//! share of each gold class and language, and the IG keywords of the classes
//! it is richest in.
use crate::knn::Knn;
use crate::topicality::Topicality;
use std::collections::{BTreeMap, HashMap};

/// Classes whose IG keywords a cluster lists.
const KEYWORD_CLASSES: usize = 3;
/// Keywords listed per class.
const KEYWORDS_PER_CLASS: usize = 8;

pub use sacx_data::map::{ClusterSummary, MapDoc};

/// The clusters of `labels` (one per document, `None`: noise) summarised,
/// in cluster order, the noise group last. `words[i]` are document `i`'s
/// words; `keywords` maps a class to its IG keywords, best first; the first
/// `neighbours` of each row of `knn` are the neighbourhoods the map was
/// built from.
///
/// A word's score is its c-TF-IDF (Grootendorst 2022, with BERTopic's
/// frequent-word reduction and BM25 weighting)
/// `w(t, c) = √(tf(t, c) / |c|) · ln(1 + (A − f(t) + ½) / (f(t) + ½))`,
/// with `tf(t, c)` the count of `t` in group `c`, `|c|` the group's words,
/// `A` the mean words per group and `f(t)` the count of `t` in all groups,
/// times its topicality `1 − 1/lift` (how much more often than chance a
/// document's neighbours share it). Words in more of the cluster's main
/// language's documents than an average cluster holds (`1/k`, `k`
/// clusters) are generic in that language and come after every other word.
/// So a cluster that is one language is named by the words that group its
/// documents, not by the language's function words (docs/metrics.md).
pub fn summarize<S: AsRef<str>>(
    docs: &[MapDoc],
    words: &[Vec<S>],
    labels: &[Option<usize>],
    keywords: &BTreeMap<String, Vec<String>>,
    top_words: usize,
    knn: &Knn,
    neighbours: usize,
) -> Vec<ClusterSummary> {
    let groups = labels.iter().flatten().max().map_or(0, |m| m + 1) + 1; // + noise
    let group = |l: &Option<usize>| l.unwrap_or(groups - 1);
    let mut tf: Vec<HashMap<&str, u64>> = vec![HashMap::new(); groups];
    let mut total: HashMap<&str, u64> = HashMap::new();
    let mut group_words = vec![0u64; groups];
    for (ws, l) in words.iter().zip(labels) {
        let g = group(l);
        for w in ws.iter().map(|w| w.as_ref()).filter(|w| is_word(w)) {
            *tf[g].entry(w).or_default() += 1;
            *total.entry(w).or_default() += 1;
            group_words[g] += 1;
        }
    }
    let mean_words = group_words.iter().sum::<u64>() as f64 / groups as f64;
    let langs: Vec<&str> = docs.iter().map(|d| d.lang.as_str()).collect();
    let topical = Topicality::measure(words, &langs, knn, neighbours);
    // A word in more of its language's documents than an average cluster
    // holds is generic there.
    let generic_share = 1.0 / (groups - 1).max(1) as f64;
    // Every group's documents, in one pass.
    let mut grouped: Vec<Vec<&MapDoc>> = vec![Vec::new(); groups];
    for (d, l) in docs.iter().zip(labels) {
        grouped[group(l)].push(d);
    }
    let mut out = Vec::with_capacity(groups);
    for (g, members) in grouped.into_iter().enumerate() {
        if members.is_empty() && g == groups - 1 {
            continue;
        }
        let languages = shares(members.iter().map(|d| d.lang.as_str()), members.len());
        let main = languages.first().map_or("", |l| l.0.as_str());
        // (generic, score, c-TF-IDF, word): generic words last, then by score.
        let mut scored: Vec<(bool, f64, f64, &str)> = tf[g]
            .iter()
            .map(|(&w, &c)| {
                let f = total[w] as f64;
                let idf = (1.0 + (mean_words - f + 0.5) / (f + 0.5)).ln();
                let ctf = (c as f64 / group_words[g].max(1) as f64).sqrt() * idf;
                let generic = topical.language_share(w, main) > generic_share;
                (generic, ctf * topical.topicality(w), ctf, w)
            })
            .collect();
        scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.total_cmp(&a.1))
                .then(b.2.total_cmp(&a.2))
                .then_with(|| a.3.cmp(b.3))
        });
        let scored: Vec<(String, f64)> = scored
            .into_iter()
            .take(top_words)
            .map(|(_, s, _, w)| (w.to_string(), s))
            .collect();
        let classes = shares(
            members
                .iter()
                .flat_map(|d| d.labels.iter().map(String::as_str)),
            members.len(),
        );
        let kw = classes
            .iter()
            .take(KEYWORD_CLASSES)
            .filter_map(|(c, _)| {
                let list = keywords.get(c)?;
                Some((
                    c.clone(),
                    list.iter().take(KEYWORDS_PER_CLASS).cloned().collect(),
                ))
            })
            .collect();
        out.push(ClusterSummary {
            cluster: (g < groups - 1).then_some(g),
            size: members.len(),
            top_words: scored,
            classes,
            languages,
            keywords: kw,
        });
    }
    out
}

/// A token worth listing: it has a letter (not only digits or symbols).
fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphabetic)
}

/// Each value's count over `of`, largest first (ties by name).
fn shares<'a>(values: impl Iterator<Item = &'a str>, of: usize) -> Vec<(String, f64)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    values.for_each(|v| *counts.entry(v).or_default() += 1);
    let mut out: Vec<(String, f64)> = counts
        .into_iter()
        .map(|(v, c)| (v.to_string(), c as f64 / of.max(1) as f64))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_words_are_distinctive_and_shares_add_up() {
        let doc = |lang: &str, label: &str| MapDoc {
            id: "x".into(),
            lang: lang.into(),
            labels: vec![label.into()],
            snippet: String::new(),
        };
        let docs = vec![
            doc("en", "Game"),
            doc("en", "Game"),
            doc("fi", "Office"),
            doc("fi", "Office"),
        ];
        let words = vec![
            vec!["the", "chess"],
            vec!["the", "chess"],
            vec!["the", "sheet"],
            vec!["the", "42"],
        ];
        let kw = BTreeMap::from([("Game".to_string(), vec!["play".to_string()])]);
        let points = [0.0f32, 0.0, 0.1, 0.0, 5.0, 0.0, 5.1, 0.0];
        let knn =
            crate::knn::neighbours(&points, 2, 1, crate::knn::Metric::Euclidean, 100, 1).unwrap();
        let labels = [Some(0), Some(0), Some(1), None];
        let s = summarize(&docs, &words, &labels, &kw, 1, &knn, 1);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].top_words[0].0, "chess");
        assert_eq!(s[0].classes, [("Game".to_string(), 1.0)]);
        assert_eq!(
            s[0].keywords,
            [("Game".to_string(), vec!["play".to_string()])]
        );
        assert_eq!((s[2].cluster, s[2].size), (None, 1));
        assert_eq!(s[2].top_words[0].0, "the", "a number is not a word");
    }
}
