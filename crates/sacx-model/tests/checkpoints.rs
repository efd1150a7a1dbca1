//! Checkpoints with a real sacx-data corpus and tokenizer: round trip, frozen
//! inference, bad files, label mismatch.
use std::path::Path;

use sacx_data::{Corpus, LoadOptions, Segmenter, Split, SplitOptions, Tokenizer, TokenizerOptions};
use sacx_model::checkpoint::Checkpoint;
use sacx_model::data::{labels, model_spec, split_examples};
use sacx_model::{
    Architecture, Classifier, Error, Silent, TrainJob, TrainParams, XmlCnnParams, train,
};
use tch::{Device, Kind};

const JSONL: &str = r#"{"id": "a", "lang": "en", "text": "play chess online with friends", "labels": ["Game"]}
{"id": "a", "lang": "de", "text": "spiele schach online mit freunden", "labels": ["Game"]}
{"id": "b", "lang": "en", "text": "edit photos and images quickly", "labels": ["Graphics"]}
{"id": "c", "lang": "en", "text": "a puzzle game with colourful images", "labels": ["Game", "Graphics"]}
{"id": "d", "lang": "en", "text": "draw vector images", "labels": ["Graphics"]}
{"id": "e", "lang": "en", "text": "arcade game", "labels": ["Game"]}
{"id": "f", "lang": "de", "text": "bilder bearbeiten", "labels": ["Graphics"]}
{"id": "g", "lang": "en", "text": "card game for friends", "labels": ["Game"]}
"#;

fn corpus() -> Corpus {
    Corpus::from_reader("mem.jsonl", JSONL.as_bytes(), &LoadOptions::default()).unwrap()
}

fn trained(dir: &Path) -> (Corpus, Tokenizer) {
    let corpus = corpus();
    let split = Split::new(
        &corpus.docs,
        &SplitOptions::builder()
            .seed(1)
            .train_fraction(0.6)
            .build()
            .unwrap(),
    );
    let texts: Vec<&str> = split
        .train
        .iter()
        .map(|&i| corpus.docs[i].text.as_str())
        .collect();
    let tok = Tokenizer::train(&TokenizerOptions::default(), Segmenter::new(), &texts).unwrap();
    let sacx_model::data::SplitExamples {
        train: tr,
        valid: va,
        ..
    } = split_examples(&corpus, &split, &tok).unwrap();
    let arch = Architecture::XmlCnn(
        XmlCnnParams::builder()
            .embedding_dim(6)
            .num_filters(3)
            .hidden(8)
            .build()
            .unwrap(),
    );
    let params = TrainParams::builder()
        .epochs(2)
        .batch_size(2)
        .device("cpu".parse().unwrap())
        .build()
        .unwrap();
    let job = TrainJob::new(
        model_spec(arch, &tok, &corpus),
        labels(&corpus),
        params,
        &tr,
        &va,
        dir,
    )
    .unwrap()
    .tokenizer(Some(&tok));
    train(&job, &mut Silent).unwrap();
    (corpus, tok)
}

