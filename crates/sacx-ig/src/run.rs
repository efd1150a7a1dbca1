//! Explaining a whole document set into a directory of shards, resumably.
//!
//! Documents are cut into fixed ranges of `docs_per_shard`; shard `i` holds
//! documents `[i × docs_per_shard, (i + 1) × docs_per_shard)` in input order.
//! A shard that already exists is skipped, so a killed run resumes at the
//! first missing shard and ends with the same bytes as an uninterrupted run.
//! While the model explains shard `i`, another thread prepares (tokenizes)
//! shard `i + 1` and another writes shard `i − 1`.
use crate::explain::{ExplainDoc, Explainer};
use crate::tsv::{tsv_shard_path, write_tsv};
use crate::{Error, Result};
use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardReader, ShardWriter,
};
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

/// Where the documents to explain come from; `docs` is called from a helper
/// thread, so tokenization overlaps with model work.
pub trait DocSource: Sync {
    /// Number of documents.
    fn len(&self) -> usize;
    /// Whether there are no documents.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The documents in `range`, in order.
    fn docs(&self, range: Range<usize>) -> Result<Vec<ExplainDoc>>;
}

impl DocSource for Vec<ExplainDoc> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn docs(&self, range: Range<usize>) -> Result<Vec<ExplainDoc>> {
        Ok(self[range].to_vec())
    }
}

/// Identity of the run whose model explains (written into every shard header).
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// Run name, for example `seed-3`.
    pub run: String,
    /// The model's seed.
    pub seed: u64,
    /// The label list of the model.
    pub labels: Vec<String>,
}

/// Output options of [`explain_to_dir`].
#[derive(Clone, Debug)]
pub struct OutputOptions {
    /// Documents per shard (default 256; at least 1). Part of the output's
    /// identity: resuming needs the same value.
    pub docs_per_shard: usize,
    /// Also write each shard in the original pipeline's TSV format.
    pub tsv: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self {
            docs_per_shard: 256,
            tsv: false,
        }
    }
}

/// Progress after each shard.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Documents done (including resumed shards).
    pub docs_done: usize,
    /// Documents in all.
    pub docs_total: usize,
    /// Pairs explained by this invocation.
    pub pairs_done: usize,
    /// Seconds since this invocation started.
    pub seconds: f64,
}

/// `summary.json`: statistics over every shard of the directory (the format
/// lives in [`sacx_data::explanation::Summary`]; here with typed parameters).
pub type Summary = sacx_data::explanation::Summary<crate::IgParams>;

/// Shard naming and listing live with the shard format, in
/// [`sacx_data::explanation`]; re-exported here for existing callers.
pub use sacx_data::explanation::{list_shards, shard_path};

/// Explains every document of `source` into shards under `dir`, skipping shards
/// that exist, then writes `summary.json`. `progress` is called after each shard.
pub fn explain_to_dir(
    explainer: &Explainer<'_>,
    source: &dyn DocSource,
    dir: &Path,
    info: &RunInfo,
    options: &OutputOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary> {
    let started = Instant::now();
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let per = options.docs_per_shard.max(1);
    let total = source.len();
    let n_shards = total.div_ceil(per);
    let todo: Vec<usize> = (0..n_shards)
        .filter(|&i| !shard_path(dir, i).exists())
        .collect();
    let resumed = n_shards - todo.len();
    let range = |i: usize| i * per..((i + 1) * per).min(total);
    let mut pairs_done = 0;
    let mut docs_done = resumed_docs(n_shards, &todo, per, total);
    std::thread::scope(|scope| -> Result<()> {
        // Prefetch: one shard ahead.
        let (doc_tx, doc_rx) = mpsc::sync_channel::<(usize, Result<Vec<ExplainDoc>>)>(1);
        let todo_ref = &todo;
        scope.spawn(move || {
            for &i in todo_ref {
                if doc_tx.send((i, source.docs(range(i)))).is_err() {
                    break;
                }
            }
        });
        // Writer: one shard behind.
        let (rec_tx, rec_rx) = mpsc::sync_channel::<(usize, Vec<DocExplanation>)>(1);
        let writer = scope.spawn(move || -> Result<()> {
            for (i, records) in rec_rx {
                write_shard(dir, i, info, &records, options.tsv)?;
            }
            Ok(())
        });
        for (i, docs) in doc_rx {
            let records = explainer.explain(&docs?)?;
            pairs_done += records.iter().map(|r| r.targets.len()).sum::<usize>();
            docs_done += records.len();
            if rec_tx.send((i, records)).is_err() {
                break;
            }
            progress(&Progress {
                docs_done,
                docs_total: total,
                pairs_done,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        drop(rec_tx);
        // A panic of the writer thread (a bug, not an input) goes on unwinding here.
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    let summary = summarize(
        dir,
        n_shards,
        resumed,
        started.elapsed().as_secs_f64(),
        explainer.params(),
    )?;
    let path = dir.join(sacx_data::layout::SUMMARY_FILE);
    summary.write(&path)?;
    Ok(summary)
}

fn resumed_docs(n_shards: usize, todo: &[usize], per: usize, total: usize) -> usize {
    (0..n_shards)
        .filter(|i| !todo.contains(i))
        .map(|i| ((i + 1) * per).min(total) - i * per)
        .sum()
}

fn write_shard(
    dir: &Path,
    index: usize,
    info: &RunInfo,
    records: &[DocExplanation],
    tsv: bool,
) -> Result<()> {
    let header = ShardHeader {
        format_version: SHARD_FORMAT_VERSION,
        run: info.run.clone(),
        seed: info.seed,
        labels: info.labels.clone(),
        shard_index: index as u32,
    };
    if tsv {
        // The TSV first: the binary shard's existence marks the shard complete.
        write_tsv(&tsv_shard_path(dir, index), records, &info.labels)?;
    }
    let mut w = ShardWriter::create(&shard_path(dir, index), &header)?;
    for r in records {
        w.write(r)?;
    }
    w.finish()?;
    Ok(())
}

/// Statistics over every shard of `dir` (streaming).
fn summarize(
    dir: &Path,
    shards: usize,
    resumed: usize,
    seconds: f64,
    params: &crate::IgParams,
) -> Result<Summary> {
    let (
        mut documents,
        mut pairs,
        mut none,
        mut sum_rel,
        mut max_rel,
        mut sum_steps,
        mut max_steps,
    ) = (0usize, 0usize, 0usize, 0f64, 0f64, 0f64, 0u32);
    for path in list_shards(dir)? {
        for rec in ShardReader::open(&path)? {
            let rec = rec?;
            documents += 1;
            if rec.targets.is_empty() {
                none += 1;
            }
            for t in &rec.targets {
                pairs += 1;
                sum_rel += f64::from(t.rel_delta);
                max_rel = max_rel.max(f64::from(t.rel_delta));
                sum_steps += f64::from(t.steps);
                max_steps = max_steps.max(t.steps);
            }
        }
    }
    let mean = |s: f64| if pairs == 0 { 0.0 } else { s / pairs as f64 };
    Ok(Summary {
        documents,
        pairs,
        documents_without_target: none,
        mean_rel_delta: mean(sum_rel),
        max_rel_delta: max_rel,
        mean_steps: mean(sum_steps),
        max_steps,
        shards,
        shards_resumed: resumed,
        seconds,
        params: params.clone(),
    })
}
