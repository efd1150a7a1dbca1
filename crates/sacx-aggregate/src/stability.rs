//! How much each class's keyword list would change with other seeds.
//!
//! The runs are split at random into two disjoint halves of `h = ⌊S/2⌋` runs,
//! many times; each half is ranked on its own exactly as a run of `h` seeds
//! would rank it, and the two top-K lists are compared by rank-biased overlap
//! and by Jaccard. The same is measured between disjoint subsets of 1, 2, 4, …
//! runs below `h`: the agreement curve. The agreement at `h` runs is carried
//! to `S` runs by `a_S = SB(a_h^(1/γ), S/h)^γ`, where SB is the
//! Spearman–Brown formula `SB(a, m) = m·a / (1 + (m − 1)·a)` and the exponent
//! `γ` is fitted so that the same formula, carried down from `h`, matches the
//! measured curve (`γ = 1`, plain Spearman–Brown, with two or three runs).
//! The formulas are in `docs/metrics.md`; docs/benchmarks.md checks the
//! prediction against two independent S-seed runs.
use crate::counts::ClassCounts;
use crate::curve::{Extrapolation, curve_sizes, extrapolate};
use crate::input::{Inputs, Plan, Unit, in_blocks};
use crate::params::KeywordParams;
use crate::rank::rank;
use crate::select::{Scratch, Selector};
use crate::table::PairTable;
use crate::{Error, Result};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Parameters of the stability estimate; build with [`StabilityParams::builder`]
/// or take the [`Default`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StabilityParams {
    k: usize,
    splits: usize,
    rbo_p: f64,
    bootstrap: usize,
    seed: u64,
}

impl Default for StabilityParams {
    /// K = 10, 20 random splits, RBO persistence 0.9, 1,000 bootstrap
    /// resamples of the classes, seed 1.
    fn default() -> Self {
        Self {
            k: 10,
            splits: 20,
            rbo_p: 0.9,
            bootstrap: 1000,
            seed: 1,
        }
    }
}

impl StabilityParams {
    /// A builder starting from the defaults.
    pub fn builder() -> StabilityParamsBuilder {
        StabilityParamsBuilder(Self::default())
    }
    /// Length of the lists compared (top K).
    pub fn k(&self) -> usize {
        self.k
    }
    /// Random splits of the runs into two halves.
    pub fn splits(&self) -> usize {
        self.splits
    }
    /// RBO's persistence `p` (the weight of depth d is proportional to `p^(d−1)`).
    pub fn rbo_p(&self) -> f64 {
        self.rbo_p
    }
}

/// Builder of [`StabilityParams`]; [`StabilityParamsBuilder::build`] checks ranges.
#[derive(Clone, Debug)]
pub struct StabilityParamsBuilder(StabilityParams);

impl StabilityParamsBuilder {
    /// List length compared, 1..=1000 (default 10).
    pub fn k(mut self, k: usize) -> Self {
        self.0.k = k;
        self
    }
    /// Random half splits, 1..=10000 (default 20).
    pub fn splits(mut self, n: usize) -> Self {
        self.0.splits = n;
        self
    }
    /// RBO persistence, in (0, 1) (default 0.9).
    pub fn rbo_p(mut self, p: f64) -> Self {
        self.0.rbo_p = p;
        self
    }
    /// Bootstrap resamples of the classes for the mean's interval, 0..=100000
    /// (default 1000; 0: no interval).
    pub fn bootstrap(mut self, n: usize) -> Self {
        self.0.bootstrap = n;
        self
    }
    /// Seed of the splits and the bootstrap (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
    /// Validates and returns the parameters.
    pub fn build(self) -> Result<StabilityParams> {
        let p = self.0;
        if !(1..=1000).contains(&p.k) {
            return Err(Error::param("stability k", p.k, "1..=1000"));
        }
        if !(1..=10_000).contains(&p.splits) {
            return Err(Error::param("stability splits", p.splits, "1..=10000"));
        }
        if !(p.rbo_p > 0.0 && p.rbo_p < 1.0) {
            return Err(Error::param("rbo_p", p.rbo_p, "(0, 1)"));
        }
        if p.bootstrap > 100_000 {
            return Err(Error::param("bootstrap", p.bootstrap, "0..=100000"));
        }
        Ok(p)
    }
}

