//! The training loop: seeded, resumable, with early stopping and a best checkpoint.
//!
//! A run directory holds `best/` (the checkpoint with the lowest validation
//! loss), `last/` (the last completed epoch, with `optimizer.safetensors` and
//! `train_state.json` for resuming) and `metrics.json` (the best model on the
//! validation split). Every epoch `e` draws its batch order and dropout masks
//! from streams derived from `(seed, e)`, so a resumed run continues exactly as
//! an uninterrupted one would.
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tch::{Device, Reduction, Tensor};

use crate::checkpoint::{self, Checkpoint, CheckpointConfig, TokenizerFiles, check_labels};
use crate::example::{Example, batch_indices, make_batch, validate};
use crate::metrics::{self, Metrics};
use crate::model::Model;
use crate::optim::{AdamW, LrSchedule, clip_grad_norm};
use crate::progress::{BatchProgress, EpochSummary, TrainObserver};
use crate::rng::{Purpose, stream};
use crate::train_params::{Monitor, TrainParams, positive_counts};
use crate::{Error, Result};

pub use crate::train_job::TrainJob;

/// The names of a training directory's parts: `best/`, `last/` and
/// `metrics.json` (defined with the rest of the run layout in sacx-data).
pub use sacx_data::layout::{BEST_DIR, LAST_DIR, METRICS_FILE};
const OPTIMIZER_FILE: &str = "optimizer.safetensors";
const STATE_FILE: &str = "train_state.json";

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Epochs completed (over all sessions of the run).
    pub epochs_completed: usize,
    /// The epoch of the best checkpoint.
    pub best_epoch: usize,
    /// Its validation loss.
    pub best_valid_loss: f64,
    /// Its validation micro-F1 at the threshold (during training).
    pub best_valid_micro_f1: f64,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// One summary per completed epoch.
    pub history: Vec<EpochSummary>,
    /// Validation metrics of the best checkpoint.
    pub metrics: Metrics,
    /// The best checkpoint's directory.
    pub best_dir: PathBuf,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TrainState {
    epoch: usize,
    step: u64,
    best_valid_loss: Option<f64>,
    /// The monitored figure of the best epoch, higher is better (the negated
    /// loss for [`Monitor::ValidLoss`]).
    #[serde(default)]
    best_score: Option<f64>,
    #[serde(default)]
    best_valid_micro_f1: f64,
    best_epoch: usize,
    bad_epochs: usize,
    stopped: bool,
    history: Vec<EpochSummary>,
}

/// Trains `job`, reporting to `observer`.
///
/// Errors before anything is written: an unusable device, a run directory that
/// already holds a run (without `resume`), or one whose labels, model or seed
/// differ. A non-finite loss stops the run with [`Error::NonFiniteLoss`],
/// leaving the checkpoints of the last completed epoch untouched.
pub fn train(job: &TrainJob<'_>, observer: &mut dyn TrainObserver) -> Result<TrainReport> {
    let p = &job.params;
    for (label, n) in job
        .labels
        .iter()
        .zip(positive_counts(job.train, job.spec.num_classes))
    {
        if n == 0 {
            tracing::warn!(class = %label, "class has no positive training example");
        }
    }
    if let Some(t) = p.threads() {
        tch::set_num_threads(t as i32);
    }
    let device = p.device().resolve()?;
    let mut run = Run::start(job, device, observer)?;
    while run.state.epoch < p.epochs() && !run.state.stopped {
        run.epoch(job, observer)?;
    }
    finish(job, run.state, &run.best)
}

/// A run in progress: model, optimizer, state and the fixed per-run values.
struct Run {
    model: Model,
    opt: AdamW,
    state: TrainState,
    pos_weight: Option<Tensor>,
    lens: Vec<usize>,
    schedule: LrSchedule,
    gold: Vec<Vec<u32>>,
    langs: Vec<String>,
    last: PathBuf,
    best: PathBuf,
}

