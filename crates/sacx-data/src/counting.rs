//! Counting class words of a corpus (needs the `text` feature: words come from
//! the [`Segmenter`]). The counts and their files are in `counts.rs`.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::corpus::{Corpus, resolve_labels};
use crate::counts::{ClassWordCounts, N_DOCS_KEY};
use crate::error::{Error, Result};
use crate::lang_counts::LanguageCounts;
use crate::options::LoadOptions;
use crate::reader::{Record, Source, read_records};
use crate::report::LoadReport;
use crate::segment::Segmenter;

#[derive(Default)]
struct ClassAcc {
    tf: HashMap<String, u64>,
    df: HashMap<String, u64>,
    n: u64,
}

/// Class accumulators, and the per-language ones when they are asked for.
#[derive(Default)]
struct Acc(HashMap<String, ClassAcc>, Option<LanguageCounts>);

/// Documents counted between two merges into the total (see `count_corpus`).
const COUNT_BLOCK: usize = 4096;

impl Acc {
    /// An empty accumulator that also counts per language when `by_language`.
    fn new(by_language: bool) -> Self {
        Acc(HashMap::new(), by_language.then(LanguageCounts::default))
    }
}

fn bump(map: &mut HashMap<String, u64>, key: &str, by: u64) {
    match map.get_mut(key) {
        Some(v) => *v += by,
        None => {
            map.insert(key.to_string(), by);
        }
    }
}

