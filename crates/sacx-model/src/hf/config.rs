//! A Hugging Face model directory and its `config.json`.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The configuration file of a Hugging Face model directory.
pub const HF_CONFIG_FILE: &str = "config.json";
/// The weights file of a Hugging Face model directory.
pub const HF_WEIGHTS_FILE: &str = "model.safetensors";
/// The tokenizer file of a Hugging Face model directory.
pub const HF_TOKENIZER_FILE: &str = "tokenizer.json";

/// The encoder families sacx loads (`model_type` in `config.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HfArchitecture {
    /// `bert`: positions `0..len`, token types.
    Bert,
    /// `roberta`: positions start after the padding id.
    Roberta,
    /// `xlm-roberta`: the same network as RoBERTa.
    XlmRoberta,
    /// `distilbert`: BERT's layers under other names, no token types.
    #[serde(rename = "distilbert")]
    DistilBert,
}

impl HfArchitecture {
    /// The `model_type` string of `config.json`.
    pub fn model_type(self) -> &'static str {
        match self {
            HfArchitecture::Bert => "bert",
            HfArchitecture::Roberta => "roberta",
            HfArchitecture::XlmRoberta => "xlm-roberta",
            HfArchitecture::DistilBert => "distilbert",
        }
    }

    /// The prefix of the encoder's tensors inside a task model
    /// (`bert.` in `BertForSequenceClassification`).
    pub fn base_prefix(self) -> &'static str {
        match self {
            HfArchitecture::Bert => "bert.",
            HfArchitecture::Roberta | HfArchitecture::XlmRoberta => "roberta.",
            HfArchitecture::DistilBert => "distilbert.",
        }
    }

    /// Offset of the first position id: RoBERTa numbers positions from
    /// `pad_token_id + 1` (padding tokens get `pad_token_id`), BERT from 0.
    pub fn position_offset(self, pad_token_id: i64) -> i64 {
        match self {
            HfArchitecture::Bert | HfArchitecture::DistilBert => 0,
            HfArchitecture::Roberta | HfArchitecture::XlmRoberta => pad_token_id + 1,
        }
    }

    fn parse(model_type: &str) -> Option<HfArchitecture> {
        [
            HfArchitecture::Bert,
            HfArchitecture::Roberta,
            HfArchitecture::XlmRoberta,
            HfArchitecture::DistilBert,
        ]
        .into_iter()
        .find(|a| a.model_type() == model_type)
    }
}

/// The feed-forward activation (`hidden_act`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HiddenAct {
    /// `gelu`: the exact, erf-based GELU.
    #[serde(rename = "gelu")]
    Gelu,
    /// `gelu_new`, `gelu_pytorch_tanh`: the tanh approximation.
    #[serde(rename = "gelu_new", alias = "gelu_pytorch_tanh")]
    GeluTanh,
    /// `relu`.
    #[serde(rename = "relu")]
    Relu,
    /// `silu` (`swish`).
    #[serde(rename = "silu", alias = "swish")]
    Silu,
}

/// A validated `config.json` of a BERT or (XLM-)RoBERTa encoder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HfConfig {
    /// The encoder family.
    pub architecture: HfArchitecture,
    /// Word-embedding rows (token ids are `0..vocab_size`).
    pub vocab_size: usize,
    /// Model width.
    pub hidden_size: usize,
    /// Encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads (a divisor of `hidden_size`).
    pub num_attention_heads: usize,
    /// Feed-forward width.
    pub intermediate_size: usize,
    /// Rows of the position embedding.
    pub max_position_embeddings: usize,
    /// Rows of the token-type embedding (0: none, as in DistilBERT).
    pub type_vocab_size: usize,
    /// Feed-forward activation.
    pub hidden_act: HiddenAct,
    /// Layer-norm epsilon.
    pub layer_norm_eps: f64,
    /// The padding token id.
    pub pad_token_id: i64,
    /// Dropout on embeddings and residual branches (training only).
    pub hidden_dropout_prob: f64,
    /// Dropout on attention weights (training only).
    pub attention_probs_dropout_prob: f64,
    /// Standard deviation of Hugging Face's weight initialisation.
    pub initializer_range: f64,
}

/// `config.json` as written; absent optional keys take Hugging Face's defaults.
#[derive(Deserialize)]
struct RawConfig {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    type_vocab_size: Option<usize>,
    hidden_act: Option<serde_json::Value>,
    layer_norm_eps: Option<f64>,
    pad_token_id: Option<i64>,
    hidden_dropout_prob: Option<f64>,
    attention_probs_dropout_prob: Option<f64>,
    initializer_range: Option<f64>,
    position_embedding_type: Option<String>,
}

