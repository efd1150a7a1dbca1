//! Pass 3 over the pool: documents holding a class's motifs, sampled per
//! motif. Segmenting every document of a large pool would dominate the time,
//! so a multi-pattern matcher (Aho-Corasick over the motif words) first keeps
//! the documents whose text contains every word of some motif as a substring;
//! only those are segmented and checked exactly.
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use sacx_data::{Fnv1a, Segmenter};

use crate::mine::MotifStat;
use crate::motif::{document_words, gram_hashes};
use crate::pool::Pool;
use crate::sample::{Best, key};
use crate::scan::{Held, Scan, TAG_EXPLORE, check_probs, digest_id};
use crate::{Error, Result, SelectParams};

/// One motif to look for: its class, its hash, its word ids in the
/// prefilter, and the sample of documents holding it.
struct Target {
    class: usize,
    hash: u64,
    words: Vec<usize>,
    found: Best<SampleKey, Held>,
}

/// A document's sample key: one seeded key per row, shared by every motif, so
/// that each motif's sample is the matching documents with the largest keys
/// (a uniform sample of them), and a document whose key cannot enter any
/// motif's sample is skipped before its text is even looked at.
type SampleKey = (u64, Reverse<u64>);

/// The smallest key a document needs to enter some motif's sample (`None`
/// while a sample is not full: then every document is looked at).
fn floor(targets: &[Target]) -> Option<SampleKey> {
    let mut low: Option<SampleKey> = None;
    for t in targets.iter().filter(|t| t.found.cap() > 0) {
        let f = *t.found.floor()?;
        low = Some(low.map_or(f, |l| l.min(f)));
    }
    low
}

/// Per class and motif (explore motifs, then keyword motifs, in their order),
/// the sampled documents holding it, in sample order.
pub(crate) struct Found {
    pub explore: Vec<Vec<Vec<Held>>>,
    pub keywords: Vec<Vec<Vec<Held>>>,
    /// Documents segmented after the prefilter (for the summary).
    pub verified: u64,
}

/// The prefilter's patterns: each motif word, its lower case, and the other
/// form of Greek sigma (lower-casing a whole text may pick `ς` or `σ` by
/// context where the word alone got the other).
fn patterns(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut out = vec![word.to_string(), lower.clone()];
    if lower.contains(['σ', 'ς']) {
        out.push(lower.replace('ς', "σ"));
        out.push(lower.replace('σ', "ς"));
    }
    out.sort();
    out.dedup();
    out
}

struct Prefilter {
    ac: AhoCorasick,
    /// Pattern index → word index.
    word_of: Vec<usize>,
    n_words: usize,
}

