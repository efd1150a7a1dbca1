//! Prediction over any corpus (`sacx predict`): every seed's model of a run
//! (or one checkpoint) scores documents streamed from files of any size, chunk
//! by chunk, into a predictions directory (`sacx_data::predictions`), resumably.
//!
//! Per chunk of [`PredictParams::chunk_docs`] documents: each seed's tokenizer
//! encodes the texts, its model scores them in length-sorted batches of
//! [`PredictParams::batch_size`] (`Model::predict`: evaluation mode, no
//! gradient, sigmoid), the probabilities are averaged over the seeds, and the
//! part is written atomically. A part already on disk is skipped (its
//! documents are still read, to keep every later document at its row).
//!
//! Gold labels are optional. A gold label the model does not know is ignored
//! and counted ([`PredictSummary::unknown_labels`]); a document whose labels
//! are all unknown has no gold (`null`). With gold labels, the classification
//! metrics of training (`sacx_model::metrics::evaluate`, at the ensemble's
//! threshold) are computed over the documents that have them and written to
//! `metrics.json`; that step holds their probabilities in memory (4 bytes per
//! label and document), the rest of the prediction holds one chunk.
pub(crate) mod models;

pub use models::{Member, checkpoint_dirs, fingerprint, load, threshold};

use crate::observer::{Event, Observer};
use crate::{Error, Result};
use sacx_data::predictions::{
    InputFile, METRICS_FILE, Manifest, PartRow, Predictions, PredictionsWriter,
};
use sacx_data::{DocStream, LoadOptions, PoolDoc};
use sacx_model::{DeviceSpec, Example};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// How a prediction is cut and batched; build with [`PredictParams::builder`].
///
/// | setting | default | range | meaning |
/// |---|---|---|---|
/// | `chunk_docs` | 10 000 | 1 to 10 000 000 | documents per part: the unit of resuming and of memory (one chunk's texts and probabilities) |
/// | `batch_size` | 128 | 1 to 65 536 | documents per model call (training's evaluation batch size) |
/// | `jsonl` | `false` | | also write each part as `part-NNNNN.jsonl` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictParams {
    chunk_docs: u64,
    batch_size: usize,
    jsonl: bool,
}

impl Default for PredictParams {
    fn default() -> Self {
        PredictParams {
            chunk_docs: 10_000,
            batch_size: 128,
            jsonl: false,
        }
    }
}

impl PredictParams {
    /// A builder from the defaults.
    pub fn builder() -> PredictParamsBuilder {
        PredictParamsBuilder(PredictParams::default())
    }
    /// Documents per part.
    pub fn chunk_docs(&self) -> u64 {
        self.chunk_docs
    }
    /// Documents per model call.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }
    /// Whether JSONL parts are written too.
    pub fn jsonl(&self) -> bool {
        self.jsonl
    }
}

/// Builder of [`PredictParams`]; [`PredictParamsBuilder::build`] checks the ranges.
#[derive(Debug, Clone, Copy)]
pub struct PredictParamsBuilder(PredictParams);

impl PredictParamsBuilder {
    /// Documents per part (1 to 10 000 000).
    pub fn chunk_docs(mut self, n: u64) -> Self {
        self.0.chunk_docs = n;
        self
    }
    /// Documents per model call (1 to 65 536).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.0.batch_size = n;
        self
    }
    /// Also write JSONL parts.
    pub fn jsonl(mut self, on: bool) -> Self {
        self.0.jsonl = on;
        self
    }
    /// The checked parameters.
    pub fn build(self) -> Result<PredictParams> {
        let p = self.0;
        if !(1..=10_000_000).contains(&p.chunk_docs) {
            return Err(Error::param("chunk-docs", p.chunk_docs, "1 to 10000000"));
        }
        if !(1..=65_536).contains(&p.batch_size) {
            return Err(Error::param("batch-size", p.batch_size, "1 to 65536"));
        }
        Ok(p)
    }
}