/// One class's estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassStability {
    /// Class name.
    pub class: String,
    /// Mean RBO of the two halves' top-K lists (agreement at `half` runs).
    pub rbo_half: f64,
    /// Mean Jaccard of the two halves' top-K sets.
    pub jaccard_half: f64,
    /// RBO predicted between two independent sets of `seeds` runs
    /// (Spearman–Brown from `rbo_half`): the class's stability.
    pub rbo: f64,
    /// Jaccard predicted at `seeds` runs.
    pub jaccard: f64,
    /// 2.5 % and 97.5 % quantiles over the splits of the predicted RBO.
    pub rbo_interval: [f64; 2],
}

/// The stability of every class's keyword list, and the mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeywordStability {
    /// The parameters used.
    pub params: StabilityParams,
    /// Runs (seeds) of the estimated lists, `S`.
    pub seeds: usize,
    /// Runs per half, `⌊S/2⌋`.
    pub half: usize,
    /// Classes with a list in at least one half of one split; the others have
    /// no keywords at all and are left out of the mean.
    pub classes: Vec<ClassStability>,
    /// Mean over the classes of the predicted RBO: the run's stability.
    pub mean_rbo: f64,
    /// Mean over the classes of the predicted Jaccard.
    pub mean_jaccard: f64,
    /// Mean RBO at `half` runs (measured, not extrapolated).
    pub mean_rbo_half: f64,
    /// Mean Jaccard at `half` runs.
    pub mean_jaccard_half: f64,
    /// 95 % bootstrap interval (over classes) of `mean_rbo`.
    pub mean_rbo_interval: [f64; 2],
    /// The measured agreement curve the extrapolation is fitted to: mean
    /// agreement between disjoint subsets of 1, 2, 4, … runs, up to `half`.
    #[serde(default)]
    pub curve: Vec<AgreementPoint>,
    /// The fitted exponent `γ` of the RBO extrapolation (1: Spearman–Brown).
    #[serde(default = "one")]
    pub rbo_exponent: f64,
    /// The fitted exponent `γ` of the Jaccard extrapolation.
    #[serde(default = "one")]
    pub jaccard_exponent: f64,
}

fn one() -> f64 {
    1.0
}

/// The mean agreement (over splits, then classes) of two disjoint subsets of
/// `runs` runs each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgreementPoint {
    /// Runs per subset.
    pub runs: usize,
    /// Mean RBO.
    pub rbo: f64,
    /// Mean Jaccard.
    pub jaccard: f64,
}

impl KeywordStability {
    /// The class's estimate, if it has one.
    pub fn class(&self, class: &str) -> Option<&ClassStability> {
        self.classes.iter().find(|c| c.class == class)
    }
}

/// Rank-biased overlap of two ranked lists at depth `max(|a|, |b|)`,
/// normalised so that identical lists give 1 and disjoint lists 0:
/// `Σ_{d=1..D} p^(d−1) · |a[..d] ∩ b[..d]| / d  ·  (1 − p) / (1 − p^D)`.
/// `None` when both are empty.
///
/// ```
/// use sacx_aggregate::rbo;
/// let s = |v: &[&str]| v.iter().map(|w| w.to_string()).collect::<Vec<_>>();
/// assert_eq!(rbo(&s(&["a", "b"]), &s(&["a", "b"]), 0.9), Some(1.0));
/// assert_eq!(rbo(&s(&["a"]), &s(&["b"]), 0.9), Some(0.0));
/// assert_eq!(rbo(&[], &[], 0.9), None);
/// ```
pub fn rbo(a: &[String], b: &[String], p: f64) -> Option<f64> {
    let depth = a.len().max(b.len());
    if depth == 0 {
        return None;
    }
    let (mut seen_a, mut seen_b) = (HashSet::new(), HashSet::new());
    let (mut overlap, mut sum, mut weight) = (0usize, 0.0, 1.0);
    for d in 0..depth {
        if let Some(w) = a.get(d) {
            overlap += seen_b.contains(w.as_str()) as usize;
            seen_a.insert(w.as_str());
        }
        if let Some(w) = b.get(d) {
            overlap += seen_a.contains(w.as_str()) as usize;
            seen_b.insert(w.as_str());
        }
        sum += weight * overlap as f64 / (d + 1) as f64;
        weight *= p;
    }
    Some(sum * (1.0 - p) / (1.0 - p.powi(depth as i32)))
}

