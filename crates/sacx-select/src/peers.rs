//! The selection strategies of the active-learning field, scored on a
//! probability matrix, so that sacx's own mix can be measured against them
//! (docs/metrics.md, "Peer strategies").
//!
//! Each strategy gives every unlabelled document a score, higher asked first;
//! [`top_n`] takes the best. The definitions are small-text's (1.4.1; label
//! cardinality inconsistency from its 2.0 release), applied to the ensemble's
//! per-class probabilities as small-text applies them to a multi-label
//! classifier's `predict_proba`, with the run's class thresholds where
//! small-text uses 0.5. `tests/small_text_parity.rs` checks scores and
//! choices against small-text itself.
use crate::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt;
use std::str::FromStr;

/// A selection strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// sacx's mix: per class exploit, keyword-lift explore and uncertainty
    /// ([`crate::select`]); the default.
    Sacx,
    /// Documents drawn uniformly at random (seeded).
    Random,
    /// Lowest highest-class probability, `max_j p_j` (Lewis & Gale 1994).
    LeastConfidence,
    /// Highest entropy of the probabilities normalised to sum 1 (Holub et al. 2008).
    PredictionEntropy,
    /// Smallest margin between the two most probable classes (Luo et al. 2005).
    BreakingTies,
    /// Category vector inconsistency and ranking of scores (Reyes et al. 2018),
    /// as small-text computes it.
    Cvirs,
    /// Label cardinality inconsistency: `|#predicted labels − mean #labels of
    /// the labelled documents|` (Li & Guo 2013).
    LabelCardinality,
    /// The seed models as a committee: mean over classes of the variance of
    /// the members' probabilities.
    Committee,
}

impl Strategy {
    /// Every strategy, in the order of the documentation.
    pub const ALL: [Strategy; 8] = [
        Strategy::Sacx,
        Strategy::Random,
        Strategy::LeastConfidence,
        Strategy::PredictionEntropy,
        Strategy::BreakingTies,
        Strategy::Cvirs,
        Strategy::LabelCardinality,
        Strategy::Committee,
    ];

    /// The strategy's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sacx => "sacx",
            Strategy::Random => "random",
            Strategy::LeastConfidence => "least-confidence",
            Strategy::PredictionEntropy => "prediction-entropy",
            Strategy::BreakingTies => "breaking-ties",
            Strategy::Cvirs => "cvirs",
            Strategy::LabelCardinality => "label-cardinality",
            Strategy::Committee => "committee",
        }
    }

    /// Whether the strategy reads the labels of the labelled documents.
    pub fn needs_labelled(self) -> bool {
        matches!(self, Strategy::Cvirs | Strategy::LabelCardinality)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Strategy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Strategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Strategy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Strategy::ALL
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| Error::Strategy {
                value: s.to_string(),
                expected: Strategy::ALL
                    .iter()
                    .map(|st| st.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// What a peer strategy scores.
#[derive(Clone, Copy, Debug)]
pub struct PeerInput<'a> {
    /// Per unlabelled document, one probability per class (the ensemble's
    /// mean).
    pub probs: &'a [Vec<f32>],
    /// Per class, the decision threshold (a class is predicted above it).
    pub thresholds: &'a [f32],
    /// Per labelled document, its classes (indices into the columns of
    /// `probs`): CVIRS and label cardinality compare with them.
    pub labelled: &'a [Vec<u32>],
    /// Per committee member, its probabilities in the layout of `probs`
    /// (the committee strategy).
    pub members: &'a [Vec<Vec<f32>>],
    /// Seed of the random strategy.
    pub seed: u64,
}

/// Every document's score under `strategy`, higher asked first. [`Strategy::Sacx`]
/// is not a score (it is a per-class mix, [`crate::select`]) and is refused.
///
/// ```
/// use sacx_select::{PeerInput, Strategy, peer_scores, top_n};
/// let probs = vec![vec![0.9, 0.1], vec![0.55, 0.5], vec![0.2, 0.1]];
/// let input = PeerInput { probs: &probs, thresholds: &[0.5, 0.5], labelled: &[],
///     members: &[], seed: 1 };
/// let scores = peer_scores(Strategy::BreakingTies, &input)?;
/// assert_eq!(top_n(&scores, 1), [1]); // 0.55 against 0.5: the closest call
/// # Ok::<(), sacx_select::Error>(())
/// ```
pub fn peer_scores(strategy: Strategy, input: &PeerInput<'_>) -> Result<Vec<f64>> {
    let rows = input.probs;
    Ok(match strategy {
        Strategy::Sacx => {
            return Err(Error::Strategy {
                value: "sacx".into(),
                expected: "a peer strategy (sacx's mix is `select`)".into(),
            });
        }
        Strategy::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(input.seed);
            rows.iter().map(|_| rng.random::<f64>()).collect()
        }
        Strategy::LeastConfidence => rows.iter().map(|p| -max(p)).collect(),
        Strategy::PredictionEntropy => rows.iter().map(|p| entropy(p)).collect(),
        Strategy::BreakingTies => rows.iter().map(|p| -margin(p)).collect(),
        Strategy::Cvirs => cvirs(input, labelled_sets(input)?),
        Strategy::LabelCardinality => {
            let sets = labelled_sets(input)?;
            let mean = sets.iter().map(|s| s.len() as f64).sum::<f64>() / sets.len() as f64;
            rows.iter()
                .map(|p| (predicted(p, input.thresholds).count() as f64 - mean).abs())
                .collect()
        }
        Strategy::Committee => committee(input)?,
    })
}

/// The indices of the `n` highest scores, best first; equal scores go to the
/// earlier document.
///
/// ```
/// assert_eq!(sacx_select::top_n(&[0.1, 0.7, 0.7, 0.3], 2), [1, 2]);
/// ```
pub fn top_n(scores: &[f64], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order.truncate(n);
    order
}

fn labelled_sets<'a>(input: &PeerInput<'a>) -> Result<&'a [Vec<u32>]> {
    if input.labelled.is_empty() {
        return Err(Error::Strategy {
            value: "cvirs or label-cardinality without labelled documents".into(),
            expected: "the labels of the documents labelled so far (--labelled)".into(),
        });
    }
    Ok(input.labelled)
}

