//! Pass 3 over the pool: documents holding a class's motifs, sampled per
//! motif. Segmenting every document of a large pool would dominate the time,
//! so a multi-pattern matcher (Aho-Corasick over the motif words) first keeps
//! the documents whose text contains every word of some motif as a substring;
//! only those are segmented and checked exactly.
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rayon::prelude::*;
use sacx_data::{Fnv1a, Segmenter};

use crate::mine::MotifStat;
use crate::motif::{document_word_hashes, holds, word_hash};
use crate::pool::Pool;
use crate::sample::{Best, key};
use crate::scan::{Held, Scan, TAG_EXPLORE, check_probs, digest_id};
use crate::{Error, Result, SelectParams};

/// One motif to look for: its class, its hash, its word ids in the
/// prefilter, and the sample of documents holding it.
struct Target {
    class: usize,
    /// The hashes of the motif's words, in order.
    word_hashes: Vec<u64>,
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

/// Documents whose key can enter a sample, checked together on all cores.
const CHUNK: usize = 4096;

/// A document whose key some motif samples can take, and those motifs.
struct Candidate {
    row: u64,
    key: SampleKey,
    doc: crate::pool::ScoredDoc,
    targets: Vec<usize>,
    /// Whether every one of `targets` has a sample that is not full yet.
    only_open: bool,
}

/// The exact check of candidates: prefilter, then segmentation. Two
/// prefilters: one over every motif word, one over the words of the motifs
/// whose sample is not full yet (rare motifs; every document can enter their
/// samples, so every document is scanned for their words, and a smaller
/// automaton scans faster).
struct Check<'a> {
    all: Prefilter,
    open: Prefilter,
    open_set: Vec<usize>,
    words: Vec<String>,
    seg: &'a Segmenter,
    params: &'a SelectParams,
}

/// The key word of target `i` (see [`open_words`]).
fn key_word(targets: &[Target], i: usize, words: &[String]) -> Option<usize> {
    targets[i]
        .words
        .iter()
        .copied()
        .max_by_key(|&w| (words[w].len(), Reverse(w)))
}

/// The targets whose sample is not full.
fn open_targets(targets: &[Target]) -> Vec<usize> {
    (0..targets.len())
        .filter(|&i| targets[i].found.cap() > 0 && targets[i].found.floor().is_none())
        .collect()
}

impl<'a> Check<'a> {
    fn new(
        words: Vec<String>,
        targets: &[Target],
        seg: &'a Segmenter,
        params: &'a SelectParams,
    ) -> Result<Self> {
        let every: Vec<usize> = (0..words.len()).collect();
        let all = Prefilter::new(&words, &every)?;
        let open_set = open_targets(targets);
        let open = Prefilter::new(&words, &open_words(targets, &open_set, &words))?;
        Ok(Check {
            all,
            open,
            open_set,
            words,
            seg,
            params,
        })
    }

    /// Rebuilds the open prefilter when samples filled up.
    fn refresh(&mut self, targets: &[Target]) -> Result<()> {
        let open_set = open_targets(targets);
        if open_set != self.open_set {
            self.open = Prefilter::new(&self.words, &open_words(targets, &open_set, &self.words))?;
            self.open_set = open_set;
        }
        Ok(())
    }

    /// The motifs among `c.targets` that the document holds.
    fn holds(&self, targets: &[Target], c: &Candidate) -> (bool, Vec<usize>) {
        let mut seen = Vec::new();
        if c.only_open {
            // Most documents reach here only for rare motifs: look for their
            // key words first, with the small automaton.
            self.open.present(&c.doc.text, &mut seen);
            if !self
                .open_set
                .iter()
                .any(|&i| key_word(targets, i, &self.words).is_some_and(|w| seen[w]))
            {
                return (false, Vec::new());
            }
        }
        self.all.present(&c.doc.text, &mut seen);
        let maybe: Vec<usize> = c
            .targets
            .iter()
            .copied()
            .filter(|&i| targets[i].words.iter().all(|&w| seen[w]))
            .collect();
        if maybe.is_empty() {
            return (false, maybe);
        }
        let p = self.params;
        let words = document_word_hashes(self.seg, &c.doc.text, p.max_words());
        let held = maybe
            .into_iter()
            .filter(|&i| holds(&words, &targets[i].word_hashes, p.skip()))
            .collect();
        (true, held)
    }

