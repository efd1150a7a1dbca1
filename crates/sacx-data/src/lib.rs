#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]

mod atomic;
mod corpus;
#[cfg(feature = "text")]
mod counting;
mod counts;
mod error;
pub mod explanation;
mod faith;
mod fnv;
mod fold;
#[cfg(feature = "text")]
mod hf_encode;
mod json_file;
mod label;
mod labelled;
mod lang_counts;
pub mod layout;
pub mod map;
pub mod metrics;
mod options;
mod output;
mod param;
#[cfg(feature = "parquet")]
pub mod predictions;
mod reader;
mod report;
pub mod run_record;
pub mod seeds_auto;
#[cfg(feature = "text")]
mod segment;
mod split;
pub mod stamp;
mod stream;
#[cfg(feature = "text")]
mod tokenize;
#[cfg(feature = "text")]
mod tokenizer_options;
mod validated;
#[cfg(feature = "text")]
mod vocab;

pub use atomic::{is_temporary_name, write_atomic, write_atomic_with};
pub use corpus::{Corpus, Document};
pub use counts::{ClassWordCounts, DF_FILE, N_DOCS_KEY, TF_FILE};
pub use error::{Error, Result};
pub use faith::FaithSums;
pub use fnv::Fnv1a;
pub use fold::{CaseFold, PREPROCESS_CHARS, preprocess};
pub use label::LabelSet;
pub use labelled::MergeCounts;
pub use lang_counts::{
    DocFrequencies, LANGUAGE_COUNTS_FILE, LANGUAGE_COUNTS_FORMAT, LanguageCounts,
};
pub use options::{Format, LoadOptions, LoadOptionsBuilder};
pub use output::{OutputKind, check_output};
pub use param::InvalidParameter;
pub use report::{LoadReport, SkippedLine};
#[cfg(feature = "text")]
pub use segment::{Segmenter, Word, Words};
pub use split::{Split, SplitOptions, SplitOptionsBuilder};
pub use stream::{DocStream, PoolDoc};
#[cfg(feature = "text")]
pub use tokenize::{CONFIG_FILE, Encoding, HF_FILE, Tokenizer, VOCAB_FILE};
#[cfg(feature = "text")]
pub use tokenizer_options::{TokenizerKind, TokenizerOptions, TokenizerOptionsBuilder};
#[cfg(feature = "text")]
pub use vocab::{CLS, PAD, SPECIALS, UNK};
