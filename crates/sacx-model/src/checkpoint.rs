//! Checkpoint directories: `config.json`, `model.safetensors`, the tokenizer.
//!
//! Layout and tensor names are documented in `docs/checkpoints.md`. Every file
//! other than `config.json` is listed there with its size and FNV-1a digest, so
//! a truncated or altered file is reported before anything is used. Directories
//! are replaced as a whole (a fresh sibling renamed into place), so a crash never leaves a
//! half-written checkpoint.
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::model::{Architecture, Model, ModelSpec};
use crate::train_params::TrainParams;
use crate::weights::{decode, digest, encode, readable_dir, replace_dir};
use crate::{Error, Result};
use sacx_data::write_atomic;

/// The `format` field of every sacx checkpoint's `config.json`.
pub const FORMAT: &str = "sacx-model-checkpoint";
/// The layout version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Configuration file name.
pub const CONFIG_FILE: &str = "config.json";
/// Weights file name.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Tokenizer sub-directory name.
pub const TOKENIZER_DIR: &str = "tokenizer";
/// The sub-directory holding a fine-tuned Hugging Face encoder (`hf`
/// architecture) as a Hugging Face model directory: `config.json`,
/// `model.safetensors` under Hugging Face's names, and the tokenizer.
pub const ENCODER_DIR: &str = "encoder";

/// Where the tokenizer lives inside a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerInfo {
    /// The tokenizer kind, as its crate names it (e.g. `bpe`, `word`).
    pub kind: String,
    /// Its main file, relative to the checkpoint directory.
    pub file: String,
}

/// A tokenizer that can write itself into a checkpoint.
pub trait TokenizerFiles {
    /// Writes the tokenizer into the empty directory `dir` and describes it;
    /// `TokenizerInfo::file` is relative to `dir`.
    fn save_into(&self, dir: &Path) -> Result<TokenizerInfo>;
}

/// Size and digest of one checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Size in bytes.
    pub bytes: u64,
    /// FNV-1a 64-bit digest, 16 hex digits.
    pub fnv1a64: String,
}

/// The content of `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointConfig {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for this crate.
    pub format_version: u32,
    /// The sacx version that wrote it.
    pub sacx_version: String,
    /// Architecture, hyperparameters, vocabulary size, pad id, class count.
    pub model: ModelSpec,
    /// Class names; logit `i` is `labels[i]`.
    pub labels: Vec<String>,
    /// The tokenizer, when one was saved.
    pub tokenizer: Option<TokenizerInfo>,
    /// The run's seed.
    pub seed: u64,
    /// Training settings, for trained models.
    pub training: Option<TrainParams>,
    /// Decision threshold on sigmoid probabilities.
    pub threshold: f64,
    /// Epochs completed when written.
    pub epoch: usize,
    /// Validation loss at that epoch.
    pub valid_loss: Option<f64>,
    /// The weights file (always [`WEIGHTS_FILE`]).
    pub weights: String,
    /// Every other file of the checkpoint, relative path to size and digest.
    pub files: BTreeMap<String, FileInfo>,
}

impl CheckpointConfig {
    /// A configuration for `model` with `labels`, before any file is written.
    pub fn new(model: &Model, labels: Vec<String>, seed: u64) -> Self {
        CheckpointConfig {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            sacx_version: env!("CARGO_PKG_VERSION").to_string(),
            model: model.spec().clone(),
            labels,
            tokenizer: None,
            seed,
            training: None,
            threshold: 0.5,
            epoch: 0,
            valid_loss: None,
            weights: WEIGHTS_FILE.to_string(),
            files: BTreeMap::new(),
        }
    }

    /// An error unless `labels` equals the checkpoint's label list.
    pub fn check_labels(&self, labels: &[String]) -> Result<()> {
        check_labels(&self.labels, labels)
    }
}

/// An error unless `data` equals `checkpoint` element by element.
pub fn check_labels(checkpoint: &[String], data: &[String]) -> Result<()> {
    if checkpoint == data {
        return Ok(());
    }
    let i = checkpoint
        .iter()
        .zip(data)
        .take_while(|(a, b)| a == b)
        .count();
    let show = |v: &[String]| v.get(i).map_or("<none>".to_string(), |s| format!("`{s}`"));
    Err(Error::LabelMismatch {
        checkpoint_count: checkpoint.len(),
        data_count: data.len(),
        difference: format!(
            "label {i} is {} in the checkpoint, {} in the data",
            show(checkpoint),
            show(data)
        ),
    })
}

