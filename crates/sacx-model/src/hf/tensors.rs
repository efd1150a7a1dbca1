//! Reading Hugging Face `model.safetensors` files into named parameters.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors};
use tch::{Kind, Tensor};

use crate::hf::config::HfArchitecture;
use crate::layers::{LayerNorm, Linear};
use crate::params::ParamStore;
use crate::{Error, Result};

/// The encoder's tensors of `path`, as `f32` CPU tensors keyed by their names
/// in Hugging Face's base model (`embeddings.…`, `encoder.…`).
///
/// A task model's prefix (`bert.`, `roberta.`) is removed; pooler, task heads
/// and buffers (`embeddings.position_ids`) are left out; legacy layer-norm
/// names (`gamma`, `beta`) become `weight`, `bias`. `f16` and `bf16` weights are
/// widened to `f32`.
pub(crate) fn read_encoder_tensors(
    path: &Path,
    arch: HfArchitecture,
) -> Result<BTreeMap<String, Tensor>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let st = SafeTensors::deserialize(&bytes)
        .map_err(|e| Error::hf(path, format!("not a safetensors file ({e})")))?;
    let names = st.names();
    let prefix = if names.iter().any(|n| n.starts_with("embeddings.")) {
        ""
    } else if names
        .iter()
        .any(|n| n.starts_with(&format!("{}embeddings.", arch.base_prefix())))
    {
        arch.base_prefix()
    } else {
        return Err(Error::hf(
            path,
            format!(
                "no `embeddings.*` tensors (with or without the `{}` prefix): not a {} encoder",
                arch.base_prefix(),
                arch.model_type()
            ),
        ));
    };
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let Some(short) = name.strip_prefix(prefix) else {
            continue;
        };
        let wanted = ["embeddings.", "encoder.", "transformer."]
            .iter()
            .any(|p| short.starts_with(p));
        if !wanted || short == "embeddings.position_ids" || short == "embeddings.token_type_ids" {
            continue;
        }
        let kind = match view.dtype() {
            Dtype::F32 => Kind::Float,
            Dtype::F16 => Kind::Half,
            Dtype::BF16 => Kind::BFloat16,
            d => {
                return Err(Error::hf(
                    path,
                    format!("tensor `{name}` has dtype {d:?}, expected F32, F16 or BF16"),
                ));
            }
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let t = Tensor::f_from_data_size(view.data(), &shape, kind)?.f_to_kind(Kind::Float)?;
        let short = short
            .strip_suffix(".gamma")
            .map(|s| format!("{s}.weight"))
            .or_else(|| short.strip_suffix(".beta").map(|s| format!("{s}.bias")))
            .unwrap_or_else(|| short.to_string());
        out.insert(short, t);
    }
    Ok(out)
}

/// Moves tensors from a [`read_encoder_tensors`] map into a [`ParamStore`]
/// under the same names, checking each one's shape.
pub(crate) struct Loader<'a> {
    pub(crate) tensors: BTreeMap<String, Tensor>,
    pub(crate) path: PathBuf,
    pub(crate) store: &'a mut ParamStore,
}

impl Loader<'_> {
    /// Takes tensor `name`, which must have `shape`, into the store (trainable).
    pub(crate) fn take(&mut self, name: &str, shape: &[i64]) -> Result<Tensor> {
        let t = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::hf(&self.path, format!("tensor `{name}` is missing")))?;
        if t.size() != shape {
            return Err(Error::hf(
                &self.path,
                format!(
                    "tensor `{name}` has shape {:?}, config.json implies {shape:?}",
                    t.size()
                ),
            ));
        }
        self.store.add(name, t, false)
    }

    /// `<name>.weight` `[out, inp]` and `<name>.bias` `[out]`.
    pub(crate) fn linear(&mut self, name: &str, out: usize, inp: usize) -> Result<Linear> {
        let (o, i) = (out as i64, inp as i64);
        Ok(Linear {
            w: self.take(&format!("{name}.weight"), &[o, i])?,
            b: self.take(&format!("{name}.bias"), &[o])?,
        })
    }

    /// `<name>.weight` and `<name>.bias`, both `[dim]`, with epsilon `eps`.
    pub(crate) fn layer_norm(&mut self, name: &str, dim: usize, eps: f64) -> Result<LayerNorm> {
        let d = dim as i64;
        let w = self.take(&format!("{name}.weight"), &[d])?;
        let b = self.take(&format!("{name}.bias"), &[d])?;
        LayerNorm::from_parts(w, b, eps)
    }

    /// The tensors no part of the model took (logged, then dropped).
    pub(crate) fn finish(self) {
        if !self.tensors.is_empty() {
            let names: Vec<&str> = self.tensors.keys().map(String::as_str).collect();
            tracing::debug!(
                path = %self.path.display(),
                unused = ?names,
                "Hugging Face tensors not used by the encoder"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn write(path: &Path, tensors: &[(&str, Tensor)]) {
        let map: BTreeMap<String, Tensor> = tensors
            .iter()
            .map(|(n, t)| (n.to_string(), t.shallow_clone()))
            .collect();
        let bytes = crate::weights::encode(&map, HashMap::new()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn strips_the_task_prefix_and_drops_heads_and_buffers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("model.safetensors");
        let ones = || Tensor::ones([2], (Kind::Float, tch::Device::Cpu));
        write(
            &p,
            &[
                ("bert.embeddings.LayerNorm.gamma", ones()),
                ("bert.encoder.layer.0.output.dense.bias", ones()),
                (
                    "bert.embeddings.position_ids",
                    Tensor::arange(2, tch::kind::INT64_CPU),
                ),
                ("bert.pooler.dense.bias", ones()),
                ("classifier.bias", ones()),
            ],
        );
        let m = read_encoder_tensors(&p, HfArchitecture::Bert).unwrap();
        let names: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "embeddings.LayerNorm.weight",
                "encoder.layer.0.output.dense.bias"
            ]
        );
        let e = read_encoder_tensors(&p, HfArchitecture::Roberta)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no `embeddings.*` tensors (with or without the `roberta.` prefix)"),
            "{e}"
        );
    }

    #[test]
    fn missing_and_misshapen_tensors_are_named() {
        let mut store = ParamStore::new(tch::Device::Cpu);
        let mut tensors = BTreeMap::new();
        tensors.insert(
            "a.weight".to_string(),
            Tensor::zeros([3, 2], tch::kind::FLOAT_CPU),
        );
        let mut l = Loader {
            tensors,
            path: PathBuf::from("d/model.safetensors"),
            store: &mut store,
        };
        let e = l.take("a.weight", &[2, 3]).unwrap_err().to_string();
        assert_eq!(
            e,
            "d/model.safetensors: tensor `a.weight` has shape [3, 2], config.json implies [2, 3]"
        );
        let e = l.take("b.bias", &[2]).unwrap_err().to_string();
        assert_eq!(e, "d/model.safetensors: tensor `b.bias` is missing");
    }
}
