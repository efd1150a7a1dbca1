//! The safetensors files of a map: `f32` matrices and `i32` vectors by name,
//! read back with their shapes checked.
use super::map_file;
use crate::{Error, Result};
use safetensors::tensor::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;

/// One tensor to write: its dtype, shape and little-endian bytes.
pub struct Raw {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl Raw {
    /// An `f32` tensor of `shape`.
    pub fn f32(shape: Vec<usize>, values: &[f32]) -> Raw {
        Raw {
            dtype: Dtype::F32,
            shape,
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }

    /// An `i32` tensor of `shape`.
    pub fn i32(shape: Vec<usize>, values: &[i32]) -> Raw {
        Raw {
            dtype: Dtype::I32,
            shape,
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
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

/// Writes `tensors` to `path` atomically, with `sacx-map` format metadata.
pub fn write(path: &Path, tensors: &[(&str, Raw)]) -> Result<()> {
    write_with(path, tensors, &[])
}

/// [`write()`] with more metadata (e.g. what a map step's tensors were
/// computed from), read back by [`Read::meta`].
pub fn write_with(path: &Path, tensors: &[(&str, Raw)], extra: &[(&str, &str)]) -> Result<()> {
    let mut meta = HashMap::from([("format".to_string(), super::FORMAT.to_string())]);
    for (k, v) in extra {
        meta.insert(k.to_string(), v.to_string());
    }
    // Streamed to the file: the tensors are not copied into one buffer.
    let mut failed = None;
    crate::write_atomic_with(path, |tmp| {
        safetensors::tensor::serialize_to_file(
            tensors.iter().map(|(n, r)| (*n, r)),
            Some(meta),
            tmp,
        )
        .map_err(|e| {
            failed = Some(e.to_string());
            std::io::Error::other("safetensors")
        })
    })
    .map_err(|e| match failed {
        Some(reason) => map_file(path, reason),
        None => e,
    })
}

/// The tensors of a safetensors file, by name.
pub struct Read {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Read {
    /// Reads `path` and checks that it is a safetensors file.
    pub fn open(path: &Path) -> Result<Read> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        SafeTensors::deserialize(&bytes)
            .map_err(|e| map_file(path, format!("not a safetensors file ({e})")))?;
        Ok(Read {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// Tensor `name`'s shape and its values decoded by `decode` from the
    /// file's bytes (never copied whole).
    fn view<T>(
        &self,
        name: &str,
        dtype: Dtype,
        shape: &[Option<usize>],
        decode: impl Fn(&[u8]) -> T,
    ) -> Result<(Vec<usize>, Vec<T>)> {
        let st = SafeTensors::deserialize(&self.bytes)
            .map_err(|e| map_file(&self.path, e.to_string()))?;
        let t = st
            .tensor(name)
            .map_err(|_| map_file(&self.path, format!("no tensor named {name:?}")))?;
        let ok = t.dtype() == dtype
            && t.shape().len() == shape.len()
            && t.shape()
                .iter()
                .zip(shape)
                .all(|(&got, want)| want.is_none_or(|w| w == got));
        if !ok {
            return Err(map_file(
                &self.path,
                format!(
                    "tensor {name:?} is {:?} {:?}, expected {dtype:?} {shape:?}",
                    t.dtype(),
                    t.shape()
                ),
            ));
        }
        Ok((
            t.shape().to_vec(),
            t.data().chunks_exact(4).map(decode).collect(),
        ))
    }

    /// The metadata value under `key` ([`write_with`]), if there is one.
    pub fn meta(&self, key: &str) -> Option<String> {
        let (_, meta) = SafeTensors::read_metadata(&self.bytes).ok()?;
        meta.metadata().as_ref()?.get(key).cloned()
    }

    /// An `f32` tensor whose shape matches `shape` (`None`: any size).
    pub fn f32(&self, name: &str, shape: &[Option<usize>]) -> Result<(Vec<usize>, Vec<f32>)> {
        self.view(name, Dtype::F32, shape, |c| {
            f32::from_le_bytes([c[0], c[1], c[2], c[3]])
        })
    }

    /// An `i32` tensor whose shape matches `shape`.
    pub fn i32(&self, name: &str, shape: &[Option<usize>]) -> Result<Vec<i32>> {
        let (_, v) = self.view(name, Dtype::I32, shape, |c| {
            i32::from_le_bytes([c[0], c[1], c[2], c[3]])
        })?;
        Ok(v)
    }
}