/// Writes a checkpoint of `model` into `dir` (replacing it as a whole):
/// weights, the tokenizer if given, `extra` files (name, bytes), then
/// `config.json` listing them all.
pub fn save(
    dir: &Path,
    config: &CheckpointConfig,
    model: &Model,
    tokenizer: Option<&dyn TokenizerFiles>,
    extra: &[(&str, Vec<u8>)],
) -> Result<()> {
    let mut config = config.clone();
    let (weights, encoder) = weight_files(model)?;
    let tok_dir = if encoder.is_some() {
        ENCODER_DIR
    } else {
        TOKENIZER_DIR
    };
    replace_dir(dir, |tmp| {
        write_atomic(&tmp.join(WEIGHTS_FILE), &weights)?;
        if let Some((tensors, hf_config)) = &encoder {
            let edir = tmp.join(ENCODER_DIR);
            std::fs::create_dir_all(&edir).map_err(|e| Error::io(&edir, e))?;
            write_atomic(&edir.join(crate::hf::HF_WEIGHTS_FILE), tensors)?;
            write_atomic(&edir.join(crate::hf::HF_CONFIG_FILE), hf_config)?;
        }
        if let Some(tok) = tokenizer {
            let tdir = tmp.join(tok_dir);
            std::fs::create_dir_all(&tdir).map_err(|e| Error::io(&tdir, e))?;
            let info = tok.save_into(&tdir)?;
            config.tokenizer = Some(TokenizerInfo {
                kind: info.kind,
                file: format!("{tok_dir}/{}", info.file),
            });
        }
        for (name, bytes) in extra {
            write_atomic(&tmp.join(name), bytes)?;
        }
        config.files = list_files(tmp)?;
        let json = serde_json::to_vec_pretty(&config)
            .map_err(|e| Error::json(tmp.join(CONFIG_FILE), e))?;
        Ok(write_atomic(&tmp.join(CONFIG_FILE), &json)?)
    })
}

/// An encoded encoder (safetensors image, Hugging Face `config.json` bytes).
type EncoderFiles = (Vec<u8>, Vec<u8>);

/// The safetensors image of `model.safetensors` and, for the `hf`
/// architecture, the encoder's files: then `model.safetensors` holds the head
/// only and the encoder's tensors keep their Hugging Face names.
fn weight_files(model: &Model) -> Result<(Vec<u8>, Option<EncoderFiles>)> {
    // One metadata entry only: safetensors writes metadata in hash-map order,
    // and files must be byte-identical across identical runs.
    let meta = || HashMap::from([("format".to_string(), "pt".to_string())]);
    let tensors = model.params().to_cpu_map()?;
    let Some(net) = model.as_hf() else {
        return Ok((encode(&tensors, meta())?, None));
    };
    let head_prefix = format!("{}.", crate::hf::HEAD_PREFIX);
    let (head, tensors): (BTreeMap<_, _>, BTreeMap<_, _>) = tensors
        .into_iter()
        .partition(|(k, _)| k.starts_with(&head_prefix));
    let encoder = (encode(&tensors, meta())?, net.config_json().to_vec());
    Ok((encode(&head, meta())?, Some(encoder)))
}

/// Every parameter tensor of the checkpoint in `dir`: `model.safetensors`,
/// plus the encoder's `encoder/model.safetensors` for the `hf` architecture.
pub fn read_weights(dir: &Path, config: &CheckpointConfig) -> Result<BTreeMap<String, Tensor>> {
    let mut tensors = read_tensors(dir, config, &config.weights)?;
    if let Architecture::Hf(_) = config.model.architecture {
        let name = format!("{ENCODER_DIR}/{}", crate::hf::HF_WEIGHTS_FILE);
        for (k, t) in read_tensors(dir, config, &name)? {
            if tensors.insert(k.clone(), t).is_some() {
                return Err(Error::Corrupt {
                    path: readable_dir(dir).join(&name),
                    reason: format!("tensor `{k}` is also in {}", config.weights),
                });
            }
        }
    }
    Ok(tensors)
}

fn list_files(root: &Path) -> Result<BTreeMap<String, FileInfo>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let path = entry.map_err(|e| Error::io(&d, e))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel == CONFIG_FILE || rel.starts_with('.') {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            out.insert(
                rel,
                FileInfo {
                    bytes: bytes.len() as u64,
                    fnv1a64: digest(&bytes),
                },
            );
        }
    }
    Ok(out)
}

/// Reads and checks `config.json` of the checkpoint in `dir`.
pub fn read_config(dir: &Path) -> Result<CheckpointConfig> {
    let dir = readable_dir(dir);
    let path = dir.join(CONFIG_FILE);
    if !path.is_file() {
        return Err(Error::MissingFile { path });
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let config: CheckpointConfig =
        serde_json::from_slice(&bytes).map_err(|e| Error::json(&path, e))?;
    let corrupt = |reason: String| Error::Corrupt {
        path: path.clone(),
        reason,
    };
    if config.format != FORMAT || config.format_version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format {} v{}, expected {FORMAT} v{FORMAT_VERSION}",
            config.format, config.format_version
        )));
    }
    if config.labels.len() != config.model.num_classes {
        return Err(corrupt(format!(
            "{} labels for {} classes",
            config.labels.len(),
            config.model.num_classes
        )));
    }
    Ok(config)
}

