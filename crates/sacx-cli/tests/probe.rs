//! Defects a hostile probe found (issue 26): options every command shares
//! parse the same way, output paths are checked before any work, and the
//! options a user is told to pass take effect.
mod common;

use common::{ok, sacx};

/// The subcommands (with `slurm select`), from `sacx --help`.
fn subcommands() -> Vec<Vec<String>> {
    let help = ok(sacx(&["--help"]));
    let mut out: Vec<Vec<String>> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(|c| vec![c.to_string()])
        .collect();
    out.push(vec!["slurm".into(), "select".into()]);
    out
}

/// Asserts that `sacx args` fails on the command line, without a panic, with
/// an error that names every `needle`.
fn refused(args: &[&str], needles: &[&str]) {
    let out = sacx(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} was accepted");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {n:?} not in {err}");
    }
}

#[test]
fn every_threads_option_takes_1_to_1024_through_one_parser() {
    let mut with_threads = Vec::new();
    for cmd in subcommands() {
        let mut help_args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        help_args.push("--help");
        if !ok(sacx(&help_args)).contains("--threads <") {
            continue;
        }
        with_threads.push(cmd.join(" "));
        for bad in ["0", "1025", "-1", "many"] {
            let flag = format!("--threads={bad}");
            let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            args.push(&flag);
            refused(&args, &["--threads", "1 to 1024", bad]);
        }
    }
    for cmd in ["run", "train", "explain", "predict", "slurm select"] {
        assert!(with_threads.iter().any(|c| c == cmd), "{with_threads:?}");
    }
}

