//! `sacx slurm --submit` on a real one-node Slurm cluster (Debian's slurm-wlm and
//! munge, started by tests/slurm/cluster.sh in a temporary directory): a 3-seed
//! array job and the dependent aggregation job run to completion.
mod common;

use common::slurm::{Cluster, is_root};
use common::{ok, small_corpus};
use std::process::Command;

#[test]
fn a_three_seed_run_completes_on_a_one_node_slurm_cluster() {
    if !is_root() {
        eprintln!(
            "SKIPPED: the Slurm test installs slurm-wlm and starts daemons, which needs root"
        );
        return;
    }
    let install = Command::new(Cluster::script())
        .arg("install")
        .status()
        .unwrap();
    assert!(install.success(), "apt-get install slurm-wlm munge failed");
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster::start(&tmp.path().join("cluster"));
    let corpus = small_corpus(tmp.path(), 600);
    let out = tmp.path().join("run");
    let submit = cluster
        .cmd(env!("CARGO_BIN_EXE_sacx"))
        .args(["slurm", "--corpus"])
        .arg(&corpus)
        .args([
            "--seeds",
            "3",
            "--epochs",
            "1",
            "--ig-steps",
            "4",
            "--cpus-per-task",
            "1",
        ])
        .args(["--time", "00:15:00", "--submit", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = ok(submit);
    assert!(stdout.contains("submitted"), "{stdout}");
    let jobs = std::fs::read_to_string(out.join("slurm/jobs.txt")).unwrap();
    let ids: Vec<&str> = jobs
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(ids.len(), 2, "{jobs}");

    // Wait until neither job is queued or running.
    let logs = out.join("slurm/logs");
    cluster.wait(&ids, &logs);
    let aggregate = cluster.show(ids[1]);
    let log = std::fs::read_to_string(logs.join("aggregate.out")).unwrap_or_default();
    assert!(
        aggregate.contains("JobState=COMPLETED"),
        "aggregation job:\n{aggregate}\nlog:\n{log}"
    );
    for seed in 1..=3 {
        let summary = out.join(format!("runs/seed-{seed}/explanations/summary.json"));
        assert!(summary.is_file(), "seed {seed} was not explained");
        assert!(
            logs.join(format!("seed-{seed}.out")).is_file(),
            "no log of array task {seed}"
        );
    }
    let keywords: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("keywords/keywords.json")).unwrap())
            .unwrap();
    assert_eq!(
        keywords["runs"].as_array().unwrap().len(),
        3,
        "keywords aggregate the three seeds"
    );
    assert!(keywords["classes"].as_array().unwrap().len() > 5);
    assert!(out.join("report.html").is_file());
    assert!(out.join("evaluation.json").is_file());
}
