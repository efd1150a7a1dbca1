//! Training hyperparameters, with documented defaults and a validating builder.
use serde::{Deserialize, Serialize};

use crate::device::DeviceSpec;
use crate::example::Example;
use crate::{Error, Result};

/// The validation figure that picks the best checkpoint and drives early stopping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Monitor {
    /// Micro-F1 at the decision threshold (higher is better; ties keep the
    /// earlier epoch). The default: the validation loss bottoms out epochs before
    /// micro-F1 peaks, because a few confidently wrong documents dominate the
    /// binary cross-entropy while the ranking still improves.
    #[default]
    MicroF1,
    /// Binary cross-entropy, weighted as in training (lower is better).
    ValidLoss,
}

impl std::fmt::Display for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Monitor::MicroF1 => "micro-f1",
            Monitor::ValidLoss => "valid-loss",
        })
    }
}

impl std::str::FromStr for Monitor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Monitor> {
        match s {
            "micro-f1" => Ok(Monitor::MicroF1),
            "valid-loss" => Ok(Monitor::ValidLoss),
            other => Err(Error::param("monitor", other, "micro-f1 or valid-loss")),
        }
    }
}

crate::builder::params! {
    /// How a model is trained, valid by construction: build with
    /// [`TrainParams::builder`] (or deserialize; the same checks apply).
    pub struct TrainParams, builder TrainParamsBuilder, raw TrainParamsRaw = "TrainParamsRaw",
    check TrainParams::check {
        /// Maximum epochs. Default 8, range 1–10000.
        copy epochs: usize = 8,
        /// Documents per batch. Default 32, range 1–65536.
        copy batch_size: usize = 32,
        /// Batches whose gradients are summed per optimizer step. Default 1, range 1–1024.
        copy accumulation: usize = 1,
        /// Peak AdamW learning rate. Default 5e-3, range (0, 10].
        copy learning_rate: f64 = 5e-3,
        /// AdamW decoupled weight decay (weights and embeddings, not biases or
        /// norms). Default 0.01, range [0, 1).
        copy weight_decay: f64 = 0.01,
        /// Fraction of optimizer steps spent warming up linearly before the linear
        /// decay to 0. Default 0.1, range [0, 1).
        copy warmup: f64 = 0.1,
        /// Clip the global gradient norm to this value; `None` disables. Default 5.0.
        copy clip_norm: Option<f64> = Some(5.0),
        /// Stop after this many epochs without a better monitored figure
        /// (`monitor`); 0 disables. Default 2.
        copy patience: usize = 2,
        /// What picks the best checkpoint and drives early stopping. Default
        /// [`Monitor::MicroF1`] (checkpoints written before this setting existed
        /// read as [`Monitor::ValidLoss`], what they used).
        #[serde(default = "valid_loss_monitor")]
        copy monitor: Monitor = Monitor::MicroF1,
        /// Per-class positive weights of the binary cross-entropy (one per class,
        /// finite and > 0); `None` weighs all 1. Default none. See
        /// [`balanced_pos_weights`].
        manual pos_weight: Option<Vec<f32>> = None,
        /// Seed of initialisation, dropout and batch order. Default 1.
        copy seed: u64 = 1,
        /// libtorch CPU threads (process-wide), 1–1024; `None` keeps libtorch's
        /// choice. Bit-identical CPU runs need the same seed and thread count.
        /// Default none.
        copy threads: Option<usize> = None,
        /// Where to train. Default `auto`.
        copy device: DeviceSpec = DeviceSpec::Auto,
        /// Decision threshold for the metrics. Default 0.5, range (0, 1).
        copy threshold: f64 = 0.5,
        /// Replace `threshold` by the micro-F1-maximising one found on the
        /// validation split (stored in the best checkpoint). Default false.
        copy apply_best_threshold: bool = false,
        /// Documents per batch for validation and prediction. Default 128, range 1–65536.
        copy eval_batch_size: usize = 128,
    }
}

impl TrainParams {
    /// Per-class positive weights of the binary cross-entropy, if any.
    pub fn pos_weight(&self) -> Option<&[f32]> {
        self.pos_weight.as_deref()
    }

