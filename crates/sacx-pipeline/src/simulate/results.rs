//! What a simulation measured: every round's test figures per seed and
//! strategy (`simulation.json`), their means, the verdict and the page.
use super::options::Sizes;
use sacx_data::Corpus;
use sacx_report::curve::{CurveChart, Series, page};
use serde::{Deserialize, Serialize};

/// Format tag of `simulation.json`.
pub const FORMAT: &str = "sacx-simulate-al/1";

/// One round's model on the test documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The round (0: the start set).
    pub round: usize,
    /// Documents labelled (trained on).
    pub labelled: usize,
    /// Macro-F1 over the classes with test support, at the model's threshold.
    pub macro_f1: f64,
    /// Micro-F1 at the model's threshold.
    pub micro_f1: f64,
}

/// One seed's curves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedCurves {
    /// The seed.
    pub seed: u64,
    /// Documents held out for testing.
    pub test_documents: usize,
    /// Documents of the pool (labelled or not).
    pub pool_documents: usize,
    /// The labelled-set sizes asked for.
    pub sizes: Sizes,
    /// Active selection, round 0 first.
    pub active: Vec<Point>,
    /// Random selection, round 0 first (the same round 0).
    pub random: Vec<Point>,
}

/// A round's means over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundMeans {
    /// The round.
    pub round: usize,
    /// Mean labelled documents (the same for both strategies within a seed).
    pub labelled: f64,
    /// Active selection's mean macro-F1.
    pub active_macro_f1: f64,
    /// Random selection's mean macro-F1.
    pub random_macro_f1: f64,
    /// Active selection's mean micro-F1.
    pub active_micro_f1: f64,
    /// Random selection's mean micro-F1.
    pub random_micro_f1: f64,
}

/// Everything `simulation.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResult {
    /// `sacx-simulate-al/1`.
    pub format: &'static str,
    /// Documents of the corpus.
    pub documents: usize,
    /// Classes.
    pub classes: usize,
    /// Per seed.
    pub seeds: Vec<SeedCurves>,
    /// Per round, the means over seeds.
    pub rounds: Vec<RoundMeans>,
    /// Whether active selection's mean macro-F1 is above random selection's
    /// in every round after the start.
    pub active_wins_every_round: bool,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

impl SimulationResult {
    /// The result of `seeds` (each with the same number of rounds).
    pub fn new(corpus: &Corpus, seeds: Vec<SeedCurves>) -> Self {
        let rounds = seeds.first().map_or(0, |s| s.active.len());
        let at = |f: &dyn Fn(&SeedCurves) -> Option<f64>| mean(seeds.iter().filter_map(f));
        let rounds: Vec<RoundMeans> = (0..rounds)
            .map(|r| RoundMeans {
                round: r,
                labelled: at(&|s| s.active.get(r).map(|p| p.labelled as f64)),
                active_macro_f1: at(&|s| s.active.get(r).map(|p| p.macro_f1)),
                random_macro_f1: at(&|s| s.random.get(r).map(|p| p.macro_f1)),
                active_micro_f1: at(&|s| s.active.get(r).map(|p| p.micro_f1)),
                random_micro_f1: at(&|s| s.random.get(r).map(|p| p.micro_f1)),
            })
            .collect();
        let active_wins_every_round = rounds.len() > 1
            && rounds[1..]
                .iter()
                .all(|r| r.active_macro_f1 > r.random_macro_f1);
        SimulationResult {
            format: FORMAT,
            documents: corpus.docs.len(),
            classes: corpus.labels.len(),
            seeds,
            rounds,
            active_wins_every_round,
        }
    }

    /// One line: in how many rounds active selection's mean macro-F1 won.
    pub fn verdict(&self) -> String {
        let after: Vec<&RoundMeans> = self.rounds.iter().skip(1).collect();
        let won = after
            .iter()
            .filter(|r| r.active_macro_f1 > r.random_macro_f1)
            .count();
        let last = after.last().map_or(String::new(), |r| {
            format!(
                "; last round ({:.0} labelled): macro-F1 {:.4} active, {:.4} random",
                r.labelled, r.active_macro_f1, r.random_macro_f1
            )
        });
        format!(
            "active selection's mean macro-F1 beat random selection's in {won} of {} rounds over {} seeds{last}",
            after.len(),
            self.seeds.len()
        )
    }

    /// The self-contained page: macro- and micro-F1 against the labelled-set size.
    pub fn page(&self) -> String {
        let x: Vec<f64> = self.rounds.iter().map(|r| r.labelled).collect();
        let series =
            |name: &str, pick: &dyn Fn(&SeedCurves) -> &Vec<Point>, f: fn(&Point) -> f64| Series {
                name: name.into(),
                values: (0..x.len())
                    .map(|r| {
                        self.seeds
                            .iter()
                            .filter_map(|s| pick(s).get(r).map(f))
                            .collect()
                    })
                    .collect(),
            };
        let chart = |metric: &str, f: fn(&Point) -> f64| CurveChart {
            title: format!("{metric} on the test documents"),
            y_label: metric.into(),
            x: x.clone(),
            series: vec![
                series("active", &|s| &s.active, f),
                series("random", &|s| &s.random, f),
            ],
        };
        let charts = [
            chart("macro-F1", |p| p.macro_f1),
            chart("micro-F1", |p| p.micro_f1),
        ];
        let mut notes = vec![
            format!(
                "{} documents, {} classes; {} seeds ({}): lines are the means over seeds, bands span the lowest to the highest seed.",
                self.documents,
                self.classes,
                self.seeds.len(),
                self.seeds.iter().map(|s| s.seed.to_string()).collect::<Vec<_>>().join(", ")
            ),
            "Active selection: per class exploit, uncertainty and explore documents chosen by sacx select with the last model; random selection: as many documents drawn uniformly from the unlabelled pool.".into(),
        ];
        notes.push(self.verdict());
        page(
            "sacx: active learning against random selection",
            &notes,
            &charts,
        )
    }
}
