//! One round of a simulation: the labelled set on disk, its model trained,
//! evaluated on the test documents, and the documents the next round reveals.
use super::options::SimulateOptions;
use crate::observer::Observer;
use crate::predict::{Member, load, score_member, threshold};
use crate::seed::{self, SeedJob, SeedParams};
use crate::{Error, Result};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sacx_data::Corpus;
use sacx_data::layout::SeedLayout;
use sacx_model::metrics::{self, Metrics};
use sacx_select::{Context, MemoryPool, ScoredDoc, select};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The test documents of a seed: `seed-S/test.json`.
pub const TEST_FILE: &str = "test.json";
/// The labelled set of a round: `labelled.json`.
pub const LABELLED_FILE: &str = "labelled.json";
/// The round model's metrics on the test documents: `test-metrics.json`.
pub const TEST_METRICS_FILE: &str = "test-metrics.json";
/// What active selection chose for the round: `selected.jsonl` (+ summary).
pub const SELECTED_FILE: &str = "selected.jsonl";

/// Documents scored per model call.
const SCORE_BATCH: usize = 64;

/// One labelled document of a round, by its row in the corpus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledDoc {
    /// 0-based position in the loaded corpus.
    pub row: usize,
    /// Its id.
    pub id: String,
    /// Its language.
    pub lang: String,
}

/// What every round reads: the corpus with every gold label, the options and
/// the device.
pub struct Env<'a> {
    /// The whole corpus (pool and test documents).
    pub corpus: &'a Corpus,
    /// The simulation's options.
    pub options: &'a SimulateOptions,
    /// Where models run.
    pub device: tch::Device,
}

/// A round's directory: what it trains on, its model, its figures.
pub struct RoundDir {
    dir: PathBuf,
}

impl RoundDir {
    /// The round kept in `dir`.
    pub fn at(dir: PathBuf) -> Self {
        RoundDir { dir }
    }

    fn labelled_path(&self) -> PathBuf {
        self.dir.join(LABELLED_FILE)
    }

    /// The model's directory (`sacx train`'s layout).
    pub fn seed_layout(&self) -> SeedLayout {
        SeedLayout::at(&self.dir)
    }