fn max(p: &[f32]) -> f64 {
    p.iter()
        .map(|&x| f64::from(x))
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Entropy (nats) of `p` normalised to sum 1, as `scipy.stats.entropy`; 0 for
/// an all-zero row.
fn entropy(p: &[f32]) -> f64 {
    let sum: f64 = p.iter().map(|&x| f64::from(x)).sum();
    if sum <= 0.0 {
        return 0.0;
    }
    -p.iter()
        .map(|&x| f64::from(x) / sum)
        .filter(|&q| q > 0.0)
        .map(|q| q * q.ln())
        .sum::<f64>()
}

/// Highest minus second-highest probability (the highest alone with one class).
fn margin(p: &[f32]) -> f64 {
    let (mut first, mut second) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &x in p {
        let x = f64::from(x);
        if x > first {
            second = first;
            first = x;
        } else if x > second {
            second = x;
        }
    }
    if second == f64::NEG_INFINITY {
        first
    } else {
        first - second
    }
}

/// The classes predicted for one document (probability above the threshold).
fn predicted<'a>(p: &'a [f32], thresholds: &'a [f32]) -> impl Iterator<Item = usize> + 'a {
    p.iter()
        .zip(thresholds)
        .enumerate()
        .filter(|(_, (x, t))| x > t)
        .map(|(j, _)| j)
}

/// small-text's batch size for the vector inconsistency of CVIRS: its sums
/// are divided by the size of the batch a document falls in.
const CVIRS_BATCH: usize = 2048;

/// CVIRS as small-text computes it: (mean Hamming distance between the
/// document's predicted label vector and each labelled document's, summed
/// over the labelled documents and divided by the size of its batch of
/// 2,048) × (a ranking term over the per-class margins `|p_j − Σ_k p_k|`).
fn cvirs(input: &PeerInput<'_>, labelled: &[Vec<u32>]) -> Vec<f64> {
    let (rows, classes) = (input.probs, input.thresholds.len());
    let n = rows.len();
    if n == 0 {
        return Vec::new();
    }
    // Labelled documents per class: a predicted class differs from the
    // labelled documents without it, an unpredicted one from those with it.
    let mut with = vec![0usize; classes];
    for set in labelled {
        for &c in set {
            if let Some(w) = with.get_mut(c as usize) {
                *w += 1;
            }
        }
    }
    let total = labelled.len();
    let batches = n.div_ceil(CVIRS_BATCH);
    let (small, extra) = (n / batches, n % batches);
    let batch_size = |i: usize| {
        // numpy.array_split: the first `extra` batches have one more.
        if i < extra * (small + 1) {
            small + 1
        } else {
            small
        }
    };
    let inconsistency = rows.iter().enumerate().map(|(i, p)| {
        let mut pred = vec![false; classes];
        for j in predicted(p, input.thresholds) {
            pred[j] = true;
        }
        let differ: usize = (0..classes)
            .map(|j| if pred[j] { total - with[j] } else { with[j] })
            .sum();
        differ as f64 / classes as f64 / batch_size(i) as f64
    });
    // small-text's ranking term: for class j it sorts the documents by margin
    // and adds `n − order_j[i]` at position i (the index of the document in
    // sorted place i, not document i's place).
    let sums: Vec<f64> = rows
        .iter()
        .map(|p| p.iter().map(|&x| f64::from(x)).sum())
        .collect();
    let mut ranking = vec![0f64; n];
    let mut order: Vec<usize> = (0..n).collect();
    for j in 0..classes {
        let margin = |d: usize| (f64::from(rows[d].get(j).copied().unwrap_or(0.0)) - sums[d]).abs();
        order.sort_by(|&a, &b| margin(a).total_cmp(&margin(b)).then(a.cmp(&b)));
        for (place, &doc) in order.iter().enumerate() {
            ranking[place] += (n - doc) as f64;
        }
    }
    let denominator = (classes * n.saturating_sub(1)).max(1) as f64;
    inconsistency
        .zip(ranking)
        .map(|(v, r)| v * (r / denominator))
        .collect()
}

/// Mean over classes of the population variance of the members' probabilities.
fn committee(input: &PeerInput<'_>) -> Result<Vec<f64>> {
    let members = input.members;
    if members.len() < 2 {
        return Err(Error::Strategy {
            value: format!("committee with {} member(s)", members.len()),
            expected: "at least two models (seeds)".into(),
        });
    }
    let (n, classes) = (input.probs.len(), input.thresholds.len());
    if let Some(bad) = members
        .iter()
        .position(|m| m.len() != n || m.iter().any(|r| r.len() != classes))
    {
        return Err(Error::Strategy {
            value: format!("committee member {bad} has another shape"),
            expected: format!("{n} documents × {classes} classes, as the pool"),
        });
    }
    let m = members.len() as f64;
    Ok((0..n)
        .map(|i| {
            (0..classes)
                .map(|j| {
                    let mean = members.iter().map(|r| f64::from(r[i][j])).sum::<f64>() / m;
                    members
                        .iter()
                        .map(|r| (f64::from(r[i][j]) - mean).powi(2))
                        .sum::<f64>()
                        / m
                })
                .sum::<f64>()
                / classes.max(1) as f64
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(probs: &'a [Vec<f32>], labelled: &'a [Vec<u32>]) -> PeerInput<'a> {
        PeerInput {
            probs,
            thresholds: &[0.5, 0.5, 0.5],
            labelled,
            members: &[],
            seed: 7,
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for s in Strategy::ALL {
            assert_eq!(s.name().parse::<Strategy>().unwrap(), s);
        }
        let e = "qbc".parse::<Strategy>().unwrap_err().to_string();
        assert!(e.contains("qbc") && e.contains("breaking-ties"), "{e}");
    }

    #[test]
    fn confidence_scores_by_hand() {
        let probs = vec![vec![0.9, 0.2, 0.1], vec![0.4, 0.3, 0.3]];
        let i = input(&probs, &[]);
        let lc = peer_scores(Strategy::LeastConfidence, &i).unwrap();
        assert_eq!(top_n(&lc, 1), [1]);
        let bt = peer_scores(Strategy::BreakingTies, &i).unwrap();
        assert!((bt[0] + 0.7).abs() < 1e-6 && (bt[1] + 0.1).abs() < 1e-6);
        let h = peer_scores(Strategy::PredictionEntropy, &i).unwrap();
        // [0.4, 0.3, 0.3]: −(0.4 ln 0.4 + 2 · 0.3 ln 0.3).
        let want = -(0.4f64 * 0.4f64.ln() + 0.6 * 0.3f64.ln());
        assert!((h[1] - want).abs() < 1e-6, "{}", h[1]);
    }

    #[test]
    fn label_cardinality_and_cvirs_need_labelled_documents() {
        let probs = vec![vec![0.9, 0.8, 0.1], vec![0.1, 0.2, 0.3]];
        let labelled = vec![vec![0], vec![1], vec![0, 2]];
        // Mean cardinality 4/3: two predicted → 2/3, none → 4/3.
        let lci = peer_scores(Strategy::LabelCardinality, &input(&probs, &labelled)).unwrap();
        assert!((lci[0] - 2.0 / 3.0).abs() < 1e-12 && (lci[1] - 4.0 / 3.0).abs() < 1e-12);
        for s in [Strategy::Cvirs, Strategy::LabelCardinality] {
            let e = peer_scores(s, &input(&probs, &[])).unwrap_err().to_string();
            assert!(e.contains("--labelled"), "{e}");
        }
    }

    #[test]
    fn the_committee_scores_disagreement() {
        let probs = vec![vec![0.5, 0.5, 0.5]; 2];
        let members = vec![
            vec![vec![0.9, 0.5, 0.5], vec![0.5, 0.5, 0.5]],
            vec![vec![0.1, 0.5, 0.5], vec![0.5, 0.5, 0.5]],
        ];
        let mut i = input(&probs, &[]);
        assert!(peer_scores(Strategy::Committee, &i).is_err());
        i.members = &members;
        let s = peer_scores(Strategy::Committee, &i).unwrap();
        // Class 0 of document 0: variance 0.16, over three classes.
        assert!((s[0] - 0.16 / 3.0).abs() < 1e-6 && s[1] == 0.0);
    }
}
