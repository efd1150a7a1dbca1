//! The map stage (`sacx map`, and `sacx run --map`): a corpus's documents as
//! vectors (paragraph vectors, or a run's classifiers), reduced, clustered,
//! summarised and saved as a map directory with its page (`map.html`), and
//! the vector of a query for `sacx search`.
use crate::options::CorpusArgs;
use crate::predict::models;
use crate::{Error, Result, guard};
use sacx_aggregate::{KEYWORDS_JSON, Keywords};
use sacx_data::layout::RunLayout;
use sacx_data::run_record::RunRecord;
use sacx_data::{Corpus, Segmenter};
use sacx_map::{
    MAP_JSON, MapDoc, MapInput, MapParams, ParagraphVectors, Progress, PvParams, Quiet, Source,
    Step, Steps, TopicMap, classifier_vectors, digest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;

/// A map's vectors, their source, the paragraph-vector model (for that
/// source) and the digest of what they were computed from.
type Vectors = (
    sacx_map::DocVectors,
    Source,
    Option<ParagraphVectors>,
    String,
);

/// The map's page inside a map directory.
pub const MAP_HTML: &str = "map.html";
/// Documents per classifier call.
const BATCH: usize = 64;

/// Which document vectors a map is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VectorSource {
    /// The classifiers of `--run` when given, else paragraph vectors.
    Auto,
    /// The run's classifiers: their pooled hidden layer, averaged over seeds.
    Classifier,
    /// PV-DBOW trained on the corpus.
    ParagraphVectors,
}

impl std::str::FromStr for VectorSource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(VectorSource::Auto),
            "classifier" => Ok(VectorSource::Classifier),
            "paragraph-vectors" | "pv" => Ok(VectorSource::ParagraphVectors),
            _ => Err(Error::param(
                "source",
                s,
                "auto, classifier or paragraph-vectors",
            )),
        }
    }
}

/// One map to build.
#[derive(Clone, Debug)]
pub struct MapJob {
    /// The documents.
    pub corpus: CorpusArgs,
    /// The map directory to write (created; a directory that is not a sacx
    /// map must be empty).
    pub out: PathBuf,
    /// A run directory whose classifiers (and IG keywords) the map uses.
    pub run: Option<PathBuf>,
    /// The vectors' source.
    pub source: VectorSource,
    /// Paragraph-vector training, for that source.
    pub pv: PvParams,
    /// Reductions and clustering.
    pub params: MapParams,
    /// Where the classifiers run.
    pub device: Device,
}

impl MapJob {
    /// The source actually used.
    pub fn resolved_source(&self) -> Result<VectorSource> {
        Ok(match (self.source, &self.run) {
            (VectorSource::Auto, Some(_)) => VectorSource::Classifier,
            (VectorSource::Auto, None) => VectorSource::ParagraphVectors,
            (VectorSource::Classifier, None) => {
                return Err(Error::Conflict {
                    option: "source",
                    reason: "classifier vectors need --run DIR with trained seeds; give one, or --source paragraph-vectors".into(),
                });
            }
            (s, _) => s,
        })
    }

    /// Builds the map, writes it into `out` with `map.html`, and returns it.
    /// Every input is checked before the long work starts.
    pub fn run(&self) -> Result<TopicMap> {
        self.run_inner(None, &Quiet)
    }

    /// [`MapJob::run`], reporting each step's progress to `progress`.
    pub fn run_observed(&self, progress: &dyn Progress) -> Result<TopicMap> {
        self.run_inner(None, progress)
    }

    /// [`MapJob::run`] on the corpus already loaded from `self.corpus` (as
    /// `sacx run --map` has it), so that it is not read again.
    pub fn run_loaded(&self, corpus: &Corpus, progress: &dyn Progress) -> Result<TopicMap> {
        self.run_inner(Some(corpus), progress)
    }