/// Reads one listed file of the checkpoint in `dir`, checking size and digest.
pub fn read_file(dir: &Path, config: &CheckpointConfig, name: &str) -> Result<Vec<u8>> {
    let dir = readable_dir(dir);
    let path = dir.join(name);
    let info = config.files.get(name).ok_or_else(|| Error::Corrupt {
        path: dir.join(CONFIG_FILE),
        reason: format!("`{name}` is not listed"),
    })?;
    if !path.is_file() {
        return Err(Error::MissingFile { path });
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    if bytes.len() as u64 != info.bytes || digest(&bytes) != info.fnv1a64 {
        return Err(Error::Corrupt {
            path,
            reason: format!(
                "size or digest differs from config.json ({} bytes, expected {})",
                bytes.len(),
                info.bytes
            ),
        });
    }
    Ok(bytes)
}

/// Reads a listed safetensors file of the checkpoint in `dir`.
pub fn read_tensors(
    dir: &Path,
    config: &CheckpointConfig,
    name: &str,
) -> Result<BTreeMap<String, Tensor>> {
    let bytes = read_file(dir, config, name)?;
    decode(&bytes, &readable_dir(dir).join(name))
}

/// Checks every listed file of the checkpoint in `dir` (presence, size, digest).
pub fn verify(dir: &Path, config: &CheckpointConfig) -> Result<()> {
    for name in config.files.keys() {
        read_file(dir, config, name)?;
    }
    if !config.files.contains_key(&config.weights) {
        return Err(Error::MissingFile {
            path: readable_dir(dir).join(&config.weights),
        });
    }
    Ok(())
}

/// A loaded checkpoint: its configuration and the model.
#[derive(Debug)]
pub struct Checkpoint {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `config.json`.
    pub config: CheckpointConfig,
    /// The model, with the saved weights.
    pub model: Model,
}

impl Checkpoint {
    /// Loads the checkpoint in `dir` onto `device` for inference: every file is
    /// checked first, and the parameters are frozen (no gradient accumulates).
    ///
    /// ```
    /// use sacx_model::{Architecture, Checkpoint, CheckpointConfig, EmbedPoolParams, Model, ModelSpec};
    /// use tch::Device;
    ///
    /// let arch = EmbedPoolParams::builder().embedding_dim(4).hidden(8).build()?;
    /// let spec = ModelSpec {
    ///     architecture: Architecture::EmbedPool(arch),
    ///     vocab_size: 10,
    ///     pad_id: 0,
    ///     num_classes: 2,
    /// };
    /// let model = Model::new(&spec, 7, Device::Cpu, None)?;
    /// let dir = tempfile::tempdir().map_err(|e| sacx_model::Error::Io { path: "tmp".into(), source: e })?;
    /// let config = CheckpointConfig::new(&model, vec!["a".into(), "b".into()], 7);
    /// sacx_model::checkpoint::save(dir.path(), &config, &model, None, &[])?;
    ///
    /// let ck = Checkpoint::load(dir.path(), Device::Cpu)?;
    /// assert_eq!(ck.config.labels, ["a", "b"]);
    /// assert_eq!(ck.model.spec(), &spec);
    /// let (saved, loaded) = (model.state_dict()?, ck.model.state_dict()?);
    /// assert!(saved["embedding.weight"].equal(&loaded["embedding.weight"]));
    /// # Ok::<(), sacx_model::Error>(())
    /// ```
    pub fn load(dir: &Path, device: Device) -> Result<Checkpoint> {
        let mut ck = Self::load_trainable(dir, device)?;
        ck.model.freeze();
        Ok(ck)
    }

    /// As [`Checkpoint::load`], with parameters left trainable (resuming).
    pub(crate) fn load_trainable(dir: &Path, device: Device) -> Result<Checkpoint> {
        let config = read_config(dir)?;
        verify(dir, &config)?;
        let tensors = read_weights(dir, &config)?;
        let mut spec = config.model.clone();
        if let Architecture::Hf(p) = &spec.architecture {
            // The fine-tuned encoder, not the directory training started from.
            spec.architecture = Architecture::Hf(p.with_dir(readable_dir(dir).join(ENCODER_DIR)));
        }
        let mut model = Model::new(&spec, config.seed, device, None)?;
        model
            .params_mut()
            .assign(&tensors, &readable_dir(dir).join(&config.weights))?;
        Ok(Checkpoint {
            dir: readable_dir(dir),
            config,
            model,
        })
    }

    /// The tokenizer's main file, when the checkpoint has one.
    pub fn tokenizer_path(&self) -> Option<PathBuf> {
        self.config
            .tokenizer
            .as_ref()
            .map(|t| self.dir.join(&t.file))
    }
}
