//! How many seeds a run trains: a number, or `auto` (until the keyword lists
//! are stable).
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// `--seeds N` (seeds 1..=N) or `--seeds auto` (seeds one by one until the
/// keyword lists' stability reaches `--stability`, at most `--max-seeds`).
///
/// ```
/// use sacx_pipeline::options::SeedCount;
/// assert_eq!("5".parse::<SeedCount>()?, SeedCount::Count(5));
/// assert_eq!("auto".parse::<SeedCount>()?, SeedCount::Auto);
/// assert!("five".parse::<SeedCount>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedCount {
    /// Seeds 1..=N.
    Count(u64),
    /// Seeds one by one until the lists are stable.
    Auto,
}

impl SeedCount {
    /// Whether the run chooses its number of seeds.
    pub fn is_auto(self) -> bool {
        self == SeedCount::Auto
    }
}

/// In plan and configuration files: a number, or the string `"auto"`.
impl Serialize for SeedCount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SeedCount::Count(n) => s.serialize_u64(*n),
            SeedCount::Auto => s.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for SeedCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(SeedCount::Count(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl From<u64> for SeedCount {
    fn from(n: u64) -> Self {
        SeedCount::Count(n)
    }
}

impl FromStr for SeedCount {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(SeedCount::Auto);
        }
        s.parse::<u64>()
            .map(SeedCount::Count)
            .map_err(|_| format!("{s:?}: give a number of seeds (1, 2, …) or `auto`"))
    }
}

impl fmt::Display for SeedCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeedCount::Count(n) => write!(f, "{n}"),
            SeedCount::Auto => f.write_str("auto"),
        }
    }
}

/// The options of `--seeds auto`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct AutoSeedArgs {
    /// With `--seeds auto`: stop when the mean stability of the top-K keyword
    /// lists (predicted rank-biased overlap with another run of as many seeds,
    /// docs/metrics.md) reaches this.
    #[cfg_attr(feature = "clap", arg(long = "stability", default_value_t = AutoSeedArgs::default().target))]
    pub target: f64,
    /// With `--seeds auto`: seeds trained before the first stability check
    /// (from 4 the estimate is fitted to the agreement curve; with 2 or 3 it
    /// is plain Spearman–Brown, which overestimates, docs/benchmarks.md).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AutoSeedArgs::default().min_seeds))]
    pub min_seeds: u64,
    /// With `--seeds auto`: stop at this many seeds, stable or not.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = AutoSeedArgs::default().max_seeds))]
    pub max_seeds: u64,
}

impl Default for AutoSeedArgs {
    /// Target 0.9, from 4 to 20 seeds.
    fn default() -> Self {
        Self {
            target: 0.9,
            min_seeds: 4,
            max_seeds: 20,
        }
    }
}

impl AutoSeedArgs {
    /// Checks the ranges: target in (0, 1], 2 ≤ min ≤ max ≤ 1000.
    pub fn check(&self) -> crate::Result<()> {
        if !(self.target > 0.0 && self.target <= 1.0) {
            return Err(crate::Error::param("stability", self.target, "in (0, 1]"));
        }
        if !(2..=1000).contains(&self.min_seeds) {
            return Err(crate::Error::param("min-seeds", self.min_seeds, "2..=1000"));
        }
        if !(self.min_seeds..=1000).contains(&self.max_seeds) {
            return Err(crate::Error::param(
                "max-seeds",
                self.max_seeds,
                format!("{}..=1000 (at least --min-seeds)", self.min_seeds),
            ));
        }
        Ok(())
    }
}
