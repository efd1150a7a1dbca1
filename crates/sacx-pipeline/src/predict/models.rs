//! The models of a prediction: every trained seed of a run directory, or one
//! checkpoint directory, with their tokenizers.
use crate::{Error, Result};
use sacx_data::Tokenizer;
use sacx_data::layout::RunLayout;
use sacx_model::Checkpoint;
use sacx_model::checkpoint::{CONFIG_FILE, read_config};
use std::path::{Path, PathBuf};
use tch::Device;

/// The checkpoint directories behind `model`: `model` itself when it holds a
/// checkpoint's `config.json`, else the best checkpoint of every seed of the
/// run directory `model` (`runs/seed-N/model/best`, or `model/best` of a
/// `sacx train` directory). Only `config.json` files are read, so a wrong
/// path fails at once.
pub fn checkpoint_dirs(model: &Path) -> Result<Vec<PathBuf>> {
    let no_model = |reason: String| Error::NoModel {
        path: model.to_path_buf(),
        reason,
    };
    if !model.is_dir() {
        return Err(no_model(
            "no such directory; give a run directory (sacx run/train --out) or a checkpoint directory (…/model/best)".into(),
        ));
    }
    if model.join(CONFIG_FILE).is_file() {
        read_config(model)?;
        return Ok(vec![model.to_path_buf()]);
    }
    let single = sacx_data::layout::SeedLayout::at(model).checkpoint();
    let dirs: Vec<PathBuf> = if single.join(CONFIG_FILE).is_file() {
        vec![single]
    } else {
        let run = RunLayout::new(model);
        run.seeds()?
            .into_iter()
            .map(|s| run.seed(s).checkpoint())
            .collect()
    };
    if dirs.is_empty() {
        return Err(no_model(
            "neither a checkpoint (no config.json) nor a run directory with trained seeds (no runs/seed-N/model/best); give a run directory (sacx run/train --out) or a checkpoint directory".into(),
        ));
    }
    for d in &dirs {
        if !d.join(CONFIG_FILE).is_file() {
            return Err(no_model(format!(
                "{} has no trained model (no {CONFIG_FILE}); finish its training first or give one checkpoint directory",
                d.display()
            )));
        }
        read_config(d)?;
    }
    Ok(dirs)
}

/// One seed's model and tokenizer.
pub struct Member {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Its tokenizer.
    pub tokenizer: Tokenizer,
}

impl Member {
    /// The seed the checkpoint was trained with.
    pub fn seed(&self) -> u64 {
        self.checkpoint.config.seed
    }
}

/// Loads every checkpoint onto `device`; they must share one label list and
/// have distinct seeds.
pub fn load(dirs: &[PathBuf], device: Device) -> Result<Vec<Member>> {
    let mut members: Vec<Member> = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let checkpoint = Checkpoint::load(dir, device)?;
        let tokenizer = crate::seed::checkpoint_tokenizer(&checkpoint, checkpoint.config.seed)?;
        if let Some(first) = members.first() {
            sacx_model::checkpoint::check_labels(
                &first.checkpoint.config.labels,
                &checkpoint.config.labels,
            )?;
            if members.iter().any(|m| m.seed() == checkpoint.config.seed) {
                return Err(Error::NoModel {
                    path: dir.clone(),
                    reason: format!(
                        "seed {} appears twice in the ensemble",
                        checkpoint.config.seed
                    ),
                });
            }
        }
        members.push(Member {
            checkpoint,
            tokenizer,
        });
    }
    Ok(members)
}

/// FNV-1a over every member's `config.json` (which lists the digest of each
/// weight and tokenizer file): the model's identity in the manifest.
pub fn fingerprint(members: &[Member]) -> Result<String> {
    let mut h = sacx_data::Fnv1a::new();
    for m in members {
        let path = m.checkpoint.dir.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
        h.update(&bytes);
        h.update(&[0]);
    }
    Ok(h.hex())
}

/// The decision threshold of the ensemble: the mean of the members'
/// thresholds (each checkpoint's own, 0.5 unless training applied its best
/// threshold), so a single checkpoint keeps exactly its own.
pub fn threshold(members: &[Member]) -> f32 {
    let sum: f64 = members.iter().map(|m| m.checkpoint.config.threshold).sum();
    (sum / members.len().max(1) as f64) as f32
}