/// Jaccard index of two lists as sets; `None` when both are empty.
pub fn jaccard(a: &[String], b: &[String]) -> Option<f64> {
    let a: HashSet<&str> = a.iter().map(String::as_str).collect();
    let b: HashSet<&str> = b.iter().map(String::as_str).collect();
    let union = a.union(&b).count();
    (union > 0).then(|| a.intersection(&b).count() as f64 / union as f64)
}

/// The Spearman–Brown prophecy: the agreement at `m` times the runs, from the
/// agreement `a` at one.
pub fn spearman_brown(a: f64, m: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    m * a / (1.0 + (m - 1.0) * a)
}

/// One explanation table per run: rank any subset of the runs without reading
/// the explanations again.
#[derive(Debug)]
pub struct RunTables {
    labels: Vec<String>,
    runs: Vec<String>,
    tables: Vec<PairTable>,
}

impl RunTables {
    /// Reads the explanations once (in parallel over files), keeping one table
    /// per run. Memory: the distinct (class, word) pairs of each run.
    pub fn build(inputs: &Inputs, params: &KeywordParams) -> Result<Self> {
        Self::from_plan(inputs.plan()?, params)
    }

    /// [`RunTables::build`] on an input already resolved.
    fn from_plan(plan: Plan, params: &KeywordParams) -> Result<Self> {
        let selector = Selector::new(params);
        let mut tables: Vec<PairTable> = plan.runs.iter().map(|_| PairTable::new(1)).collect();
        in_blocks(
            &plan.units,
            |unit| unit_table(&plan, unit, &selector).map(|t| (unit.run, t)),
            |(run, table)| {
                if let Some(t) = tables.get_mut(run as usize) {
                    t.merge(table);
                }
            },
        )?;
        Ok(Self {
            labels: plan.labels,
            runs: plan.runs,
            tables,
        })
    }

    /// The runs' names, in input order.
    pub fn runs(&self) -> &[String] {
        &self.runs
    }

    /// Class names.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Each class's top-`k` keywords ranked over the runs `subset` (indices
    /// into [`RunTables::runs`]), as [`crate::aggregate`] would rank those runs.
    pub fn top_lists(
        &self,
        subset: &[usize],
        params: &KeywordParams,
        counts: Option<&ClassCounts>,
        k: usize,
    ) -> Vec<Vec<String>> {
        let mut table = PairTable::new(subset.len());
        for (i, &r) in subset.iter().enumerate() {
            if let Some(t) = self.tables.get(r) {
                table.add_run(t, i as u32);
            }
        }
        rank(&table, &self.labels, subset.len(), params, counts)
            .into_iter()
            .map(|c| c.keywords.into_iter().take(k).map(|w| w.word).collect())
            .collect()
    }

    /// The stability estimate over all runs; `None` with fewer than two runs.
    pub fn stability(
        &self,
        params: &KeywordParams,
        counts: Option<&ClassCounts>,
        sp: &StabilityParams,
    ) -> Option<KeywordStability> {
        let all: Vec<usize> = (0..self.runs.len()).collect();
        self.stability_of(&all, params, counts, sp)
    }

