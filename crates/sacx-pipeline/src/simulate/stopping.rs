//! When to stop labelling, without test labels: the signals a user has after
//! each round, and the rounds at which rules on them would have stopped,
//! against the round at which the test curve flattened (docs/metrics.md,
//! "Stopping signals").
//!
//! - **Prediction agreement** (stabilizing predictions, Bloodgood &
//!   Vijay-Shanker 2009): a fixed stop set of [`STOP_SET`] pool documents,
//!   drawn once per seed, is labelled by each round's model; Cohen's κ between
//!   this round's and the last round's decisions over every (document, class)
//!   cell. Also the share of stop-set documents whose predicted label set
//!   changed.
//! - **Keyword overlap** (`sacx` only): per class, the motifs `sacx select`
//!   mined with this round's model (the words over-represented among the
//!   class's best-scored documents) against those mined with the last round's
//!   model; the mean over classes of their Jaccard overlap.
use super::results::Point;
use crate::{Error, Result};
use sacx_select::Summary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// A round's signals: `signals.json` in its directory (computed once).
pub const SIGNALS_FILE: &str = "signals.json";
/// Documents of the stop set (the whole pool when it is smaller), as in
/// Bloodgood & Vijay-Shanker's stop set of unlabelled documents.
pub const STOP_SET: usize = 1000;

/// What a user sees after a round, compared with the round before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Cohen's κ between this round's and the last round's decisions on the
    /// stop set, over every (document, class) cell; 1 is no change (0 when
    /// both models decide every cell alike, e.g. predict nothing).
    pub agreement: f64,
    /// Share of the stop set whose predicted label set changed.
    pub changed: f64,
    /// `sacx` only: mean over classes (those with motifs in either round) of
    /// the Jaccard overlap of the motifs mined with this and the last
    /// round's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword_overlap: Option<f64>,
}

impl Signals {
    /// The signals saved in `dir`, if any.
    pub fn read(dir: &Path) -> Result<Option<Signals>> {
        let path = dir.join(SIGNALS_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| Error::Json {
                path,
                what: "not a stopping-signal file of sacx simulate-al",
                source,
            })
    }

    /// Saves the signals in `dir` (atomically).
    pub fn write(&self, dir: &Path) -> Result<()> {
        crate::run::write_json(&dir.join(SIGNALS_FILE), self)
    }
}

/// The rules a simulation reports stops for, and what counts as flat.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StopRule {
    /// Stop once κ is at least this for [`StopRule::window`] rounds running.
    pub agreement: f64,
    /// Stop once the keyword overlap is at least this for
    /// [`StopRule::window`] rounds running.
    pub keyword_overlap: f64,
    /// Rounds running a signal must hold.
    pub window: usize,
    /// The curve is flat from the first round that no later round beats by
    /// more than this test macro-F1.
    pub flat_gain: f64,
}

/// The rounds at which each rule would have stopped one strategy's run of
/// one seed (`None`: not within the rounds run).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stops {
    /// By prediction agreement.
    pub predictions: Option<usize>,
    /// By keyword overlap (`sacx` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<usize>,
    /// Where the test macro-F1 curve flattened: the first round that no
    /// later round beats by more than [`StopRule::flat_gain`]; `None` when
    /// only the last round is (nothing after it to tell).
    pub flattened: Option<usize>,
}

impl StopRule {
    /// Where each rule stops the run whose rounds are `points` (round 0 first).
    pub fn stops(&self, points: &[Point]) -> Stops {
        let signal = |f: fn(&Signals) -> Option<f64>| -> Vec<Option<f64>> {
            points
                .iter()
                .map(|p| p.signals.as_ref().and_then(f))
                .collect()
        };
        Stops {
            predictions: stop_round(&signal(|s| Some(s.agreement)), self.agreement, self.window),
            keywords: stop_round(
                &signal(|s| s.keyword_overlap),
                self.keyword_overlap,
                self.window,
            ),
            flattened: flattened(points, self.flat_gain),
        }
    }
}

/// The first round `r` whose signal and those of the `window − 1` rounds
/// before it are all at least `threshold` (`values[r]`: round r's signal).
///
/// ```
/// use sacx_pipeline::simulate::stop_round;
/// let kappa = [None, Some(0.7), Some(0.995), Some(0.992)];
/// assert_eq!(stop_round(&kappa, 0.99, 1), Some(2));
/// assert_eq!(stop_round(&kappa, 0.99, 2), Some(3));
/// assert_eq!(stop_round(&kappa, 0.99, 3), None);
/// ```
pub fn stop_round(values: &[Option<f64>], threshold: f64, window: usize) -> Option<usize> {
    let window = window.max(1);
    (0..values.len()).find(|&r| {
        r + 1 >= window
            && values[r + 1 - window..=r]
                .iter()
                .all(|v| v.is_some_and(|v| v >= threshold))
    })
}

