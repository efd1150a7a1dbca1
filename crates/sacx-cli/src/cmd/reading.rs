//! How the commands that read a pool by id (`sacx predict`, `sacx select`,
//! `sacx slurm select`) read its corpus files: one set of options, so that the
//! jobs `sacx slurm select` writes pass the same values to both steps.
use anyhow::Result;
use sacx_data::{Format, LoadOptions, LoadOptionsBuilder};
use std::ffi::OsString;

/// Reading options of a pool's corpus files.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct ReadArgs {
    /// Corpus format; `auto` tells by the file name.
    #[arg(long, default_value = "auto", value_parser = ["auto", "jsonl", "tsv"])]
    pub format: String,
    /// Count and report malformed lines instead of stopping at the first
    /// (prediction and selection must skip the same lines).
    #[arg(long)]
    pub skip_bad_lines: bool,
    /// Insert a space after `.,:;!?"()` when a word character follows, and
    /// segment words so, as a run trained with --preprocess did.
    #[arg(long)]
    pub preprocess: bool,
}

impl ReadArgs {
    /// A builder of the load options with these settings and ids required.
    pub fn load_builder(&self) -> Result<LoadOptionsBuilder> {
        Ok(LoadOptions::builder()
            .format(self.format.parse::<Format>()?)
            .skip_bad_lines(self.skip_bad_lines)
            .preprocess(self.preprocess)
            .require_ids(true))
    }

    /// The load options (ids required).
    pub fn load_options(&self) -> Result<LoadOptions> {
        Ok(self.load_builder()?.build()?)
    }

    /// The same options as command-line words.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = vec!["--format".into(), self.format.clone().into()];
        if self.skip_bad_lines {
            out.push("--skip-bad-lines".into());
        }
        if self.preprocess {
            out.push("--preprocess".into());
        }
        out
    }
}
