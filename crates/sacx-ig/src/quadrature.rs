//! Quadrature rules for the path integral of Integrated Gradients.
//!
//! The nodes (`alphas`, points in `[0, 1]` along the straight path from the
//! baseline to the input) and weights (`step sizes`) are the same as Captum's
//! `captum.attr._utils.approximation_methods`, so sacx and Captum agree at equal
//! `n_steps`:
//!
//! | method | nodes `α_k`, k = 0..n-1 | weights `w_k` |
//! | --- | --- | --- |
//! | Gauss–Legendre | `(1 + x_k) / 2`, `x_k` the roots of the Legendre polynomial `P_n` (ascending) | `v_k / 2`, `v_k` the Gauss–Legendre weights on `[-1, 1]` |
//! | Riemann left | `k / n` | `1 / n` |
//! | Riemann right | `(k + 1) / n` | `1 / n` |
//! | Riemann middle | `(k + 1/2) / n` | `1 / n` |
//! | Riemann trapezoid | `k / (n - 1)` | `1 / (2(n-1))` at both ends, `1 / (n-1)` inside |
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the path integral is approximated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Gauss–Legendre quadrature (Captum's `gausslegendre`, the default): exact
    /// for polynomials of degree `2n - 1` along the path.
    #[default]
    GaussLegendre,
    /// Left Riemann sum (`riemann_left`).
    RiemannLeft,
    /// Right Riemann sum (`riemann_right`).
    RiemannRight,
    /// Midpoint Riemann sum (`riemann_middle`).
    RiemannMiddle,
    /// Trapezoid rule (`riemann_trapezoid`); needs at least 2 steps.
    RiemannTrapezoid,
}

impl Method {
    /// All methods, in documentation order.
    pub const ALL: [Method; 5] = [
        Method::GaussLegendre,
        Method::RiemannLeft,
        Method::RiemannRight,
        Method::RiemannMiddle,
        Method::RiemannTrapezoid,
    ];

    /// The command-line name of the method.
    pub fn name(self) -> &'static str {
        match self {
            Method::GaussLegendre => "gausslegendre",
            Method::RiemannLeft => "riemann-left",
            Method::RiemannRight => "riemann-right",
            Method::RiemannMiddle => "riemann-middle",
            Method::RiemannTrapezoid => "riemann-trapezoid",
        }
    }

    /// Nodes and weights for `n` steps (`n >= 1`, `n >= 2` for the trapezoid;
    /// fewer is [`crate::Error::InvalidParameter`]).
    pub fn rule(self, n: usize) -> crate::Result<Rule> {
        if n < self.min_steps() {
            return Err(crate::Error::param(
                "n_steps",
                n,
                format!("at least {} for {self}", self.min_steps()),
            ));
        }
        let nf = n as f64;
        let (alphas, weights): (Vec<f64>, Vec<f64>) = match self {
            Method::GaussLegendre => {
                let (x, w) = gauss_legendre(n);
                (
                    x.iter().map(|x| 0.5 * (x + 1.0)).collect(),
                    w.iter().map(|w| 0.5 * w).collect(),
                )
            }
            Method::RiemannLeft => ((0..n).map(|k| k as f64 / nf).collect(), vec![1.0 / nf; n]),
            Method::RiemannRight => ((1..=n).map(|k| k as f64 / nf).collect(), vec![1.0 / nf; n]),
            Method::RiemannMiddle => (
                (0..n).map(|k| (k as f64 + 0.5) / nf).collect(),
                vec![1.0 / nf; n],
            ),
            Method::RiemannTrapezoid => {
                let h = 1.0 / (nf - 1.0);
                let alphas = (0..n).map(|k| k as f64 * h).collect();
                let weights = (0..n)
                    .map(|k| if k == 0 || k == n - 1 { 0.5 * h } else { h })
                    .collect();
                (alphas, weights)
            }
        };
        Ok(Rule { alphas, weights })
    }

    /// The smallest number of steps the method accepts.
    pub fn min_steps(self) -> usize {
        if self == Method::RiemannTrapezoid {
            2
        } else {
            1
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.to_ascii_lowercase().replace('_', "-");
        Method::ALL
            .into_iter()
            .find(|m| m.name() == norm || (norm == "gauss-legendre" && *m == Method::GaussLegendre))
            .ok_or_else(|| {
                format!(
                    "unknown integration method '{s}'; expected one of: {}",
                    Method::ALL.map(|m| m.name()).join(", ")
                )
            })
    }
}

