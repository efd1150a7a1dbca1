//! A PyTorch user can load sacx's xml-cnn: `tests/python/xml_cnn_parity.py`
//! rebuilds the network from `config.json` + `model.safetensors` with plain
//! `torch.nn` modules and must reproduce sacx's logits within 1e-5.
use std::path::Path;
use std::process::Command;

use sacx::model::checkpoint::{self, CheckpointConfig};
use sacx::model::internal::make_batch;
use sacx::model::{
    Architecture, Example, ModelSpec, Silent, TrainJob, TrainParams, XmlCnnParams, train,
};
use tch::Device;

fn python() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

fn docs() -> Vec<Example> {
    let lens = [1usize, 3, 7, 8, 9, 20, 57, 0, 2];
    lens.iter()
        .enumerate()
        .map(|(d, &n)| Example {
            ids: (0..n).map(|i| 1 + ((i * 7 + d * 13) % 59) as i64).collect(),
            labels: vec![(d % 4) as u32],
            lang: "en".into(),
        })
        .collect()
}

fn run_parity(dir: &Path, model: &sacx::model::Model) {
    let ex = docs();
    let all: Vec<usize> = (0..ex.len()).collect();
    let b = make_batch(&ex, &all, 0, 4, Device::Cpu).unwrap();
    let logits = model.logits(&b.ids, &b.mask).unwrap();
    let rows: Vec<Vec<f32>> = (0..ex.len() as i64)
        .map(|i| Vec::<f32>::try_from(logits.get(i)).unwrap())
        .collect();
    let cases = serde_json::json!({
        "docs": ex.iter().map(|e| e.ids.clone()).collect::<Vec<_>>(),
        "logits": rows,
    });
    let cases_path = dir.join("cases.json");
    std::fs::write(&cases_path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/xml_cnn_parity.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(dir.join("ckpt"))
        .arg(&cases_path)
        .output()
        .expect("run .venv/bin/python (see scripts/setup-libtorch.sh)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "PyTorch disagrees with sacx:\n{text}");
    assert!(text.contains("documents 9"), "{text}");
    eprintln!("{text}");
}

#[test]
fn pytorch_rebuilds_xml_cnn_from_safetensors() {
    let dir = tempfile::tempdir().unwrap();
    let p = XmlCnnParams::builder()
        .embedding_dim(12)
        .num_filters(5)
        .chunks(3)
        .hidden(10)
        .build()
        .unwrap();
    let spec = ModelSpec {
        architecture: Architecture::XmlCnn(p),
        vocab_size: 60,
        pad_id: 0,
        num_classes: 4,
    };
    // Train briefly so that the weights are not just the initialisation.
    let ex = docs();
    let params = TrainParams::builder()
        .epochs(2)
        .batch_size(3)
        .learning_rate(0.05)
        .device("cpu".parse().unwrap())
        .build()
        .unwrap();
    let run = dir.path().join("run");
    let labels = ["a", "b", "c", "d"].map(String::from).to_vec();
    let job = TrainJob::new(spec, labels, params, &ex, &ex, &run).unwrap();
    train(&job, &mut Silent).unwrap();
    let ck = checkpoint::Checkpoint::load(&run.join("last"), Device::Cpu).unwrap();
    let config = CheckpointConfig::new(&ck.model, ck.config.labels.clone(), 1);
    checkpoint::save(&dir.path().join("ckpt"), &config, &ck.model, None, &[]).unwrap();
    run_parity(dir.path(), &ck.model);
}