    /// The corpus to map: `--corpus` when given; else, with `--run`, the
    /// corpus the run was started with (its `run.json`); else the bundled one.
    pub fn corpus_args(&self) -> Result<CorpusArgs> {
        let Some(run) = self
            .run
            .as_deref()
            .filter(|_| self.corpus.corpus.is_empty())
        else {
            return Ok(self.corpus.clone());
        };
        let path = RunLayout::new(run).run_json();
        let Some(record) = RunRecord::<serde_json::Value>::read(&path)? else {
            return Ok(self.corpus.clone());
        };
        let args: CorpusArgs = record
            .parameters
            .get("corpus")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| Error::Conflict {
                option: "corpus",
                reason: format!(
                    "{}: the run's record names no corpus; give --corpus",
                    path.display()
                ),
            })?;
        if let Some(missing) = args
            .corpus
            .iter()
            .chain(&args.labelled)
            .find(|f| !f.exists())
        {
            return Err(Error::Conflict {
                option: "corpus",
                reason: format!(
                    "the run {} was started on {}, which is not found from here; give --corpus (and --labelled)",
                    run.display(),
                    missing.display()
                ),
            });
        }
        Ok(args)
    }

    fn run_inner(&self, loaded: Option<&Corpus>, progress: &dyn Progress) -> Result<TopicMap> {
        let source = self.resolved_source()?;
        check_map_dir(&self.out)?;
        let dirs = match (&self.run, source) {
            (Some(run), VectorSource::Classifier) => models::checkpoint_dirs(run)?,
            _ => Vec::new(),
        };
        let corpus_args = match loaded {
            Some(_) => self.corpus.clone(),
            None => self.corpus_args()?,
        };
        let read = match loaded {
            Some(_) => None,
            None => Some(corpus_args.load()?),
        };
        let corpus = loaded.or(read.as_ref()).ok_or_else(|| Error::EmptyCorpus {
            corpus: corpus_args.name(),
            detail: "no corpus was read".into(),
        })?;
        if corpus.is_empty() {
            return Err(Error::EmptyCorpus {
                corpus: corpus_args.name(),
                detail: "a map needs documents".into(),
            });
        }
        let seg = corpus_args.segmenter();
        let (dict, ids) = intern(corpus, &seg);
        let words: Vec<Vec<&str>> = ids
            .iter()
            .map(|d| d.iter().map(|&w| dict[w as usize].as_str()).collect())
            .collect();
        drop(ids);
        if words.iter().all(Vec::is_empty) {
            return Err(Error::EmptyCorpus {
                corpus: corpus_args.name(),
                detail: "no document has a word; a map needs text".into(),
            });
        }
        // Every input is checked: the directory is created and held (its
        // lock file marks it as sacx's, so a killed map is resumed there).
        std::fs::create_dir_all(&self.out)
            .map_err(|e| Error::io(&self.out, "create the directory", e))?;
        let _lock = guard::lock(&self.out, guard::Mode::Exclusive)?;
        guard::remove_stale_temporaries(&self.out)?;
        // Each finished step is kept under `steps/` with a digest of its
        // inputs: a killed map resumes with the same command.
        let steps = Steps::in_map(&self.out);
        let start = Instant::now();
        let (vectors, source, pv, inputs) = match source {
            VectorSource::ParagraphVectors => self.pv_vectors(corpus, &words, &steps, progress)?,
            _ => self.model_vectors(corpus, &dirs, &steps, progress)?,
        };
        let input = MapInput {
            docs: MapDoc::of_corpus(corpus),
            words: &words,
            vectors,
            vectors_s: start.elapsed().as_secs_f64(),
            source,
            pv,
            keywords: self
                .run
                .as_deref()
                .map(run_keywords)
                .transpose()?
                .unwrap_or_default(),
        };
        // The texts are not needed any more: the layout has their memory.
        drop(read);
        let map = TopicMap::build_observed(input, &inputs, &self.params, &steps, progress)?;
        map.save(&self.out)?;
        let page =
            sacx_report::map::map_page(&sacx_report::map::view_of(&map, &corpus_args.name()));
        sacx_data::write_atomic(&self.out.join(MAP_HTML), page.as_bytes())?;
        // The steps stay: a map built again with other clustering or
        // layout options reuses the vectors and whatever else still holds.
        Ok(map)
    }

    /// The paragraph vectors of the corpus (kept in `steps`, or trained and
    /// kept), their source, model and inputs digest.
    fn pv_vectors(
        &self,
        corpus: &Corpus,
        words: &[Vec<&str>],
        steps: &Steps,
        progress: &dyn Progress,
    ) -> Result<Vectors> {
        let start = Instant::now();
        let inputs = digest(&[
            &crate::identity::fingerprint(corpus),
            "paragraph-vectors",
            &serde_json::to_string(&self.pv).unwrap_or_default(),
        ]);
        let (vectors, model) = match steps.vectors(&inputs, Some(&self.pv))? {
            Some((v, Some(m))) => {
                progress.finished(Step::Vectors, start.elapsed().as_secs_f64(), true);
                (v, m)
            }
            _ => {
                let t = self.train_pv(corpus, words, progress)?;
                steps.save_vectors(&inputs, &t.vectors, Some(&t.model))?;
                progress.finished(Step::Vectors, start.elapsed().as_secs_f64(), false);
                (t.vectors, t.model)
            }
        };
        let source = Source::ParagraphVectors {
            params: self.pv.clone(),
        };
        Ok((vectors, source, Some(model), inputs))
    }

    /// The run's classifiers' vectors of the corpus (kept in `steps`, or
    /// computed and kept), their source and inputs digest.
    fn model_vectors(
        &self,
        corpus: &Corpus,
        dirs: &[PathBuf],
        steps: &Steps,
        progress: &dyn Progress,
    ) -> Result<Vectors> {
        let start = Instant::now();
        let members = models::load(dirs, self.device)?;
        let fingerprint = models::fingerprint(&members)?;
        let inputs = digest(&[
            &crate::identity::fingerprint(corpus),
            "classifier",
            &fingerprint,
        ]);
        let kept = steps.vectors(&inputs, None)?;
        let reused = kept.is_some();
        let v = match kept {
            Some((v, _)) => v,
            None => {
                let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
                let pairs: Vec<_> = members
                    .iter()
                    .map(|m| (&m.checkpoint.model, &m.tokenizer))
                    .collect();
                let v = classifier_vectors(&pairs, &texts, BATCH)?;
                steps.save_vectors(&inputs, &v, None)?;
                v
            }
        };
        progress.finished(Step::Vectors, start.elapsed().as_secs_f64(), reused);
        // Absolute, so that `sacx search` finds the run from anywhere.
        let run = self.run.clone().unwrap_or_default();
        let run = std::fs::canonicalize(&run)
            .map_err(|e| Error::io(&run, "resolve the run directory", e))?;
        let seeds = members.iter().map(|m| m.seed()).collect();
        let source = Source::Classifier {
            run,
            seeds,
            fingerprint,
        };
        Ok((v, source, None, inputs))
    }

    /// Paragraph vectors of `words`, one shared vector per document id when
    /// the parameters ask for it.
    fn train_pv(
        &self,
        corpus: &Corpus,
        words: &[Vec<&str>],
        progress: &dyn Progress,
    ) -> Result<sacx_map::PvTraining> {
        let groups = self.pv.shared_ids().then(|| {
            let ids: Vec<&str> = corpus.docs.iter().map(|d| d.id.as_str()).collect();
            ParagraphVectors::groups_of(&ids)
        });
        Ok(ParagraphVectors::train_observed(
            words,
            groups.as_deref(),
            &self.pv,
            progress,
        )?)
    }
}