/// Quadrature nodes and weights on `[0, 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Points along the path, `α_k ∈ [0, 1]`.
    pub alphas: Vec<f64>,
    /// Weight of each point; they sum to 1.
    pub weights: Vec<f64>,
}

/// Gauss–Legendre nodes (ascending) and weights on `[-1, 1]`, by Newton's
/// iteration on the three-term recurrence of the Legendre polynomials (as
/// `numpy.polynomial.legendre.leggauss`, to about 1e-15).
pub(crate) fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let m = n.div_ceil(2);
    for i in 0..m {
        // Tricomi's initial guess for the i-th largest root.
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            let (p, d) = legendre(n, x);
            dp = d;
            let dx = p / d;
            x -= dx;
            if dx.abs() < 1e-16 {
                break;
            }
        }
        let (_, d) = legendre(n, x);
        if d != 0.0 {
            dp = d;
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        nodes[n - 1 - i] = x;
        nodes[i] = -x;
        weights[n - 1 - i] = w;
        weights[i] = w;
    }
    if n % 2 == 1 {
        nodes[n / 2] = 0.0;
    }
    (nodes, weights)
}

/// `P_n(x)` and `P_n'(x)`.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 2..=n {
        let kf = k as f64;
        let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
        p0 = p1;
        p1 = p2;
    }
    let dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, dp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_matches_known_values() {
        // n = 3: nodes ±sqrt(3/5), 0; weights 5/9, 8/9, 5/9.
        let (x, w) = gauss_legendre(3);
        let r = (0.6f64).sqrt();
        for (a, b) in x.iter().zip([-r, 0.0, r]) {
            assert!((a - b).abs() < 1e-15, "{x:?}");
        }
        for (a, b) in w.iter().zip([5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0]) {
            assert!((a - b).abs() < 1e-15, "{w:?}");
        }
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        for n in [1usize, 2, 5, 16, 50, 64, 200] {
            let rule = Method::GaussLegendre.rule(n).unwrap();
            let sum: f64 = rule.weights.iter().sum();
            assert!((sum - 1.0).abs() < 1e-13, "n={n} weights sum {sum}");
            // ∫_0^1 x^(2n-1) dx = 1 / 2n
            let deg = (2 * n - 1) as i32;
            let integral: f64 = rule
                .alphas
                .iter()
                .zip(&rule.weights)
                .map(|(a, w)| w * a.powi(deg))
                .sum();
            assert!(
                (integral - 1.0 / (2 * n) as f64).abs() < 1e-12,
                "n={n}: {integral}"
            );
            assert!(rule.alphas.windows(2).all(|p| p[0] < p[1]), "ascending");
        }
    }

    #[test]
    fn riemann_rules_match_captum_definitions() {
        let left = Method::RiemannLeft.rule(4).unwrap();
        assert_eq!(left.alphas, vec![0.0, 0.25, 0.5, 0.75]);
        assert_eq!(left.weights, vec![0.25; 4]);
        assert_eq!(
            Method::RiemannRight.rule(4).unwrap().alphas,
            vec![0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(
            Method::RiemannMiddle.rule(4).unwrap().alphas,
            vec![0.125, 0.375, 0.625, 0.875]
        );
        let trap = Method::RiemannTrapezoid.rule(5).unwrap();
        assert_eq!(trap.alphas, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(trap.weights, vec![0.125, 0.25, 0.25, 0.25, 0.125]);
    }

    #[test]
    fn method_names_round_trip() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
        }
        assert!(
            "simpson"
                .parse::<Method>()
                .unwrap_err()
                .contains("gausslegendre")
        );
    }
}
