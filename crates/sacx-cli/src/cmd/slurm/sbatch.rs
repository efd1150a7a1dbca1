//! What every job script of `sacx slurm` shares: the scheduler options, the
//! `#SBATCH` header, bash quoting, and submitting with `sbatch`.
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The scheduler's options of every `sacx slurm` job.
#[derive(clap::Args, Debug, Clone)]
pub struct Scheduler {
    /// Slurm partition (`#SBATCH --partition`) [default: the cluster's].
    #[arg(long)]
    pub partition: Option<String>,
    /// Generic resources per task, e.g. `gpu:1`.
    #[arg(long)]
    pub gres: Option<String>,
    /// Time limit per job (`HH:MM:SS`).
    #[arg(long, default_value = "04:00:00")]
    pub time: String,
    /// CPU cores per task (also sacx's libtorch threads unless --threads is given).
    #[arg(long, default_value_t = 4)]
    pub cpus_per_task: usize,
    /// Memory per task, e.g. `16G` [default: the cluster's].
    #[arg(long)]
    pub mem: Option<String>,
    /// Slurm account to charge.
    #[arg(long)]
    pub account: Option<String>,
    /// Submit the jobs with sbatch (otherwise only write and print the scripts).
    #[arg(long)]
    pub submit: bool,
}

/// One job of a script: its name, array range (for an array job) and log file
/// (`%a` is the array task's index).
pub struct Job<'a> {
    /// `#SBATCH --job-name`.
    pub name: &'a str,
    /// `#SBATCH --array`, for an array job.
    pub array: Option<&'a str>,
    /// `#SBATCH --output`.
    pub log: &'a Path,
}

impl Scheduler {
    /// The script's first lines: the shebang, the `#SBATCH` options, `set -euo pipefail`.
    pub fn header(&self, cwd: &Path, job: &Job) -> String {
        let mut s = String::from("#!/bin/bash\n");
        s.push_str(&format!("#SBATCH --job-name={}\n", job.name));
        s.push_str(&format!("#SBATCH --chdir={}\n", cwd.display()));
        s.push_str(&format!("#SBATCH --time={}\n", self.time));
        s.push_str(&format!("#SBATCH --cpus-per-task={}\n", self.cpus_per_task));
        s.push_str("#SBATCH --ntasks=1\n");
        let optional = [
            ("partition", &self.partition),
            ("gres", &self.gres),
            ("mem", &self.mem),
            ("account", &self.account),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                s.push_str(&format!("#SBATCH --{name}={v}\n"));
            }
        }
        if let Some(range) = job.array {
            s.push_str(&format!("#SBATCH --array={range}\n"));
        }
        s.push_str(&format!("#SBATCH --output={}\n", job.log.display()));
        s.push_str("set -euo pipefail\n");
        s
    }
}

/// A word of a job's command line.
pub enum Word {
    /// Taken literally (quoted for bash when needed).
    Text(String),
    /// Expanded by bash in the job (`"${SLURM_ARRAY_TASK_ID}"`), written as is.
    Shell(String),
}

impl Word {
    /// A literal word from any path or text.
    pub fn text(s: impl AsRef<std::ffi::OsStr>) -> Word {
        Word::Text(s.as_ref().to_string_lossy().into_owned())
    }
}

/// The words joined for bash.
pub fn command_line(words: &[Word]) -> String {
    let shown: Vec<String> = words
        .iter()
        .map(|w| match w {
            Word::Text(t) => quote(t),
            Word::Shell(s) => s.clone(),
        })
        .collect();
    shown.join(" ")
}

/// Single-quotes a word for bash.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Submits a script, after `after` succeeded when given; returns the job id.
pub fn sbatch(script: &Path, after: Option<&str>, what: &str) -> Result<String> {
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable");
    if let Some(id) = after {
        cmd.arg(format!("--dependency=afterok:{id}"));
    }
    cmd.arg(script);
    let out = cmd.output().with_context(|| {
        format!("cannot run sbatch; is Slurm installed here? Without --submit, {what} only writes the scripts")
    })?;
    if !out.status.success() {
        bail!(
            "sbatch {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let id = text.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() {
        bail!("sbatch {} printed no job id", script.display());
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::{Word, command_line, quote};

    #[test]
    fn words_are_quoted_for_bash_and_shell_words_kept() {
        assert_eq!(quote("/a/b.jsonl"), "/a/b.jsonl");
        assert_eq!(quote("it's here"), r"'it'\''s here'");
        assert_eq!(quote(""), "''");
        assert_eq!(
            command_line(&[
                Word::text("/x y/sacx"),
                Word::text("predict"),
                Word::Shell("\"${pool[$i]}\"".into()),
            ]),
            "'/x y/sacx' predict \"${pool[$i]}\""
        );
    }
}
