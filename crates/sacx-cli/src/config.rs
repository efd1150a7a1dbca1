//! `--config FILE`: any option of a subcommand can come from a TOML file; the
//! command line wins.
//!
//! Keys are the options' long names without the dashes (`seeds = 5`,
//! `corpus = ["a.jsonl", "b.jsonl"]`, `skip-bad-lines = true`). Keys may sit at
//! the top level or in a table named after the subcommand (`[run]`, `[train]`);
//! the table wins over the top level; a nested subcommand has a nested table
//! (`[slurm.select]`). A key that the subcommand does not know is an error
//! naming the file and the key.
use anyhow::{Context, Result, bail};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use std::ffi::OsString;
use std::path::Path;

/// Returns the argument vector with the config file's options inserted for every
/// option the command line did not give. `args` includes the program name.
pub fn merge(cmd: &Command, args: Vec<OsString>) -> Result<Vec<OsString>> {
    let matches = match cmd.clone().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(_) => return Ok(args), // clap reports the error on the real parse
    };
    let Some(path) = matches.get_one::<std::path::PathBuf>("config") else {
        return Ok(args);
    };
    // The subcommand that runs, nested ones included (`slurm select`).
    let (mut leaf, mut given, mut names) = (cmd, &matches, Vec::new());
    while let Some((name, sub)) = given.subcommand() {
        leaf = leaf
            .find_subcommand(name)
            .expect("parsed subcommand exists");
        names.push(name.to_string());
        given = sub;
    }
    if names.is_empty() {
        return Ok(args);
    }
    let extra = config_args(path, cmd, &names, leaf, given)?;
    let mut out = args;
    out.extend(extra);
    Ok(out)
}

fn config_args(
    path: &Path,
    root: &Command,
    names: &[String],
    cmd: &Command,
    given: &ArgMatches,
) -> Result<Vec<OsString>> {
    let table = read_table(path)?;
    let sub = names.join(" ");
    let mut out = Vec::new();
    for (key, value) in entries(path, root, names, &table)? {
        let Some(arg) = cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()))
        else {
            // A top-level key may belong to another subcommand (one file for
            // several steps); a key no subcommand knows is a typo.
            let in_section = section(&table, names).is_some_and(|s| s.contains_key(&key));
            let known = knows(root, &key);
            if in_section || !known {
                bail!(
                    "{}: {key}: `sacx {sub}` has no option --{key}",
                    path.display()
                );
            }
            continue;
        };
        let id = arg.get_id().as_str();
        let on_command_line = |id: &str| given.value_source(id) == Some(ValueSource::CommandLine);
        // Given on the command line, or in conflict with an option that is
        // (`seeds` in the file, `--seed-list` on the command line).
        if on_command_line(id)
            || cmd
                .get_arg_conflicts_with(arg)
                .iter()
                .any(|other| on_command_line(other.get_id().as_str()))
        {
            continue;
        }
        push_flag(&mut out, path, &key, &value, arg)?;
    }
    Ok(out)
}

/// The config file's TOML table; a syntax error names the file and line.
fn read_table(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(n) => anyhow::anyhow!("{}:{n}: {}", path.display(), e.message()),
            None => anyhow::anyhow!("{}: {}", path.display(), e.message()),
        }
    })
}

/// Whether any subcommand below `cmd` (nested ones too) has the option `--key`.
fn knows(cmd: &Command, key: &str) -> bool {
    cmd.get_subcommands()
        .any(|c| c.get_arguments().any(|a| a.get_long() == Some(key)) || knows(c, key))
}

/// The table of the subcommand `names` (`[slurm]`, `[slurm.select]`), if any.
fn section<'a>(table: &'a toml::Table, names: &[String]) -> Option<&'a toml::Table> {
    names
        .iter()
        .try_fold(table, |t, name| t.get(name.as_str())?.as_table())
}

/// Refuses a table named after no subcommand of `cmd` (nested tables name
/// nested subcommands).
fn check_tables(path: &Path, cmd: &Command, table: &toml::Table, prefix: &str) -> Result<()> {
    for (key, value) in table {
        let toml::Value::Table(inner) = value else {
            continue;
        };
        let Some(sub) = cmd.find_subcommand(key) else {
            let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
            bail!(
                "{}: [{prefix}{key}]: no such subcommand; tables are named after one of {}",
                path.display(),
                names.join(", ")
            );
        };
        check_tables(path, sub, inner, &format!("{prefix}{key}."))?;
    }
    Ok(())
}

