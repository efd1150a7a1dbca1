//! One module per subcommand.
pub mod count_words;
pub mod doctor;
pub mod evaluate;
pub mod explain;
pub mod keywords;
pub mod map;
pub mod predict;
pub mod reading;
pub mod report;
pub mod run;
pub mod search;
pub mod select;
pub mod simulate;
pub mod slurm;
pub mod train;

use anyhow::{Context as _, Result};
use sacx_data::OutputKind;
use std::path::Path;

/// Checks, before any work, that an `--out` can be written (a directory the
/// command fills, or one file), so that a bad path fails at once with the
/// path as given; every command that writes runs it first.
pub fn check_out(path: &Path, kind: OutputKind) -> Result<()> {
    sacx_data::check_output(path, kind).context("--out")
}
