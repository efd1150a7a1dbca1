//! The `hf` architecture's settings: which directory, pooling, freezing.
use std::path::{Path, PathBuf};

use crate::hf::HfNet;
use crate::hf::config::{HF_CONFIG_FILE, HfModelDir};
use crate::model::ModelSpec;
use crate::params::ParamStore;
use crate::transformer::Pooling;
use crate::xml_cnn::check_range;
use crate::{Error, Result};

crate::builder::params! {
    /// A pretrained Hugging Face encoder fine-tuned with a multilabel head,
    /// valid by construction: start with [`HfParams::open`], which reads the
    /// directory's `config.json` (or deserialize; the same checks apply).
    pub struct HfParams, builder HfParamsBuilder,
    raw HfParamsRaw = "HfParamsRaw", check HfParams::check {
        /// The Hugging Face model directory (`config.json`, `model.safetensors`, `tokenizer.json`).
        manual dir: PathBuf = PathBuf::new(),
        /// Document pooling: `first` (the `[CLS]` / `<s>` position) or `mean`. Default first.
        copy pooling: Pooling = Pooling::First,
        /// Keep `embeddings.*` (word, position, token-type embeddings and their
        /// layer norm) fixed during training. Default false.
        copy freeze_embeddings: bool = false,
        /// Keep the lowest this many encoder layers fixed. Default 0, at most `layers`.
        copy freeze_layers: usize = 0,
        /// The encoder width (`hidden_size` of `config.json`), read by [`HfParams::open`].
        copy hidden_size: usize = 0,
        /// The encoder depth (`num_hidden_layers` of `config.json`), read by [`HfParams::open`].
        copy layers: usize = 0,
    }
}

impl HfParams {
    /// A builder for the model directory `dir`, with `hidden_size` and
    /// `layers` from its `config.json`; errors name the file at fault.
    pub fn open(dir: &Path) -> Result<HfParamsBuilder> {
        let model = HfModelDir::open(dir)?;
        Ok(HfParams::builder()
            .dir(dir.to_path_buf())
            .hidden_size(model.config.hidden_size)
            .layers(model.config.num_hidden_layers))
    }

    /// The Hugging Face model directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// These settings for another copy of the same encoder (a checkpoint's `encoder/`).
    pub(crate) fn with_dir(&self, dir: PathBuf) -> HfParams {
        HfParams {
            dir,
            ..self.clone()
        }
    }

    /// Checks every field against its documented range.
    fn check(&self) -> Result<()> {
        if self.dir.as_os_str().is_empty() {
            return Err(Error::param(
                "hf dir",
                "\"\"",
                "a Hugging Face model directory",
            ));
        }
        check_range("hidden_size", self.hidden_size, 1, 65_536)?;
        check_range("layers", self.layers, 1, 1024)?;
        check_range("freeze_layers", self.freeze_layers, 0, self.layers)?;
        Ok(())
    }

    /// Loads the encoder into `store` with a head drawn from `seed`, then
    /// freezes what these settings say. The directory must still match the
    /// settings (width, depth) and hold every id of `spec`'s vocabulary.
    pub(crate) fn build_net(
        &self,
        store: &mut ParamStore,
        spec: &ModelSpec,
        seed: u64,
    ) -> Result<HfNet> {
        let dir = HfModelDir::open(&self.dir)?;
        let c = &dir.config;
        if (c.hidden_size, c.num_hidden_layers) != (self.hidden_size, self.layers) {
            return Err(Error::hf(
                self.dir.join(HF_CONFIG_FILE),
                format!(
                    "hidden_size {} and num_hidden_layers {}, the model settings say {} and {}",
                    c.hidden_size, c.num_hidden_layers, self.hidden_size, self.layers
                ),
            ));
        }
        if spec.vocab_size > c.vocab_size {
            return Err(Error::hf(
                self.dir.join(HF_CONFIG_FILE),
                format!(
                    "vocab_size {} is smaller than the tokenizer's {} tokens",
                    c.vocab_size, spec.vocab_size
                ),
            ));
        }
        let net = HfNet::load(store, &dir, spec.num_classes, self.pooling, seed)?;
        store.freeze_where(|name| self.frozen(name))?;
        Ok(net)
    }

    /// Whether the parameter `name` (a Hugging Face base-model name) stays fixed.
    pub(crate) fn frozen(&self, name: &str) -> bool {
        if name.starts_with("embeddings.") {
            return self.freeze_embeddings;
        }
        let layer = ["encoder.layer.", "transformer.layer."]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .and_then(|rest| rest.split('.').next())
            .and_then(|i| i.parse::<usize>().ok());
        layer.is_some_and(|i| i < self.freeze_layers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(freeze_layers: usize) -> Result<HfParams> {
        HfParams::builder()
            .dir("m".into())
            .hidden_size(8)
            .layers(2)
            .freeze_layers(freeze_layers)
            .build()
    }

    #[test]
    fn freezing_selects_embeddings_and_lower_layers() {
        let p = params(1)
            .unwrap()
            .to_builder()
            .freeze_embeddings(true)
            .build()
            .unwrap();
        assert!(p.frozen("embeddings.word_embeddings.weight"));
        assert!(p.frozen("encoder.layer.0.output.dense.bias"));
        assert!(p.frozen("transformer.layer.0.ffn.lin1.weight"));
        assert!(!p.frozen("encoder.layer.1.output.dense.bias"));
        assert!(!p.frozen("head.weight"));
        let e = params(3).unwrap_err().to_string();
        assert!(e.contains("freeze_layers"), "{e}");
    }

    #[test]
    fn deserializing_checks_the_ranges() {
        let ok: HfParams = serde_json::from_str(
            r#"{"dir":"m","pooling":"mean","freeze_embeddings":false,"freeze_layers":2,"hidden_size":8,"layers":2}"#,
        )
        .unwrap();
        assert_eq!(ok.pooling(), Pooling::Mean);
        let bad = serde_json::from_str::<HfParams>(
            r#"{"dir":"","pooling":"mean","freeze_embeddings":false,"freeze_layers":0,"hidden_size":8,"layers":2}"#,
        );
        assert!(bad.is_err());
    }
}
