//! One seed's stages: split, tokenizer, training, explanation of the validation
//! documents. Each stage is skipped when its output is complete.
use crate::observer::{Event, Observer};
use crate::options::{IgArgs, ModelArgs, SplitArgs, TokenizerArgs, TrainArgs};
use crate::{Error, Result};
use sacx_data::layout::SeedLayout;
use sacx_data::{Corpus, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_ig::{DocSource, ExplainDoc, Explainer, OutputOptions, ResolvedBaseline, RunInfo};
use sacx_model::{Architecture, Checkpoint, DeviceSpec, TrainJob, TrainParams, WordVectors};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One seed's validated parameters: built once from the options (by
/// [`RunOptions::check`](crate::RunOptions::check) for a run, by
/// [`SeedParams::check`] for `sacx train`), then only read.
#[derive(Debug, Clone)]
pub struct SeedParams {
    /// How the corpus is split (with the seed).
    pub split: SplitOptions,
    /// How texts become tokens.
    pub tokenizer: TokenizerOptions,
    /// The classifier.
    pub architecture: Architecture,
    /// How it is trained (with the seed), without class weights.
    pub train: TrainParams,
    /// Weigh each class's positives by negatives/positives, capped at this
    /// (0: off); the weights need the training examples.
    pub balance_classes: f32,
    /// Pretrained word vectors for the embedding.
    pub word_vectors: Option<std::path::PathBuf>,
}

impl SeedParams {
    /// Checks the options of one seed.
    pub fn check(
        seed: u64,
        split: &SplitArgs,
        tokenizer: &TokenizerArgs,
        model: &ModelArgs,
        train: &TrainArgs,
    ) -> Result<Self> {
        Ok(SeedParams {
            split: split.options(seed)?,
            tokenizer: model.tokenizer_options(tokenizer)?,
            architecture: model.architecture()?,
            train: train.params(model, seed, None)?,
            balance_classes: train.balance_classes,
            word_vectors: model.word_vectors.clone(),
        })
    }
}

/// Everything one seed needs.
pub struct SeedJob<'a> {
    /// The loaded corpus.
    pub corpus: &'a Corpus,
    /// The word segmenter of the keywords.
    pub segmenter: Segmenter,
    /// The seed.
    pub seed: u64,
    /// The seed's validated parameters.
    pub params: &'a SeedParams,
}

/// `split.json`: what the seed trained and explained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitInfo {
    /// The seed.
    pub seed: u64,
    /// Share of each language's documents used for training.
    pub train_fraction: f64,
    /// Whether labels were stratified.
    pub stratify: bool,
    /// Training documents.
    pub train_documents: usize,
    /// Validation documents.
    pub valid_documents: usize,
    /// FNV-1a over the validation documents' (id, lang, text length).
    pub fingerprint: String,
}

/// The seed's grouped split, with its description.
pub fn split(corpus: &Corpus, opts: &SplitOptions) -> Result<(Split, SplitInfo)> {
    let seed = opts.seed();
    let split = Split::new(&corpus.docs, opts);
    if split.train.is_empty() || split.valid.is_empty() {
        return Err(Error::Seed {
            seed,
            reason: format!(
                "the split left {} training and {} validation documents; the corpus is too small for train-fraction {}",
                split.train.len(),
                split.valid.len(),
                opts.train_fraction()
            ),
        });
    }
    let mut h = sacx_data::Fnv1a::new();
    for &i in &split.valid {
        let d = &corpus.docs[i];
        h.update(d.id.as_bytes());
        h.update(&[0]);
        h.update(d.lang.as_bytes());
        h.update(&[0]);
        h.update(&d.text.len().to_le_bytes());
    }
    let info = SplitInfo {
        seed,
        train_fraction: opts.train_fraction(),
        stratify: opts.stratify(),
        train_documents: split.train.len(),
        valid_documents: split.valid.len(),
        fingerprint: h.hex(),
    };
    Ok((split, info))
}

/// Whether the seed's training finished (best checkpoint and metrics written).
pub fn trained(layout: &SeedLayout) -> bool {
    layout.metrics().is_file()
        && layout
            .checkpoint()
            .join(sacx_model::checkpoint::CONFIG_FILE)
            .is_file()
}

/// Whether the seed's explanation finished.
pub fn explained(layout: &SeedLayout) -> bool {
    layout.summary().is_file()
}

