//! Training: learning, bit-identical reruns, resume after a kill, NaN handling,
//! run-directory safety, progress reporting, class-without-positives warning.
use std::path::Path;

use sacx_model::checkpoint::{self, Checkpoint};
use sacx_model::{
    Architecture, BatchProgress, EmbedPoolParams, EpochSummary, Error, Example, ModelSpec, Monitor,
    Silent, TrainJob, TrainObserver, TrainParams, XmlCnnParams, train,
};
use tch::{Device, Kind};

const VOCAB: usize = 40;

/// Class k is present when token 10 + k is; filler tokens 20..40.
fn synthetic(n: usize, offset: u64) -> Vec<Example> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ offset;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    (0..n)
        .map(|i| {
            let len = 2 + next(12) as usize;
            let mut ids: Vec<i64> = (0..len).map(|_| 20 + next(20) as i64).collect();
            let mut labels = Vec::new();
            for k in 0..3u32 {
                if next(3) == 0 {
                    let pos = next(ids.len() as u64) as usize;
                    ids[pos] = 10 + k as i64;
                    labels.push(k);
                }
            }
            Example {
                ids,
                labels,
                lang: if i % 2 == 0 { "en".into() } else { "de".into() },
            }
        })
        .collect()
}

fn labels() -> Vec<String> {
    vec!["a".into(), "b".into(), "c".into()]
}

fn xml_spec() -> ModelSpec {
    let p = XmlCnnParams::builder()
        .embedding_dim(8)
        .num_filters(4)
        .chunks(2)
        .hidden(16)
        .build()
        .unwrap();
    ModelSpec {
        architecture: Architecture::XmlCnn(p),
        vocab_size: VOCAB,
        pad_id: 0,
        num_classes: 3,
    }
}

fn params(epochs: usize) -> TrainParams {
    TrainParams::builder()
        .epochs(epochs)
        .batch_size(8)
        .learning_rate(0.01)
        .seed(7)
        .threads(Some(1))
        .device("cpu".parse().unwrap())
        .patience(0)
        .build()
        .unwrap()
}

fn job<'a>(
    spec: ModelSpec,
    p: TrainParams,
    tr: &'a [Example],
    va: &'a [Example],
    out: &Path,
) -> TrainJob<'a> {
    TrainJob::new(spec, labels(), p, tr, va, out).unwrap()
}