impl Prefilter {
    fn new(words: &[String]) -> Result<Prefilter> {
        let (mut pats, mut word_of) = (Vec::new(), Vec::new());
        for (i, w) in words.iter().enumerate() {
            for p in patterns(w) {
                pats.push(p);
                word_of.push(i);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&pats)
            .map_err(|e| Error::Pool(Box::new(e)))?;
        Ok(Prefilter {
            ac,
            word_of,
            n_words: words.len(),
        })
    }

    /// Which motif words occur in `text` as substrings (ASCII case ignored,
    /// other text lower-cased first).
    fn present(&self, text: &str, seen: &mut Vec<bool>) {
        seen.clear();
        seen.resize(self.n_words, false);
        let lowered;
        let hay = if text.is_ascii() {
            text
        } else {
            lowered = text.to_lowercase();
            &lowered
        };
        for m in self.ac.find_overlapping_iter(hay) {
            seen[self.word_of[m.pattern().as_usize()]] = true;
        }
    }
}

/// Pass 3: samples, per motif, up to `explore` (explore motifs) or
/// `keyword_docs` (keyword motifs) documents holding it, leaving out labelled
/// ids and the class's own top ranks (explore looks beyond them).
pub(crate) fn find(
    pool: &dyn Pool,
    seg: &Segmenter,
    scan: &Scan,
    motifs: &[Vec<MotifStat>],
    keywords: &[Vec<MotifStat>],
    params: &SelectParams,
    labelled: &HashSet<String>,
) -> Result<Found> {
    let mut vocab: HashMap<String, usize> = HashMap::new();
    let mut targets = Vec::new();
    let word_index = |w: &String, vocab: &mut HashMap<String, usize>| {
        let n = vocab.len();
        *vocab.entry(w.clone()).or_insert(n)
    };
    for (lists, cap) in [
        (motifs, params.explore()),
        (keywords, params.keyword_docs()),
    ] {
        for (class, list) in lists.iter().enumerate() {
            for m in list {
                let words = m.words.iter().map(|w| word_index(w, &mut vocab)).collect();
                targets.push(Target {
                    class,
                    hash: m.hash,
                    words,
                    found: Best::new(cap),
                });
            }
        }
    }
    let n_explore: usize = motifs.iter().map(Vec::len).sum();
    if targets.iter().all(|t| t.found.cap() == 0) {
        return Ok(split(targets, n_explore, motifs.len(), 0));
    }
    let mut words: Vec<String> = vec![String::new(); vocab.len()];
    for (w, i) in vocab {
        words[i] = w;
    }
    let pre = Prefilter::new(&words)?;
    let top_rows: Vec<HashSet<u64>> = scan
        .top
        .iter()
        .map(|t| t.iter().map(|h| h.row).collect())
        .collect();
    let labels = pool.labels();
    let (mut rows, mut ids, mut verified, mut seen) = (0u64, Fnv1a::new(), 0u64, Vec::new());
    let mut low = floor(&targets);
    let mut admitted: Vec<usize> = Vec::new();
    for doc in pool.pass()? {
        let doc = doc?;
        let row = rows;
        rows += 1;
        check_probs(&doc, row, labels)?;
        digest_id(&mut ids, &doc.id);
        let k = (key(params.seed(), TAG_EXPLORE, row), Reverse(row));
        if low.is_some_and(|f| k <= f) || labelled.contains(&doc.id) {
            continue;
        }
        pre.present(&doc.text, &mut seen);
        admitted.clear();
        admitted.extend((0..targets.len()).filter(|&i| {
            let t = &targets[i];
            t.found.admits(&k)
                && t.words.iter().all(|&w| seen[w])
                && !top_rows[t.class].contains(&row)
        }));
        if admitted.is_empty() {
            continue;
        }
        verified += 1;
        let words = document_words(seg, &doc.text, params.max_words());
        let grams = gram_hashes(&words, params.max_n(), params.skip());
        for &i in &admitted {
            let t = &mut targets[i];
            if grams.binary_search(&t.hash).is_ok() {
                let held = Held {
                    row,
                    id: doc.id.clone(),
                    text: doc.text.clone(),
                    score: doc.probs[t.class],
                };
                t.found.push(k, held);
            }
        }
        low = floor(&targets);
    }
    if rows != scan.rows || ids.finish() != scan.ids {
        return Err(Error::PoolChanged {
            reason: format!(
                "the first pass read {} documents, the motif pass {rows} (or other ids)",
                scan.rows
            ),
        });
    }
    Ok(split(targets, n_explore, motifs.len(), verified))
}

/// Targets back into per-class lists of samples.
fn split(targets: Vec<Target>, n_explore: usize, n_classes: usize, verified: u64) -> Found {
    let mut explore: Vec<Vec<Vec<Held>>> = vec![Vec::new(); n_classes];
    let mut keywords: Vec<Vec<Vec<Held>>> = vec![Vec::new(); n_classes];
    for (i, t) in targets.into_iter().enumerate() {
        let docs = t.found.into_sorted().into_iter().map(|(_, h)| h).collect();
        let lists = if i < n_explore {
            &mut explore
        } else {
            &mut keywords
        };
        if let Some(l) = lists.get_mut(t.class) {
            l.push(docs);
        }
    }
    Found {
        explore,
        keywords,
        verified,
    }
}