/// What a prediction did (also written to `DIR/summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictSummary {
    /// Documents in the pool.
    pub documents: u64,
    /// Documents scored in this call (the others were in parts already written).
    pub scored: u64,
    /// Parts written in this call.
    pub parts_written: u64,
    /// Parts found complete and skipped.
    pub parts_skipped: u64,
    /// Documents with gold labels.
    pub labelled: u64,
    /// Gold labels the model does not know, and how often each was ignored.
    pub unknown_labels: BTreeMap<String, u64>,
    /// Lines with an empty text: skipped, as in training, and counted here.
    #[serde(default)]
    pub empty_texts: u64,
    /// Malformed lines skipped (`LoadOptions::skip_bad_lines`).
    #[serde(default)]
    pub bad_lines: u64,
    /// Seconds of this call.
    pub seconds: f64,
    /// Documents scored per second in this call.
    pub docs_per_second: f64,
    /// Seconds of this call per step of scoring a part: `tokenize` (every
    /// seed's tokenizer), `score` (the models), `rows` (seed means and
    /// predicted labels), `write` (the part files).
    #[serde(default)]
    pub stage_seconds: BTreeMap<String, f64>,
}

/// One prediction: the model, the input files, the output directory.
pub struct PredictJob {
    /// A run directory or a checkpoint directory.
    pub model: PathBuf,
    /// Corpus files (JSON Lines or SACX TSV, gzipped or not).
    pub corpus: Vec<PathBuf>,
    /// How the files are read (with `require_ids(true)`: predictions are matched by id; see [`PredictJob::run`]).
    pub load: LoadOptions,
    /// The output directory.
    pub out: PathBuf,
    /// Chunking and batching.
    pub params: PredictParams,
    /// Where the models run.
    pub device: DeviceSpec,
}

/// Name of the test hook that aborts a prediction (as `kill -9` would) right
/// after the N-th part it writes; the resume test uses it.
pub const TEST_ABORT_ENV: &str = "SACX_TEST_ABORT_AFTER_PARTS";