/// Trains the seed's model (resuming a killed training from its last epoch).
pub fn train(job: &SeedJob<'_>, layout: &SeedLayout, observer: &mut dyn Observer) -> Result<()> {
    let p = job.params;
    let (split, info) = split(job.corpus, &p.split)?;
    let json = serde_json::to_vec_pretty(&info).map_err(|source| Error::Json {
        path: layout.split(),
        what: "cannot be serialised",
        source,
    })?;
    crate::atomic::write(&layout.split(), &json)?;
    let texts: Vec<&str> = split
        .train
        .iter()
        .map(|&i| job.corpus.docs[i].text.as_str())
        .collect();
    let tok = Tokenizer::train(&p.tokenizer, job.segmenter, &texts)?;
    let sacx_model::data::SplitExamples {
        train,
        valid,
        truncated,
    } = sacx_model::data::split_examples(job.corpus, &split, &tok)?;
    if truncated > 0 {
        observer.event(Event::Truncated {
            seed: job.seed,
            truncated,
            documents: train.len() + valid.len(),
            max_len: tok.max_len(),
        });
    }
    let arch = p.architecture.clone();
    let vectors = match &p.word_vectors {
        Some(path) => Some(WordVectors::read(path, tok.vocab_size(), |t| {
            tok.token_to_id(t)
        })?),
        None => None,
    };
    let classes = job.corpus.labels.len();
    let params = if p.balance_classes > 0.0 {
        let weights = sacx_model::balanced_pos_weights(&train, classes, p.balance_classes);
        p.train.to_builder().pos_weight(Some(weights)).build()?
    } else {
        p.train.clone()
    };
    let train_job = TrainJob::new(
        sacx_model::data::model_spec(arch, &tok, job.corpus),
        sacx_model::data::labels(job.corpus),
        params,
        &train,
        &valid,
        layout.model(),
    )?
    .resume(true)
    .tokenizer(Some(&tok))
    .vectors(vectors.as_ref());
    let report = sacx_model::train(&train_job, observer)?;
    let m = &report.metrics.overall;
    observer.event(Event::Note(&format!(
        "seed {}: best epoch {} of {}, validation micro-F1 {:.3}, macro-F1 {:.3} ({} documents)",
        job.seed, report.best_epoch, report.epochs_completed, m.micro_f1, m.macro_f1, m.documents
    )));
    Ok(())
}

/// The seed's split, checked against the `split.json` its model was trained with.
pub fn checked_split(corpus: &Corpus, opts: &SplitOptions, layout: &SeedLayout) -> Result<Split> {
    let seed = opts.seed();
    let (split, info) = split(corpus, opts)?;
    if let Ok(text) = std::fs::read_to_string(layout.split()) {
        let saved: SplitInfo = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: layout.split(),
            what: "not a split description",
            source,
        })?;
        if saved != info {
            return Err(Error::Seed {
                seed,
                reason: format!(
                    "{}: the corpus or split options differ from the ones the model was trained with; use the same corpus and split options, or another output directory",
                    layout.split().display()
                ),
            });
        }
    }
    Ok(split)
}

/// What explaining one seed needs.
pub struct ExplainJob<'a> {
    /// The loaded corpus.
    pub corpus: &'a Corpus,
    /// The seed.
    pub seed: u64,
    /// How the corpus is split (with the seed).
    pub split: &'a SplitOptions,
    /// The device to run on.
    pub device: DeviceSpec,
    /// How predictions are explained.
    pub ig: &'a IgArgs,
}

/// Explains the seed's validation documents with its best checkpoint.
pub fn explain(
    job: &ExplainJob<'_>,
    layout: &SeedLayout,
    observer: &mut dyn Observer,
) -> Result<()> {
    let ig = job.ig;
    let ck = Checkpoint::load(&layout.checkpoint(), job.device.resolve()?)?;
    ck.check_corpus(job.corpus)?;
    let tok = checkpoint_tokenizer(&ck, job.seed)?;
    let split = checked_split(job.corpus, job.split, layout)?;
    let explainer = explainer(&ck, &tok, ig)?;
    let source = ValidDocs {
        corpus: job.corpus,
        indices: &split.valid,
        tokenizer: &tok,
    };
    let info = RunInfo {
        run: format!("seed-{}", job.seed),
        seed: job.seed,
        labels: ck.config.labels.clone(),
    };
    let options = OutputOptions {
        tsv: ig.tsv,
        docs_per_shard: ig.shard_docs as usize,
    };
    let seed = job.seed;
    let mut abort = TestAbort::from_env(&layout.explanations())?;
    let summary = sacx_ig::explain_to_dir(
        &explainer,
        &source,
        &layout.explanations(),
        &info,
        &options,
        &mut |p| {
            observer.event(Event::Explaining { seed, progress: p });
            if let Some(a) = abort.as_mut() {
                a.shard_sent();
            }
        },
    )?;
    observer.event(Event::Explained { seed });
    observer.event(Event::Note(&format!(
        "seed {}: explained {} documents, {} pairs ({} without target), max relative completeness gap {:.2e}",
        job.seed,
        summary.documents,
        summary.pairs,
        summary.documents_without_target,
        summary.max_rel_delta
    )));
    Ok(())
}