/// Refuses a directory that exists, is not empty and holds no sacx map
/// (neither `map.json` nor the lock file a map being built holds, which a
/// killed map leaves behind).
pub fn check_map_dir(dir: &Path) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    if entries.next().is_none()
        || dir.join(MAP_JSON).is_file()
        || dir.join(guard::LOCK_FILE).is_file()
    {
        return Ok(());
    }
    Err(Error::NotMapDir {
        path: dir.to_path_buf(),
    })
}

/// The corpus's words with each distinct word stored once: the dictionary,
/// and each document's words as positions in it. A million short documents'
/// words as one `String` each take about 1 GB; as references into the
/// dictionary, a fifth of that.
fn intern(corpus: &Corpus, seg: &Segmenter) -> (Vec<String>, Vec<Vec<u32>>) {
    let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut dict = Vec::new();
    let ids = corpus
        .docs
        .iter()
        .map(|d| {
            seg.keywords(&d.text)
                .into_iter()
                .map(|w| match index.get(&w) {
                    Some(&i) => i,
                    None => {
                        let i = dict.len() as u32;
                        dict.push(w.clone());
                        index.insert(w, i);
                        i
                    }
                })
                .collect()
        })
        .collect();
    (dict, ids)
}

/// The run's IG keywords by class, when it has them.
fn run_keywords(run: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let path = RunLayout::new(run).keywords().join(KEYWORDS_JSON);
    if !path.is_file() {
        return Ok(BTreeMap::new());
    }
    let kw = Keywords::read(&path)?;
    Ok(kw
        .classes
        .into_iter()
        .map(|c| (c.class, c.keywords.into_iter().map(|k| k.word).collect()))
        .collect())
}

/// The unit vector of `query` in `map`'s space: inferred by the paragraph
/// vectors, or computed by the run's classifiers (which must be the ones the
/// map was built with).
pub fn query_vector(
    map: &TopicMap,
    query: &str,
    segmenter: &Segmenter,
    device: Device,
) -> Result<Vec<f32>> {
    match (&map.info.source, &map.pv) {
        (Source::ParagraphVectors { params }, Some(pv)) => {
            Ok(pv.infer(&segmenter.keywords(query), params.seed())?)
        }
        (
            Source::Classifier {
                run, fingerprint, ..
            },
            _,
        ) => {
            let members = models::load(&models::checkpoint_dirs(run)?, device)?;
            if &models::fingerprint(&members)? != fingerprint {
                return Err(Error::NoModel {
                    path: run.clone(),
                    reason: format!(
                        "its models changed since the map was built; rebuild the map (sacx map --run {})",
                        run.display()
                    ),
                });
            }
            let known = members.iter().any(|m| {
                let unk = m.tokenizer.unk_id();
                let specials = m.tokenizer.special_ids();
                m.tokenizer
                    .encode(query)
                    .ids
                    .iter()
                    .any(|id| Some(*id) != unk && !specials.contains(id))
            });
            if !known {
                return Err(sacx_map::Error::UnknownQuery {
                    query: query.to_string(),
                }
                .into());
            }
            let pairs: Vec<_> = members
                .iter()
                .map(|m| (&m.checkpoint.model, &m.tokenizer))
                .collect();
            Ok(classifier_vectors(&pairs, &[query], 1)?.row(0).to_vec())
        }
        (Source::ParagraphVectors { .. }, None) => Err(sacx_map::Error::Input {
            what: "the map has no paragraph-vector model (pv.safetensors); rebuild it".into(),
        }
        .into()),
    }
}
