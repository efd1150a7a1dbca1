//! `sacx slurm select`: a pool split into files is scored by a Slurm array job
//! (one `sacx predict` task per file) and a dependent job selects from all of
//! it, on a real one-node cluster (tests/slurm/cluster.sh, as tests/slurm.rs);
//! without `--submit` the scripts are written, and bad input is refused in one
//! line before anything is. Below it, `sacx select` over a pool predicted file
//! by file, one predictions directory per file.
mod common;

use common::slurm::{Cluster, install, is_root};
use common::{ok, small_corpus, trained};
use sacx_data::predictions::Predictions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The bundled documents after the 400 trained on, without labels, split into
/// files of `sizes` documents; the second file's name needs quoting in bash.
fn pool(dir: &Path, sizes: &[usize]) -> Vec<PathBuf> {
    let total: usize = sizes.iter().sum();
    let all = std::fs::read_to_string(small_corpus(dir, 400 + total)).unwrap();
    let mut lines = all.lines().skip(400);
    let mut files = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let name = if i == 1 {
            "pool 'b'.jsonl".to_string()
        } else {
            format!("pool-{i}.jsonl")
        };
        let path = dir.join(name);
        let mut out = std::fs::File::create(&path).unwrap();
        for line in lines.by_ref().take(n) {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v.as_object_mut().unwrap().remove("labels");
            writeln!(out, "{v}").unwrap();
        }
        files.push(path);
    }
    files
}

fn ids(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The selection options, the same for the jobs and for the direct run.
const SELECT: [&str; 8] = [
    "--exploit",
    "3",
    "--explore",
    "3",
    "--uncertain",
    "3",
    "--seed",
    "1",
];

fn slurm_select(model: &Path, files: &[PathBuf], out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sacx"));
    cmd.args(["slurm", "select", "--model"])
        .arg(model)
        .arg("--pool")
        .args(files)
        .arg("--out")
        .arg(out)
        .args(SELECT);
    cmd
}

/// Runs sacx, expects a failure with one stderr line containing every `needle`.
fn fails(cmd: &mut Command, needles: &[&str]) {
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line: {err}");
    for n in needles {
        assert!(lines[0].contains(n), "{n:?} not in {err}");
    }
}

#[test]
fn a_pool_in_three_files_is_scored_and_selected_on_a_one_node_slurm_cluster() {
    if !is_root() {
        eprintln!(
            "SKIPPED: the Slurm test installs slurm-wlm and starts daemons, which needs root"
        );
        return;
    }
    install();
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster::start(&tmp.path().join("cluster"));
    let sizes = [50, 60, 70];
    let files = pool(tmp.path(), &sizes);
    let out = tmp.path().join("scored");
    // --batch-size 1: a document's probabilities do not depend on the other
    // documents of its batch (padding), so scoring file by file gives the bits
    // of scoring the files together.
    let submit = cluster
        .cmd(env!("CARGO_BIN_EXE_sacx"))
        .args(slurm_select(seed, &files, &out).get_args())
        .args([
            "--batch-size",
            "1",
            "--cpus-per-task",
            "1",
            "--max-running",
            "2",
        ])
        .args(["--time", "00:15:00", "--submit"])
        .output()
        .unwrap();
    let stdout = ok(submit);
    assert!(stdout.contains("submitted"), "{stdout}");
    let jobs = std::fs::read_to_string(out.join("slurm/jobs.txt")).unwrap();
    let ids_of_jobs: Vec<&str> = jobs
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(ids_of_jobs.len(), 2, "{jobs}");
    let logs = out.join("slurm/logs");
    cluster.wait(&ids_of_jobs, &logs);
    let select_job = cluster.show(ids_of_jobs[1]);
    let log = std::fs::read_to_string(logs.join("select.out")).unwrap_or_default();
    assert!(
        select_job.contains("JobState=COMPLETED"),
        "selection job:\n{select_job}\nlog:\n{log}"
    );
    for (i, (file, &n)) in files.iter().zip(&sizes).enumerate() {
        let dir = out.join(format!("predictions/{i:05}"));
        let preds = Predictions::open(&dir).unwrap();
        assert_eq!(preds.len(), n as u64, "{}", dir.display());
        let rows: Vec<String> = preds.rows().unwrap().map(|r| r.unwrap().id).collect();
        assert_eq!(rows, ids(file), "task {i} scored another file");
        assert!(
            logs.join(format!("predict-{i}.out")).is_file(),
            "no log of task {i}"
        );
    }

    // The same model, files and options, directly: one prediction of the
    // whole pool, one selection.
    let direct = tmp.path().join("direct");
    ok(predict(seed, &files, &direct)
        .args(["--batch-size", "1", "--threads", "1"])
        .output()
        .unwrap());
    let direct_sel = tmp.path().join("direct.jsonl");
    ok(Command::new(env!("CARGO_BIN_EXE_sacx"))
        .args(["select", "--predictions"])
        .arg(&direct)
        .arg("--corpus")
        .args(&files)
        .arg("--out")
        .arg(&direct_sel)
        .args(SELECT)
        .output()
        .unwrap());
    let got = std::fs::read(out.join("to-label.jsonl")).unwrap();
    assert!(!got.is_empty());
    assert!(
        got == std::fs::read(&direct_sel).unwrap(),
        "the selections differ"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("to-label.summary.json")).unwrap()).unwrap();
    assert_eq!(summary["pool"], 180);
}