    /// The stability estimate of the lists ranked over the runs `runs`
    /// (indices into [`RunTables::runs`]); `None` with fewer than two.
    pub fn stability_of(
        &self,
        runs: &[usize],
        params: &KeywordParams,
        counts: Option<&ClassCounts>,
        sp: &StabilityParams,
    ) -> Option<KeywordStability> {
        let s = runs.len();
        let half = s / 2;
        if half == 0 {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(sp.seed);
        // Random disjoint pairs of subsets, at the half size and at the
        // smaller sizes of the agreement curve.
        let sizes = curve_sizes(half);
        let mut order: Vec<usize> = runs.to_vec();
        let splits: Vec<Vec<(Vec<usize>, Vec<usize>)>> = sizes
            .iter()
            .map(|&m| {
                (0..sp.splits)
                    .map(|_| {
                        order.shuffle(&mut rng);
                        let mut a = order[..m].to_vec();
                        let mut b = order[m..2 * m].to_vec();
                        a.sort_unstable();
                        b.sort_unstable();
                        (a, b)
                    })
                    .collect()
            })
            .collect();
        // Each distinct subset is ranked once (with few runs most splits
        // repeat subsets: 3 runs have 3 distinct halves of one).
        let mut subsets: Vec<&Vec<usize>> =
            splits.iter().flatten().flat_map(|(a, b)| [a, b]).collect();
        subsets.sort();
        subsets.dedup();
        let lists: BTreeMap<&Vec<usize>, Vec<Vec<String>>> = subsets
            .par_iter()
            .map(|&h| (h, self.top_lists(h, params, counts, sp.k)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        // Per size, per split, per class: (rbo, jaccard) of the two subsets.
        let per_split: Vec<Vec<Agreements>> = splits
            .iter()
            .map(|pairs| {
                pairs
                    .iter()
                    .map(|(a, b)| agree(&lists[a], &lists[b], sp.rbo_p))
                    .collect()
            })
            .collect();
        // Per size, per class: the mean over its splits.
        let agreement: Vec<Agreements> = per_split
            .iter()
            .map(|size| {
                (0..self.labels.len())
                    .map(|c| mean_pair(size.iter().filter_map(|v| v[c])))
                    .collect()
            })
            .collect();
        let last = sizes.len() - 1;
        let fit = Extrapolation::fit(&sizes, &agreement);
        let m = s as f64 / half as f64;
        let classes: Vec<ClassStability> = self
            .labels
            .iter()
            .enumerate()
            .filter_map(|(c, name)| {
                let values: Vec<(f64, f64)> = per_split[last].iter().filter_map(|v| v[c]).collect();
                class_stability(name, &values, m, &fit)
            })
            .collect();
        let curve = sizes
            .iter()
            .zip(&agreement)
            .map(|(&runs, per_class)| {
                let (rbo, jaccard) =
                    mean_pair(per_class.iter().flatten().copied()).unwrap_or_default();
                AgreementPoint { runs, rbo, jaccard }
            })
            .collect();
        let mut out = summarise(sp, s, half, classes, &mut rng);
        out.curve = curve;
        out.rbo_exponent = fit.rbo;
        out.jaccard_exponent = fit.jaccard;
        Some(out)
    }
}

/// Per class, (rbo, jaccard); `None` where both lists are empty.
type Agreements = Vec<Option<(f64, f64)>>;

/// Per class, (rbo, jaccard) of two subsets' lists; `None` where both are empty.
fn agree(a: &[Vec<String>], b: &[Vec<String>], p: f64) -> Agreements {
    a.iter()
        .zip(b)
        .map(|(x, y)| Some((rbo(x, y, p)?, jaccard(x, y)?)))
        .collect()
}

/// The mean of (rbo, jaccard) pairs; `None` for none.
fn mean_pair(values: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    let (mut n, mut r, mut j) = (0usize, 0.0, 0.0);
    for (a, b) in values {
        n += 1;
        r += a;
        j += b;
    }
    (n > 0).then(|| (r / n as f64, j / n as f64))
}

/// One class's estimate from its per-split (rbo, jaccard) values at the half size.
fn class_stability(
    name: &str,
    values: &[(f64, f64)],
    m: f64,
    fit: &Extrapolation,
) -> Option<ClassStability> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let rbo_half = values.iter().map(|v| v.0).sum::<f64>() / n;
    let jaccard_half = values.iter().map(|v| v.1).sum::<f64>() / n;
    let mut predicted: Vec<f64> = values
        .iter()
        .map(|v| extrapolate(v.0, m, fit.rbo))
        .collect();
    predicted.sort_by(f64::total_cmp);
    Some(ClassStability {
        class: name.to_string(),
        rbo_half,
        jaccard_half,
        rbo: extrapolate(rbo_half, m, fit.rbo),
        jaccard: extrapolate(jaccard_half, m, fit.jaccard),
        rbo_interval: [quantile(&predicted, 0.025), quantile(&predicted, 0.975)],
    })
}

/// The means over classes and the bootstrap interval of the mean RBO.
fn summarise(
    sp: &StabilityParams,
    seeds: usize,
    half: usize,
    classes: Vec<ClassStability>,
    rng: &mut ChaCha8Rng,
) -> KeywordStability {
    let mean = |f: fn(&ClassStability) -> f64| {
        if classes.is_empty() {
            0.0
        } else {
            classes.iter().map(f).sum::<f64>() / classes.len() as f64
        }
    };
    let mean_rbo = mean(|c| c.rbo);
    let mut means: Vec<f64> = (0..sp.bootstrap)
        .filter(|_| !classes.is_empty())
        .map(|_| {
            let sum: f64 = (0..classes.len())
                .map(|_| classes[rand::Rng::random_range(rng, 0..classes.len())].rbo)
                .sum();
            sum / classes.len() as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let interval = if means.is_empty() {
        [mean_rbo, mean_rbo]
    } else {
        [quantile(&means, 0.025), quantile(&means, 0.975)]
    };
    KeywordStability {
        params: sp.clone(),
        seeds,
        half,
        mean_rbo,
        mean_jaccard: mean(|c| c.jaccard),
        mean_rbo_half: mean(|c| c.rbo_half),
        mean_jaccard_half: mean(|c| c.jaccard_half),
        mean_rbo_interval: interval,
        classes,
        curve: Vec::new(),
        rbo_exponent: 1.0,
        jaccard_exponent: 1.0,
    }
}

/// The `q` quantile of sorted values (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => {
            let x = q * (n - 1) as f64;
            let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
            sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo as f64)
        }
    }
}

