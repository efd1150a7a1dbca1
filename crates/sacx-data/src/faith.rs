//! The record that faithfulness measurements of keyword sets are summed in: made by
//! `sacx-ig` (which runs the models), read by `sacx-aggregate` (which reports it).
//! Formulas in `docs/metrics.md`.

/// Sums over (document, class) pairs of one keyword set and class; merge across runs
/// with [`FaithSums::add`]; means are the sums divided by `n`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FaithSums {
    /// Pairs summed.
    pub n: u64,
    /// Σ p_c(d).
    pub full_prob: f64,
    /// Σ (p_c(d) − p_c(d \ K_c)).
    pub drop_prob: f64,
    /// Σ (z_c(d) − z_c(d \ K_c)).
    pub drop_logit: f64,
    /// Σ p_c(d ∩ K_c).
    pub only_prob: f64,
}

impl FaithSums {
    /// Adds another tally (another run's documents).
    pub fn add(&mut self, other: &FaithSums) {
        self.n += other.n;
        self.full_prob += other.full_prob;
        self.drop_prob += other.drop_prob;
        self.drop_logit += other.drop_logit;
        self.only_prob += other.only_prob;
    }
}
