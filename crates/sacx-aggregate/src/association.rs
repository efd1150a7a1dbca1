//! How strongly the corpus ties a word to a class, with no stop-word list: the
//! corpus factor of the `contrast` ranking (formulas in `docs/metrics.md`, §1).
use crate::counts::ClassCounts;
use crate::params::Association;
use std::collections::HashMap;

/// Pooled document counts of a [`ClassCounts`]: per word the sum of its class
/// document frequencies, and the sum of the class sizes. A document with two
/// labels counts once in each class, as in the baselines' class-vs-rest tables.
pub(crate) struct CorpusAssociation<'a> {
    counts: &'a ClassCounts,
    kind: Association,
    pooled: HashMap<&'a str, u64>,
    pooled_docs: u64,
    /// Per class, its document count (classes in `counts`' sorted order).
    classes: Vec<(&'a str, u64)>,
}

impl<'a> CorpusAssociation<'a> {
    /// Pools `counts` once; [`CorpusAssociation::weight`] then answers per pair.
    pub fn new(counts: &'a ClassCounts, kind: Association) -> Self {
        let mut pooled: HashMap<&str, u64> = HashMap::new();
        let mut pooled_docs = 0;
        let mut classes = Vec::new();
        for (class, cc) in counts.classes() {
            for (w, &n) in &cc.df {
                *pooled.entry(w.as_str()).or_default() += n;
            }
            pooled_docs += cc.n_docs;
            classes.push((class, cc.n_docs));
        }
        Self {
            counts,
            kind,
            pooled,
            pooled_docs,
            classes,
        }
    }

    /// The association of `word` with `class`, in [0, 1]: 0 for a word the
    /// corpus spreads over the classes as it spreads documents (a function word of
    /// any language), towards 1 for a word found in the class's documents only.
    /// A class or word the counts do not know gets 1 (nothing to say against it).
    pub fn weight(&self, class: &str, word: &str) -> f64 {
        let Some(cc) = self.counts.class(class) else {
            return 1.0;
        };
        let a = cc.df.get(word).copied().unwrap_or(0) as f64;
        let all = self.pooled.get(word).copied().unwrap_or(0) as f64;
        if all == 0.0 {
            return 1.0;
        }
        match self.kind {
            Association::RelativeRisk | Association::RelativeRiskBound => {
                let n_c = cc.n_docs as f64;
                let (b, n_r) = (all - a, (self.pooled_docs - cc.n_docs) as f64);
                let z = if self.kind == Association::RelativeRiskBound {
                    Z_95
                } else {
                    0.0
                };
                excess_share(a, n_c, b, n_r, z)
            }
            Association::Entropy => 1.0 - self.normalised_entropy(word),
            Association::Phi => {
                let n_c = cc.n_docs as f64;
                let (b, n_r) = (all - a, (self.pooled_docs - cc.n_docs) as f64);
                phi(a, n_c, b, n_r)
            }
        }
    }

    /// The entropy of the word's class distribution — each class's share of the
    /// word's document rate `DF_o(w) / N_o` — over the log of the number of
    /// classes with documents.
    fn normalised_entropy(&self, word: &str) -> f64 {
        let rates: Vec<f64> = self
            .classes
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| self.counts.df(c, word) as f64 / *n as f64)
            .collect();
        let total: f64 = rates.iter().sum();
        if rates.len() < 2 || total <= 0.0 {
            return 0.0;
        }
        let h: f64 = rates
            .iter()
            .filter(|&&r| r > 0.0)
            .map(|&r| {
                let q = r / total;
                -q * q.ln()
            })
            .sum();
        h / (rates.len() as f64).ln()
    }
}

/// The phi coefficient of the class-vs-rest document table (`a` of `n_c` class
/// documents hold the word, `b` of `n_r` others), floored at 0: `φ² · N` is
/// Pearson's χ², so ranking by φ ranks by χ².
pub(crate) fn phi(a: f64, n_c: f64, b: f64, n_r: f64) -> f64 {
    let (c, d) = (n_c - a, n_r - b);
    let den = (a + b) * (c + d) * n_c * n_r;
    if den <= 0.0 {
        return 0.0;
    }
    ((a * d - b * c) / den.sqrt()).max(0.0)
}

/// The one-sided 95 % normal quantile of the relative risk's lower bound.
pub(crate) const Z_95: f64 = 1.6448536269514722;