/// Pass one over one file, into a one-run table.
fn unit_table(plan: &Plan, unit: &Unit, selector: &Selector) -> Result<PairTable> {
    let mut table = PairTable::new(1);
    let mut scratch = Scratch::default();
    let mut kept = Vec::new();
    plan.for_each_record(unit, |rec| {
        kept.clear();
        selector.select(
            rec,
            &mut scratch,
            |class| kept.push(class),
            |class, i, score| table.add(class, rec.words[i], 0, score),
        );
        for &class in &kept {
            table.add_pair(class, 0);
        }
        Ok(())
    })?;
    Ok(table)
}

/// Estimates the stability of the IG keyword lists of `inputs` (see the module
/// documentation); `None` with fewer than two runs.
pub fn keyword_stability(
    inputs: &Inputs,
    params: &KeywordParams,
    counts: Option<&ClassCounts>,
    sp: &StabilityParams,
) -> Result<Option<KeywordStability>> {
    let plan = inputs.plan()?;
    if plan.runs.len() < 2 {
        return Ok(None);
    }
    Ok(RunTables::from_plan(plan, params)?.stability(params, counts, sp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn rbo_by_hand() {
        // a = [x, y], b = [y, x]: A_1 = 0, A_2 = 1; (1 − p)/(1 − p²) · (0 + p·1).
        let p = 0.9;
        let got = rbo(&s(&["x", "y"]), &s(&["y", "x"]), p).unwrap();
        assert!((got - p * (1.0 - p) / (1.0 - p * p)).abs() < 1e-12);
        // Unequal lengths: a = [x], b = [x, y]: A_1 = 1, A_2 = 1/2.
        let got = rbo(&s(&["x"]), &s(&["x", "y"]), p).unwrap();
        assert!((got - (1.0 + p * 0.5) * (1.0 - p) / (1.0 - p * p)).abs() < 1e-12);
    }

    #[test]
    fn jaccard_and_spearman_brown_by_hand() {
        assert_eq!(
            jaccard(&s(&["a", "b", "c"]), &s(&["b", "c", "d"])),
            Some(0.5)
        );
        assert_eq!(jaccard(&[], &[]), None);
        // m = 2, a = 0.5: 1 / 1.5.
        assert!((spearman_brown(0.5, 2.0) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(spearman_brown(1.0, 3.0), 1.0);
        assert_eq!(spearman_brown(0.0, 3.0), 0.0);
    }

    #[test]
    fn params_out_of_range_are_refused_by_name() {
        let e = StabilityParams::builder().rbo_p(1.0).build().unwrap_err();
        assert!(e.to_string().contains("rbo_p"), "{e}");
        assert!(StabilityParams::builder().k(0).build().is_err());
    }
}
