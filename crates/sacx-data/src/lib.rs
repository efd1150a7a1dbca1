#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod corpus;
mod counts;
mod error;
pub mod explanation;
mod faith;
mod fnv;
mod label;
pub mod layout;
mod options;
mod param;
mod reader;
mod report;
mod segment;
mod split;
mod tokenize;
mod tokenizer_options;
mod vocab;

pub use corpus::{Corpus, Document};
pub use counts::{ClassWordCounts, N_DOCS_KEY};
pub use error::{Error, Result};
pub use faith::FaithSums;
pub use fnv::Fnv1a;
pub use label::LabelSet;
pub use options::{Format, LoadOptions, LoadOptionsBuilder};
pub use param::InvalidParameter;
pub use report::{LoadReport, SkippedLine};
pub use segment::{CaseFold, PREPROCESS_CHARS, Segmenter, Word, Words, preprocess};
pub use split::{Split, SplitOptions, SplitOptionsBuilder};
pub use tokenize::{CONFIG_FILE, Encoding, HF_FILE, Tokenizer, VOCAB_FILE};
pub use tokenizer_options::{TokenizerKind, TokenizerOptions, TokenizerOptionsBuilder};
pub use vocab::{CLS, PAD, SPECIALS, UNK};
