//! Fine-tuning pretrained Hugging Face encoders with the ordinary trainer
//! (`Architecture::Hf`): freezing, deterministic runs, and checkpoints whose
//! `encoder/` loads in `transformers` with the same logits
//! (`tests/python/hf_checkpoint_parity.py`).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sacx_model::hf::{HfModelDir, HfParams};
use sacx_model::internal::make_batch;
use sacx_model::{
    Architecture, Checkpoint, Example, ModelSpec, Pooling, Silent, TrainJob, TrainParams, train,
};
use tch::{Device, Tensor};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The MiniLM reference model (see `reference_minilm_dir`); fails, never skips.
fn minilm_dir() -> PathBuf {
    sacx_model::internal::reference_minilm_dir().unwrap_or_else(|e| panic!("{e}"))
}

/// Documents of 2 to 13 ids in `lo..hi`, framed by `first` and `last`, labelled by
/// whether their first id is even (class 0) and by their length (class 1).
fn docs(n: usize, offset: usize, (lo, hi): (i64, i64), (first, last): (i64, i64)) -> Vec<Example> {
    (0..n)
        .map(|d| {
            let len = 2 + (d * 5 + offset) % 12;
            let mut ids = vec![first];
            ids.extend((0..len).map(|i| lo + ((i * 7 + (d + offset) * 13) as i64 % (hi - lo))));
            ids.push(last);
            let mut labels = vec![];
            if ids[1] % 2 == 0 {
                labels.push(0);
            }
            if len > 6 {
                labels.push(1);
            }
            Example {
                ids,
                labels,
                lang: "en".into(),
            }
        })
        .collect()
}

fn params(epochs: usize, lr: f64) -> TrainParams {
    TrainParams::builder()
        .epochs(epochs)
        .batch_size(4)
        .learning_rate(lr)
        .warmup(0.1)
        .accumulation(2)
        .clip_norm(Some(1.0))
        .seed(7)
        .threads(Some(1))
        .device("cpu".parse().unwrap())
        .patience(0)
        .build()
        .unwrap()
}

fn spec(dir: &Path, arch: HfParams, num_classes: usize) -> ModelSpec {
    let c = HfModelDir::open(dir).unwrap().config;
    ModelSpec {
        architecture: Architecture::Hf(arch),
        vocab_size: c.vocab_size,
        pad_id: c.pad_token_id,
        num_classes,
    }
}

fn tensors(path: &Path) -> BTreeMap<String, Tensor> {
    Tensor::read_safetensors(path)
        .unwrap()
        .into_iter()
        .collect()
}

fn labels() -> Vec<String> {
    vec!["even".into(), "long".into()]
}

#[test]
fn fine_tuning_keeps_frozen_parts_and_writes_a_hugging_face_encoder() {
    let src = fixture("tiny-xlm-roberta");
    let arch = HfParams::open(&src)
        .unwrap()
        .pooling(Pooling::Mean)
        .freeze_embeddings(true)
        .freeze_layers(1)
        .build()
        .unwrap();
    let spec = spec(&src, arch, 2);
    let (tr, va) = (docs(16, 0, (3, 64), (0, 2)), docs(6, 3, (3, 64), (0, 2)));
    let root = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = root.path().join(name);
        let job = TrainJob::new(spec.clone(), labels(), params(2, 1e-3), &tr, &va, &out).unwrap();
        let report = train(&job, &mut Silent).unwrap();
        assert_eq!(report.epochs_completed, 2);
        out
    };
    let a = run("a");
    let best = a.join("best");
    let before = tensors(&src.join("model.safetensors"));
    let after = tensors(&best.join("encoder/model.safetensors"));
    // Every encoder tensor under its Hugging Face name; the pooler is not used.
    let unused: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    assert_eq!(unused, ["pooler.dense.bias", "pooler.dense.weight"]);
    for (name, t) in &after {
        let fixed = name.starts_with("embeddings.") || name.starts_with("encoder.layer.0.");
        assert_eq!(t.equal(&before[name]), fixed, "{name}");
    }
    assert_eq!(
        std::fs::read(best.join("encoder/config.json")).unwrap(),
        std::fs::read(src.join("config.json")).unwrap()
    );
    let head = tensors(&best.join("model.safetensors"));
    assert_eq!(
        head.keys().collect::<Vec<_>>(),
        ["head.bias", "head.weight"]
    );
    // The same seed gives the same bytes.
    let b = run("b");
    for f in [
        "best/model.safetensors",
        "best/encoder/model.safetensors",
        "last/optimizer.safetensors",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // A loaded checkpoint is the trained model, on its own encoder/ copy.
    let ck = Checkpoint::load(&best, Device::Cpu).unwrap();
    assert_eq!(ck.config.model, spec);
    let all = ck.model.state_dict().unwrap();
    assert!(all["head.weight"].equal(&head["head.weight"]));
    assert!(
        all["encoder.layer.1.output.dense.weight"]
            .equal(&after["encoder.layer.1.output.dense.weight"])
    );
}