fn bytes(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn learns_a_separable_task_and_writes_metrics() {
    let (tr, va) = (synthetic(96, 1), synthetic(32, 2));
    let dir = tempfile::tempdir().unwrap();
    let spec = ModelSpec {
        architecture: Architecture::EmbedPool(
            EmbedPoolParams::builder()
                .embedding_dim(8)
                .hidden(16)
                .dropout(0.0)
                .build()
                .unwrap(),
        ),
        ..xml_spec()
    };
    let p = params(25)
        .to_builder()
        .accumulation(2)
        .learning_rate(0.1)
        .warmup(0.0)
        .build()
        .unwrap();
    let report = train(&job(spec, p, &tr, &va, dir.path()), &mut Silent).unwrap();
    assert_eq!(report.history.len(), 25);
    assert!(
        report.history[24].train_loss < report.history[0].train_loss / 2.0,
        "{:?}",
        report.history
    );
    assert!(
        report.metrics.overall.micro_f1 > 0.85,
        "micro-F1 {}",
        report.metrics.overall.micro_f1
    );
    let json: serde_json::Value =
        serde_json::from_slice(&bytes(dir.path().join("metrics.json"))).unwrap();
    assert_eq!(json["overall"]["documents"], 32);
    let p1 = json["per_language"]["de"]["ndcg_at"]["1"].as_f64().unwrap();
    assert!(p1 > 0.8, "de nDCG@1 {p1} {json}");
    assert_eq!(json["overall"]["per_class"].as_array().unwrap().len(), 3);
    assert!(json["best_threshold"]["threshold"].as_f64().is_some());
}

#[test]
fn the_monitor_picks_the_best_checkpoint() {
    let (tr, va) = (synthetic(96, 1), synthetic(32, 2));
    for monitor in [Monitor::MicroF1, Monitor::ValidLoss] {
        let dir = tempfile::tempdir().unwrap();
        let p = params(8)
            .to_builder()
            .monitor(monitor)
            .learning_rate(0.05)
            .build()
            .unwrap();
        let report = train(&job(xml_spec(), p, &tr, &va, dir.path()), &mut Silent).unwrap();
        let h = &report.history;
        // The first epoch with the best monitored figure.
        let best = (0..h.len())
            .reduce(|b, i| {
                let better = match monitor {
                    Monitor::MicroF1 => h[i].valid_micro_f1 > h[b].valid_micro_f1,
                    Monitor::ValidLoss => h[i].valid_loss < h[b].valid_loss,
                };
                if better { i } else { b }
            })
            .unwrap();
        assert_eq!(report.best_epoch, h[best].epoch, "{monitor:?}: {h:?}");
        assert_eq!(report.best_valid_micro_f1, h[best].valid_micro_f1);
        // The checkpoint kept is that epoch's: its metrics are that epoch's micro-F1.
        assert!((report.metrics.overall.micro_f1 - h[best].valid_micro_f1).abs() < 1e-12);
        let improved: Vec<usize> = h.iter().filter(|e| e.improved).map(|e| e.epoch).collect();
        assert_eq!(improved.last(), Some(&report.best_epoch));
    }
    assert_eq!(TrainParams::default().monitor(), Monitor::MicroF1);
    assert_eq!("valid-loss".parse::<Monitor>().unwrap(), Monitor::ValidLoss);
    assert!("f1".parse::<Monitor>().is_err());
    // Parameters saved before `monitor` existed meant the validation loss.
    let mut old = serde_json::to_value(TrainParams::default()).unwrap();
    old.as_object_mut().unwrap().remove("monitor");
    let back: TrainParams = serde_json::from_value(old).unwrap();
    assert_eq!(back.monitor(), Monitor::ValidLoss);
}

#[test]
fn same_seed_and_threads_give_bit_identical_weights() {
    let (tr, va) = (synthetic(40, 3), synthetic(12, 4));
    let runs: Vec<_> = [7u64, 7, 8]
        .iter()
        .map(|&seed| {
            let dir = tempfile::tempdir().unwrap();
            let p = params(2).to_builder().seed(seed).build().unwrap();
            train(&job(xml_spec(), p, &tr, &va, dir.path()), &mut Silent).unwrap();
            let w = bytes(dir.path().join("last/model.safetensors"));
            let o = bytes(dir.path().join("last/optimizer.safetensors"));
            (w, o)
        })
        .collect();
    assert!(
        runs[0].0 == runs[1].0,
        "weights differ between identical runs"
    );
    assert!(
        runs[0].1 == runs[1].1,
        "optimizer state differs between identical runs"
    );
    assert!(
        runs[0].0 != runs[2].0,
        "another seed gives the same weights"
    );
}

struct KillAt(usize, usize);
impl TrainObserver for KillAt {
    fn batch_end(&mut self, p: &BatchProgress) {
        if (p.epoch, p.batch) == (self.0, self.1) {
            panic!("simulated kill");
        }
    }
}

#[test]
fn a_killed_run_resumes_to_the_same_weights() {
    let (tr, va) = (synthetic(40, 5), synthetic(12, 6));
    let full = tempfile::tempdir().unwrap();
    train(
        &job(xml_spec(), params(3), &tr, &va, full.path()),
        &mut Silent,
    )
    .unwrap();

    let cut = tempfile::tempdir().unwrap();
    let j = job(xml_spec(), params(3), &tr, &va, cut.path());
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(&j, &mut KillAt(2, 3))
    }));
    assert!(killed.is_err());
    let cfg = checkpoint::read_config(&cut.path().join("last")).unwrap();
    assert_eq!(cfg.epoch, 1, "the last completed epoch is kept");
    // Without resume the directory is protected.
    let e = train(&j, &mut Silent).unwrap_err();
    assert!(matches!(e, Error::OutputExists { .. }), "{e}");
    let resumed = train(&j.resume(true), &mut Silent).unwrap();
    assert_eq!(resumed.epochs_completed, 3);
    assert_eq!(resumed.history.len(), 3);
    for f in [
        "last/model.safetensors",
        "last/optimizer.safetensors",
        "best/model.safetensors",
    ] {
        assert!(
            bytes(full.path().join(f)) == bytes(cut.path().join(f)),
            "{f} differs after resume"
        );
    }
}