/// `1 − 1/RR`, floored at 0, where RR is the relative risk of the word in the
/// class against the rest, `(a / n_c) / (b / n_r)`, with the Haldane–Anscombe
/// half-count added to every cell so that empty cells stay finite: the share of
/// the word's rate in the class that is above its rate elsewhere. With `z > 0`,
/// RR is the lower confidence bound `RR · exp(−z · SE)`, `SE² = 1/a − 1/n_c +
/// 1/b − 1/n_r` (half-counts added), so that a word seen in few documents must
/// be far more frequent in the class to count.
pub(crate) fn excess_share(a: f64, n_c: f64, b: f64, n_r: f64, z: f64) -> f64 {
    let (a, n_c, b, n_r) = (a + 0.5, n_c + 0.5, b + 0.5, n_r + 0.5);
    let ln_rr = (a / n_c).ln() - (b / n_r).ln();
    let se = (1.0 / a - 1.0 / n_c + 1.0 / b - 1.0 / n_r).max(0.0).sqrt();
    (1.0 - (-(ln_rr - z * se)).exp()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> ClassCounts {
        // "the" in every document of both classes; "goal" in Sport only.
        let docs = vec![
            (vec!["the", "goal"], vec!["Sport"]),
            (vec!["the", "goal", "match"], vec!["Sport"]),
            (vec!["the", "vote"], vec!["Politics"]),
            (vec!["the", "vote", "match"], vec!["Politics"]),
        ];
        ClassCounts::from_documents(docs)
    }

    #[test]
    fn phi_squared_times_n_is_chi_squared() {
        let (a, n_c, b, n_r) = (3.0, 4.0, 1.0, 6.0);
        let chi2 = crate::baseline::chi2(a, n_c, b, n_r).unwrap();
        assert!((phi(a, n_c, b, n_r).powi(2) * (n_c + n_r) - chi2).abs() < 1e-12);
        assert_eq!(phi(1.0, 4.0, 3.0, 6.0), 0.0);
    }

    #[test]
    fn excess_share_by_hand() {
        // a = 3 of 4, b = 1 of 6: (3.5/4.5) vs (1.5/6.5) → 1 − 0.2307…/0.7777… .
        let e = excess_share(3.0, 4.0, 1.0, 6.0, 0.0);
        assert!((e - (1.0 - (1.5 / 6.5) / (3.5 / 4.5))).abs() < 1e-12);
        // The same rate in and out of the class: nothing in excess.
        assert!(excess_share(2.0, 4.0, 2.0, 4.0, 0.0).abs() < 1e-12);
        // Under-represented: floored at 0.
        assert_eq!(excess_share(0.0, 4.0, 4.0, 4.0, 0.0), 0.0);
        // The lower bound: ln RR − z·SE, SE² = 1/30.5 − 1/40.5 + 1/10.5 − 1/60.5.
        let se = (1.0 / 30.5 - 1.0 / 40.5 + 1.0 / 10.5 - 1.0 / 60.5f64).sqrt();
        let rr = (30.5 / 40.5) / (10.5 / 60.5f64);
        let lo = excess_share(30.0, 40.0, 10.0, 60.0, Z_95);
        assert!((lo - (1.0 - 1.0 / (rr * (-Z_95 * se).exp()))).abs() < 1e-12);
        assert!(lo > 0.0 && lo < excess_share(30.0, 40.0, 10.0, 60.0, 0.0));
        // 3 of 4 against 1 of 6 is not beyond chance at the 95 % bound.
        assert_eq!(excess_share(3.0, 4.0, 1.0, 6.0, Z_95), 0.0);
        // Ten times as frequent in the class: evidence from 2 of 20 documents,
        // none from 1 document of 4 against 10 of 100.
        assert!(excess_share(2.0, 20.0, 10.0, 1000.0, Z_95) > 0.5);
        assert_eq!(excess_share(1.0, 4.0, 10.0, 100.0, Z_95), 0.0);
    }

    #[test]
    fn spread_words_weigh_nothing_and_exclusive_words_most() {
        let c = counts();
        for kind in [
            Association::RelativeRisk,
            Association::Entropy,
            Association::Phi,
        ] {
            let a = CorpusAssociation::new(&c, kind);
            let the = a.weight("Sport", "the");
            let goal = a.weight("Sport", "goal");
            let matched = a.weight("Sport", "match");
            assert!(the.abs() < 1e-12, "{kind:?}: the {the}");
            assert!(goal > 0.5 && goal <= 1.0, "{kind:?}: goal {goal}");
            assert!(matched < 1e-12, "{kind:?}: match {matched}");
            assert_eq!(a.weight("Unknown", "goal"), 1.0);
        }
        // Two documents are too few for the bound to exclude chance.
        let bound = CorpusAssociation::new(&c, Association::RelativeRiskBound);
        assert_eq!(bound.weight("Sport", "goal"), 0.0);
        assert_eq!(bound.weight("Sport", "the"), 0.0);
    }
}