/// The explainer of a checkpoint with the IG options: its threshold, the
/// baseline resolved against its tokenizer, the worker count.
pub fn explainer<'m>(ck: &'m Checkpoint, tok: &Tokenizer, ig: &IgArgs) -> Result<Explainer<'m>> {
    let params = ig.params(ck.config.threshold as f32)?;
    // Random baselines draw ordinary tokens only: no padding, unknown or other
    // special token ([SEP], </s>, <mask>, …).
    let special = tok.special_ids();
    let baseline = ResolvedBaseline::resolve(
        params.baseline(),
        tok.pad_id(),
        |t| tok.token_to_id(t),
        || {
            (0..tok.vocab_size() as i64)
                .filter(|id| special.binary_search(id).is_err())
                .collect()
        },
    )?;
    let mut explainer = Explainer::new(&ck.model, params, baseline);
    if let Some(w) = ig.ig_workers {
        explainer = explainer.workers(w.get());
    }
    Ok(explainer)
}

/// Name of the test hook that kills a run at a fixed point: with
/// `SACX_TEST_ABORT_AFTER_SHARDS=N`, the process aborts (as `kill -9` would
/// stop it) once the N-th explanation shard it writes is complete, before any
/// later shard exists. The resume test uses it instead of a timed kill.
pub const TEST_ABORT_ENV: &str = "SACX_TEST_ABORT_AFTER_SHARDS";

/// The state of the [`TEST_ABORT_ENV`] hook within one explanation.
struct TestAbort {
    dir: std::path::PathBuf,
    /// Shard files the directory held when the explanation started.
    before: usize,
    /// Abort once this many shards were sent to the writer and are on disk.
    after: usize,
    sent: usize,
}

impl TestAbort {
    fn from_env(dir: &std::path::Path) -> Result<Option<Self>> {
        let Ok(value) = std::env::var(TEST_ABORT_ENV) else {
            return Ok(None);
        };
        let after = value
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| {
                Error::param(
                    "SACX_TEST_ABORT_AFTER_SHARDS",
                    &value,
                    "a count of at least 1",
                )
            })?;
        let before = if dir.is_dir() {
            sacx_data::explanation::list_shards(dir)?.len()
        } else {
            0
        };
        Ok(Some(TestAbort {
            dir: dir.to_path_buf(),
            before,
            after,
            sent: 0,
        }))
    }

    /// Called after each shard is handed to the writer: the N-th waits for its
    /// file (the writer is one shard behind and gets nothing more meanwhile)
    /// and aborts.
    fn shard_sent(&mut self) {
        self.sent += 1;
        if self.sent < self.after {
            return;
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let written = sacx_data::explanation::list_shards(&self.dir).map_or(0, |s| s.len());
            if written >= self.before + self.after {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::process::abort();
    }
}

/// The tokenizer saved with a checkpoint.
pub fn checkpoint_tokenizer(ck: &Checkpoint, seed: u64) -> Result<Tokenizer> {
    ck.load_tokenizer()?.ok_or_else(|| Error::Seed {
        seed,
        reason: format!("{}: the checkpoint has no tokenizer", ck.dir.display()),
    })
}

/// The validation documents, tokenized on demand (on the explainer's helper thread).
pub struct ValidDocs<'a> {
    /// The loaded corpus.
    pub corpus: &'a Corpus,
    /// Corpus indices of the validation documents.
    pub indices: &'a [usize],
    /// How texts become tokens.
    pub tokenizer: &'a Tokenizer,
}

impl DocSource for ValidDocs<'_> {
    fn len(&self) -> usize {
        self.indices.len()
    }

    fn docs(&self, range: Range<usize>) -> sacx_ig::Result<Vec<ExplainDoc>> {
        let docs: Vec<&sacx_data::Document> = self.indices[range]
            .iter()
            .map(|&i| &self.corpus.docs[i])
            .collect();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let encodings = self.tokenizer.encode_batch(&texts);
        Ok(docs
            .into_iter()
            .zip(encodings)
            .map(|(d, e)| ExplainDoc {
                doc_id: d.id.clone(),
                lang: d.lang.clone(),
                gold: d.labels.clone(),
                ids: e.ids,
                word_ids: e.word_ids,
                words: e.words,
            })
            .collect())
    }
}