#[test]
fn a_bad_hf_dir_is_named() {
    let e = "hf:/nonexistent/model"
        .parse::<Architecture>()
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/model"), "{e}");
    let p = HfParams::open(&fixture("tiny-distilbert"))
        .unwrap()
        .freeze_layers(9)
        .build();
    assert!(p.unwrap_err().to_string().contains("freeze_layers"));
}

/// sacx's logits of the checkpoint `best` on `examples`, checked by
/// `hf_checkpoint_parity.py` against `transformers`.
fn python_parity(best: &Path, examples: &[Example], tmp: &Path) {
    let ck = Checkpoint::load(best, Device::Cpu).unwrap();
    let all: Vec<usize> = (0..examples.len()).collect();
    let b = make_batch(examples, &all, ck.config.model.pad_id, 2, Device::Cpu).unwrap();
    let logits = ck.model.logits(&b.ids, &b.mask).unwrap();
    let rows = |t: &Tensor| -> Vec<Vec<f64>> {
        (0..examples.len() as i64)
            .map(|i| Vec::<f64>::try_from(t.get(i).to_kind(tch::Kind::Double)).unwrap())
            .collect()
    };
    let ids: Vec<Vec<i64>> = (0..examples.len() as i64)
        .map(|i| Vec::<i64>::try_from(b.ids.get(i)).unwrap())
        .collect();
    let cases = serde_json::json!({"ids": ids, "mask": rows(&b.mask), "logits": rows(&logits)});
    let path = tmp.join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let out = Command::new(repo().join(".venv/bin/python"))
        .arg(repo().join("tests/python/hf_checkpoint_parity.py"))
        .arg(best)
        .arg(&path)
        .output()
        .expect("run .venv/bin/python (see scripts/setup-libtorch.sh)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "transformers disagrees with sacx:\n{text}"
    );
    assert!(
        text.contains(&format!("documents {}", examples.len())),
        "{text}"
    );
    eprintln!("{text}");
}

#[test]
fn fine_tuned_checkpoints_load_in_transformers_with_the_same_logits() {
    for (dir, pooling, frame, range) in [
        (minilm_dir(), Pooling::First, (101, 102), (1000, 3000)),
        (fixture("tiny-distilbert"), Pooling::Mean, (2, 3), (5, 60)),
        (fixture("tiny-xlm-roberta"), Pooling::First, (0, 2), (3, 60)),
    ] {
        let arch = HfParams::open(&dir)
            .unwrap()
            .pooling(pooling)
            .build()
            .unwrap();
        let spec = spec(&dir, arch, 2);
        let (tr, va) = (docs(8, 0, range, frame), docs(5, 2, range, frame));
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("run");
        let job = TrainJob::new(spec, labels(), params(1, 5e-4), &tr, &va, &out).unwrap();
        train(&job, &mut Silent).unwrap();
        python_parity(&out.join("best"), &va, root.path());
    }
}

struct KillAt(usize, usize);
impl sacx_model::TrainObserver for KillAt {
    fn batch_end(&mut self, p: &sacx_model::BatchProgress) {
        if (p.epoch, p.batch) == (self.0, self.1) {
            panic!("simulated kill");
        }
    }
}

/// A killed fine-tuning resumes from `last/` (encoder, head, optimizer
/// moments of the trainable parameters) to the bytes of an uninterrupted run.
#[test]
fn a_killed_fine_tuning_resumes_to_the_same_bytes() {
    let src = fixture("tiny-xlm-roberta");
    let arch = HfParams::open(&src)
        .unwrap()
        .freeze_layers(1)
        .build()
        .unwrap();
    let spec = spec(&src, arch, 2);
    let (tr, va) = (docs(16, 0, (3, 64), (0, 2)), docs(6, 3, (3, 64), (0, 2)));
    let root = tempfile::tempdir().unwrap();
    let job = |name: &str| {
        TrainJob::new(
            spec.clone(),
            labels(),
            params(3, 1e-3),
            &tr,
            &va,
            root.path().join(name),
        )
        .unwrap()
    };
    train(&job("full"), &mut Silent).unwrap();
    let cut = job("cut");
    let killed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(&cut, &mut KillAt(2, 2))
    }));
    assert!(killed.is_err());
    let resumed = train(&cut.resume(true), &mut Silent).unwrap();
    assert_eq!(resumed.epochs_completed, 3);
    for f in [
        "last/model.safetensors",
        "last/encoder/model.safetensors",
        "last/optimizer.safetensors",
        "best/encoder/model.safetensors",
    ] {
        let read = |run: &str| std::fs::read(root.path().join(run).join(f)).unwrap();
        assert!(read("full") == read("cut"), "{f} differs after resume");
    }
}