/// The first round (before the last) that no later round beats by more than
/// `gain` test macro-F1.
pub fn flattened(points: &[Point], gain: f64) -> Option<usize> {
    let last = points.len().checked_sub(1)?;
    (0..last).find(|&r| {
        let best_later = points[r + 1..]
            .iter()
            .map(|p| p.macro_f1)
            .fold(f64::NEG_INFINITY, f64::max);
        best_later - points[r].macro_f1 <= gain
    })
}

/// Each model's decision per (document, class): probability at least its
/// threshold.
pub fn decisions(probs: &[Vec<f32>], threshold: f32) -> Vec<Vec<bool>> {
    probs
        .iter()
        .map(|row| row.iter().map(|&p| p >= threshold).collect())
        .collect()
}

/// Cohen's κ of two labellings of the same (document, class) cells. Where
/// chance agreement is 1 (both models decide every cell the same constant
/// way, e.g. predict nothing) κ is undefined and counts as 0: a model that
/// predicts nothing is constant, not stable.
///
/// ```
/// use sacx_pipeline::simulate::kappa;
/// let a = vec![vec![true, false], vec![false, false]];
/// assert_eq!(kappa(&a, &a), 1.0);
/// let b = vec![vec![false, true], vec![false, false]];
/// assert!(kappa(&a, &b) < 0.0); // worse than chance
/// let nothing = vec![vec![false, false]; 2];
/// assert_eq!(kappa(&nothing, &nothing), 0.0);
/// ```
pub fn kappa(a: &[Vec<bool>], b: &[Vec<bool>]) -> f64 {
    let (mut n, mut agree, mut pos_a, mut pos_b) = (0u64, 0u64, 0u64, 0u64);
    for (x, y) in a.iter().zip(b) {
        for (&x, &y) in x.iter().zip(y) {
            n += 1;
            agree += u64::from(x == y);
            pos_a += u64::from(x);
            pos_b += u64::from(y);
        }
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let observed = agree as f64 / n;
    let (pa, pb) = (pos_a as f64 / n, pos_b as f64 / n);
    let chance = pa * pb + (1.0 - pa) * (1.0 - pb);
    if chance >= 1.0 {
        return 0.0;
    }
    (observed - chance) / (1.0 - chance)
}

/// Share of documents whose label set differs between `a` and `b`.
pub fn changed(a: &[Vec<bool>], b: &[Vec<bool>]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    let diff = a.iter().zip(b).filter(|(x, y)| x != y).count();
    diff as f64 / a.len() as f64
}

/// Mean over classes (those with motifs in either summary) of the Jaccard
/// overlap of their motif sets; `None` when no class has a motif.
pub fn motif_overlap(before: &Summary, after: &Summary) -> Option<f64> {
    let (a, b) = (before.motifs(), after.motifs());
    let classes: BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
    let overlaps: Vec<f64> = classes
        .into_iter()
        .filter_map(|c| {
            let x: BTreeSet<&str> = a.get(c).into_iter().flatten().copied().collect();
            let y: BTreeSet<&str> = b.get(c).into_iter().flatten().copied().collect();
            let union = x.union(&y).count();
            (union > 0).then(|| x.intersection(&y).count() as f64 / union as f64)
        })
        .collect();
    (!overlaps.is_empty()).then(|| overlaps.iter().sum::<f64>() / overlaps.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(round: usize, macro_f1: f64) -> Point {
        Point {
            round,
            labelled: 100 * (round + 1),
            macro_f1,
            micro_f1: macro_f1,
            signals: None,
        }
    }

    #[test]
    fn the_curve_is_flat_where_no_later_round_gains() {
        let curve: Vec<Point> = [0.1, 0.2, 0.25, 0.255, 0.258]
            .iter()
            .enumerate()
            .map(|(r, &f)| point(r, f))
            .collect();
        assert_eq!(flattened(&curve, 0.01), Some(2));
        assert_eq!(flattened(&curve, 0.001), None);
        // A dip then a rise is not flat.
        let dip: Vec<Point> = [0.1, 0.2, 0.15, 0.3]
            .iter()
            .enumerate()
            .map(|(r, &f)| point(r, f))
            .collect();
        assert_eq!(flattened(&dip, 0.01), None);
    }

    #[test]
    fn kappa_is_chance_corrected() {
        // Agreement on the majority cells only: high raw agreement, κ 0.
        let a: Vec<Vec<bool>> = (0..10).map(|i| vec![i == 0]).collect();
        let b: Vec<Vec<bool>> = (0..10).map(|i| vec![i == 1]).collect();
        let k = kappa(&a, &b);
        assert!(k < 0.0 && k > -0.2, "{k}");
        assert!((changed(&a, &b) - 0.2).abs() < 1e-12);
    }
}
