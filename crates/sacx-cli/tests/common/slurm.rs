//! A one-node Slurm cluster for the Slurm tests (Debian's slurm-wlm and
//! munge, started by tests/slurm/cluster.sh in a temporary directory).
use super::workspace;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    pub fn script() -> PathBuf {
        workspace().join("tests/slurm/cluster.sh")
    }

    pub fn start(dir: &Path) -> Cluster {
        let out = Command::new(Self::script())
            .arg("start")
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the Slurm cluster did not start:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Cluster {
            dir: dir.to_path_buf(),
        }
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }

    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", self.conf());
        c
    }

    /// Waits until none of the jobs is queued or running (at most 10 minutes).
    /// A job that can never start (its dependency failed) or the time limit
    /// fails the test at once with every job's state and the logs in `logs`.
    pub fn wait(&self, ids: &[&str], logs: &Path) {
        let started = Instant::now();
        loop {
            let q = self
                .cmd("squeue")
                .args(["-h", "-o", "%i %T %r", "-j", &ids.join(",")])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&q.stdout).into_owned();
            if text.trim().is_empty() {
                return;
            }
            if text.contains("DependencyNeverSatisfied")
                || started.elapsed() > Duration::from_secs(600)
            {
                panic!("{}", self.explain(ids, &text, logs));
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// What a stuck wait prints: the queue, each job, every log.
    fn explain(&self, ids: &[&str], queue: &str, logs: &Path) -> String {
        let mut s = format!("jobs stuck after {queue}\n");
        for id in ids {
            s.push_str(&self.show(id));
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(logs)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            s.push_str(&format!("--- {}\n{text}\n", f.display()));
        }
        s
    }

    /// `scontrol show job ID`.
    pub fn show(&self, id: &str) -> String {
        let o = self
            .cmd("scontrol")
            .args(["show", "job", id])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(Self::script())
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

/// Installs slurm-wlm and munge when missing (`cluster.sh install`).
pub fn install() {
    let install = Command::new(Cluster::script())
        .arg("install")
        .status()
        .unwrap();
    assert!(install.success(), "apt-get install slurm-wlm munge failed");
}