impl Run {
    /// A fresh model, or the last completed epoch of the run being resumed.
    fn start(job: &TrainJob<'_>, device: Device, observer: &mut dyn TrainObserver) -> Result<Run> {
        let p = &job.params;
        let last = job.out_dir.join(LAST_DIR);
        let best = job.out_dir.join(BEST_DIR);
        let previous = previous_run(job, &last, &best)?;
        let mut model = Model::new(&job.spec, p.seed(), device, job.vectors)?;
        let mut opt = AdamW::new(model.params(), p.weight_decay())?;
        let mut state = TrainState::default();
        if let Some((dir, config)) = previous {
            state = resume_state(&dir, &config, &mut model, &mut opt, p.monitor())?;
            observer.note(&format!(
                "resuming {} after epoch {}",
                job.out_dir.display(),
                state.epoch
            ));
        }
        let pos_weight = pos_weight_tensor(p, device)?;
        let lens: Vec<usize> = job.train.iter().map(|e| e.ids.len()).collect();
        let batches_per_epoch = lens.len().div_ceil(p.batch_size());
        let steps_per_epoch = batches_per_epoch.div_ceil(p.accumulation()) as u64;
        let total_steps = steps_per_epoch * p.epochs() as u64;
        let schedule = LrSchedule {
            peak: p.learning_rate(),
            warmup_steps: (p.warmup() * total_steps as f64).round() as u64,
            total_steps,
        };
        Ok(Run {
            model,
            opt,
            state,
            pos_weight,
            lens,
            schedule,
            gold: job.valid.iter().map(|e| e.labels.clone()).collect(),
            langs: job.valid.iter().map(|e| e.lang.clone()).collect(),
            last,
            best,
        })
    }

    /// One epoch: the training batches, then validation and checkpoints.
    fn epoch(&mut self, job: &TrainJob<'_>, observer: &mut dyn TrainObserver) -> Result<()> {
        let p = &job.params;
        let epoch = self.state.epoch + 1;
        let started = Instant::now();
        let batches = batch_indices(
            &self.lens,
            p.batch_size(),
            Some(&mut stream(p.seed(), Purpose::Batches, epoch as u64)),
        );
        let mut drop_rng = stream(p.seed(), Purpose::Dropout, epoch as u64);
        observer.epoch_start(epoch, p.epochs(), batches.len());
        let (mut loss_sum, mut docs, mut lr, mut train_secs) = (0.0, 0usize, 0.0, 0.0);
        for (bi, idx) in batches.iter().enumerate() {
            let t0 = Instant::now();
            let value = forward_backward(
                &self.model,
                job.train,
                idx,
                &mut drop_rng,
                self.pos_weight.as_ref(),
                p.accumulation(),
            )?;
            if !value.is_finite() {
                return Err(Error::NonFiniteLoss {
                    epoch,
                    batch: bi + 1,
                    loss: value,
                });
            }
            if (bi + 1) % p.accumulation() == 0 || bi + 1 == batches.len() {
                lr = self.schedule.lr(self.state.step);
                update(&self.model, &mut self.opt, lr, p.clip_norm())?;
                self.state.step += 1;
            }
            train_secs += t0.elapsed().as_secs_f64();
            loss_sum += value * idx.len() as f64;
            docs += idx.len();
            observer.batch_end(&BatchProgress {
                epoch,
                epochs: p.epochs(),
                batch: bi + 1,
                batches: batches.len(),
                loss: loss_sum / docs as f64,
                docs_per_sec: docs as f64 / train_secs.max(1e-9),
                lr,
            });
        }
        let train_loss = loss_sum / docs as f64;
        let docs_per_sec = docs as f64 / train_secs.max(1e-9);
        self.end_epoch(job, observer, epoch, started, (train_loss, docs_per_sec))
    }