impl HfConfig {
    /// Reads and validates `path` (a `config.json`); every error names the file.
    pub fn read(path: &Path) -> Result<HfConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        HfConfig::parse(&text, path)
    }

    /// Parses and validates the text of a `config.json` read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<HfConfig> {
        let bad = |reason: String| Error::hf(path, reason);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON ({e})")))?;
        let model_type = value
            .get("model_type")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("no `model_type` key".to_string()))?;
        let architecture = HfArchitecture::parse(model_type).ok_or_else(|| {
            bad(format!(
                "model_type `{model_type}` is not supported (expected bert, roberta, xlm-roberta or distilbert)"
            ))
        })?;
        let value = match architecture {
            HfArchitecture::DistilBert => distilbert_as_bert(value),
            _ => value,
        };
        let raw: RawConfig =
            serde_json::from_value(value).map_err(|e| bad(format!("invalid config ({e})")))?;
        let config = HfConfig::from_raw(raw, architecture).map_err(bad)?;
        Ok(config)
    }

    fn from_raw(raw: RawConfig, architecture: HfArchitecture) -> Result<HfConfig, String> {
        let roberta = architecture != HfArchitecture::Bert;
        let hidden_act = match raw.hidden_act {
            None => HiddenAct::Gelu,
            Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                format!("hidden_act {v} is not supported (expected gelu, gelu_new, relu or silu)")
            })?,
        };
        if let Some(t) = raw.position_embedding_type.filter(|t| t != "absolute") {
            return Err(format!(
                "position_embedding_type `{t}` is not supported (expected absolute)"
            ));
        }
        let config = HfConfig {
            architecture,
            vocab_size: raw.vocab_size,
            hidden_size: raw.hidden_size,
            num_hidden_layers: raw.num_hidden_layers,
            num_attention_heads: raw.num_attention_heads,
            intermediate_size: raw.intermediate_size,
            max_position_embeddings: raw.max_position_embeddings,
            type_vocab_size: raw.type_vocab_size.unwrap_or(2),
            hidden_act,
            layer_norm_eps: raw.layer_norm_eps.unwrap_or(1e-12),
            pad_token_id: raw.pad_token_id.unwrap_or(if roberta { 1 } else { 0 }),
            hidden_dropout_prob: raw.hidden_dropout_prob.unwrap_or(0.1),
            attention_probs_dropout_prob: raw.attention_probs_dropout_prob.unwrap_or(0.1),
            initializer_range: raw.initializer_range.unwrap_or(0.02),
        };
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let positive = [
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_hidden_layers", self.num_hidden_layers),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} is 0"));
        }
        if self.type_vocab_size == 0 && self.architecture != HfArchitecture::DistilBert {
            return Err("type_vocab_size is 0".to_string());
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.pad_token_id < 0 || self.pad_token_id as usize >= self.vocab_size {
            return Err(format!(
                "pad_token_id {} is outside the vocabulary 0..{}",
                self.pad_token_id, self.vocab_size
            ));
        }
        if self.max_positions() == 0 {
            return Err(format!(
                "max_position_embeddings {} leaves no position after the offset {}",
                self.max_position_embeddings,
                self.position_offset()
            ));
        }
        if !(self.layer_norm_eps > 0.0 && self.layer_norm_eps.is_finite()) {
            return Err(format!(
                "layer_norm_eps {} is not positive",
                self.layer_norm_eps
            ));
        }
        for (name, p) in [
            ("hidden_dropout_prob", self.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                self.attention_probs_dropout_prob,
            ),
        ] {
            if !(0.0..1.0).contains(&p) {
                return Err(format!("{name} {p} is outside [0, 1)"));
            }
        }
        Ok(())
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// The first position id (see [`HfArchitecture::position_offset`]).
    pub fn position_offset(&self) -> i64 {
        self.architecture.position_offset(self.pad_token_id)
    }

    /// The longest token sequence (special tokens included) the encoder takes.
    pub fn max_positions(&self) -> usize {
        (self.max_position_embeddings as i64 - self.position_offset()).max(0) as usize
    }
}

/// A DistilBERT `config.json` under BERT's key names: `dim` is `hidden_size`,
/// and so on; no token types, layer-norm epsilon 1e-12 (fixed in `transformers`).
fn distilbert_as_bert(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(map) = value.as_object_mut() {
        for (from, to) in [
            ("dim", "hidden_size"),
            ("n_layers", "num_hidden_layers"),
            ("n_heads", "num_attention_heads"),
            ("hidden_dim", "intermediate_size"),
            ("activation", "hidden_act"),
            ("dropout", "hidden_dropout_prob"),
            ("attention_dropout", "attention_probs_dropout_prob"),
        ] {
            if let Some(v) = map.get(from).cloned() {
                map.entry(to).or_insert(v);
            }
        }
        map.insert("type_vocab_size".into(), 0.into());
        map.insert("layer_norm_eps".into(), 1e-12.into());
    }
    value
}

