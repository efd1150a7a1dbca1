//! safetensors encoding of named tensors, and atomic file and directory writes.
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, View};
use tch::{Kind, Tensor};

use crate::{Error, Result};

struct Raw {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &Raw {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// Encodes `f32`/`i64` CPU tensors as a safetensors file image with `metadata`.
pub(crate) fn encode(
    tensors: &BTreeMap<String, Tensor>,
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    let raws = tensors
        .iter()
        .map(|(name, t)| {
            let t = t.f_to_device(tch::Device::Cpu)?.f_contiguous()?;
            let dtype = match t.kind() {
                Kind::Float => Dtype::F32,
                Kind::Int64 => Dtype::I64,
                k => {
                    return Err(Error::Corrupt {
                        path: PathBuf::from(name),
                        reason: format!("unsupported kind {k:?}"),
                    });
                }
            };
            let mut data = vec![0u8; t.numel() * t.kind().elt_size_in_bytes()];
            t.f_copy_data_u8(&mut data, t.numel())?;
            let shape = t.size().iter().map(|&d| d as usize).collect();
            Ok((name.clone(), Raw { dtype, shape, data }))
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::tensor::serialize(raws.iter().map(|(n, r)| (n.as_str(), r)), Some(metadata))
        .map_err(|e| Error::Corrupt {
            path: PathBuf::from("<safetensors>"),
            reason: e.to_string(),
        })
}

/// Decodes a safetensors file image read from `path` into CPU tensors.
pub(crate) fn decode(bytes: &[u8], path: &Path) -> Result<BTreeMap<String, Tensor>> {
    let corrupt = |reason: String| Error::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| corrupt(format!("not a safetensors file ({e})")))?;
    st.tensors()
        .into_iter()
        .map(|(name, view)| {
            let kind = match view.dtype() {
                Dtype::F32 => Kind::Float,
                Dtype::I64 => Kind::Int64,
                d => {
                    return Err(corrupt(format!(
                        "tensor `{name}` has dtype {d:?}, expected F32"
                    )));
                }
            };
            let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
            let t = Tensor::f_from_data_size(view.data(), &shape, kind)?;
            Ok((name, t))
        })
        .collect()
}

/// FNV-1a 64-bit digest of `bytes`, as 16 hex digits (corruption check, not security).
pub(crate) fn digest(bytes: &[u8]) -> String {
    let mut h = sacx_data::Fnv1a::new();
    h.update(bytes);
    h.hex()
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.{suffix}"))
}

/// The directory to read for `dir`: `dir` itself, or the previous version left
/// aside when a replacement was interrupted between its two renames.
pub(crate) fn readable_dir(dir: &Path) -> PathBuf {
    let old = sibling(dir, "old");
    if !dir.exists() && old.is_dir() {
        old
    } else {
        dir.to_path_buf()
    }
}

/// Replaces directory `dir` as a whole: `fill` writes the new content into a
/// fresh temporary sibling, which then takes `dir`'s place by renames. A crash
/// leaves either the old directory, or (between the renames) the old one aside,
/// which [`readable_dir`] finds.
pub(crate) fn replace_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = sibling(dir, "tmp");
    let old = sibling(dir, "old");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    fill(&tmp)?;
    if dir.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
    } else if old.exists() {
        // An earlier replacement stopped between its renames; `old` is stale now.
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_names_shapes_and_values() {
        let mut m = BTreeMap::new();
        m.insert(
            "a.weight".to_string(),
            Tensor::from_slice(&[1.5f32, -2.0, 3.0, 4.0]).view([2, 2]),
        );
        m.insert("steps".to_string(), Tensor::from_slice(&[7i64]));
        let bytes = encode(
            &m,
            HashMap::from([("format".to_string(), "pt".to_string())]),
        )
        .unwrap();
        let back = decode(&bytes, Path::new("x")).unwrap();
        assert_eq!(back.len(), 2);
        assert!(back["a.weight"].equal(&m["a.weight"]));
        assert!(back["steps"].equal(&m["steps"]));
        let e = decode(&bytes[..bytes.len() - 3], Path::new("w.safetensors")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("corrupt checkpoint file w.safetensors: not a safetensors file"),
            "{e}"
        );
    }

    #[test]
    fn digest_is_fnv1a() {
        assert_eq!(digest(b""), "cbf29ce484222325");
        assert_eq!(digest(b"a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn replace_dir_swaps_whole_directories() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("ckpt");
        replace_dir(&d, |t| Ok(sacx_data::write_atomic(&t.join("f"), b"one")?)).unwrap();
        assert_eq!(std::fs::read(d.join("f")).unwrap(), b"one");
        let e = replace_dir(&d, |_| Err(Error::EmptySplit { split: "train" }));
        assert!(e.is_err());
        assert_eq!(
            std::fs::read(d.join("f")).unwrap(),
            b"one",
            "a failed fill keeps the old content"
        );
        replace_dir(&d, |t| Ok(sacx_data::write_atomic(&t.join("g"), b"two")?)).unwrap();
        assert!(!d.join("f").exists() && d.join("g").exists());
        // Interrupted between the renames: the old content is still readable.
        std::fs::rename(&d, sibling(&d, "old")).unwrap();
        assert_eq!(readable_dir(&d), sibling(&d, "old"));
        replace_dir(&d, |t| Ok(sacx_data::write_atomic(&t.join("h"), b"three")?)).unwrap();
        assert_eq!(readable_dir(&d), d);
        assert!(!sibling(&d, "old").exists());
    }
}