#[test]
fn checkpoint_round_trip_with_tokenizer_and_frozen_inference() {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, tok) = trained(dir.path());
    let ck = Checkpoint::load(&dir.path().join("best"), Device::Cpu).unwrap();
    ck.check_corpus(&corpus).unwrap();
    assert_eq!(ck.config.labels, ["Game", "Graphics"]);
    assert_eq!(
        ck.config.tokenizer.as_ref().unwrap().file,
        "tokenizer/sacx-tokenizer.json"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("best/config.json")).unwrap())
            .unwrap();
    assert_eq!(json["model"]["architecture"]["kind"], "xml-cnn");
    assert_eq!(
        json["model"]["architecture"]["filter_widths"],
        serde_json::json!([2, 4, 8])
    );
    assert_eq!(json["sacx_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["seed"], 1);
    let loaded = ck.load_tokenizer().unwrap().unwrap();
    let text = "online chess with images";
    assert_eq!(loaded.encode(text).ids, tok.encode(text).ids);
    // Frozen: gradients flow to the embeddings but never into parameters.
    let ids = tch::Tensor::from_slice(&tok.encode(text).ids).unsqueeze(0);
    let mask = ids.ones_like().to_kind(Kind::Float);
    let emb = ck
        .model
        .embed(&ids)
        .unwrap()
        .detach()
        .set_requires_grad(true);
    ck.model
        .forward_embedded(&emb, &mask)
        .unwrap()
        .sum(Kind::Float)
        .backward();
    assert!(emb.grad().defined());
    for (name, p) in ck.model.named_parameters() {
        assert!(
            !p.requires_grad() && !p.grad().defined(),
            "{name} would accumulate gradients"
        );
    }
    // Same weights as saved: the logits of the loaded model match a second load.
    let again = Checkpoint::load(&dir.path().join("best"), Device::Cpu).unwrap();
    let a = ck.model.logits(&ids, &mask).unwrap();
    assert!(a.equal(&again.model.logits(&ids, &mask).unwrap()));
}

#[test]
fn bad_checkpoints_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    trained(dir.path());
    let best = dir.path().join("best");
    let copy = |name: &str| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(d.join("tokenizer")).unwrap();
        for f in std::fs::read_dir(&best).unwrap() {
            let p = f.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
            }
        }
        for f in std::fs::read_dir(best.join("tokenizer")).unwrap() {
            let p = f.unwrap().path();
            std::fs::copy(&p, d.join("tokenizer").join(p.file_name().unwrap())).unwrap();
        }
        d
    };
    let one_line = |e: Error| {
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
        s
    };
    let d = copy("missing");
    std::fs::remove_file(d.join("model.safetensors")).unwrap();
    let e = one_line(Checkpoint::load(&d, Device::Cpu).unwrap_err());
    assert!(
        e.starts_with("checkpoint file missing:") && e.ends_with("model.safetensors"),
        "{e}"
    );

    let d = copy("flipped");
    let mut w = std::fs::read(d.join("model.safetensors")).unwrap();
    let n = w.len() - 5;
    w[n] ^= 0x40;
    std::fs::write(d.join("model.safetensors"), &w).unwrap();
    let e = one_line(Checkpoint::load(&d, Device::Cpu).unwrap_err());
    assert!(
        e.starts_with("corrupt checkpoint file") && e.contains("digest"),
        "{e}"
    );

    let d = copy("config");
    std::fs::write(d.join("config.json"), "{\"format\": ").unwrap();
    let e = one_line(Checkpoint::load(&d, Device::Cpu).unwrap_err());
    assert!(e.contains("config.json: invalid JSON"), "{e}");

    let d = copy("tokenizer");
    std::fs::remove_file(d.join("tokenizer/sacx-tokenizer.json")).unwrap();
    let e = one_line(Checkpoint::load(&d, Device::Cpu).unwrap_err());
    assert!(e.contains("sacx-tokenizer.json"), "{e}");

    let e = one_line(Checkpoint::load(&dir.path().join("nowhere"), Device::Cpu).unwrap_err());
    assert!(e.starts_with("checkpoint file missing:"), "{e}");
}

#[test]
fn label_set_mismatch_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    trained(dir.path());
    let ck = Checkpoint::load(&dir.path().join("best"), Device::Cpu).unwrap();
    let other = Corpus::from_reader(
        "o.jsonl",
        &br#"{"text": "x", "labels": ["Game"]}
{"text": "y", "labels": ["Office"]}
"#[..],
        &LoadOptions::default(),
    )
    .unwrap();
    let e = ck.check_corpus(&other).unwrap_err().to_string();
    assert_eq!(
        e,
        "label set mismatch: checkpoint has 2 labels, data has 2; first difference: label 1 is `Graphics` in the checkpoint, `Office` in the data"
    );
}
