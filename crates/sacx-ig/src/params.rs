//! Attribution parameters: a validated struct with documented defaults, built by
//! [`IgParamsBuilder`].
use crate::quadrature::Method;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What the path starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Baseline {
    /// The padding token's embedding at every position that is not a special
    /// token (special tokens keep their own embedding). The default.
    Pad,
    /// Zero vectors at every position that is not a special token.
    Zero,
    /// One token's embedding at every non-special position (the original
    /// pipeline used `-`). Needs the tokenizer to resolve it to an id.
    Token(String),
    /// The average of the attributions over `k` baselines of uniformly random
    /// (non-special) token ids, seeded per document.
    Random {
        /// Number of random baselines (1..=64).
        k: usize,
        /// Seed of the random ids (combined with the document's position).
        seed: u64,
    },
}

impl fmt::Display for Baseline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Baseline::Pad => f.write_str("pad"),
            Baseline::Zero => f.write_str("zero"),
            Baseline::Token(t) => write!(f, "token:{t}"),
            Baseline::Random { k, seed } => write!(f, "random:{k}:{seed}"),
        }
    }
}

impl FromStr for Baseline {
    type Err = String;
    /// `pad`, `zero`, `token:<text>`, `random:<k>` or `random:<k>:<seed>`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || {
            format!(
                "unknown baseline '{s}'; expected pad, zero, token:<text> or random:<k>[:<seed>]"
            )
        };
        match s {
            "pad" => Ok(Baseline::Pad),
            "zero" => Ok(Baseline::Zero),
            _ => {
                if let Some(t) = s.strip_prefix("token:") {
                    return if t.is_empty() {
                        Err(bad())
                    } else {
                        Ok(Baseline::Token(t.to_string()))
                    };
                }
                let rest = s.strip_prefix("random:").ok_or_else(bad)?;
                let mut parts = rest.split(':');
                let k = parts.next().and_then(|k| k.parse().ok()).ok_or_else(bad)?;
                let seed = match parts.next() {
                    Some(x) => x.parse().map_err(|_| bad())?,
                    None => 0,
                };
                if parts.next().is_some() {
                    return Err(bad());
                }
                Ok(Baseline::Random { k, seed })
            }
        }
    }
}

/// Which classes of a document are explained.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetPolicy {
    /// The document's gold labels and every class predicted above the threshold
    /// (default): every class with documents gets explanations, however rarely the
    /// models predict it, and false positives are explained too.
    #[default]
    GoldOrPredicted,
    /// Classes whose predicted probability exceeds the threshold.
    Predicted,
    /// The document's gold labels.
    Gold,
    /// Gold labels that are also predicted.
    TruePositive,
    /// Every class.
    All,
}

impl FromStr for TargetPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "gold-or-predicted" | "union" => Ok(Self::GoldOrPredicted),
            "predicted" => Ok(Self::Predicted),
            "gold" => Ok(Self::Gold),
            "true-positive" => Ok(Self::TruePositive),
            "all" => Ok(Self::All),
            _ => Err(format!(
                "unknown target policy '{s}'; expected gold-or-predicted, predicted, gold, true-positive or all"
            )),
        }
    }
}

/// Normalisation of a pair's token attributions before merging into words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Normalize {
    /// Divide by the L2 norm over the document's (non-special) tokens, as the
    /// original pipeline did (default).
    #[default]
    L2,
    /// Keep raw attributions.
    None,
}

impl FromStr for Normalize {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "l2" => Ok(Self::L2),
            "none" => Ok(Self::None),
            _ => Err(format!("unknown normalisation '{s}'; expected l2 or none")),
        }
    }
}

/// How the tokens of one word combine into the word's score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WordMerge {
    /// The token score with the largest absolute value, sign kept (the
    /// original's rule; default).
    #[default]
    AbsMax,
    /// The sum of the token scores.
    Sum,
    /// The mean of the token scores.
    Mean,
}

impl fmt::Display for TargetPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetPolicy::GoldOrPredicted => "gold-or-predicted",
            TargetPolicy::Predicted => "predicted",
            TargetPolicy::Gold => "gold",
            TargetPolicy::TruePositive => "true-positive",
            TargetPolicy::All => "all",
        })
    }
}

impl fmt::Display for Normalize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Normalize::L2 => "l2",
            Normalize::None => "none",
        })
    }
}

impl fmt::Display for WordMerge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WordMerge::AbsMax => "abs-max",
            WordMerge::Sum => "sum",
            WordMerge::Mean => "mean",
        })
    }
}

impl FromStr for WordMerge {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "abs-max" | "absmax" => Ok(Self::AbsMax),
            "sum" => Ok(Self::Sum),
            "mean" => Ok(Self::Mean),
            _ => Err(format!(
                "unknown word merge '{s}'; expected abs-max, sum or mean"
            )),
        }
    }
}

