//! `sacx run --seeds auto`: seeds one by one until the keyword lists are
//! stable (`docs/metrics.md`, "Stability across seeds").
use crate::observer::{Event, Observer};
use crate::run::Run;
use crate::stages::{AggregateJob, Aggregated, count_stage, seeds_stability};
use crate::{Result, memory};
use sacx_data::seeds_auto::{AutoSeeds, AutoStep, SEEDS_AUTO_FORMAT, StopReason};
use serde_json::Value;
use std::collections::BTreeMap;

impl Run {
    /// Trains and explains seeds in order; from `--min-seeds` on, after each
    /// seed, estimates the stability of the keyword lists over the seeds so
    /// far and stops when its mean reaches `--stability` (or at
    /// `--max-seeds`). Writes `seeds-auto.json` and says why it stopped;
    /// returns the seeds kept. A resumed run finds the seeds done and
    /// repeats the same (deterministic) checks.
    pub(crate) fn auto_seeds(
        &self,
        corpus: &sacx_data::Corpus,
        corpus_key: &str,
        stages: &mut BTreeMap<String, Value>,
        ran: &mut bool,
        observer: &mut dyn Observer,
    ) -> Result<Vec<u64>> {
        let (plan, auto) = (&self.plan, &self.plan.options.auto_seeds);
        let job = AggregateJob {
            plan,
            corpus,
            corpus_key,
        };
        // The counts first: the checks rank as the keywords stage does.
        let mut counted = Aggregated {
            times: BTreeMap::new(),
            ran: false,
        };
        count_stage(&job, &mut counted, observer)?;
        *ran |= counted.ran;
        stages.extend(counted.times);
        let mut steps = Vec::new();
        let seeds = plan.seeds();
        for (i, &seed) in seeds.iter().enumerate() {
            let (timing, seed_ran) = self.seed(corpus, seed, observer)?;
            *ran |= seed_ran;
            stages.insert(
                format!("seed-{seed}"),
                Value::Object(timing.into_iter().collect()),
            );
            let n = i + 1;
            if (n as u64) < auto.min_seeds {
                continue;
            }
            let Some(st) = seeds_stability(&job, &seeds[..n])? else {
                continue;
            };
            memory::release();
            observer.event(Event::Note(&format!(
                "--seeds auto: after {n} seeds, keyword stability (top {}) {:.3} \
                 [{:.3}, {:.3}], target {}",
                st.params.k(),
                st.mean_rbo,
                st.mean_rbo_interval[0],
                st.mean_rbo_interval[1],
                auto.target
            )));
            steps.push(AutoStep {
                seeds: n,
                stability: st.mean_rbo,
                interval: st.mean_rbo_interval,
            });
            let stable = st.mean_rbo >= auto.target;
            if stable || n == seeds.len() {
                let record = AutoSeeds {
                    format: SEEDS_AUTO_FORMAT.into(),
                    target: auto.target,
                    min_seeds: auto.min_seeds,
                    max_seeds: auto.max_seeds,
                    k: st.params.k(),
                    steps,
                    chosen: seeds[..n].to_vec(),
                    reason: if stable {
                        StopReason::Stable
                    } else {
                        StopReason::MaxSeeds
                    },
                };
                record.write(&plan.layout().seeds_auto())?;
                observer.event(Event::Note(&record.sentence()));
                return Ok(record.chosen);
            }
        }
        Ok(seeds.to_vec())
    }
}