    /// Validation, the best and last checkpoints, early stopping.
    fn end_epoch(
        &mut self,
        job: &TrainJob<'_>,
        observer: &mut dyn TrainObserver,
        epoch: usize,
        started: Instant,
        (train_loss, docs_per_sec): (f64, f64),
    ) -> Result<()> {
        let p = &job.params;
        let (valid_loss, probs) = loss_and_probs(
            &self.model,
            job.valid,
            p.eval_batch_size(),
            self.pos_weight.as_ref(),
        )?;
        if !valid_loss.is_finite() {
            return Err(Error::NonFiniteLoss {
                epoch,
                batch: 0,
                loss: valid_loss,
            });
        }
        let micro_f1 =
            metrics::evaluate(&probs, &self.gold, &self.langs, &job.labels, p.threshold())?
                .overall
                .micro_f1;
        let score = match p.monitor() {
            Monitor::MicroF1 => micro_f1,
            Monitor::ValidLoss => -valid_loss,
        };
        let state = &mut self.state;
        // A tie on the monitored score (a micro-F1 still 0 on a small corpus,
        // where no class reaches the threshold yet) is settled by the validation
        // loss, so that training does not stop before the model learns.
        let improved = state.best_score.is_none_or(|b| {
            score > b || (score == b && state.best_valid_loss.is_some_and(|l| valid_loss < l))
        });
        let summary = EpochSummary {
            epoch,
            train_loss,
            valid_loss,
            valid_micro_f1: micro_f1,
            docs_per_sec,
            seconds: started.elapsed().as_secs_f64(),
            improved,
        };
        state.epoch = epoch;
        state.history.push(summary.clone());
        let config = run_config(job, &self.model, epoch, valid_loss);
        if improved {
            state.best_valid_loss = Some(valid_loss);
            state.best_score = Some(score);
            state.best_valid_micro_f1 = micro_f1;
            state.best_epoch = epoch;
            state.bad_epochs = 0;
            checkpoint::save(&self.best, &config, &self.model, job.tokenizer, &[])?;
        } else {
            state.bad_epochs += 1;
        }
        if p.patience() > 0 && state.bad_epochs >= p.patience() {
            state.stopped = true;
        }
        save_last(
            &self.last,
            &config,
            &self.model,
            &self.opt,
            state,
            job.tokenizer,
        )?;
        observer.epoch_end(&summary);
        if state.stopped {
            observer.note(&format!(
                "early stopping after epoch {epoch}: no improvement for {} epochs",
                p.patience()
            ));
        }
        Ok(())
    }
}

/// Loads the weights, optimizer moments and state of a run's last epoch.
fn resume_state(
    dir: &Path,
    config: &CheckpointConfig,
    model: &mut Model,
    opt: &mut AdamW,
    monitor: Monitor,
) -> Result<TrainState> {
    let tensors = checkpoint::read_weights(dir, config)?;
    model
        .params_mut()
        .assign(&tensors, &dir.join(&config.weights))?;
    let st = checkpoint::read_file(dir, config, STATE_FILE)?;
    let mut state: TrainState =
        serde_json::from_slice(&st).map_err(|e| Error::json(dir.join(STATE_FILE), e))?;
    let moments = checkpoint::read_tensors(dir, config, OPTIMIZER_FILE)?;
    opt.load_state(&moments, state.step, &dir.join(OPTIMIZER_FILE))?;
    if state.best_score.is_none() && monitor == Monitor::ValidLoss {
        state.best_score = state.best_valid_loss.map(|l| -l); // a run from before `monitor`
    }
    Ok(state)
}

/// The positive weights of the loss on `device`, when set.
fn pos_weight_tensor(p: &TrainParams, device: Device) -> Result<Option<Tensor>> {
    Ok(match p.pos_weight() {
        Some(w) => Some(Tensor::f_from_slice(w)?.f_to_device(device)?),
        None => None,
    })
}

