//! Options from `--config FILE`: the file fills in, the command line wins, and a
//! key no subcommand knows is a one-line error naming it.
mod common;

use common::{ok, sacx, small_corpus};

#[test]
fn config_file_options_apply_and_the_command_line_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = small_corpus(tmp.path(), 50);
    let cfg = tmp.path().join("sacx.toml");
    let from_file = tmp.path().join("from-file");
    std::fs::write(
        &cfg,
        format!(
            "corpus = [{:?}]\nseeds = 7\n[count-words]\nout = {:?}\n",
            corpus.display().to_string(),
            from_file.display().to_string()
        ),
    )
    .unwrap();
    let cfg_s = cfg.display().to_string();
    ok(sacx(&["count-words", "--config", &cfg_s]));
    assert!(
        from_file.join("df.json").is_file(),
        "out and corpus came from the file"
    );

    let from_cli = tmp.path().join("from-cli");
    ok(sacx(&[
        "--config",
        &cfg_s,
        "count-words",
        "--out",
        &from_cli.display().to_string(),
    ]));
    assert!(from_cli.join("df.json").is_file(), "the command line wins");

    // `seeds = 7` in the file and `--seed-list` on the command line do not clash;
    // `sacx slurm` (without --submit) shows the seeds the run would use.
    let out = ok(sacx(&[
        "slurm",
        "--config",
        &cfg_s,
        "--seed-list",
        "2,5",
        "--out",
        &tmp.path().join("r").display().to_string(),
    ]));
    assert!(out.contains("#SBATCH --array=2,5"), "{out}");
    let out = ok(sacx(&[
        "slurm",
        "--config",
        &cfg_s,
        "--out",
        &tmp.path().join("r2").display().to_string(),
    ]));
    assert!(out.contains("#SBATCH --array=1,2,3,4,5,6,7"), "{out}");
}

#[test]
fn unknown_config_keys_are_errors_naming_the_file_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "sedes = 3\n").unwrap();
    let out = sacx(&["count-words", "--config", &cfg.display().to_string()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.toml") && err.contains("sedes"), "{err}");
}

#[test]
fn a_misspelled_table_and_a_syntax_error_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never").display().to_string();
    for (text, needle) in [
        (
            "seeds = 2\n[trian]\nepochs = 1\n",
            "cfg.toml: [trian]: no such subcommand",
        ),
        ("seeds = 2\nepochs = = 1\n", "cfg.toml:2: "),
    ] {
        let cfg = dir.path().join("cfg.toml");
        std::fs::write(&cfg, text).unwrap();
        let o = sacx(&["run", "--config", &cfg.display().to_string(), "--out", &out]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(needle),
            "{text:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!dir.path().join("never").exists());
    }
}