/// `sacx predict` of the files into `out`.
fn predict(model: &Path, files: &[PathBuf], out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sacx"));
    cmd.args(["predict", "--model"])
        .arg(model)
        .arg("--corpus")
        .args(files)
        .arg("--out")
        .arg(out);
    cmd
}

/// The words of bash array `array` in `script`, as bash reads them.
fn bash_array(script: &Path, array: &str) -> Vec<String> {
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "eval \"$(sed -n '/^{array}=(/,/^)/p' \"$1\")\"; printf '%s\\n' \"${{{array}[@]}}\""
        ))
        .arg("bash")
        .arg(script)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn without_submit_the_scripts_are_written_for_bash() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let files = pool(tmp.path(), &[5, 6, 7]);
    let out = tmp.path().join("scored");
    let stdout = ok(slurm_select(seed, &files, &out)
        .args(["--max-running", "2", "--partition", "gpu"])
        .args(["--language", "en"])
        .output()
        .unwrap());
    assert!(stdout.contains("#SBATCH --array=0-2%2"), "{stdout}");
    let slurm = out.join("slurm");
    let read = |name: &str| std::fs::read_to_string(slurm.join(name)).unwrap();
    let (predict, select) = (read("predict.sbatch"), read("select.sbatch"));
    let submit = read("submit.sh");
    assert!(predict.contains("#SBATCH --array=0-2%2\n"), "{predict}");
    assert!(predict.contains("#SBATCH --partition=gpu\n"), "{predict}");
    assert!(
        predict.contains("--corpus \"${pool[$i]}\" --out \"${out[$i]}\""),
        "{predict}"
    );
    assert!(predict.contains("--language en --threads \"${SLURM_CPUS_PER_TASK}\""));
    assert!(
        submit.contains("--dependency=afterok:\"$predict\"") && submit.contains("select.sbatch"),
        "{submit}"
    );
    assert!(
        select.contains("--seed 1") && select.contains("--exploit 3"),
        "{select}"
    );
    assert!(!slurm.join("jobs.txt").exists(), "nothing was submitted");

    // bash reads back the paths the jobs get, quotes and spaces included.
    let script = slurm.join("predict.sbatch");
    let abs: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(bash_array(&script, "pool"), abs);
    let dirs: Vec<String> = (0..3)
        .map(|i| {
            out.join(format!("predictions/{i:05}"))
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(bash_array(&script, "out"), dirs);
    for name in ["predict.sbatch", "select.sbatch", "submit.sh"] {
        let syntax = Command::new("bash")
            .arg("-n")
            .arg(slurm.join(name))
            .status();
        assert!(syntax.unwrap().success(), "{name}");
    }
    // Written again into its own directory: accepted.
    ok(slurm_select(seed, &files, &out).output().unwrap());

    // `[slurm.select]` in a config file sets its options; the command line wins.
    let cfg = tmp.path().join("sacx.toml");
    let toml = "[slurm.select]\npartition = \"big\"\nmax-words = 99\nexplore = 7\n";
    std::fs::write(&cfg, toml).unwrap();
    let mut cmd = slurm_select(seed, &files, &tmp.path().join("third"));
    let stdout = ok(cmd.arg("--config").arg(&cfg).output().unwrap());
    assert!(stdout.contains("#SBATCH --partition=big\n"), "{stdout}");
    assert!(stdout.contains("--max-words 99"), "{stdout}");
    assert!(stdout.contains("--explore 3 "), "{stdout}");
}

#[test]
fn bad_input_is_refused_in_one_line_before_anything_is_written() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let files = pool(tmp.path(), &[5, 6, 7]);
    let other = tmp.path().join("other");
    let missing = tmp.path().join("missing.jsonl");
    fails(
        &mut slurm_select(seed, &[files[0].clone(), missing], &other),
        &["--pool", "missing.jsonl", "no such file"],
    );
    let not_a_run = tmp.path().join("empty-dir");
    std::fs::create_dir(&not_a_run).unwrap();
    fails(
        &mut slurm_select(&not_a_run, &files, &other),
        &["--model", "empty-dir", "neither a checkpoint"],
    );
    fails(
        slurm_select(seed, &files, &other).args(["--max-n", "5"]),
        &["--max-n 5"],
    );
    fails(
        &mut slurm_select(seed, &[files[0].clone(), files[0].clone()], &other),
        &["--pool", "given twice"],
    );
    assert!(!other.exists(), "nothing may be written for bad input");

    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    fails(
        &mut slurm_select(seed, &files, &mine),
        &["--out", "mine", "did not write"],
    );
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);

    // Once a task has predicted, the files are not given in another order.
    let out = tmp.path().join("scored");
    ok(slurm_select(seed, &files, &out).output().unwrap());
    let first = out.join("predictions/00000");
    ok(predict(seed, &files[..1], &first).output().unwrap());
    let swapped = [files[1].clone(), files[0].clone(), files[2].clone()];
    fails(
        &mut slurm_select(seed, &swapped, &out),
        &[
            "--pool",
            "predictions/00000 holds the predictions of another file",
        ],
    );
}