/// Forward pass, loss and backward pass of the batch `idx` (loss divided by
/// `accumulation` before the backward pass); returns the undivided loss, and
/// skips the backward pass when it is not finite.
fn forward_backward(
    model: &Model,
    examples: &[Example],
    idx: &[usize],
    rng: &mut rand_chacha::ChaCha8Rng,
    pos_weight: Option<&Tensor>,
    accumulation: usize,
) -> Result<f64> {
    let spec = model.spec();
    let batch = make_batch(
        examples,
        idx,
        spec.pad_id,
        spec.num_classes,
        model.params().device(),
    )?;
    let logits = model.forward_t(&batch.ids, &batch.mask, Some(rng))?;
    let loss = logits.f_binary_cross_entropy_with_logits(
        &batch.targets,
        None,
        pos_weight,
        Reduction::Mean,
    )?;
    let value = loss.f_double_value(&[])?;
    if value.is_finite() {
        loss.f_div_scalar(accumulation as f64)?.f_backward()?;
    }
    Ok(value)
}

/// Gradient clipping, one AdamW step at `lr`, gradients reset.
fn update(model: &Model, opt: &mut AdamW, lr: f64, clip_norm: Option<f64>) -> Result<()> {
    if let Some(max) = clip_norm {
        clip_grad_norm(model.params(), max)?;
    }
    opt.step(model.params(), lr)?;
    for (_, t) in model.params().trainable() {
        let mut grad = t.f_grad()?;
        if grad.defined() {
            let _ = grad.f_detach_()?.f_zero_()?;
        }
    }
    Ok(())
}

/// One optimisation step per batch of `batches` (indices into `examples`) at a
/// constant `lr`: the training loop's inner work (batching, forward with
/// dropout, BCE, backward, clipping, AdamW) without schedule, validation or
/// checkpoints. For benchmarks; returns the mean loss.
pub fn fit_batches(
    model: &Model,
    opt: &mut AdamW,
    examples: &[Example],
    batches: &[Vec<usize>],
    lr: f64,
    clip_norm: Option<f64>,
    seed: u64,
) -> Result<f64> {
    validate(
        examples,
        model.spec().vocab_size,
        model.spec().num_classes,
        "fit",
    )?;
    let mut rng = stream(seed, Purpose::Dropout, 0);
    let mut total = 0.0;
    for (bi, idx) in batches.iter().enumerate() {
        let value = forward_backward(model, examples, idx, &mut rng, None, 1)?;
        if !value.is_finite() {
            return Err(Error::NonFiniteLoss {
                epoch: 1,
                batch: bi + 1,
                loss: value,
            });
        }
        update(model, opt, lr, clip_norm)?;
        total += value;
    }
    Ok(total / batches.len().max(1) as f64)
}