    /// The labelled rows saved by an earlier start, checked against the corpus.
    pub fn saved_rows(&self, corpus: &Corpus) -> Result<Option<Vec<usize>>> {
        let path = self.labelled_path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        let docs: Vec<LabelledDoc> = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.clone(),
            what: "not a labelled-set file of sacx simulate-al",
            source,
        })?;
        let fits = docs.iter().all(|d| {
            corpus
                .docs
                .get(d.row)
                .is_some_and(|c| c.id == d.id && c.lang == d.lang)
        });
        if !fits {
            return Err(Error::Conflict {
                option: "corpus",
                reason: format!(
                    "{}: the labelled documents are not at these rows of the corpus; resume with the same corpus or use another output directory",
                    path.display()
                ),
            });
        }
        Ok(Some(docs.iter().map(|d| d.row).collect()))
    }

    /// Saves the labelled rows.
    pub fn save_rows(&self, corpus: &Corpus, rows: &[usize]) -> Result<()> {
        save_docs(&self.labelled_path(), corpus, rows)
    }

    /// Trains the round's model on `rows` unless it is trained.
    pub fn train(
        &self,
        env: &Env<'_>,
        rows: &[usize],
        seed: u64,
        observer: &mut dyn Observer,
    ) -> Result<()> {
        let (corpus, o) = (env.corpus, env.options);
        let layout = self.seed_layout();
        if seed::trained(&layout) {
            return Ok(());
        }
        let labelled = subset(corpus, rows);
        let params = SeedParams::check(seed, &o.split, &o.tokenizer, &o.model, &o.train)?;
        let job = SeedJob {
            corpus: &labelled,
            segmenter: o.corpus.segmenter(),
            seed,
            params: &params,
        };
        seed::train(&job, &layout, observer)
    }

    /// The trained model with its tokenizer.
    pub fn model(&self, device: tch::Device) -> Result<Member> {
        let mut members = load(&[self.seed_layout().checkpoint()], device)?;
        members.pop().ok_or_else(|| Error::NoModel {
            path: self.dir.clone(),
            reason: "the round has no trained model".into(),
        })
    }

    /// The model's metrics on the test rows (computed once, then read back).
    pub fn test_metrics(&self, env: &Env<'_>, test: &[usize]) -> Result<Metrics> {
        let corpus = env.corpus;
        let path = self.dir.join(TEST_METRICS_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            return serde_json::from_str(&text).map_err(|source| Error::Json {
                path,
                what: "not a metrics file",
                source,
            });
        }
        let member = self.model(env.device)?;
        let probs = score_rows(&member, corpus, test)?;
        let gold: Vec<Vec<u32>> = test
            .iter()
            .map(|&r| corpus.docs[r].labels.clone())
            .collect();
        let langs: Vec<String> = test.iter().map(|&r| corpus.docs[r].lang.clone()).collect();
        let m = metrics::evaluate(
            &probs,
            &gold,
            &langs,
            corpus.labels.names(),
            f64::from(threshold(std::slice::from_ref(&member))),
        )?;
        metrics::write(&path, &m)?;
        Ok(m)
    }

    /// `member`'s probabilities for the documents at `rows`.
    pub fn scores(&self, env: &Env<'_>, member: &Member, rows: &[usize]) -> Result<Vec<Vec<f32>>> {
        score_rows(member, env.corpus, rows)
    }

    /// Active selection by this round's model among the `unlabelled` rows,
    /// as `sacx select` works: by document id, so at most one translation of
    /// a document is chosen and none of an id already `labelled`. Returns the
    /// rows chosen, also written to the next round's `selected.jsonl`.
    pub fn select_next(
        &self,
        env: &Env<'_>,
        next: &RoundDir,
        unlabelled: &[usize],
        labelled: &[usize],
        params: &sacx_select::SelectParams,
    ) -> Result<Vec<usize>> {
        let corpus = env.corpus;
        let member = self.model(env.device)?;
        let probs = score_rows(&member, corpus, unlabelled)?;
        let docs: Vec<ScoredDoc> = unlabelled
            .iter()
            .zip(probs)
            .map(|(&row, probs)| ScoredDoc {
                id: corpus.docs[row].id.clone(),
                text: corpus.docs[row].text.clone(),
                probs,
                members: Vec::new(),
            })
            .collect();
        let labels = corpus.labels.names().to_vec();
        let t = threshold(std::slice::from_ref(&member));
        let pool = MemoryPool::new(labels.clone(), vec![t; labels.len()], docs);
        let ctx = Context {
            segmenter: env.options.corpus.segmenter(),
            labelled: labelled
                .iter()
                .map(|&r| corpus.docs[r].id.clone())
                .collect(),
            ..Context::default()
        };
        let selection = select(&pool, params, &ctx)?;
        std::fs::create_dir_all(&next.dir).map_err(|e| Error::io(&next.dir, "create", e))?;
        selection.write(&next.dir.join(SELECTED_FILE))?;
        let mut rows: HashMap<(&str, &str), usize> = HashMap::with_capacity(unlabelled.len());
        for &r in unlabelled.iter().rev() {
            rows.insert(
                (corpus.docs[r].id.as_str(), corpus.docs[r].text.as_str()),
                r,
            );
        }
        selection
            .documents
            .iter()
            .map(|d| {
                rows.get(&(d.id.as_str(), d.text.as_str()))
                    .copied()
                    .ok_or_else(|| Error::Conflict {
                        option: "select",
                        reason: format!("selection returned unknown document {:?}", d.id),
                    })
            })
            .collect()
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Writes the documents at `rows` (row, id, language) as a JSON array.
pub fn save_docs(path: &Path, corpus: &Corpus, rows: &[usize]) -> Result<()> {
    let docs: Vec<LabelledDoc> = rows
        .iter()
        .map(|&row| LabelledDoc {
            row,
            id: corpus.docs[row].id.clone(),
            lang: corpus.docs[row].lang.clone(),
        })
        .collect();
    crate::run::write_json(path, &docs)
}

/// `count` rows drawn uniformly from `unlabelled` with a seeded generator.
pub fn random_rows(unlabelled: &[usize], count: usize, seed: u64, stream: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let mut rows = unlabelled.to_vec();
    rows.shuffle(&mut rng);
    rows.truncate(count);
    rows.sort_unstable();
    rows
}

/// The documents at `rows`, with the corpus's whole label set (so that every
/// round's model has every class, seen or not).
fn subset(corpus: &Corpus, rows: &[usize]) -> Corpus {
    Corpus {
        docs: rows.iter().map(|&r| corpus.docs[r].clone()).collect(),
        labels: corpus.labels.clone(),
        report: corpus.report.clone(),
    }
}

/// The model's probabilities for the documents at `rows`.
fn score_rows(member: &Member, corpus: &Corpus, rows: &[usize]) -> Result<Vec<Vec<f32>>> {
    let docs: Vec<(&str, &str)> = rows
        .iter()
        .map(|&r| (corpus.docs[r].text.as_str(), corpus.docs[r].lang.as_str()))
        .collect();
    score_member(member, &docs, SCORE_BATCH)
}
