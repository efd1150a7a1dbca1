//! The agreement curve of the stability estimate and its extrapolation: how
//! the agreement of two disjoint sets of runs grows with their size, measured
//! at 1, 2, 4, … runs and carried to more runs by Spearman–Brown on a fitted
//! scale (docs/metrics.md, "Stability across seeds").
use crate::stability::spearman_brown;

/// The subset sizes of the agreement curve for halves of `half` runs: 1, 2,
/// 4, … below `half`, then `half` itself (last).
pub(crate) fn curve_sizes(half: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = std::iter::successors(Some(1usize), |m| Some(m * 2))
        .take_while(|&m| m < half)
        .collect();
    sizes.push(half);
    sizes
}

/// The exponents `γ` of the extrapolation `a_S = SB(a_h^(1/γ), S/h)^γ`,
/// fitted to the agreement curve (one for RBO, one for Jaccard).
pub(crate) struct Extrapolation {
    pub rbo: f64,
    pub jaccard: f64,
}

/// The exponents tried, `γ` in [0.05, 2] by 0.01 (`γ = 1` is Spearman–Brown).
const EXPONENTS: std::ops::RangeInclusive<u32> = 5..=200;

impl Extrapolation {
    /// Chooses each exponent so that the classes' agreements at the half
    /// size, carried *down* to each smaller size of the curve by the same
    /// formula, best match (least squares over sizes, on the means over
    /// classes) the agreements measured there. With a single size (two or
    /// three runs) there is nothing to fit: `γ = 1`.
    pub(crate) fn fit(sizes: &[usize], agreement: &[Vec<Option<(f64, f64)>>]) -> Self {
        let last = sizes.len() - 1;
        let fit_one = |pick: fn((f64, f64)) -> f64| {
            if last == 0 {
                return 1.0;
            }
            let error = |gamma: f64| {
                (0..last)
                    .map(|i| {
                        let m = sizes[i] as f64 / sizes[last] as f64;
                        let pairs: Vec<(f64, f64)> = agreement[last]
                            .iter()
                            .zip(&agreement[i])
                            .filter_map(|(h, a)| Some((pick((*h)?), pick((*a)?))))
                            .collect();
                        let n = pairs.len().max(1) as f64;
                        let predicted: f64 = pairs
                            .iter()
                            .map(|p| extrapolate(p.0, m, gamma))
                            .sum::<f64>()
                            / n;
                        let measured: f64 = pairs.iter().map(|p| p.1).sum::<f64>() / n;
                        (predicted - measured).powi(2)
                    })
                    .sum::<f64>()
            };
            EXPONENTS
                .map(|g| g as f64 / 100.0)
                .map(|g| (error(g), g))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map_or(1.0, |(_, g)| g)
        };
        Self {
            rbo: fit_one(|p| p.0),
            jaccard: fit_one(|p| p.1),
        }
    }
}

/// Agreement `a` at some number of runs carried to `m` times as many:
/// Spearman–Brown on the scale `a^(1/γ)`, `SB(a^(1/γ), m)^γ`.
pub fn extrapolate(a: f64, m: f64, gamma: f64) -> f64 {
    spearman_brown(a.clamp(0.0, 1.0).powf(1.0 / gamma), m).powf(gamma)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extrapolation_by_hand_and_exponent_one_is_spearman_brown() {
        assert!((extrapolate(0.5, 2.0, 1.0) - spearman_brown(0.5, 2.0)).abs() < 1e-12);
        // γ = 0.5: a = 0.25 → 0.0625 → SB at m = 2: 0.125 / 1.0625 → √.
        let want = (0.125f64 / 1.0625).sqrt();
        assert!((extrapolate(0.25, 2.0, 0.5) - want).abs() < 1e-12);
        // Carried down (m < 1) and back up, the agreement is unchanged.
        let down = extrapolate(0.4, 0.25, 0.4);
        assert!((extrapolate(down, 4.0, 0.4) - 0.4).abs() < 1e-9);
    }

    #[test]
    fn the_fit_recovers_the_exponent_of_an_exact_curve() {
        // Three classes whose agreements follow SB(r, n)^γ exactly, γ = 0.4.
        let sizes = [1, 2, 4, 5];
        let gamma = 0.4;
        let exact = |r: f64, n: usize| spearman_brown(r, n as f64).powf(gamma);
        let agreement: Vec<Vec<Option<(f64, f64)>>> = sizes
            .iter()
            .map(|&n| {
                [0.01, 0.03, 0.1]
                    .iter()
                    .map(|&r| Some((exact(r, n), exact(r, n))))
                    .collect()
            })
            .collect();
        let fit = Extrapolation::fit(&sizes, &agreement);
        assert!((fit.rbo - gamma).abs() < 0.011, "{}", fit.rbo);
        assert!((fit.jaccard - gamma).abs() < 0.011, "{}", fit.jaccard);
        // One size: nothing to fit, Spearman–Brown.
        let one = Extrapolation::fit(&[1], &agreement[..1]);
        assert_eq!((one.rbo, one.jaccard), (1.0, 1.0));
        assert_eq!(curve_sizes(5), [1, 2, 4, 5]);
        assert_eq!(curve_sizes(1), [1]);
    }
}
