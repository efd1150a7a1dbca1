//! What a simulation measured: every round's test figures per seed and
//! strategy (`simulation.json`), their means, the verdict and the page.
use super::options::Sizes;
use super::stopping::{Signals, StopRule, Stops};
use sacx_data::Corpus;
use sacx_report::curve::{CurveChart, Series, page};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Format tag of `simulation.json`.
pub const FORMAT: &str = "sacx-simulate-al/2";

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
    /// The stopping signals against the round before (none for round 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<Signals>,
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
    /// Per strategy (`sacx`, `random`, …), round 0 (shared) first.
    pub strategies: BTreeMap<String, Vec<Point>>,
    /// Per strategy, where the stopping rules would have stopped and where
    /// the curve flattened.
    pub stops: BTreeMap<String, Stops>,
}

/// A round's means over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundMeans {
    /// The round.
    pub round: usize,
    /// Mean labelled documents per strategy (equal when `sacx` sets the budget).
    pub labelled: BTreeMap<String, f64>,
    /// Mean macro-F1 per strategy.
    pub macro_f1: BTreeMap<String, f64>,
    /// Mean micro-F1 per strategy.
    pub micro_f1: BTreeMap<String, f64>,
}

/// The area under a strategy's macro-F1 learning curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// Mean over seeds.
    pub mean: f64,
    /// Per seed, in seed order.
    pub seeds: Vec<f64>,
}

/// Everything `simulation.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationResult {
    /// `sacx-simulate-al/2`.
    pub format: &'static str,
    /// Documents of the corpus.
    pub documents: usize,
    /// Classes.
    pub classes: usize,
    /// Per seed.
    pub seeds: Vec<SeedCurves>,
    /// Per round, the means over seeds.
    pub rounds: Vec<RoundMeans>,
    /// Per strategy, the area under its macro-F1 curve: the trapezoid
    /// integral over the labelled-set size divided by the size's range, i.e.
    /// the curve's mean macro-F1 over the labelled range (docs/metrics.md).
    pub area_under_macro_f1: BTreeMap<String, Area>,
    /// The strategy with the largest mean area.
    pub best: String,
    /// The stopping rules of `seeds[].stops`.
    pub stop_rule: StopRule,
    /// With `sacx` and `random` both run: whether sacx's mean macro-F1 is
    /// above random selection's in every round after the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_wins_every_round: Option<bool>,
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// The trapezoid area under macro-F1 against the labelled-set size, divided
/// by the size's range (the mean macro-F1 over it); a single point's value.
pub fn area(points: &[Point]) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return f64::NAN;
    };
    let range = last.labelled as f64 - first.labelled as f64;
    if range <= 0.0 {
        return first.macro_f1;
    }
    points
        .windows(2)
        .map(|w| {
            (w[1].labelled as f64 - w[0].labelled as f64) * (w[0].macro_f1 + w[1].macro_f1) / 2.0
        })
        .sum::<f64>()
        / range
}

impl SimulationResult {
    /// The result of `seeds` (each with the same strategies and rounds).
    pub fn new(corpus: &Corpus, seeds: Vec<SeedCurves>, stop_rule: StopRule) -> Self {
        let names: Vec<String> = seeds
            .first()
            .map(|s| s.strategies.keys().cloned().collect())
            .unwrap_or_default();
        let rounds = seeds
            .first()
            .and_then(|s| s.strategies.values().next())
            .map_or(0, Vec::len);
        let at = |name: &str, r: usize, f: fn(&Point) -> f64| {
            mean(
                seeds
                    .iter()
                    .filter_map(|s| s.strategies.get(name)?.get(r).map(f)),
            )
        };
        let per = |r: usize, f: fn(&Point) -> f64| -> BTreeMap<String, f64> {
            names.iter().map(|n| (n.clone(), at(n, r, f))).collect()
        };
        let rounds: Vec<RoundMeans> = (0..rounds)
            .map(|r| RoundMeans {
                round: r,
                labelled: per(r, |p| p.labelled as f64),
                macro_f1: per(r, |p| p.macro_f1),
                micro_f1: per(r, |p| p.micro_f1),
            })
            .collect();
        let areas: BTreeMap<String, Area> = names
            .iter()
            .map(|n| {
                let per_seed: Vec<f64> = seeds
                    .iter()
                    .filter_map(|s| s.strategies.get(n).map(|p| area(p)))
                    .collect();
                let area = Area {
                    mean: mean(per_seed.iter().copied()),
                    seeds: per_seed,
                };
                (n.clone(), area)
            })
            .collect();
        let best = areas
            .iter()
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let beats = |r: &RoundMeans| Some(r.macro_f1.get("sacx")? > r.macro_f1.get("random")?);
        let active_wins_every_round = (names.iter().any(|n| n == "sacx")
            && names.iter().any(|n| n == "random"))
        .then(|| rounds.len() > 1 && rounds[1..].iter().all(|r| beats(r) == Some(true)));
        SimulationResult {
            format: FORMAT,
            documents: corpus.docs.len(),
            classes: corpus.labels.len(),
            seeds,
            rounds,
            area_under_macro_f1: areas,
            best,
            stop_rule,
            active_wins_every_round,
        }
    }