impl PredictJob {
    /// Runs the prediction. Every input is checked before any document is
    /// scored: the model path, the files, the first document (an empty pool
    /// or a line without an `id` is an error), the output directory (a
    /// non-empty directory that holds no predictions, or predictions of another
    /// model, corpus or chunk size, is refused).
    ///
    /// ```no_run
    /// use sacx_pipeline::predict::{PredictJob, PredictParams};
    /// let job = PredictJob {
    ///     model: "appstream-run".into(),
    ///     corpus: vec!["pool.jsonl.gz".into()],
    ///     load: sacx_data::LoadOptions::builder().require_ids(true).build()?,
    ///     out: "pool-predictions".into(),
    ///     params: PredictParams::builder().chunk_docs(50_000).build()?,
    ///     device: sacx_model::DeviceSpec::Auto,
    /// };
    /// let summary = job.run(&mut sacx_pipeline::Silent)?;
    /// println!("{} documents, {:.0} docs/s", summary.documents, summary.docs_per_second);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self, observer: &mut dyn Observer) -> Result<PredictSummary> {
        let started = Instant::now();
        let dirs = checkpoint_dirs(&self.model)?;
        let mut stream = DocStream::open(&self.corpus, &self.load)?;
        let Some(first) = stream.next().transpose()? else {
            return Err(Error::EmptyCorpus {
                corpus: self.corpus_name(),
                detail: "the pool has no document with a non-empty text".into(),
            });
        };
        let members = load(&dirs, self.device.resolve()?)?;
        let writer = PredictionsWriter::create(&self.out, self.manifest(&members)?)?;
        let mut abort = abort_after()?;
        let mut run = Progress::new(started);
        let mut chunk: Vec<PoolDoc> = Vec::new();
        let mut index = 0u64;
        let mut first = Some(first);
        loop {
            let doc = match first.take() {
                Some(d) => Some(d),
                None => stream.next().transpose()?,
            };
            let end = doc.is_none();
            if let Some(d) = doc {
                chunk.push(d);
            }
            let full = chunk.len() as u64 == self.params.chunk_docs;
            if (full || end) && !chunk.is_empty() {
                self.part(&writer, &members, index, &chunk, &mut run)?;
                observer.event(Event::Predicting {
                    documents: run.summary.documents,
                    scored: run.summary.scored,
                    seconds: run.scoring_seconds(),
                });
                if !run.skipped_last {
                    abort_check(&mut abort);
                }
                chunk.clear();
                index += 1;
            }
            if end {
                break;
            }
        }
        run.summary.empty_texts = stream.report().empty.len() as u64;
        run.summary.bad_lines = stream.report().bad_lines.len() as u64;
        let preds = writer.finish(run.summary.documents)?;
        if run.summary.labelled > 0 {
            self.metrics(&preds)?;
        }
        self.finish(run, observer)
    }

    fn corpus_name(&self) -> String {
        self.corpus
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn manifest(&self, members: &[Member]) -> Result<Manifest> {
        let inputs = self
            .corpus
            .iter()
            .map(|p| InputFile::of(p))
            .collect::<sacx_data::Result<Vec<_>>>()?;
        let mut m = Manifest::new(
            members[0].checkpoint.config.labels.clone(),
            threshold(members),
            members.iter().map(Member::seed).collect(),
            self.params.chunk_docs,
            self.model.display().to_string(),
            fingerprint(members)?,
            inputs,
        );
        m.jsonl = self.params.jsonl;
        Ok(m)
    }

    /// Scores and writes part `index`, or counts it when it is on disk.
    fn part(
        &self,
        writer: &PredictionsWriter,
        members: &[Member],
        index: u64,
        docs: &[PoolDoc],
        run: &mut Progress,
    ) -> Result<()> {
        let labels = &writer.manifest().labels;
        let golds: Vec<Option<Vec<String>>> = docs
            .iter()
            .map(|d| known_gold(d.labels.as_deref(), labels, &mut run.summary.unknown_labels))
            .collect();
        run.summary.documents += docs.len() as u64;
        run.summary.labelled += golds.iter().filter(|g| g.is_some()).count() as u64;
        run.skipped_last = writer.is_done(index);
        if run.skipped_last {
            let expected: Vec<(u64, &str)> = docs.iter().map(|d| (d.row, d.id.as_str())).collect();
            writer.check_part(index, &expected)?;
            run.summary.parts_skipped += 1;
            return Ok(());
        }
        let t = Instant::now();
        let texts: Vec<(&str, &str)> = docs
            .iter()
            .map(|d| (d.text.as_str(), d.lang.as_str()))
            .collect();
        let encoded: Vec<Vec<Example>> = members.iter().map(|m| encode(m, &texts)).collect();
        let t_score = Instant::now();
        run.stage("tokenize", t_score - t);
        let per_seed = members
            .iter()
            .zip(&encoded)
            .map(|(m, e)| m.checkpoint.model.predict(e, self.params.batch_size))
            .collect::<sacx_model::Result<Vec<_>>>()?;
        drop(encoded);
        let t_rows = Instant::now();
        run.stage("score", t_rows - t_score);
        let threshold = writer.manifest().threshold;
        let rows: Vec<PartRow> = docs
            .iter()
            .zip(golds)
            .enumerate()
            .map(|(i, (d, gold))| {
                let seed_probs: Vec<Vec<f32>> = per_seed.iter().map(|p| p[i].clone()).collect();
                let probs = mean(&seed_probs, labels.len());
                let predicted = labels
                    .iter()
                    .zip(&probs)
                    .filter(|(_, p)| **p >= threshold)
                    .map(|(l, _)| l.clone())
                    .collect();
                PartRow {
                    row: d.row,
                    id: d.id.clone(),
                    lang: d.lang.clone(),
                    probs,
                    seed_probs,
                    predicted,
                    gold,
                }
            })
            .collect();
        let t_write = Instant::now();
        run.stage("rows", t_write - t_rows);
        writer.write_part(index, &rows)?;
        run.stage("write", t_write.elapsed());
        run.scoring += t.elapsed().as_secs_f64();
        run.summary.scored += docs.len() as u64;
        run.summary.parts_written += 1;
        Ok(())
    }

    /// `metrics.json` from the parts read back: the documents with gold labels.
    fn metrics(&self, preds: &Predictions) -> Result<()> {
        let labels = preds.labels().to_vec();
        let (mut probs, mut gold, mut langs) = (Vec::new(), Vec::new(), Vec::new());
        for row in preds.rows()? {
            let row = row?;
            let Some(g) = row.gold else { continue };
            let mut idx: Vec<u32> = g
                .iter()
                .filter_map(|n| labels.iter().position(|l| l == n).map(|i| i as u32))
                .collect();
            idx.sort_unstable();
            probs.push(row.probs);
            gold.push(idx);
            langs.push(row.lang);
        }
        let m = sacx_model::metrics::evaluate(
            &probs,
            &gold,
            &langs,
            &labels,
            f64::from(preds.threshold()),
        )?;
        Ok(sacx_model::metrics::write(
            &self.out.join(METRICS_FILE),
            &m,
        )?)
    }

    fn finish(&self, run: Progress, observer: &mut dyn Observer) -> Result<PredictSummary> {
        let mut summary = run.summary;
        summary.seconds = run.started.elapsed().as_secs_f64();
        summary.docs_per_second = summary.scored as f64 / run.scoring.max(1e-9);
        if !summary.unknown_labels.is_empty() {
            let list: Vec<String> = summary
                .unknown_labels
                .iter()
                .map(|(l, n)| format!("{l} ({n})"))
                .collect();
            observer.event(Event::Note(&format!(
                "gold labels the model does not know were ignored: {}",
                list.join(", ")
            )));
        }
        let path = self.out.join("summary.json");
        let json = serde_json::to_vec_pretty(&summary).map_err(|source| Error::Json {
            path: path.clone(),
            what: "cannot be serialised",
            source,
        })?;
        crate::atomic::write(&path, &json)?;
        Ok(summary)
    }
}