    /// Checks a chunk of candidates in parallel, then offers each to the
    /// samples of the motifs it holds, in row order (the samples keep the
    /// largest keys, so the result does not depend on the chunking); returns
    /// how many were segmented.
    fn run(&self, chunk: &mut Vec<Candidate>, targets: &mut [Target]) -> u64 {
        let shared: &[Target] = targets;
        let results: Vec<(bool, Vec<usize>)> =
            chunk.par_iter().map(|c| self.holds(shared, c)).collect();
        let mut verified = 0;
        for (c, (segmented, held)) in chunk.drain(..).zip(results) {
            verified += u64::from(segmented);
            for i in held {
                let t = &mut targets[i];
                if t.found.admits(&c.key) {
                    let h = Held {
                        row: c.row,
                        id: c.doc.id.clone(),
                        text: c.doc.text.clone(),
                        score: c.doc.probs[t.class],
                    };
                    t.found.push(c.key, h);
                }
            }
        }
        verified
    }
}

/// The key word of each motif `open`: its longest word (a long word is
/// usually a rare one), which a document must hold before its other words are
/// looked for.
fn open_words(targets: &[Target], open: &[usize], words: &[String]) -> Vec<usize> {
    let mut ids: Vec<usize> = open
        .iter()
        .filter_map(|&i| key_word(targets, i, words))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
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
    /// Pattern index → whether it starts / ends with an ASCII letter or digit.
    edges: Vec<(bool, bool)>,
    n_words: usize,
}

fn ascii_alnum(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_alphanumeric)
}

impl Prefilter {
    /// A prefilter for the words `ids` of `words`.
    fn new(words: &[String], ids: &[usize]) -> Result<Prefilter> {
        let (mut pats, mut word_of, mut edges) = (Vec::new(), Vec::new(), Vec::new());
        for &i in ids {
            for p in patterns(&words[i]) {
                let b = p.as_bytes();
                edges.push((ascii_alnum(b.first()), ascii_alnum(b.last())));
                pats.push(p);
                word_of.push(i);
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&pats)
            .map_err(|e| Error::Pool(Box::new(e)))?;
        Ok(Prefilter {
            ac,
            word_of,
            edges,
            n_words: words.len(),
        })
    }

    /// Which motif words occur in `text` as substrings (ASCII case ignored,
    /// other text lower-cased first) not glued to an ASCII letter or digit:
    /// Unicode word boundaries (UAX #29) never split two ASCII letters or
    /// digits, so a word glued to one cannot be a word of the text there.
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
        let bytes = hay.as_bytes();
        for m in self.ac.find_overlapping_iter(hay) {
            let p = m.pattern().as_usize();
            let (first, last) = self.edges[p];
            let glued_before = first && m.start() > 0 && ascii_alnum(bytes.get(m.start() - 1));
            let glued_after = last && ascii_alnum(bytes.get(m.end()));
            if !glued_before && !glued_after {
                seen[self.word_of[p]] = true;
            }
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
                    word_hashes: m.words.iter().map(|w| word_hash(w)).collect(),
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
    let top_rows: Vec<HashSet<u64>> = scan
        .top
        .iter()
        .map(|t| t.iter().map(|h| h.row).collect())
        .collect();
    let labels = pool.labels();
    let (mut rows, mut ids, mut verified) = (0u64, Fnv1a::new(), 0u64);
    let mut low = floor(&targets);
    let mut chunk: Vec<Candidate> = Vec::with_capacity(CHUNK);
    let mut check = Check::new(words, &targets, seg, params)?;
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
        // Motifs whose sample the key can enter: most documents of a large
        // pool have none, and their text is never looked at.
        let admitted: Vec<usize> = (0..targets.len())
            .filter(|&i| {
                let t = &targets[i];
                t.found.admits(&k) && !top_rows[t.class].contains(&row)
            })
            .collect();
        if !admitted.is_empty() {
            let only_open = admitted.iter().all(|&i| targets[i].found.floor().is_none());
            chunk.push(Candidate {
                row,
                key: k,
                doc,
                targets: admitted,
                only_open,
            });
        }
        if chunk.len() == CHUNK {
            verified += check.run(&mut chunk, &mut targets);
            low = floor(&targets);
            check.refresh(&targets)?;
        }
    }
    verified += check.run(&mut chunk, &mut targets);
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