fn fnv(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[test]
fn nan_loss_names_epoch_and_batch_and_keeps_the_last_good_checkpoint() {
    let (tr, va) = (synthetic(24, 7), synthetic(8, 8));
    let dir = tempfile::tempdir().unwrap();
    let j = job(xml_spec(), params(2), &tr, &va, dir.path());
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(&j, &mut KillAt(2, 1))
    }));
    assert!(killed.is_err());
    // Poison the saved weights (a valid file with NaN biases, digest updated).
    let last = dir.path().join("last");
    let ck = Checkpoint::load(&last, Device::Cpu).unwrap();
    let mut tensors = ck.model.state_dict().unwrap();
    tensors.insert(
        "output.bias".into(),
        tch::Tensor::full([3], f64::NAN, (Kind::Float, Device::Cpu)),
    );
    let named: Vec<(String, tch::Tensor)> = tensors.into_iter().collect();
    tch::Tensor::write_safetensors(&named, last.join("model.safetensors")).unwrap();
    let mut cfg = checkpoint::read_config(&last).unwrap();
    let w = bytes(last.join("model.safetensors"));
    cfg.files.insert(
        "model.safetensors".into(),
        checkpoint::FileInfo {
            bytes: w.len() as u64,
            fnv1a64: fnv(&w),
        },
    );
    std::fs::write(last.join("config.json"), serde_json::to_vec(&cfg).unwrap()).unwrap();
    let before = (
        bytes(last.join("model.safetensors")),
        bytes(dir.path().join("best/model.safetensors")),
    );

    let e = train(&j.resume(true), &mut Silent).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonFiniteLoss {
                epoch: 2,
                batch: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("at epoch 2, batch 1"), "{e}");
    let after = (
        bytes(last.join("model.safetensors")),
        bytes(dir.path().join("best/model.safetensors")),
    );
    assert!(before == after, "checkpoints changed after the NaN");
}

#[test]
fn resuming_with_other_labels_or_model_is_refused_without_writing() {
    let (tr, va) = (synthetic(16, 9), synthetic(8, 10));
    let dir = tempfile::tempdir().unwrap();
    train(
        &job(xml_spec(), params(1), &tr, &va, dir.path()),
        &mut Silent,
    )
    .unwrap();
    let snapshot = bytes(dir.path().join("last/config.json"));
    let other = vec!["a".into(), "x".into(), "c".into()];
    let j = TrainJob::new(xml_spec(), other, params(2), &tr, &va, dir.path())
        .unwrap()
        .resume(true);
    let e = train(&j, &mut Silent).unwrap_err().to_string();
    assert_eq!(
        e,
        "label set mismatch: checkpoint has 3 labels, data has 3; first difference: label 1 is `b` in the checkpoint, `x` in the data"
    );
    let mut spec = xml_spec();
    spec.vocab_size = VOCAB + 1;
    let j = job(spec, params(2), &tr, &va, dir.path()).resume(true);
    let e = train(&j, &mut Silent).unwrap_err().to_string();
    assert!(e.contains("model was"), "{e}");
    assert_eq!(bytes(dir.path().join("last/config.json")), snapshot);
}

#[derive(Default)]
struct Record {
    starts: Vec<(usize, usize)>,
    batches: Vec<BatchProgress>,
    ends: Vec<EpochSummary>,
}
impl TrainObserver for Record {
    fn epoch_start(&mut self, epoch: usize, _epochs: usize, batches: usize) {
        self.starts.push((epoch, batches));
    }
    fn batch_end(&mut self, p: &BatchProgress) {
        self.batches.push(p.clone());
    }
    fn epoch_end(&mut self, s: &EpochSummary) {
        self.ends.push(s.clone());
    }
}

#[test]
fn progress_is_reported_and_empty_classes_warn() {
    use std::sync::{Arc, Mutex};
    let mut tr = synthetic(20, 11);
    for e in &mut tr {
        e.labels.retain(|&l| l != 2); // class c never positive
    }
    let va = synthetic(6, 12);
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || SharedWriter(sink.clone()))
        .with_ansi(false)
        .finish();
    let mut rec = Record::default();
    tracing::subscriber::with_default(subscriber, || {
        train(&job(xml_spec(), params(2), &tr, &va, dir.path()), &mut rec).unwrap();
    });
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("WARN") && text.contains("class=c") && text.contains("no positive"),
        "{text}"
    );
    assert_eq!(rec.starts, vec![(1, 3), (2, 3)]);
    assert_eq!(rec.batches.len(), 6);
    assert!(
        rec.batches
            .iter()
            .all(|b| b.docs_per_sec > 0.0 && b.loss.is_finite())
    );
    assert_eq!(rec.batches[5].epoch, 2);
    assert_eq!(rec.ends.len(), 2);
    assert!(rec.ends[0].improved);
}

struct SharedWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