/// Checks the run directory; returns the last completed epoch's checkpoint to
/// resume from, if any.
fn previous_run(
    job: &TrainJob<'_>,
    last: &Path,
    best: &Path,
) -> Result<Option<(PathBuf, CheckpointConfig)>> {
    let readable = crate::weights::readable_dir(last);
    let has_last = readable.join(checkpoint::CONFIG_FILE).exists();
    let has_best = crate::weights::readable_dir(best).exists();
    if !job.resume && (has_last || has_best) {
        return Err(Error::OutputExists {
            path: job.out_dir.clone(),
        });
    }
    if !has_last {
        return Ok(None); // nothing completed yet: start afresh
    }
    let config = checkpoint::read_config(last)?;
    check_labels(&config.labels, &job.labels)?;
    let mismatch = |field, previous: String, requested: String| Error::ResumeMismatch {
        path: job.out_dir.clone(),
        field,
        previous,
        requested,
    };
    if config.model != job.spec {
        return Err(mismatch("model", json(&config.model), json(&job.spec)));
    }
    if config.seed != job.params.seed() {
        return Err(mismatch(
            "seed",
            config.seed.to_string(),
            job.params.seed().to_string(),
        ));
    }
    checkpoint::verify(last, &config)?;
    Ok(Some((readable, config)))
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn run_config(
    job: &TrainJob<'_>,
    model: &Model,
    epoch: usize,
    valid_loss: f64,
) -> CheckpointConfig {
    let mut config = CheckpointConfig::new(model, job.labels.clone(), job.params.seed());
    config.training = Some(job.params.clone());
    config.threshold = job.params.threshold();
    config.epoch = epoch;
    config.valid_loss = Some(valid_loss);
    config
}

fn save_last(
    dir: &Path,
    config: &CheckpointConfig,
    model: &Model,
    opt: &AdamW,
    state: &TrainState,
    tokenizer: Option<&dyn TokenizerFiles>,
) -> Result<()> {
    let meta = std::collections::HashMap::from([("format".to_string(), "pt".to_string())]);
    let moments = crate::weights::encode(&opt.state_tensors()?, meta)?;
    let st = serde_json::to_vec_pretty(state).map_err(|e| Error::json(dir.join(STATE_FILE), e))?;
    checkpoint::save(
        dir,
        config,
        model,
        tokenizer,
        &[(OPTIMIZER_FILE, moments), (STATE_FILE, st)],
    )
}

/// Mean validation loss (same weighting as training) and probabilities.
fn loss_and_probs(
    model: &Model,
    examples: &[Example],
    batch_size: usize,
    pos_weight: Option<&Tensor>,
) -> Result<(f64, Vec<Vec<f32>>)> {
    let _guard = tch::no_grad_guard();
    let spec = model.spec();
    let lens: Vec<usize> = examples.iter().map(|e| e.ids.len()).collect();
    let mut probs = vec![Vec::new(); examples.len()];
    let mut loss = 0.0;
    for idx in batch_indices(&lens, batch_size, None) {
        let b = make_batch(
            examples,
            &idx,
            spec.pad_id,
            spec.num_classes,
            model.params().device(),
        )?;
        let logits = model.forward_t(&b.ids, &b.mask, None)?;
        let l = logits.f_binary_cross_entropy_with_logits(
            &b.targets,
            None,
            pos_weight,
            Reduction::Mean,
        )?;
        loss += l.f_double_value(&[])? * idx.len() as f64;
        let pr = logits.f_sigmoid()?.f_to_device(Device::Cpu)?;
        let flat = Vec::<f32>::try_from(pr.f_flatten(0, -1)?)?;
        for (row, &i) in flat.chunks(spec.num_classes).zip(&idx) {
            probs[i] = row.to_vec();
        }
    }
    Ok((loss / examples.len() as f64, probs))
}

/// Evaluates the best checkpoint on the validation split and writes `metrics.json`.
fn finish(job: &TrainJob<'_>, state: TrainState, best: &Path) -> Result<TrainReport> {
    let p = &job.params;
    let ck = Checkpoint::load(best, p.device().resolve()?)?;
    let pos_weight = pos_weight_tensor(p, ck.model.params().device())?;
    let (_, probs) = loss_and_probs(
        &ck.model,
        job.valid,
        p.eval_batch_size(),
        pos_weight.as_ref(),
    )?;
    let gold: Vec<Vec<u32>> = job.valid.iter().map(|e| e.labels.clone()).collect();
    let langs: Vec<String> = job.valid.iter().map(|e| e.lang.clone()).collect();
    let mut m = metrics::evaluate(&probs, &gold, &langs, &job.labels, p.threshold())?;
    if p.apply_best_threshold() {
        m = metrics::evaluate(
            &probs,
            &gold,
            &langs,
            &job.labels,
            m.best_threshold.threshold,
        )?;
        let mut config = ck.config.clone();
        if config.threshold != m.threshold {
            config.threshold = m.threshold;
            let json = serde_json::to_vec_pretty(&config)
                .map_err(|e| Error::json(best.join(checkpoint::CONFIG_FILE), e))?;
            sacx_data::write_atomic(&ck.dir.join(checkpoint::CONFIG_FILE), &json)?;
        }
    }
    metrics::write(&job.out_dir.join(METRICS_FILE), &m)?;
    Ok(TrainReport {
        epochs_completed: state.epoch,
        best_epoch: state.best_epoch,
        best_valid_loss: state.best_valid_loss.unwrap_or(f64::NAN),
        best_valid_micro_f1: state.best_valid_micro_f1,
        stopped_early: state.stopped,
        history: state.history,
        metrics: m,
        best_dir: ck.dir,
    })
}