/// Counters of one call.
struct Progress {
    started: Instant,
    scoring: f64,
    skipped_last: bool,
    summary: PredictSummary,
}

impl Progress {
    fn new(started: Instant) -> Self {
        Progress {
            started,
            scoring: 0.0,
            skipped_last: false,
            summary: PredictSummary {
                documents: 0,
                scored: 0,
                parts_written: 0,
                parts_skipped: 0,
                labelled: 0,
                unknown_labels: BTreeMap::new(),
                empty_texts: 0,
                bad_lines: 0,
                seconds: 0.0,
                docs_per_second: 0.0,
                stage_seconds: BTreeMap::new(),
            },
        }
    }

    fn scoring_seconds(&self) -> f64 {
        self.scoring
    }

    fn stage(&mut self, name: &str, took: std::time::Duration) {
        *self
            .summary
            .stage_seconds
            .entry(name.to_string())
            .or_default() += took.as_secs_f64();
    }
}

/// The gold labels the model knows (in the model's label order), `None`
/// when there are none to evaluate: no labels given, or only unknown ones.
fn known_gold(
    given: Option<&[String]>,
    labels: &[String],
    unknown: &mut BTreeMap<String, u64>,
) -> Option<Vec<String>> {
    let given = given?;
    let mut known: Vec<usize> = Vec::with_capacity(given.len());
    for name in given {
        match labels.iter().position(|l| l == name) {
            Some(i) => known.push(i),
            None => *unknown.entry(name.clone()).or_default() += 1,
        }
    }
    if known.is_empty() && !given.is_empty() {
        return None;
    }
    known.sort_unstable();
    Some(known.into_iter().map(|i| labels[i].clone()).collect())
}

/// One member's probabilities `[doc][class]` for `(text, language)` pairs.
pub(crate) fn score_member(
    m: &Member,
    docs: &[(&str, &str)],
    batch_size: usize,
) -> Result<Vec<Vec<f32>>> {
    Ok(m.checkpoint.model.predict(&encode(m, docs), batch_size)?)
}

/// One member's examples for `(text, language)` pairs (its own tokenizer).
fn encode(m: &Member, docs: &[(&str, &str)]) -> Vec<Example> {
    let texts: Vec<&str> = docs.iter().map(|d| d.0).collect();
    m.tokenizer
        .encode_batch(&texts)
        .into_iter()
        .zip(docs)
        .map(|(e, d)| Example {
            ids: e.ids,
            labels: Vec::new(),
            lang: d.1.to_string(),
        })
        .collect()
}

/// The mean of the rows (each `classes` long).
fn mean(rows: &[Vec<f32>], classes: usize) -> Vec<f32> {
    if rows.len() == 1 {
        return rows[0].clone();
    }
    let mut out = vec![0f32; classes];
    for r in rows {
        for (o, v) in out.iter_mut().zip(r) {
            *o += v;
        }
    }
    let n = rows.len() as f32;
    out.iter_mut().for_each(|o| *o /= n);
    out
}

/// The [`TEST_ABORT_ENV`] count, if set.
fn abort_after() -> Result<Option<u64>> {
    let Ok(value) = std::env::var(TEST_ABORT_ENV) else {
        return Ok(None);
    };
    value
        .parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .map(Some)
        .ok_or_else(|| {
            Error::param(
                "SACX_TEST_ABORT_AFTER_PARTS",
                &value,
                "a count of at least 1",
            )
        })
}

/// Counts a written part against the hook; aborts at the N-th.
fn abort_check(left: &mut Option<u64>) {
    if let Some(n) = left.as_mut() {
        *n -= 1;
        if *n == 0 {
            std::process::abort();
        }
    }
}