    /// One line: each strategy's mean area under the macro-F1 curve, best
    /// first, and where sacx's mix stands.
    pub fn verdict(&self) -> String {
        let mut order: Vec<(&String, &Area)> = self.area_under_macro_f1.iter().collect();
        order.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
        let list = order
            .iter()
            .map(|(n, a)| format!("{n} {:.4}", a.mean))
            .collect::<Vec<_>>()
            .join(", ");
        let wins = match self.active_wins_every_round {
            Some(true) => "; sacx beat random in every round",
            Some(false) => "; sacx did not beat random in every round",
            None => "",
        };
        format!(
            "area under the macro-F1 curve, mean over {} seeds: {list} (best: {}){wins}",
            self.seeds.len(),
            self.best
        )
    }

    /// One line: per strategy and seed, the round each stopping rule would
    /// have stopped at and the round the test curve flattened at (`–`: not
    /// within the rounds run).
    pub fn stopping(&self) -> String {
        let rule = &self.stop_rule;
        let rounds = |f: fn(&Stops) -> Option<usize>, name: &str| -> String {
            self.seeds
                .iter()
                .map(|s| {
                    s.stops
                        .get(name)
                        .and_then(f)
                        .map_or("–".into(), |r| r.to_string())
                })
                .collect::<Vec<_>>()
                .join("/")
        };
        let per = self
            .area_under_macro_f1
            .keys()
            .map(|n| {
                let keywords = if self
                    .seeds
                    .iter()
                    .any(|s| s.stops.get(n).is_some_and(|t| t.keywords.is_some()))
                    || n == "sacx"
                {
                    format!(", keywords {}", rounds(|t| t.keywords, n))
                } else {
                    String::new()
                };
                format!(
                    "{n}: predictions {}{keywords}, flat {}",
                    rounds(|t| t.predictions, n),
                    rounds(|t| t.flattened, n)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "stopping rounds per seed (predictions: κ ≥ {} on the stop set, keywords: motif overlap ≥ {}, for {} round(s) running; flat: no later round gains more than {} macro-F1): {per}",
            rule.agreement, rule.keyword_overlap, rule.window, rule.flat_gain
        )
    }

    /// The self-contained page: macro- and micro-F1 against the labelled-set
    /// size, one line per strategy with its band over seeds.
    pub fn page(&self) -> String {
        let names: Vec<&String> = self.area_under_macro_f1.keys().collect();
        let x: Vec<f64> = self
            .rounds
            .iter()
            .map(|r| mean(r.labelled.values().copied()))
            .collect();
        let series = |name: &str, f: fn(&Point) -> f64| Series {
            name: name.into(),
            values: (0..x.len())
                .map(|r| {
                    self.seeds
                        .iter()
                        .filter_map(|s| s.strategies.get(name)?.get(r).map(f))
                        .collect()
                })
                .collect(),
        };
        let chart = |metric: &str, f: fn(&Point) -> f64| CurveChart {
            title: format!("{metric} on the test documents"),
            y_label: metric.into(),
            x: x.clone(),
            series: names.iter().map(|n| series(n, f)).collect(),
        };
        let charts = [
            chart("macro-F1", |p| p.macro_f1),
            chart("micro-F1", |p| p.micro_f1),
            CurveChart {
                title: "prediction agreement with the last round's model (stop set)".into(),
                ..chart("κ", |p| {
                    p.signals.as_ref().map_or(f64::NAN, |s| s.agreement)
                })
            },
        ];
        let notes = vec![
            format!(
                "{} documents, {} classes; {} seeds ({}): lines are the means over seeds, bands span the lowest to the highest seed.",
                self.documents,
                self.classes,
                self.seeds.len(),
                self.seeds.iter().map(|s| s.seed.to_string()).collect::<Vec<_>>().join(", ")
            ),
            "sacx: per class exploit, uncertainty and explore documents chosen by sacx select with the last model; the other strategies (small-text's definitions, the committee of seed models, random) reveal as many documents in each round, the best of the pool by their score.".into(),
            self.verdict(),
            self.stopping(),
        ];
        page("sacx: active-learning strategies compared", &notes, &charts)
    }
}
