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
    pub fn wait(&self, ids: &[&str]) {
        let started = Instant::now();
        loop {
            let q = self
                .cmd("squeue")
                .args(["-h", "-o", "%i %T", "-j", &ids.join(",")])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&q.stdout).into_owned();
            if text.trim().is_empty() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "jobs still queued after 10 minutes:\n{text}"
            );
            std::thread::sleep(Duration::from_secs(2));
        }
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
