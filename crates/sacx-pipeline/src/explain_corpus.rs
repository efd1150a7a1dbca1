//! Explaining any documents (`sacx explain --model … --corpus FILES`), not
//! only a split's validation documents: every seed's model of a run (or one
//! checkpoint) explains the documents of the files into
//! `OUT/seed-<S>/shard-NNNNN.bin`, the shard format of a run's
//! `explanations/` (so `sacx keywords --explanations OUT/seed-1 …` ranks them).
//!
//! Documents need an `id`; gold labels are optional: a document without
//! them is explained for its predicted classes (with the default
//! `--targets gold-or-predicted`, and with `predicted`), a gold label the
//! model does not know is ignored and counted, as in `sacx predict`.
//! Integrated Gradients needs the documents at hand (batches are cut longest
//! first), so the files are loaded into memory, unlike `sacx predict`.
use crate::observer::{Event, Observer};
use crate::options::IgArgs;
use crate::predict::{checkpoint_dirs, load};
use crate::{Error, Result};
use sacx_data::{DocStream, LoadOptions, PoolDoc, Tokenizer};
use sacx_ig::{DocSource, ExplainDoc, OutputOptions, RunInfo};
use sacx_model::DeviceSpec;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One explanation of corpus files.
pub struct ExplainCorpusJob<'a> {
    /// A run directory or a checkpoint directory.
    pub model: PathBuf,
    /// Corpus files (JSON Lines or SACX TSV, gzipped or not).
    pub corpus: Vec<PathBuf>,
    /// How the files are read (give `require_ids(true)`).
    pub load: LoadOptions,
    /// The output directory: one `seed-<S>/` shard directory per model.
    pub out: PathBuf,
    /// The device.
    pub device: DeviceSpec,
    /// How predictions are explained.
    pub ig: &'a IgArgs,
}

/// The documents with their known gold label indices.
struct Docs {
    docs: Vec<PoolDoc>,
    gold: Vec<Vec<u32>>,
}

impl ExplainCorpusJob<'_> {
    /// Explains the documents with every model; returns the shard directories.
    /// The model, the files and the output directory are checked before any
    /// explanation (a non-empty directory that holds no such explanations is
    /// refused); a killed explanation resumes at its last complete shard.
    pub fn run(&self, observer: &mut dyn Observer) -> Result<Vec<PathBuf>> {
        let dirs = checkpoint_dirs(&self.model)?;
        let docs: Vec<PoolDoc> =
            DocStream::open(&self.corpus, &self.load)?.collect::<sacx_data::Result<_>>()?;
        if docs.is_empty() {
            return Err(Error::EmptyCorpus {
                corpus: self.corpus_name(),
                detail: "no document with a non-empty text".into(),
            });
        }
        check_out(&self.out)?;
        let members = load(&dirs, self.device.resolve()?)?;
        let labels = &members[0].checkpoint.config.labels;
        let (gold, unknown) = known(&docs, labels);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|(l, n)| format!("{l} ({n})")).collect();
            observer.event(Event::Note(&format!(
                "gold labels the model does not know were ignored: {}",
                list.join(", ")
            )));
        }
        let docs = Docs { docs, gold };
        let mut out = Vec::new();
        for m in &members {
            let seed = m.seed();
            let dir = self.out.join(format!("seed-{seed}"));
            let explainer = crate::seed::explainer(&m.checkpoint, &m.tokenizer, self.ig)?;
            let source = CorpusDocs {
                docs: &docs,
                tokenizer: &m.tokenizer,
            };
            let info = RunInfo {
                run: format!("seed-{seed}"),
                seed,
                labels: labels.clone(),
            };
            let options = OutputOptions {
                tsv: self.ig.tsv,
                docs_per_shard: self.ig.shard_docs as usize,
            };
            let summary =
                sacx_ig::explain_to_dir(&explainer, &source, &dir, &info, &options, &mut |p| {
                    observer.event(Event::Explaining { seed, progress: p })
                })?;
            observer.event(Event::Explained { seed });
            observer.event(Event::Note(&format!(
                "seed {seed}: explained {} documents, {} pairs ({} without target)",
                summary.documents, summary.pairs, summary.documents_without_target
            )));
            out.push(dir);
        }
        Ok(out)
    }

    fn corpus_name(&self) -> String {
        let names: Vec<String> = self
            .corpus
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        names.join(", ")
    }
}

/// The file that marks a directory as written by a corpus explanation.
const MARKER: &str = ".sacx-explain";

/// Creates `out`, refusing a non-empty directory that no corpus explanation wrote.
fn check_out(out: &Path) -> Result<()> {
    let ours = out.join(MARKER).is_file()
        || std::fs::read_dir(out).map_or(true, |mut e| e.next().is_none());
    if !ours {
        return Err(Error::Conflict {
            option: "out",
            reason: format!(
                "{} is not empty and holds no corpus explanation; give a new or empty directory",
                out.display()
            ),
        });
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, "create the directory", e))?;
    std::fs::write(out.join(MARKER), b"sacx explain --corpus\n")
        .map_err(|e| Error::io(out.join(MARKER), "write", e))
}

/// Gold label indices the model knows, per document; unknown names counted.
fn known(docs: &[PoolDoc], labels: &[String]) -> (Vec<Vec<u32>>, BTreeMap<String, u64>) {
    let mut unknown = BTreeMap::new();
    let gold = docs
        .iter()
        .map(|d| {
            let mut idx: Vec<u32> = Vec::new();
            for name in d.labels.iter().flatten() {
                match labels.iter().position(|l| l == name) {
                    Some(i) => idx.push(i as u32),
                    None => *unknown.entry(name.clone()).or_default() += 1,
                }
            }
            idx.sort_unstable();
            idx
        })
        .collect();
    (gold, unknown)
}

/// The documents, tokenized on demand.
struct CorpusDocs<'a> {
    docs: &'a Docs,
    tokenizer: &'a Tokenizer,
}

impl DocSource for CorpusDocs<'_> {
    fn len(&self) -> usize {
        self.docs.docs.len()
    }

    fn docs(&self, range: Range<usize>) -> sacx_ig::Result<Vec<ExplainDoc>> {
        let texts: Vec<&str> = self.docs.docs[range.clone()]
            .iter()
            .map(|d| d.text.as_str())
            .collect();
        let encodings = self.tokenizer.encode_batch(&texts);
        Ok(range
            .zip(encodings)
            .map(|(i, e)| ExplainDoc {
                doc_id: self.docs.docs[i].id.clone(),
                lang: self.docs.docs[i].lang.clone(),
                gold: self.docs.gold[i].clone(),
                ids: e.ids,
                word_ids: e.word_ids,
                words: e.words,
            })
            .collect())
    }
}