    /// Checks every field against its documented range.
    fn check(&self) -> Result<()> {
        use crate::xml_cnn::check_range;
        check_range("epochs", self.epochs, 1, 10_000)?;
        check_range("batch_size", self.batch_size, 1, 65_536)?;
        check_range("accumulation", self.accumulation, 1, 1024)?;
        check_range("eval_batch_size", self.eval_batch_size, 1, 65_536)?;
        let lr = self.learning_rate;
        if !(lr > 0.0 && lr <= 10.0) {
            return Err(Error::param("learning_rate", lr, "a value in (0, 10]"));
        }
        if !(0.0..1.0).contains(&self.weight_decay) {
            return Err(Error::param(
                "weight_decay",
                self.weight_decay,
                "a value in [0, 1)",
            ));
        }
        if !(0.0..1.0).contains(&self.warmup) {
            return Err(Error::param("warmup", self.warmup, "a fraction in [0, 1)"));
        }
        if let Some(c) = self.clip_norm
            && !(c > 0.0 && c.is_finite())
        {
            return Err(Error::param("clip_norm", c, "a positive number"));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::param(
                "threshold",
                self.threshold,
                "a value in (0, 1)",
            ));
        }
        if let Some(t) = self.threads {
            check_range("threads", t, 1, 1024)?;
        }
        if let Some(w) = &self.pos_weight
            && let Some(bad) = w.iter().find(|x| !(x.is_finite() && **x > 0.0))
        {
            return Err(Error::param("pos_weight", bad, "finite weights > 0"));
        }
        Ok(())
    }
}

/// Checkpoints written before [`TrainParams::monitor`] existed used the loss.
fn valid_loss_monitor() -> Monitor {
    Monitor::ValidLoss
}

/// Positive weights `min(cap, negatives / positives)` per class from the
/// training examples (a class without positives gets `cap`).
pub fn balanced_pos_weights(examples: &[Example], num_classes: usize, cap: f32) -> Vec<f32> {
    let counts = positive_counts(examples, num_classes);
    let n = examples.len() as f32;
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                cap
            } else {
                ((n - c as f32) / c as f32).clamp(f32::MIN_POSITIVE, cap)
            }
        })
        .collect()
}

/// Positive examples per class.
pub fn positive_counts(examples: &[Example], num_classes: usize) -> Vec<usize> {
    let mut counts = vec![0usize; num_classes];
    for e in examples {
        for &l in &e.labels {
            if let Some(c) = counts.get_mut(l as usize) {
                *c += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_validates() {
        assert!(TrainParams::builder().build().is_ok());
        let e = TrainParams::builder()
            .learning_rate(0.0)
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "learning_rate = 0 is invalid: expected a value in (0, 10]"
        );
        assert!(TrainParams::builder().warmup(1.0).build().is_err());
        assert!(TrainParams::builder().batch_size(0).build().is_err());
        assert!(
            TrainParams::builder()
                .pos_weight(Some(vec![1.0, f32::NAN]))
                .build()
                .is_err()
        );
        assert!(
            TrainParams::builder()
                .clip_norm(Some(-1.0))
                .build()
                .is_err()
        );
        let p = TrainParams::builder()
            .device("cpu".parse().unwrap())
            .build()
            .unwrap();
        let back: TrainParams = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        // A file cannot carry what the builder refuses.
        let json = serde_json::to_string(&p)
            .unwrap()
            .replace("\"epochs\":8", "\"epochs\":0");
        let e = serde_json::from_str::<TrainParams>(&json)
            .unwrap_err()
            .to_string();
        assert!(e.contains("epochs = 0 is invalid"), "{e}");
    }

    #[test]
    fn balanced_weights_follow_class_frequencies() {
        let mk = |labels: Vec<u32>| Example {
            ids: vec![1],
            labels,
            lang: "en".into(),
        };
        let ex = vec![mk(vec![0]), mk(vec![0, 1]), mk(vec![0]), mk(vec![])];
        assert_eq!(positive_counts(&ex, 3), vec![3, 1, 0]);
        assert_eq!(
            balanced_pos_weights(&ex, 3, 10.0),
            vec![1.0 / 3.0, 3.0, 10.0]
        );
    }
}
