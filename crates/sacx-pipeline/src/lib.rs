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
mod auto_seeds;
pub mod bundled;
mod error;
mod explain_corpus;
mod faith;
pub mod guard;
pub mod identity;
pub mod libtorch;
pub mod map;
pub mod memory;
mod observer;
// The option groups' doc comments are also `sacx --help` text, written for a
// terminal (`token:<text>`, `random:<k>[:<seed>]`), not as rustdoc markup.
#[allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]
pub mod options;
pub mod plan;
pub mod predict;
mod run;
pub mod seed;
pub mod simulate;
pub mod stages;

pub use error::{Error, Result};
pub use explain_corpus::ExplainCorpusJob;
pub use faith::{ControlSets, FaithJob, attach as attach_faithfulness, control_sets};
pub use observer::{Event, Observer, Silent};
pub use options::RunOptions;
pub use plan::RunPlan;
pub use run::{Run, RunBuilder, Summary};
