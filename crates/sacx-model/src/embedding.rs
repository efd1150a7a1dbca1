//! The token embedding shared by all models, and pretrained word vectors.
use std::io::{BufRead, BufReader};
use std::path::Path;

use rand_chacha::ChaCha8Rng;
use tch::Tensor;

use crate::params::ParamStore;
use crate::{Error, Result};

/// Pretrained word vectors matched against a vocabulary (word2vec or GloVe text
/// format: an optional `count dim` header line, then `token v1 … vdim` per line).
#[derive(Debug, Clone)]
pub struct WordVectors {
    /// Width of each vector.
    pub dim: usize,
    /// `(token id, vector)` for every vocabulary entry found in the file.
    pub vectors: Vec<(i64, Vec<f32>)>,
    /// Vector lines read from the file (found or not).
    pub lines: usize,
}

impl WordVectors {
    /// Reads `path`, keeping the vectors whose token `lookup` maps to an id below
    /// `vocab_size`. A line with the wrong number of values or a non-number is an
    /// error naming the line; the first occurrence of a token wins.
    pub fn read(
        path: &Path,
        vocab_size: usize,
        lookup: impl Fn(&str) -> Option<i64>,
    ) -> Result<WordVectors> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut dim = None;
        let mut seen = vec![false; vocab_size];
        let mut vectors = Vec::new();
        let mut lines = 0;
        let bad = |line: usize, reason: String| Error::WordVectors {
            path: path.to_path_buf(),
            line,
            reason,
        };
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            let mut fields = line.split_whitespace();
            let Some(token) = fields.next() else { continue };
            let values: Vec<&str> = fields.collect();
            if i == 0 && values.len() == 1 && token.parse::<usize>().is_ok() {
                continue; // word2vec header: "count dim"
            }
            let parsed: Vec<f32> = values
                .iter()
                .map(|v| {
                    v.parse::<f32>()
                        .map_err(|_| bad(i + 1, format!("`{v}` is not a number")))
                })
                .collect::<Result<_>>()?;
            let d = *dim.get_or_insert(parsed.len());
            if parsed.len() != d || d == 0 {
                return Err(bad(i + 1, format!("{} values, expected {d}", parsed.len())));
            }
            lines += 1;
            if let Some(id) = lookup(token)
                && id >= 0
                && (id as usize) < vocab_size
                && !seen[id as usize]
            {
                seen[id as usize] = true;
                vectors.push((id, parsed));
            }
        }
        let dim = dim.ok_or_else(|| bad(1, "no vectors in the file".to_string()))?;
        Ok(WordVectors {
            dim,
            vectors,
            lines,
        })
    }
}

/// A `[vocab, dim]` lookup table (`embedding.weight`).
#[derive(Debug)]
pub struct Embedding {
    pub(crate) weight: Tensor,
    pub(crate) pad_id: i64,
}

impl Embedding {
    /// Creates `embedding.weight`, normal with standard deviation `std` (the pad
    /// row zero), overwritten by `vectors` where given; `frozen` stops training it.
    pub(crate) fn new(
        store: &mut ParamStore,
        rng: &mut ChaCha8Rng,
        shape: (usize, usize),
        pad_id: i64,
        std: f32,
        vectors: Option<&WordVectors>,
        frozen: bool,
    ) -> Result<Embedding> {
        let (vocab, dim) = shape;
        if pad_id < 0 || pad_id as usize >= vocab {
            return Err(Error::param(
                "pad_id",
                pad_id,
                "an id below the vocabulary size",
            ));
        }
        let w = crate::rng::normal(rng, &[vocab as i64, dim as i64], std)?;
        let _ = w.f_get(pad_id)?.f_zero_()?;
        if let Some(v) = vectors {
            if v.dim != dim {
                return Err(Error::param(
                    "embedding_dim",
                    dim,
                    "the width of the word vectors",
                ));
            }
            for (id, row) in &v.vectors {
                w.f_get(*id)?.f_copy_(&Tensor::f_from_slice(row)?)?;
            }
        }
        let weight = store.add("embedding.weight", w, frozen)?;
        Ok(Embedding { weight, pad_id })
    }

    /// Looks `ids` (`[batch, len]`, `i64`) up: `[batch, len, dim]`. An id
    /// outside the vocabulary is an error, checked before the lookup (on CUDA an
    /// out-of-range lookup would be a device-side assertion, not an error).
    pub(crate) fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        if ids.numel() > 0 {
            let vocab = self.vocab_size();
            let lo = ids.f_min()?.f_int64_value(&[])?;
            let hi = ids.f_max()?.f_int64_value(&[])?;
            if lo < 0 || hi >= vocab {
                return Err(Error::TokenOutOfRange {
                    id: if lo < 0 { lo } else { hi },
                    vocab_size: vocab as usize,
                });
            }
        }
        Ok(Tensor::f_embedding(&self.weight, ids, -1, false, false)?)
    }

    /// Vocabulary size.
    pub(crate) fn vocab_size(&self) -> i64 {
        self.weight.size().first().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lookup(t: &str) -> Option<i64> {
        ["<pad>", "cat", "dog", "fish"]
            .iter()
            .position(|w| *w == t)
            .map(|i| i as i64)
    }

    #[test]
    fn reads_word2vec_and_glove_text() {
        let dir = tempfile::tempdir().unwrap();
        let w2v = dir.path().join("w2v.txt");
        std::fs::write(&w2v, "3 2\ncat 1 2\nbird 3 4\ndog 5 6\n").unwrap();
        let v = WordVectors::read(&w2v, 4, lookup).unwrap();
        assert_eq!((v.dim, v.lines), (2, 3));
        assert_eq!(v.vectors, vec![(1, vec![1.0, 2.0]), (2, vec![5.0, 6.0])]);
        let glove = dir.path().join("glove.txt");
        let mut f = std::fs::File::create(&glove).unwrap();
        writeln!(f, "fish 0.5 0.25 1").unwrap();
        let v = WordVectors::read(&glove, 4, lookup).unwrap();
        assert_eq!(v.vectors, vec![(3, vec![0.5, 0.25, 1.0])]);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt");
        std::fs::write(&p, "cat 1 2\ndog 1\n").unwrap();
        let e = WordVectors::read(&p, 4, lookup).unwrap_err().to_string();
        assert!(e.ends_with("bad.txt:2: 1 values, expected 2"), "{e}");
        std::fs::write(&p, "cat 1 x\n").unwrap();
        let e = WordVectors::read(&p, 4, lookup).unwrap_err().to_string();
        assert!(e.contains(":1: `x` is not a number"), "{e}");
    }

    #[test]
    fn pretrained_rows_initialise_and_can_be_frozen() {
        let mut store = ParamStore::new(tch::Device::Cpu);
        let mut rng = crate::rng::stream(1, crate::rng::Purpose::Init, 0);
        let v = WordVectors {
            dim: 2,
            vectors: vec![(2, vec![7.0, -7.0])],
            lines: 1,
        };
        let e = Embedding::new(&mut store, &mut rng, (4, 2), 0, 0.1, Some(&v), true).unwrap();
        let out = e
            .forward(&Tensor::from_slice(&[2i64, 0]).view([1, 2]))
            .unwrap();
        assert_eq!(
            Vec::<f32>::try_from(out.flatten(0, -1)).unwrap(),
            vec![7.0, -7.0, 0.0, 0.0]
        );
        assert!(!e.weight.requires_grad());
        assert_eq!(store.trainable().count(), 0);
    }
}