/// `select --predictions D0 D1 D2 --corpus F0 F1 F2` pairs each directory with
/// its file and selects exactly what one prediction of the three files gives
/// (with `--batch-size 1`, a document's scores do not depend on its batch).
#[test]
fn select_reads_a_pool_predicted_file_by_file() {
    let (_, seed) = trained();
    let tmp = tempfile::tempdir().unwrap();
    let files = pool(tmp.path(), &[40, 40, 40]);
    let mut dirs = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let dir = tmp.path().join(format!("pred-{i}"));
        let mut cmd = predict(seed, std::slice::from_ref(f), &dir);
        ok(cmd.args(["--batch-size", "1"]).output().unwrap());
        dirs.push(dir);
    }
    let whole = tmp.path().join("pred-all");
    ok(predict(seed, &files, &whole)
        .args(["--batch-size", "1"])
        .output()
        .unwrap());
    let select = |dirs: &[&PathBuf], out: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sacx"));
        cmd.arg("select").arg("--predictions").args(dirs);
        cmd.arg("--corpus").args(&files).arg("--out").arg(out);
        cmd.args(SELECT);
        cmd
    };
    let d: Vec<&PathBuf> = dirs.iter().collect();
    let split = tmp.path().join("split.jsonl");
    let joined = tmp.path().join("joined.jsonl");
    ok(select(&d, &split).output().unwrap());
    ok(select(&[&whole], &joined).output().unwrap());
    let got = std::fs::read(&split).unwrap();
    assert!(!got.is_empty());
    assert!(
        got == std::fs::read(&joined).unwrap(),
        "the selections differ"
    );

    let other = tmp.path().join("other.jsonl");
    fails(
        &mut select(&d[..2], &other),
        &["--predictions: 2 directories but 3 --corpus files"],
    );
    // The second directory with the first file: its first row is named.
    fails(
        &mut select(&[d[1], d[0], d[2]], &other),
        &["pred-1: row 0 is id", "pool-0.jsonl line 1"],
    );
    // Predictions of another model are not one pool.
    let foreign = tmp.path().join("foreign");
    copy_as_another_model(&dirs[2], &foreign);
    fails(
        &mut select(&[d[0], d[1], &foreign], &other),
        &["--predictions", "foreign: another model than", "pred-0"],
    );
    assert!(!other.exists());
}

/// A copy of predictions directory `from` whose manifest names another model.
fn copy_as_another_model(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
    let manifest = to.join("predictions.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    m["model_fingerprint"] = "another".into();
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
}
