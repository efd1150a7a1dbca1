//! Glue with `sacx-data`: corpus documents to [`Example`]s, the tokenizer inside
//! checkpoints, model specs from a tokenizer and a label set.
use std::path::Path;

use sacx_data::{Corpus, Split, Tokenizer};

use crate::checkpoint::{Checkpoint, TOKENIZER_DIR, TokenizerFiles, TokenizerInfo, check_labels};
use crate::example::Example;
use crate::model::{Architecture, ModelSpec};
use crate::{Error, Result};

/// Encodes the documents of `corpus` at `indices` (in that order) with `tokenizer`.
pub fn encode_examples(
    corpus: &Corpus,
    indices: &[usize],
    tokenizer: &Tokenizer,
) -> Result<Vec<Example>> {
    Ok(encode_counted(corpus, indices, tokenizer)?.0)
}

/// [`encode_examples`], and how many of the documents the tokenizer truncated.
fn encode_counted(
    corpus: &Corpus,
    indices: &[usize],
    tokenizer: &Tokenizer,
) -> Result<(Vec<Example>, usize)> {
    let docs = indices
        .iter()
        .map(|&i| {
            corpus.docs.get(i).ok_or_else(|| Error::InvalidExample {
                index: i,
                reason: format!("no document {i} in a corpus of {}", corpus.docs.len()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let encodings = tokenizer.encode_batch(&texts);
    let truncated = encodings.iter().filter(|e| e.truncated).count();
    let examples = docs
        .iter()
        .zip(encodings)
        .map(|(d, e)| Example {
            ids: e.ids,
            labels: d.labels.clone(),
            lang: d.lang.clone(),
        })
        .collect();
    Ok((examples, truncated))
}

/// The encoded sides of a split.
#[derive(Debug)]
pub struct SplitExamples {
    /// Training examples, in split order.
    pub train: Vec<Example>,
    /// Validation examples, in split order.
    pub valid: Vec<Example>,
    /// Documents of both sides that the tokenizer truncated at its `max_len`.
    pub truncated: usize,
}

/// The training and validation examples of `split`.
pub fn split_examples(
    corpus: &Corpus,
    split: &Split,
    tokenizer: &Tokenizer,
) -> Result<SplitExamples> {
    let (train, t) = encode_counted(corpus, &split.train, tokenizer)?;
    let (valid, v) = encode_counted(corpus, &split.valid, tokenizer)?;
    Ok(SplitExamples {
        train,
        valid,
        truncated: t + v,
    })
}

/// The [`ModelSpec`] of `architecture` for `tokenizer`'s vocabulary and the
/// corpus labels.
pub fn model_spec(architecture: Architecture, tokenizer: &Tokenizer, corpus: &Corpus) -> ModelSpec {
    ModelSpec {
        architecture,
        vocab_size: tokenizer.vocab_size(),
        pad_id: tokenizer.pad_id(),
        num_classes: corpus.labels.len(),
    }
}

/// The corpus label names, in index order.
pub fn labels(corpus: &Corpus) -> Vec<String> {
    corpus.labels.names().to_vec()
}

impl TokenizerFiles for Tokenizer {
    fn save_into(&self, dir: &Path) -> Result<TokenizerInfo> {
        self.save(dir)?;
        Ok(TokenizerInfo {
            kind: self.kind().to_string(),
            file: sacx_data::CONFIG_FILE.to_string(),
        })
    }
}

impl Checkpoint {
    /// Loads the tokenizer saved in the checkpoint (`tokenizer/`, `encoder/` for
    /// the `hf` architecture), if any.
    pub fn load_tokenizer(&self) -> Result<Option<Tokenizer>> {
        let Some(info) = &self.config.tokenizer else {
            return Ok(None);
        };
        // `tokenizer/`, or `encoder/` for a Hugging Face model.
        let dir = match Path::new(&info.file).parent() {
            Some(p) if !p.as_os_str().is_empty() => self.dir.join(p),
            _ => self.dir.join(TOKENIZER_DIR),
        };
        if !dir.is_dir() {
            return Err(Error::MissingFile { path: dir });
        }
        Ok(Some(Tokenizer::load(&dir)?))
    }

    /// An error unless the corpus has exactly the checkpoint's labels.
    pub fn check_corpus(&self, corpus: &Corpus) -> Result<()> {
        check_labels(&self.config.labels, corpus.labels.names())
    }
}
