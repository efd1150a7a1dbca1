#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod classifier;
mod error;

pub use classifier::{Classifier, LinearStage};
pub use error::{Error, Result};