impl Acc {
    fn add_doc<'a>(
        &mut self,
        seg: &Segmenter,
        lang: &str,
        text: &str,
        classes: impl Iterator<Item = &'a str> + Clone,
    ) {
        let mut words: HashMap<std::borrow::Cow<'_, str>, u64> = HashMap::new();
        for w in seg.words(text) {
            let form = seg.fold(w.text);
            if form != N_DOCS_KEY {
                *words.entry(form).or_default() += 1;
            }
        }
        if let Some(l) = self.1.as_mut() {
            l.add_document(lang, classes.clone(), words.keys().map(|w| w.as_ref()));
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
        match (self.1.as_mut(), other.1) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (None, theirs) => self.1 = theirs,
            (Some(_), None) => {}
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

    fn finish(self, classes: &[String]) -> (ClassWordCounts, Option<LanguageCounts>) {
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
        (out, self.1)
    }
}

/// Counts one chunk of records in parallel.
fn count_chunk(seg: &Segmenter, docs: &[(Record, Vec<String>)], by_language: bool) -> Acc {
    docs.par_iter()
        .fold(
            || Acc::new(by_language),
            |mut acc, (rec, classes)| {
                acc.add_doc(
                    seg,
                    &rec.lang,
                    &rec.text,
                    classes.iter().map(String::as_str),
                );
                acc
            },
        )
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
        let (counts, _, report) = Self::count_sources(sources, opts, seg, false)?;
        Ok((counts, report))
    }

    /// [`ClassWordCounts::count_files`], with the document frequencies per
    /// language and over the corpus ([`LanguageCounts`]) counted in the same pass.
    pub fn count_files_by_language<P: AsRef<Path>>(
        paths: &[P],
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LanguageCounts, LoadReport)> {
        let sources = Source::from_paths(paths, opts)?;
        let (counts, languages, report) = Self::count_sources(sources, opts, seg, true)?;
        Ok((counts, languages.unwrap_or_default(), report))
    }

    /// Counts a corpus read from `reader` (gzip detected by magic bytes), streaming.
    pub fn count_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LoadReport)> {
        let source = Self::reader_source(name, reader, opts)?;
        let (counts, _, report) = Self::count_sources(vec![source], opts, seg, false)?;
        Ok((counts, report))
    }

    /// [`ClassWordCounts::count_reader`], with the [`LanguageCounts`] of the same pass.
    pub fn count_reader_by_language<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
        seg: &Segmenter,
    ) -> Result<(ClassWordCounts, LanguageCounts, LoadReport)> {
        let source = Self::reader_source(name, reader, opts)?;
        let (counts, languages, report) = Self::count_sources(vec![source], opts, seg, true)?;
        Ok((counts, languages.unwrap_or_default(), report))
    }

    /// The one source of a corpus read from `reader`.
    fn reader_source<R: Read + Send + 'static>(
        name: &str,
        reader: R,
        opts: &LoadOptions,
    ) -> Result<Source> {
        let lang = opts.file_language(0, 1)?;
        Source::from_reader(name, reader, opts, lang, false)
    }

    fn count_sources(
        sources: Vec<Source>,
        opts: &LoadOptions,
        seg: &Segmenter,
        by_language: bool,
    ) -> Result<(ClassWordCounts, Option<LanguageCounts>, LoadReport)> {
        let mut report = LoadReport::default();
        let mut total = Acc::new(by_language);
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
                let acc = count_chunk(seg, &docs, by_language);
                total = std::mem::take(&mut total).merge(acc);
                Ok(())
            })?;
        }
        let classes = opts
            .labels()
            .map(|s| s.names().to_vec())
            .unwrap_or_default();
        let (counts, languages) = total.finish(&classes);
        Ok((counts, languages, report))
    }

    /// Counts the documents `docs` of an in-memory corpus (all documents when `None`),
    /// in parallel. Every class of the label set appears, possibly with zero documents.
    ///
    /// ```
    /// # fn main() -> Result<(), sacx_data::Error> {
    /// use sacx_data::{ClassWordCounts, Corpus, Segmenter};
    /// let data = "{\"text\": \"Play the game, play!\", \"labels\": [\"Game\"]}\n\
    ///             {\"text\": \"A song\", \"labels\": [\"Music\"]}\n";
    /// let corpus = Corpus::from_reader("c.jsonl", std::io::Cursor::new(data), &Default::default())?;
    /// let counts = ClassWordCounts::from_corpus(&corpus, &Segmenter::new(), None)?;
    /// assert_eq!((counts.tf("Game", "play"), counts.df("Game", "play")), (2, 1));
    /// assert_eq!(counts.n_docs("Music"), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_corpus(corpus: &Corpus, seg: &Segmenter, docs: Option<&[usize]>) -> Result<Self> {
        Ok(Self::count_corpus(corpus, seg, docs, false)?.0)
    }

    /// [`ClassWordCounts::from_corpus`] over every document, with the
    /// [`LanguageCounts`] of the same pass: what [`count_files_by_language`]
    /// counts, from a corpus already in memory (`sacx run` reads its corpus
    /// once).
    ///
    /// [`count_files_by_language`]: ClassWordCounts::count_files_by_language
    pub fn from_corpus_by_language(
        corpus: &Corpus,
        seg: &Segmenter,
    ) -> Result<(Self, LanguageCounts)> {
        let (counts, languages) = Self::count_corpus(corpus, seg, None, true)?;
        Ok((counts, languages.unwrap_or_default()))
    }

    fn count_corpus(
        corpus: &Corpus,
        seg: &Segmenter,
        docs: Option<&[usize]>,
        by_language: bool,
    ) -> Result<(Self, Option<LanguageCounts>)> {
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
        // Blocks of documents, each counted into one partial per thread and
        // merged into the total in order: memory is the total and a block's
        // partials, whatever the corpus size (a fold over the whole corpus
        // keeps as many partials alive as rayon splits it, which grows with it).
        let threads = rayon::current_num_threads().max(1);
        let mut acc = Acc::new(by_language);
        for block in idx.chunks(COUNT_BLOCK) {
            let parts: Vec<Acc> = block
                .par_chunks(block.len().div_ceil(threads))
                .map(|chunk| {
                    let mut part = Acc::new(by_language);
                    for &i in chunk {
                        let d = &corpus.docs[i];
                        part.add_doc(
                            seg,
                            &d.lang,
                            &d.text,
                            d.labels.iter().filter_map(|&l| corpus.labels.name(l)),
                        );
                    }
                    part
                })
                .collect();
            for part in parts {
                acc = acc.merge(part);
            }
        }
        Ok(acc.finish(corpus.labels.names()))
    }
}
