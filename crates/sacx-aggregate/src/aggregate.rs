//! The IG keyword ranking driver: two streaming, parallel passes over the inputs.
//!
//! Pass 1 selects word occurrences per (run, document, target) and folds them into a
//! [`PairTable`] per input file (rayon, in blocks: [`in_blocks`]), merged exactly in input order;
//! it also spills each file's selected (class, word) occurrences with the document's key
//! and gold set to an anonymous temporary file ([`Spill`]). After ranking, pass 2 replays
//! the spills (not the inputs: no second parse) and counts, for the listed words only,
//! the distinct documents and gold label sets they were selected in — so no
//! per-document state is kept in memory for the millions of pairs that never reach a list.
use crate::Result;
use crate::align::{AlignIndex, Aligner};
use crate::counts::ClassCounts;
use crate::input::{Inputs, Plan, Unit, in_blocks};
use crate::keywords::{ClassKeywords, KEYWORDS_FORMAT, Keyword, Keywords};
use crate::languages::{LanguageKeywords, rank_languages};
use crate::params::{KeywordParams, Method};
use crate::rank::rank;
use crate::select::{Scratch, Selector};
use crate::table::{FxMap, PairTable};
use rayon::prelude::*;
use sacx_data::explanation::DocRef;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Ranks IG keywords from the explanations in `inputs` (issue 6, steps 1–6).
///
/// `counts` enables the corpus filter (`min_word_freq`) and the `corpus_freq` column.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sacx_aggregate::{Inputs, KeywordParams, aggregate};
/// use sacx_data::explanation::{
///     DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardWriter, TargetAttribution, shard_path,
/// };
/// let dir = tempfile::tempdir()?;
/// let labels = vec!["Game".to_string(), "Music".to_string()];
/// let mut inputs = Inputs::new();
/// for seed in 1..=3 {
///     let run = dir.path().join(format!("seed-{seed}"));
///     std::fs::create_dir(&run)?;
///     let header = ShardHeader {
///         format_version: SHARD_FORMAT_VERSION,
///         run: format!("seed-{seed}"),
///         seed,
///         labels: labels.clone(),
///         shard_index: 0,
///     };
///     let path = shard_path(&run, 0);
///     let mut w = ShardWriter::create(&path, &header)?;
///     w.write(&DocExplanation {
///         doc_id: "d1".into(),
///         lang: "en".into(),
///         gold: vec![0],
///         probs: vec![0.9, 0.1],
///         words: vec!["play".into(), "the".into(), "game".into()],
///         targets: vec![TargetAttribution {
///             class: 0,
///             scores: vec![0.8, 0.05, 0.6],
///             delta: 0.0,
///             rel_delta: 0.0,
///             steps: 32,
///         }],
///     })?;
///     w.finish()?;
///     inputs = inputs.shard(path);
/// }
/// let params = KeywordParams::builder().words_per_doc(2).build()?;
/// let keywords = aggregate(&inputs, &params, None)?;
/// let game = keywords.class("Game").ok_or("no Game")?;
/// let words: Vec<&str> = game.keywords.iter().map(|k| k.word.as_str()).collect();
/// assert_eq!(words, ["play", "game"]);
/// assert_eq!(game.keywords[0].runs, 3);
/// # Ok(())
/// # }
/// ```
pub fn aggregate(
    inputs: &Inputs,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> Result<Keywords> {
    let plan = inputs.plan()?;
    let (table, lang_tables, spills) = pass_one(&plan, params)?;
    tracing::info!(
        pairs = table.len(),
        runs = plan.runs.len(),
        languages = lang_tables.len(),
        "aggregated (class, word) pairs"
    );
    let mut classes = rank(&table, &plan.labels, plan.runs.len(), params, counts);
    drop(table);
    let mut languages = if params.per_language() {
        rank_languages(lang_tables, &plan.labels, plan.runs.len(), params, counts)
    } else {
        Vec::new()
    };
    pass_two(&plan, &spills, &mut classes, &mut languages)?;
    align(&spills, &mut languages)?;
    let mut parameters = crate::keywords::parameters_value(params);
    if let Some(obj) = parameters.as_object_mut() {
        obj.insert("n_runs".into(), plan.runs.len().into());
        obj.insert("corpus_filter".into(), counts.is_some().into());
    }
    Ok(Keywords {
        format: KEYWORDS_FORMAT.into(),
        method: Method::Ig,
        parameters,
        runs: plan.runs.clone(),
        classes,
        languages,
    })
}

/// Per-language tables, keyed by the records' language.
type LangTables = BTreeMap<Box<str>, PairTable>;

/// Links the per-language keywords across languages ([`Aligner`]), replaying
/// the spills a third time.
fn align(spills: &[Spill], languages: &mut [LanguageKeywords]) -> Result<()> {
    let Some(index) = AlignIndex::new(languages) else {
        return Ok(());
    };
    let mut aligner = Aligner::default();
    for spill in spills {
        let listed: Vec<_> = spill.words.iter().map(|w| index.get(w)).collect();
        spill.for_each_doc(|key, _, selected| aligner.document(&index, key, selected, &listed))?;
    }
    aligner.finish(languages);
    Ok(())
}

/// Pass one: the overall table, one table per language (when the parameters
/// ask for per-language lists) and the spills.
///
/// Each file is read into its own tables, merged into the totals in input
/// order ([`in_blocks`]): memory is the totals and one block's tables.
fn pass_one(plan: &Plan, params: &KeywordParams) -> Result<(PairTable, LangTables, Vec<Spill>)> {
    let selector = Selector::new(params);
    let n_runs = plan.runs.len();
    let (mut table, mut langs, mut spills) =
        (PairTable::new(n_runs), LangTables::new(), Vec::new());
    in_blocks(
        &plan.units,
        |unit| unit_pass(plan, params, &selector, unit),
        |(t, lt, spill)| {
            table.merge(t);
            for (lang, t) in lt {
                match langs.get_mut(&lang) {
                    Some(mine) => mine.merge(t),
                    None => {
                        langs.insert(lang, t);
                    }
                }
            }
            spills.push(spill);
        },
    )?;
    Ok((table, langs, spills))
}

/// Pass one over one file: its tables and its spill.
fn unit_pass(
    plan: &Plan,
    params: &KeywordParams,
    selector: &Selector,
    unit: &Unit,
) -> Result<(PairTable, LangTables, Spill)> {
    let n_runs = plan.runs.len();
    let by_lang = params.per_language();
    let (mut table, mut langs, mut scratch) = (
        PairTable::new(n_runs),
        LangTables::new(),
        Scratch::default(),
    );
    let mut spill = SpillWriter::new()?;
    let mut kept = Vec::new();
    plan.for_each_record(unit, |rec| {
        spill.begin(rec);
        let mut lang_table = if by_lang {
            if !langs.contains_key(rec.lang) {
                langs.insert(rec.lang.into(), PairTable::new(n_runs));
            }
            langs.get_mut(rec.lang)
        } else {
            None
        };
        // Two closures share the tables: the pair counts go through a buffer.
        kept.clear();
        selector.select(
            rec,
            &mut scratch,
            |class| kept.push(class),
            |class, i, score| {
                table.add(class, rec.words[i], unit.run, score);
                if let Some(t) = lang_table.as_mut() {
                    t.add(class, rec.words[i], unit.run, score);
                }
                spill.select(class, rec.words[i], score);
            },
        );
        for &class in &kept {
            table.add_pair(class, unit.run);
            if let Some(t) = lang_table.as_mut() {
                t.add_pair(class, unit.run);
            }
        }
        spill.end()
    })?;
    Ok((table, langs, spill.finish()?))
}

/// One selected occurrence of a spilled document: (class, word id, score).
pub(crate) type Selected = (u32, u32, f32);

/// What pass one selected in one input file, for pass two: per document its key
/// (language and id), gold set and selected (class, word) occurrences, in an anonymous
/// temporary file (words as ids into the file's own word list). Memory: the distinct
/// words of the file; the occurrences stay on disk.
struct Spill {
    file: File,
    words: Vec<Box<str>>,
}

struct SpillWriter {
    out: BufWriter<File>,
    ids: FxMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    doc: Vec<u8>,
    selected: u32,
}

fn spill_io(e: std::io::Error) -> crate::Error {
    crate::Error::io(std::env::temp_dir())(e)
}

impl SpillWriter {
    fn new() -> Result<Self> {
        Ok(Self {
            out: BufWriter::with_capacity(1 << 16, tempfile::tempfile().map_err(spill_io)?),
            ids: FxMap::default(),
            words: Vec::new(),
            doc: Vec::new(),
            selected: 0,
        })
    }

    fn put(&mut self, v: u32) {
        self.doc.extend_from_slice(&v.to_le_bytes());
    }

    fn begin(&mut self, rec: &DocRef<'_>) {
        self.doc.clear();
        self.selected = 0;
        self.put((rec.lang.len() + 1 + rec.doc_id.len()) as u32);
        self.doc.extend_from_slice(rec.lang.as_bytes());
        self.doc.push(0x1f);
        self.doc.extend_from_slice(rec.doc_id.as_bytes());
        self.put(rec.gold.len() as u32);
        for &g in rec.gold.iter() {
            self.put(g);
        }
    }

    fn select(&mut self, class: u32, word: &str, score: f32) {
        let id = match self.ids.get(word) {
            Some(&id) => id,
            None => {
                let id = self.words.len() as u32;
                self.words.push(word.into());
                self.ids.insert(word.into(), id);
                id
            }
        };
        self.put(class);
        self.put(id);
        self.put(score.to_bits());
        self.selected += 1;
    }

    fn end(&mut self) -> Result<()> {
        if self.selected > 0 {
            self.out
                .write_all(&self.selected.to_le_bytes())
                .and_then(|()| self.out.write_all(&self.doc))
                .map_err(spill_io)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Spill> {
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| spill_io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(spill_io)?;
        Ok(Spill {
            file,
            words: self.words,
        })
    }
}

impl Spill {
    /// Calls `f(key, gold, selected)` for every document with a selected occurrence,
    /// `selected` holding (class, word id, score) triples.
    fn for_each_doc(&self, mut f: impl FnMut(&str, &[u32], &[Selected])) -> Result<()> {
        // Every replay starts at the beginning (the file's cursor is shared).
        (&self.file).seek(SeekFrom::Start(0)).map_err(spill_io)?;
        let mut input = BufReader::with_capacity(1 << 16, &self.file);
        let mut word = [0u8; 4];
        let mut u32_at = |input: &mut BufReader<&File>| -> Result<Option<u32>> {
            match input.read_exact(&mut word) {
                Ok(()) => Ok(Some(u32::from_le_bytes(word))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(spill_io(e)),
            }
        };
        let (mut key, mut gold, mut sel) = (Vec::new(), Vec::new(), Vec::new());
        let truncated = || spill_io(std::io::ErrorKind::UnexpectedEof.into());
        while let Some(n_sel) = u32_at(&mut input)? {
            let key_len = u32_at(&mut input)?.ok_or_else(truncated)? as usize;
            key.resize(key_len, 0);
            input.read_exact(&mut key).map_err(spill_io)?;
            gold.clear();
            for _ in 0..u32_at(&mut input)?.ok_or_else(truncated)? {
                gold.push(u32_at(&mut input)?.ok_or_else(truncated)?);
            }
            sel.clear();
            for _ in 0..n_sel {
                let class = u32_at(&mut input)?.ok_or_else(truncated)?;
                let id = u32_at(&mut input)?.ok_or_else(truncated)?;
                let score = f32::from_bits(u32_at(&mut input)?.ok_or_else(truncated)?);
                sel.push((class, id, score));
            }
            let key = std::str::from_utf8(&key)
                .map_err(|_| spill_io(std::io::ErrorKind::InvalidData.into()))?;
            f(key, &gold, &sel);
        }
        Ok(())
    }
}

/// Distinct documents and gold label sets per listed keyword, from one worker.
#[derive(Default)]
struct DocTally {
    docs: FxMap<Box<str>, u32>,
    doc_names: Vec<Box<str>>,
    seen: HashSet<(u32, u32)>,
    gold: FxMap<u32, Vec<Vec<u32>>>,
}

impl DocTally {
    fn doc(&mut self, key: &str) -> u32 {
        if let Some(&d) = self.docs.get(key) {
            return d;
        }
        let d = self.doc_names.len() as u32;
        self.doc_names.push(key.into());
        self.docs.insert(key.into(), d);
        d
    }

    fn add_gold(&mut self, slot: u32, gold: &[u32]) {
        let sets = self.gold.entry(slot).or_default();
        if !sets.iter().any(|s| s == gold) {
            sets.push(gold.to_vec());
        }
    }

    fn merge(mut self, other: DocTally) -> DocTally {
        for (kw, d) in other.seen {
            let d = self.doc(&other.doc_names[d as usize]);
            self.seen.insert((kw, d));
        }
        for (slot, sets) in other.gold {
            for set in sets {
                self.add_gold(slot, &set);
            }
        }
        self
    }
}

/// A listed keyword list: its class, its language (position in the
/// per-language lists; `None`: every language) and the list.
type ListRef<'k> = (u32, Option<u32>, &'k mut Vec<Keyword>);

/// Where a listed word is: (class, language as in [`ListRef`], slot).
type Listed = (u32, Option<u32>, u32);

/// Every list of the overall and per-language keywords.
fn all_lists<'k>(
    classes: &'k mut [ClassKeywords],
    languages: &'k mut [LanguageKeywords],
) -> Vec<ListRef<'k>> {
    let mut lists: Vec<ListRef<'k>> = Vec::new();
    for (c, ck) in classes.iter_mut().enumerate() {
        let ClassKeywords {
            keywords,
            unstable,
            counter,
            ..
        } = ck;
        for list in [keywords, unstable, counter] {
            lists.push((c as u32, None, list));
        }
    }
    for (l, lk) in languages.iter_mut().enumerate() {
        for (c, lc) in lk.classes.iter_mut().enumerate() {
            lists.push((c as u32, Some(l as u32), &mut lc.keywords));
        }
    }
    lists
}

/// Pass two: for every listed keyword (overall and per language), the distinct
/// documents and gold label sets it was selected in.
fn pass_two(
    plan: &Plan,
    spills: &[Spill],
    classes: &mut [ClassKeywords],
    languages: &mut [LanguageKeywords],
) -> Result<()> {
    let lang_ids: FxMap<String, u32> = languages
        .iter()
        .enumerate()
        .map(|(l, lk)| (lk.lang.clone(), l as u32))
        .collect();
    let mut lists = all_lists(classes, languages);
    // Listed word → (class, language, slot); slots index (list, rank).
    let mut index: FxMap<&str, Vec<Listed>> = FxMap::default();
    let mut slots: Vec<(usize, usize)> = Vec::new();
    for (l, (c, lang, list)) in lists.iter().enumerate() {
        for (i, k) in list.iter().enumerate() {
            index
                .entry(k.word.as_str())
                .or_default()
                .push((*c, *lang, slots.len() as u32));
            slots.push((l, i));
        }
    }
    if slots.is_empty() {
        return Ok(());
    }
    let tally = spills
        .par_iter()
        .try_fold(DocTally::default, |mut tally, spill: &Spill| {
            // The listed entries of each word of this file, looked up once.
            let listed: Vec<Option<&Vec<_>>> =
                spill.words.iter().map(|w| index.get(&**w)).collect();
            spill.for_each_doc(|key, gold, selected| {
                let lang = key
                    .split_once('\u{1f}')
                    .and_then(|(l, _)| lang_ids.get(l).copied());
                let mut doc = None;
                for &(class, id, _) in selected {
                    let Some(entries) = listed[id as usize] else {
                        continue;
                    };
                    for (c, l, slot) in entries {
                        if *c == class && (l.is_none() || *l == lang) {
                            let d = *doc.get_or_insert_with(|| tally.doc(key));
                            tally.seen.insert((*slot, d));
                            tally.add_gold(*slot, gold);
                        }
                    }
                }
            })?;
            Ok::<_, crate::Error>(tally)
        })
        .try_reduce(DocTally::default, |a, b| Ok(a.merge(b)))?;
    let mut documents = vec![0u64; slots.len()];
    for (slot, _) in &tally.seen {
        documents[*slot as usize] += 1;
    }
    for (slot, &(l, i)) in slots.iter().enumerate() {
        lists[l].2[i].documents = documents[slot];
    }
    for (slot, mut sets) in tally.gold {
        sets.sort();
        let (l, i) = slots[slot as usize];
        lists[l].2[i].gold_labels = sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(|&g| plan.labels[g as usize].clone())
                    .collect()
            })
            .collect();
    }
    Ok(())
}