crate::builder::params! {
    /// Integrated Gradients parameters, valid by construction: build with
    /// [`IgParams::builder`] (or deserialize a `params.json`; the same checks
    /// apply), so an [`crate::Explainer`] never receives unchecked values.
    ///
    /// ```
    /// use sacx_ig::{IgParams, Method};
    /// let p = IgParams::builder().n_steps(32).method(Method::RiemannMiddle).build()?;
    /// assert_eq!((p.n_steps(), p.max_batch_tokens()), (32, 65_536));
    /// assert!(IgParams::builder().n_steps(0).build().is_err());
    /// # Ok::<(), sacx_ig::Error>(())
    /// ```
    pub struct IgParams, builder IgParamsBuilder, raw IgParamsRaw = "IgParamsRaw",
    check IgParams::check {
        /// Quadrature steps per pair (default 50; 1..=4096, at least 2 for the trapezoid rule).
        copy n_steps: usize = 50,
        /// Quadrature rule (default Gauss–Legendre).
        copy method: Method = Method::GaussLegendre,
        /// Baseline (default `pad`; `random:<k>` with k in 1..=64).
        manual baseline: Baseline = Baseline::Pad,
        /// Which classes are explained (default `gold-or-predicted`).
        copy targets: TargetPolicy = TargetPolicy::GoldOrPredicted,
        /// Probability above which a class counts as predicted (default 0.5; in (0, 1)).
        copy threshold: f32 = 0.5,
        /// Token normalisation (default L2).
        copy normalize: Normalize = Normalize::L2,
        /// Token-to-word merge (default abs-max).
        copy merge: WordMerge = WordMerge::AbsMax,
        /// Memory budget of one model call, in token-steps: the sum over the pairs'
        /// documents in a batch of `steps × padded length` (default 65,536; at least
        /// 512). Larger is faster until memory runs out.
        copy max_batch_tokens: usize = 65_536,
        /// Tolerance mode: pairs whose relative completeness gap exceeds this are
        /// recomputed with twice the steps, up to `max_steps` (default off; positive).
        copy tolerance: Option<f64> = None,
        /// The most steps tolerance mode may use (default 400; `n_steps..=4096`).
        copy max_steps: usize = 400,
    }
}

impl IgParams {
    /// The baseline the paths start from.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Checks every range.
    fn check(&self) -> Result<()> {
        let p = self;
        if p.n_steps < p.method.min_steps() || p.n_steps > 4096 {
            return Err(Error::param(
                "n_steps",
                p.n_steps,
                format!("{}..=4096 for {}", p.method.min_steps(), p.method),
            ));
        }
        if !(p.threshold > 0.0 && p.threshold < 1.0) {
            return Err(Error::param(
                "threshold",
                p.threshold,
                "a probability strictly between 0 and 1",
            ));
        }
        if p.max_batch_tokens < 512 {
            return Err(Error::param(
                "max_batch_tokens",
                p.max_batch_tokens,
                "at least 512",
            ));
        }
        if let Some(t) = p.tolerance {
            if !(t > 0.0 && t.is_finite()) {
                return Err(Error::param(
                    "tolerance",
                    t,
                    "a positive number such as 0.01",
                ));
            }
            if p.max_steps < p.n_steps || p.max_steps > 4096 {
                return Err(Error::param(
                    "max_steps",
                    p.max_steps,
                    format!("{}..=4096 (at least n_steps)", p.n_steps),
                ));
            }
        }
        if let Baseline::Random { k, .. } = p.baseline
            && !(1..=64).contains(&k)
        {
            return Err(Error::param(
                "baseline",
                &p.baseline,
                "random:<k> with k in 1..=64",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let p = IgParams::builder().build().unwrap();
        assert_eq!(p, IgParams::default());
        assert_eq!(
            (p.n_steps(), p.threshold(), p.max_batch_tokens()),
            (50, 0.5, 65_536)
        );
    }

    #[test]
    fn out_of_range_values_are_rejected_with_their_value() {
        let e = IgParams::builder()
            .n_steps(0)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("n_steps") && e.contains('0'), "{e}");
        let e = IgParams::builder()
            .threshold(1.0)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("threshold"), "{e}");
        let e = IgParams::builder()
            .method(Method::RiemannTrapezoid)
            .n_steps(1)
            .build();
        assert!(e.is_err());
        let e = IgParams::builder()
            .tolerance(Some(0.01))
            .n_steps(64)
            .max_steps(32)
            .build();
        assert!(e.unwrap_err().to_string().contains("max_steps"));
    }

    #[test]
    fn deserializing_validates_like_the_builder() {
        let p = IgParams::builder().n_steps(8).build().unwrap();
        let json = serde_json::to_string(&p).unwrap();
        let back: IgParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let zero = json.replace("\"n_steps\":8", "\"n_steps\":0");
        let e = serde_json::from_str::<IgParams>(&zero)
            .unwrap_err()
            .to_string();
        assert!(e.contains("n_steps = 0 is invalid"), "{e}");
        let trap = json.replace("\"gauss-legendre\"", "\"riemann-trapezoid\"");
        let one = trap.replace("\"n_steps\":8", "\"n_steps\":1");
        assert!(serde_json::from_str::<IgParams>(&one).is_err());
    }

    #[test]
    fn baselines_parse() {
        assert_eq!("pad".parse::<Baseline>().unwrap(), Baseline::Pad);
        assert_eq!(
            "token:-".parse::<Baseline>().unwrap(),
            Baseline::Token("-".into())
        );
        assert_eq!(
            "random:5".parse::<Baseline>().unwrap(),
            Baseline::Random { k: 5, seed: 0 }
        );
        assert_eq!(
            "random:5:9".parse::<Baseline>().unwrap(),
            Baseline::Random { k: 5, seed: 9 }
        );
        assert!("token:".parse::<Baseline>().is_err());
        assert!(
            "mask"
                .parse::<Baseline>()
                .unwrap_err()
                .contains("expected pad")
        );
    }
}
