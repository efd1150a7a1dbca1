//! Tokenizer parameters.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The kind of tokenizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenizerKind {
    /// Whole segmented words; vocabulary from the training texts.
    Word,
    /// WordPiece subwords trained with Hugging Face `tokenizers`.
    WordPiece,
    /// BPE subwords trained with Hugging Face `tokenizers`.
    Bpe,
    /// An existing `tokenizer.json` (for example XLM-R's), loaded as is.
    Pretrained(PathBuf),
}

impl TokenizerKind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            TokenizerKind::Word => "word",
            TokenizerKind::WordPiece => "wordpiece",
            TokenizerKind::Bpe => "bpe",
            TokenizerKind::Pretrained(_) => "pretrained",
        }
    }
}

/// Tokenizer parameters; build with [`TokenizerOptions::builder`].
///
/// | setting | default | range | meaning |
/// |---|---|---|---|
/// | `kind` | [`TokenizerKind::Word`] | | tokenizer kind |
/// | `vocab_size` | 30000 | 4..=10⁷ | maximum vocabulary size, special tokens included (not used by `pretrained`) |
/// | `min_count` | 1 | ≥ 1 | minimum count of a word (`word`) or a pair (`wordpiece`, `bpe`) |
/// | `max_len` | 512 | 1..=10⁷ | maximum tokens per document, `[CLS]` included; longer documents are truncated |
/// | `add_cls` | `false` | | start every encoding with `[CLS]` (`<s>` for pretrained) |
/// | `lowercase` | `true`, `false` for `pretrained` | | lower-case words before they become tokens |
/// | `hf_model` | `false` | `pretrained` only | encode as the Hugging Face model expects (below) |
///
/// With `hf_model`, the whole text goes through `tokenizer.json` (its
/// normalizer, pre-tokenizer and post-processor, so `[CLS]` … `[SEP]` or
/// `<s>` … `</s>`, punctuation included), truncated to `max_len` tokens
/// specials included; tokens map to the segmenter's words by their offsets,
/// tokens outside every word (punctuation, a SentencePiece `▁` standing for a
/// space) and special tokens (`<mask>` in the text too) belong to no word, and the words one token overlaps
/// (a SentencePiece piece across a Chinese word boundary) become one word.
/// `add_cls` is then unused. Without it, words are tokenized one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizerOptions {
    pub(crate) kind: TokenizerKind,
    pub(crate) vocab_size: usize,
    pub(crate) min_count: u64,
    pub(crate) max_len: usize,
    pub(crate) add_cls: bool,
    pub(crate) lowercase: bool,
    pub(crate) hf_model: bool,
}

impl Default for TokenizerOptions {
    fn default() -> Self {
        TokenizerOptions {
            kind: TokenizerKind::Word,
            vocab_size: 30_000,
            min_count: 1,
            max_len: 512,
            add_cls: false,
            lowercase: true,
            hf_model: false,
        }
    }
}

impl TokenizerOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> TokenizerOptionsBuilder {
        TokenizerOptionsBuilder {
            opts: TokenizerOptions::default(),
            lowercase: None,
        }
    }

    /// The kind.
    pub fn kind(&self) -> &TokenizerKind {
        &self.kind
    }
    /// The maximum vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }
    /// The minimum count of a word or pair.
    pub fn min_count(&self) -> u64 {
        self.min_count
    }
    /// The maximum tokens per document.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
    /// Whether encodings start with `[CLS]`.
    pub fn add_cls(&self) -> bool {
        self.add_cls
    }
    /// Whether words are lower-cased before they become tokens.
    pub fn lowercase(&self) -> bool {
        self.lowercase
    }
    /// Whether texts are encoded as the pretrained Hugging Face model expects.
    pub fn hf_model(&self) -> bool {
        self.hf_model
    }
}

/// Builder for [`TokenizerOptions`]; [`TokenizerOptionsBuilder::build`] validates.
#[derive(Debug, Clone)]
pub struct TokenizerOptionsBuilder {
    opts: TokenizerOptions,
    lowercase: Option<bool>,
}

impl TokenizerOptionsBuilder {
    /// Sets the kind.
    pub fn kind(mut self, kind: TokenizerKind) -> Self {
        self.opts.kind = kind;
        self
    }
    /// Sets the maximum vocabulary size.
    pub fn vocab_size(mut self, n: usize) -> Self {
        self.opts.vocab_size = n;
        self
    }
    /// Sets the minimum count.
    pub fn min_count(mut self, n: u64) -> Self {
        self.opts.min_count = n;
        self
    }
    /// Sets the maximum length in tokens.
    pub fn max_len(mut self, n: usize) -> Self {
        self.opts.max_len = n;
        self
    }
    /// Starts encodings with a `[CLS]` token.
    pub fn add_cls(mut self, on: bool) -> Self {
        self.opts.add_cls = on;
        self
    }
    /// Encodes as the pretrained Hugging Face model expects (`pretrained` only).
    pub fn hf_model(mut self, on: bool) -> Self {
        self.opts.hf_model = on;
        self
    }
    /// Lower-cases words before tokenization.
    pub fn lowercase(mut self, on: bool) -> Self {
        self.lowercase = Some(on);
        self
    }

    /// Checks the ranges in [`TokenizerOptions`].
    pub fn build(mut self) -> Result<TokenizerOptions> {
        let o = &mut self.opts;
        if !(4..=10_000_000).contains(&o.vocab_size) {
            return Err(Error::param("vocab_size", o.vocab_size, "4..=10000000"));
        }
        if o.min_count == 0 {
            return Err(Error::param("min_count", 0, "at least 1"));
        }
        if !(1..=10_000_000).contains(&o.max_len) || (o.add_cls && o.max_len < 2) {
            return Err(Error::param(
                "max_len",
                o.max_len,
                "1..=10000000, at least 2 with add_cls",
            ));
        }
        let pretrained = matches!(o.kind, TokenizerKind::Pretrained(_));
        if o.hf_model && !pretrained {
            return Err(Error::param(
                "hf_model",
                o.kind.name(),
                "a pretrained tokenizer.json",
            ));
        }
        o.lowercase = self.lowercase.unwrap_or(!pretrained);
        Ok(self.opts)
    }
}