/// The top-level keys, then the subcommand's table over them; a table named
/// after no subcommand is an error.
fn entries(
    path: &Path,
    root: &Command,
    names: &[String],
    table: &toml::Table,
) -> Result<Vec<(String, toml::Value)>> {
    check_tables(path, root, table, "")?;
    let scalars = |t: &toml::Table| -> Vec<(String, toml::Value)> {
        t.iter()
            .filter(|(_, v)| !v.is_table())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let mut entries = scalars(table);
    if let Some(section) = section(table, names) {
        for (key, value) in scalars(section) {
            entries.retain(|(k, _)| *k != key);
            entries.push((key, value));
        }
    }
    Ok(entries)
}

/// The command-line words for `key = value`.
fn push_flag(
    out: &mut Vec<OsString>,
    path: &Path,
    key: &str,
    value: &toml::Value,
    arg: &clap::Arg,
) -> Result<()> {
    let flag = format!("--{key}");
    let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values());
    match (value, takes_value) {
        (toml::Value::Boolean(b), false) => {
            if *b {
                out.push(flag.into());
            }
        }
        (toml::Value::Array(items), true) => {
            for item in items {
                out.push(flag.clone().into());
                out.push(scalar(path, key, item)?.into());
            }
        }
        (v, true) => {
            out.push(flag.into());
            out.push(scalar(path, key, v)?.into());
        }
        (v, false) => bail!(
            "{}: {key} = {v}: --{key} is a switch; write {key} = true or false",
            path.display()
        ),
    }
    Ok(())
}

fn scalar(path: &Path, key: &str, value: &toml::Value) -> Result<String> {
    Ok(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => bail!(
            "{}: {key} = {other}: expected a string, number or boolean",
            path.display()
        ),
    })
}

#[cfg(test)]
mod fuzz {
    //! Seeded fuzzing of the TOML config reader (method in
    //! `crates/sacx-data/tests/fuzz.rs`): mutated config files give merged
    //! arguments or `Err`, never a panic or a hang.
    use clap::CommandFactory;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::time::{Duration, Instant};

    const VALID: &str = "seeds = 3\nthreads = 2\ncorpus = [\"a.jsonl\", \"b.jsonl\"]\n\
        skip-bad-lines = true\n[run]\nepochs = 2\nbaselines = [\"log-odds\", \"chi2\"]\n\
        [keywords]\ntop-n = 10\n";
    const TRICKY: &[&str] = &[
        "=", "\n", "[", "]", "[[", "\"", "'", "\"\"\"", "#", ",", ".", "true", "-1", "1e999",
        "nan", "inf", "{", "}", "\u{feff}", "é", "\0", "[trian]", "run.",
    ];

    #[test]
    fn the_config_reader_never_panics() {
        let n: usize = std::env::var("SACX_FUZZ_INPUTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20_000);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sacx.toml");
        let cmd = crate::Cli::command();
        let args: Vec<std::ffi::OsString> = [
            "sacx",
            "run",
            "--config",
            path.to_str().unwrap(),
            "--seeds",
            "2",
        ]
        .map(Into::into)
        .to_vec();
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let started = Instant::now();
        for i in 0..n {
            let mut text: Vec<char> = VALID.chars().collect();
            if i > 0 {
                for _ in 0..rng.random_range(1..5) {
                    let at = rng.random_range(0..=text.len());
                    match rng.random_range(0..3) {
                        0 => {
                            let t = TRICKY[rng.random_range(0..TRICKY.len())];
                            text.splice(at..at, t.chars());
                        }
                        1 => {
                            let end = (at + rng.random_range(1..12)).min(text.len());
                            text.drain(at..end);
                        }
                        _ => text.truncate(at),
                    }
                }
            }
            let text: String = text.into_iter().collect();
            std::fs::write(&path, &text).unwrap();
            let t = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| super::merge(&cmd, args.clone())));
            assert!(result.is_ok(), "input {i} panicked: {text:?}");
            assert!(
                t.elapsed() < Duration::from_secs(2),
                "input {i}: {:?}",
                t.elapsed()
            );
        }
        println!("fuzz config: {n} inputs in {:.2?}", started.elapsed());
    }
}
