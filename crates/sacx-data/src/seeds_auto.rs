//! `seeds-auto.json`: how `sacx run --seeds auto` chose its number of seeds:
//! the target, the stability measured after each seed, and why it stopped.
//! One versioned type, its writer and its reader.
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Format tag of `seeds-auto.json`.
pub const SEEDS_AUTO_FORMAT: &str = "sacx-seeds-auto/1";

/// One stability check: after `seeds` seeds, the mean predicted top-K
/// agreement and its 95 % interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutoStep {
    /// Seeds trained and explained so far.
    pub seeds: usize,
    /// Mean stability over classes (predicted RBO at this many seeds).
    pub stability: f64,
    /// Its 95 % bootstrap interval.
    pub interval: [f64; 2],
}

/// Why the run stopped adding seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The stability reached the target.
    Stable,
    /// `--max-seeds` was reached first.
    MaxSeeds,
}

/// `seeds-auto.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutoSeeds {
    /// [`SEEDS_AUTO_FORMAT`].
    pub format: String,
    /// The stability target.
    pub target: f64,
    /// Seeds before the first check.
    pub min_seeds: u64,
    /// The most seeds allowed.
    pub max_seeds: u64,
    /// Length K of the lists compared.
    pub k: usize,
    /// Every check, in order.
    pub steps: Vec<AutoStep>,
    /// The seeds the run kept (the first `steps.last().seeds` of 1..=max).
    pub chosen: Vec<u64>,
    /// Why it stopped.
    pub reason: StopReason,
}

impl AutoSeeds {
    /// One line for the user: how many seeds, and why.
    pub fn sentence(&self) -> String {
        let last = self.steps.last();
        let st = last.map_or(0.0, |s| s.stability);
        match self.reason {
            StopReason::Stable => format!(
                "--seeds auto: stopped at {} seeds: keyword stability {st:.3} reached the target {}",
                self.chosen.len(),
                self.target
            ),
            StopReason::MaxSeeds => format!(
                "--seeds auto: stopped at --max-seeds {}: keyword stability {st:.3} is below the \
                 target {}; raise --max-seeds, or accept less stable lists",
                self.max_seeds, self.target
            ),
        }
    }

    /// Writes the record atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::json_file::write_pretty(path, self, SEEDS_AUTO_FORMAT)
    }

    /// Reads a record; `Ok(None)` when there is none. Another format version
    /// is refused, naming it.
    pub fn read(path: &Path) -> Result<Option<Self>> {
        crate::json_file::read_versioned(
            path,
            SEEDS_AUTO_FORMAT,
            SEEDS_AUTO_FORMAT,
            false,
            |r: &Self| r.format.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_and_refuses_another_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seeds-auto.json");
        let rec = AutoSeeds {
            format: SEEDS_AUTO_FORMAT.into(),
            target: 0.9,
            min_seeds: 3,
            max_seeds: 5,
            k: 10,
            steps: vec![AutoStep {
                seeds: 3,
                stability: 0.93,
                interval: [0.9, 0.95],
            }],
            chosen: vec![1, 2, 3],
            reason: StopReason::Stable,
        };
        rec.write(&path).unwrap();
        assert_eq!(AutoSeeds::read(&path).unwrap(), Some(rec.clone()));
        assert!(
            rec.sentence().contains("stopped at 3 seeds"),
            "{}",
            rec.sentence()
        );
        let other = std::fs::read_to_string(&path)
            .unwrap()
            .replace(SEEDS_AUTO_FORMAT, "sacx-seeds-auto/9");
        std::fs::write(&path, other).unwrap();
        let e = AutoSeeds::read(&path).unwrap_err().to_string();
        assert!(e.contains("sacx-seeds-auto/9"), "{e}");
        assert_eq!(
            AutoSeeds::read(&dir.path().join("none.json")).unwrap(),
            None
        );
    }
}
