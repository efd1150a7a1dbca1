//! The checked plan of a run (ripgrep's `LowArgs` → `HiArgs`): the options
//! become, once and before anything is read or written, every stage's
//! validated library parameters, the seeds and the run directory's layout.
//! The stages take the plan; nothing downstream validates an option again.
use crate::options::RunOptions;
use crate::seed::SeedParams;
use crate::{Error, Result};
use sacx_aggregate::{BaselineParams, EvalDocOptions, KeywordParams, Method, StabilityParams};
use sacx_data::layout::RunLayout;
use sacx_data::{LoadOptions, Segmenter};
use sacx_ig::IgParams;
use sacx_map::{MapParams, PvParams};
use sacx_model::DeviceSpec;
use std::collections::BTreeMap;

/// Every stage's validated parameters, built by [`RunOptions::check`].
///
/// ```
/// let mut options = sacx_pipeline::RunOptions::default();
/// options.seeds = 2.into();
/// options.ig.ig_steps = 20;
/// let plan = options.check()?;
/// assert_eq!(plan.seeds(), [1, 2]);
/// assert_eq!(plan.ig().n_steps(), 20);
///
/// let mut bad = sacx_pipeline::RunOptions::default();
/// bad.eval.k = vec![0];
/// assert!(bad.check().is_err());
/// # Ok::<(), sacx_pipeline::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub(crate) options: RunOptions,
    pub(crate) seeds: Vec<u64>,
    pub(crate) layout: RunLayout,
    pub(crate) device: DeviceSpec,
    pub(crate) load: LoadOptions,
    pub(crate) segmenter: Segmenter,
    pub(crate) per_seed: BTreeMap<u64, SeedParams>,
    pub(crate) ig: IgParams,
    pub(crate) keywords: KeywordParams,
    pub(crate) baselines: Vec<(Method, BaselineParams)>,
    pub(crate) eval_docs: EvalDocOptions,
    pub(crate) stability: StabilityParams,
    pub(crate) map: Option<(PvParams, MapParams)>,
}

impl RunOptions {
    /// Validates every option and builds the run's plan. A bad option fails
    /// here, naming it, before any file is read or written.
    pub fn check(self) -> Result<RunPlan> {
        let o = self;
        let seeds = o.seed_list()?;
        if let Some(n) = o.train.threads {
            crate::options::model::parse_threads(&n.to_string())
                .map_err(|_| Error::param("threads", n, "a thread count from 1 to 1024"))?;
        }
        let threshold = o.train.threshold as f32;
        let per_seed = seeds
            .iter()
            .map(|&s| {
                let p = SeedParams::check(s, &o.split, &o.tokenizer, &o.model, &o.train)?;
                Ok((s, p))
            })
            .collect::<Result<_>>()?;
        let baselines = o
            .baselines
            .iter()
            .map(|&method| {
                if method == Method::Ig {
                    return Err(Error::param(
                        "baselines",
                        method,
                        "log-odds, chi2 or ctfidf (IG is always computed)",
                    ));
                }
                Ok((method, o.keywords.baseline_params(method)?))
            })
            .collect::<Result<_>>()?;
        if let Some(&k) = o.eval.k.iter().find(|&&k| k == 0) {
            return Err(Error::param("eval-k", k, "every K at least 1"));
        }
        let map = if o.map {
            crate::map::check_map_dir(&RunLayout::new(&o.out).map())?;
            Some((o.map_options.pv_params()?, o.map_options.map_params()?))
        } else {
            None
        };
        Ok(RunPlan {
            layout: RunLayout::new(&o.out),
            device: o.train.device()?,
            load: o.corpus.load_options()?,
            segmenter: o.corpus.segmenter(),
            per_seed,
            ig: o.ig.params(threshold)?,
            keywords: o.keywords.params(threshold)?,
            baselines,
            eval_docs: o.eval.doc_options(threshold)?,
            stability: o.eval.stability()?,
            map,
            seeds,
            options: o,
        })
    }
}

impl RunPlan {
    /// The options the plan was built from (`run.json` records them).
    pub fn options(&self) -> &RunOptions {
        &self.options
    }
    /// The seeds, in order, without duplicates.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }
    /// The plan restricted to `seeds` (those `--seeds auto` kept).
    pub(crate) fn with_seeds(&self, seeds: &[u64]) -> RunPlan {
        let mut plan = self.clone();
        plan.seeds = seeds.to_vec();
        plan.per_seed.retain(|s, _| seeds.contains(s));
        plan
    }
    /// The run directory's paths.
    pub fn layout(&self) -> &RunLayout {
        &self.layout
    }
    /// Where models run.
    pub fn device(&self) -> DeviceSpec {
        self.device
    }
    /// How the corpus is read.
    pub fn load_options(&self) -> &LoadOptions {
        &self.load
    }
    /// How the keywords' words are segmented.
    pub fn segmenter(&self) -> Segmenter {
        self.segmenter
    }
    /// A seed's split, tokenizer, model and training parameters (`None` for
    /// a seed outside the plan).
    pub fn seed(&self, seed: u64) -> Option<&SeedParams> {
        self.per_seed.get(&seed)
    }
    /// The explanation's parameters.
    pub fn ig(&self) -> &IgParams {
        &self.ig
    }
    /// The keyword ranking's parameters.
    pub fn keywords(&self) -> &KeywordParams {
        &self.keywords
    }
    /// The baselines and their parameters.
    pub fn baselines(&self) -> &[(Method, BaselineParams)] {
        &self.baselines
    }
    /// How the evaluation documents are built.
    pub fn eval_docs(&self) -> &EvalDocOptions {
        &self.eval_docs
    }
    /// The keyword-stability estimate's parameters.
    pub fn stability(&self) -> &StabilityParams {
        &self.stability
    }
    /// The topic map's parameters, when the run builds one.
    pub fn map(&self) -> Option<&(PvParams, MapParams)> {
        self.map.as_ref()
    }
}

/// Format tag of a plan file.
pub const PLAN_FORMAT: &str = "sacx-run-plan/1";

/// A checked plan written to a file (`sacx slurm` writes one; every job of
/// the cluster run reads it instead of replaying a command line): the
/// options of [`RunOptions::check`], versioned.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanFile {
    /// [`PLAN_FORMAT`].
    pub format: String,
    /// The sacx version that wrote it.
    pub sacx_version: String,
    /// The options, valid when written.
    pub options: RunOptions,
}

impl RunPlan {
    /// Writes the plan's options to `path` atomically.
    pub fn write(&self, path: &std::path::Path) -> Result<()> {
        let file = PlanFile {
            format: PLAN_FORMAT.into(),
            sacx_version: env!("CARGO_PKG_VERSION").into(),
            options: self.options.clone(),
        };
        crate::run::write_json(path, &file)
    }

    /// Reads a plan file and checks its options again (the files it names
    /// may have changed since). Another format version is refused, naming it.
    pub fn read(path: &std::path::Path) -> Result<RunOptions> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path, "read the plan", e))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| Error::Json {
                path: path.to_path_buf(),
                what: "not a sacx plan file",
                source,
            })?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != PLAN_FORMAT {
            return Err(Error::OtherPlanFormat {
                path: path.to_path_buf(),
                found: format.to_string(),
            });
        }
        let file: PlanFile = serde_json::from_value(value).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            what: "not a sacx plan file",
            source,
        })?;
        Ok(file.options)
    }
}