/// The files of a Hugging Face model directory, checked to exist.
#[derive(Debug, Clone)]
pub struct HfModelDir {
    /// The directory.
    pub dir: PathBuf,
    /// Its validated `config.json`.
    pub config: HfConfig,
    /// `model.safetensors`.
    pub weights: PathBuf,
    /// `tokenizer.json`, when present.
    pub tokenizer: Option<PathBuf>,
}

impl HfModelDir {
    /// Opens `dir`: reads `config.json` and checks that `model.safetensors` exists.
    /// A directory with PyTorch `.bin` weights only is an error saying how to convert them.
    pub fn open(dir: &Path) -> Result<HfModelDir> {
        if !dir.is_dir() {
            return Err(Error::hf(dir, "not a directory"));
        }
        let config_path = dir.join(HF_CONFIG_FILE);
        if !config_path.is_file() {
            return Err(Error::hf(
                dir,
                format!("no {HF_CONFIG_FILE}: not a Hugging Face model directory"),
            ));
        }
        let config = HfConfig::read(&config_path)?;
        let weights = dir.join(HF_WEIGHTS_FILE);
        if !weights.is_file() {
            let bin = ["pytorch_model.bin", "pytorch_model.bin.index.json"]
                .into_iter()
                .find(|f| dir.join(f).is_file());
            let reason = match bin {
                Some(f) => format!(
                    "no {HF_WEIGHTS_FILE}, only {f}: convert the weights to safetensors, for example in Python \
                     `transformers.AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)`"
                ),
                None if dir.join("model.safetensors.index.json").is_file() => format!(
                    "sharded safetensors are not supported: save the model as one {HF_WEIGHTS_FILE}"
                ),
                None => format!("no {HF_WEIGHTS_FILE}"),
            };
            return Err(Error::hf(dir, reason));
        }
        let tokenizer = Some(dir.join(HF_TOKENIZER_FILE)).filter(|p| p.is_file());
        Ok(HfModelDir {
            dir: dir.to_path_buf(),
            config,
            weights,
            tokenizer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"{"model_type": "bert", "vocab_size": 30, "hidden_size": 8,
        "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16,
        "max_position_embeddings": 20, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#;

    fn parse(text: &str) -> Result<HfConfig> {
        HfConfig::parse(text, Path::new("m/config.json"))
    }

    #[test]
    fn parses_bert_with_defaults() {
        let c = parse(MINI).unwrap();
        assert_eq!(c.architecture, HfArchitecture::Bert);
        assert_eq!((c.hidden_size, c.head_dim(), c.type_vocab_size), (8, 4, 2));
        assert_eq!(
            (c.pad_token_id, c.position_offset(), c.max_positions()),
            (0, 0, 20)
        );
        assert_eq!(c.hidden_act, HiddenAct::Gelu);
    }

    #[test]
    fn roberta_positions_start_after_padding() {
        let text = MINI
            .replace("\"bert\"", "\"xlm-roberta\"")
            .replace("\"gelu\"", "\"gelu_pytorch_tanh\"");
        let c = parse(&text).unwrap();
        assert_eq!(c.architecture, HfArchitecture::XlmRoberta);
        assert_eq!(
            (c.pad_token_id, c.position_offset(), c.max_positions()),
            (1, 2, 18)
        );
        assert_eq!(c.hidden_act, HiddenAct::GeluTanh);
    }

    #[test]
    fn errors_name_the_file_in_one_line() {
        let e = parse(&MINI.replace("\"bert\"", "\"gpt2\""))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "m/config.json: model_type `gpt2` is not supported (expected bert, roberta, xlm-roberta or distilbert)"
        );
        let e = parse(&MINI.replace("\"hidden_size\": 8,", ""))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m/config.json: invalid config (missing field `hidden_size`"),
            "{e}"
        );
        let e = parse(&MINI.replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 3"))
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("hidden_size 8 is not a multiple of num_attention_heads 3"),
            "{e}"
        );
        let e = parse(&MINI.replace("\"gelu\"", "\"mish\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("hidden_act \"mish\" is not supported"), "{e}");
        assert!(!e.contains('\n'));
    }

    #[test]
    fn a_bin_only_directory_says_to_convert() {
        let dir = tempfile::tempdir().unwrap();
        let e = HfModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(
            e.ends_with("no config.json: not a Hugging Face model directory"),
            "{e}"
        );
        std::fs::write(dir.path().join("config.json"), MINI).unwrap();
        std::fs::write(dir.path().join("pytorch_model.bin"), b"x").unwrap();
        let e = HfModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("no model.safetensors, only pytorch_model.bin: convert"),
            "{e}"
        );
        assert!(e.contains("safe_serialization=True"), "{e}");
        std::fs::write(dir.path().join("model.safetensors"), b"x").unwrap();
        let m = HfModelDir::open(dir.path()).unwrap();
        assert!(m.tokenizer.is_none());
        assert_eq!(m.weights, dir.path().join("model.safetensors"));
    }
}
