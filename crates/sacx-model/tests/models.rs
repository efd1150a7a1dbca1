//! The three architectures: batch independence, the xml-cnn linear stage,
//! dynamic pooling semantics, parameter validation.
use sacx_model::{
    Architecture, Classifier, EmbedPoolParams, Example, Model, ModelSpec, Pooling,
    TransformerParams, XmlCnnParams, internal::make_batch,
};
use tch::{Device, Kind, Tensor};

fn spec(architecture: Architecture) -> ModelSpec {
    ModelSpec {
        architecture,
        vocab_size: 50,
        pad_id: 0,
        num_classes: 5,
    }
}

fn small_archs() -> Vec<Architecture> {
    vec![
        Architecture::XmlCnn(
            XmlCnnParams::builder()
                .embedding_dim(8)
                .num_filters(6)
                .chunks(3)
                .hidden(16)
                .build()
                .unwrap(),
        ),
        Architecture::EmbedPool(
            EmbedPoolParams::builder()
                .embedding_dim(8)
                .hidden(16)
                .build()
                .unwrap(),
        ),
        Architecture::Transformer(
            TransformerParams::builder()
                .embedding_dim(8)
                .heads(2)
                .layers(2)
                .ff_dim(16)
                .build()
                .unwrap(),
        ),
        Architecture::Transformer(
            TransformerParams::builder()
                .embedding_dim(8)
                .heads(4)
                .layers(1)
                .ff_dim(8)
                .pooling(Pooling::First)
                .build()
                .unwrap(),
        ),
    ]
}

fn docs() -> Vec<Example> {
    let mk = |ids: Vec<i64>| Example {
        ids,
        labels: vec![],
        lang: "en".into(),
    };
    vec![
        mk((1..30).collect()),
        mk(vec![3]),           // shorter than every filter but 1
        mk(vec![7, 8, 9, 10]), // shorter than the widest filter (8)
        mk((5..17).collect()),
        mk(vec![]),
    ]
}

#[test]
fn logits_do_not_depend_on_batch_composition_or_padding() {
    let ex = docs();
    for arch in small_archs() {
        let name = arch.to_string();
        let model = Model::new(&spec(arch), 11, Device::Cpu, None).unwrap();
        let all: Vec<usize> = (0..ex.len()).collect();
        let batch = make_batch(&ex, &all, 0, 5, Device::Cpu).unwrap();
        let together = model.logits(&batch.ids, &batch.mask).unwrap();
        assert_eq!(together.size(), vec![5, 5]);
        for i in 0..ex.len() {
            let alone = make_batch(&ex, &[i], 0, 5, Device::Cpu).unwrap();
            let solo = model.logits(&alone.ids, &alone.mask).unwrap();
            let diff = (solo.get(0) - together.get(i as i64))
                .abs()
                .max()
                .double_value(&[]);
            assert!(
                diff < 1e-5,
                "{name}: document {i} changes by {diff} when batched"
            );
        }
        // Extra padding columns change nothing either.
        let padded_ids = batch.ids.constant_pad_nd([0, 9]);
        let padded_mask = batch.mask.constant_pad_nd([0, 9]);
        let more = model.logits(&padded_ids, &padded_mask).unwrap();
        let diff = (more - &together).abs().max().double_value(&[]);
        assert!(
            diff < 1e-5,
            "{name}: extra padding changes logits by {diff}"
        );
    }
}

#[test]
fn classifier_contract_shapes_and_gradients() {
    for arch in small_archs() {
        let name = arch.to_string();
        let mut model = Model::new(&spec(arch), 3, Device::Cpu, None).unwrap();
        model.freeze();
        let ex = docs();
        let batch = make_batch(&ex, &[0, 2], 0, 5, Device::Cpu).unwrap();
        let emb = model
            .embed(&batch.ids)
            .unwrap()
            .detach()
            .set_requires_grad(true);
        assert_eq!(emb.size(), vec![2, 29, 8], "{name}");
        let logits = model.forward_embedded(&emb, &batch.mask).unwrap();
        assert_eq!(logits.size(), vec![2, 5], "{name}");
        logits.sum(Kind::Float).backward();
        let g = emb.grad();
        assert!(
            g.abs().sum(Kind::Float).double_value(&[]) > 0.0,
            "{name}: no gradient"
        );
        // Frozen parameters accumulate nothing.
        for (n, p) in model.named_parameters() {
            assert!(!p.requires_grad(), "{name}: {n} still requires grad");
        }
        assert_eq!(model.num_classes(), 5);
        assert_eq!(model.embedding_dim(), 8);
        assert_eq!(model.pad_id(), 0);
        assert_eq!(model.linear_stage().is_some(), name == "xml-cnn");
    }
}

#[test]
fn xml_cnn_linear_stage_is_exact_and_affine() {
    let model = Model::new(&spec(small_archs().remove(0)), 5, Device::Cpu, None).unwrap();
    let stage = model.linear_stage().expect("xml-cnn has a linear stage");
    let ex = docs();
    let batch = make_batch(&ex, &[0, 1, 2, 3, 4], 0, 5, Device::Cpu).unwrap();
    let e = model.embed(&batch.ids).unwrap().detach();
    let m = &batch.mask;
    let direct = model.forward_embedded(&e, m).unwrap();
    let staged = stage.forward_from(&stage.apply(&e, m).unwrap(), m).unwrap();
    let diff = (&direct - &staged).abs().max().double_value(&[]);
    assert!(diff < 1e-6, "forward_from(apply) differs by {diff}");
    // Short input (len 3 < widest filter 8) through the stage too.
    let short = make_batch(&ex, &[1, 2], 0, 5, Device::Cpu).unwrap();
    let es = model.embed(&short.ids).unwrap();
    let d2 = (model.forward_embedded(&es, &short.mask).unwrap()
        - stage
            .forward_from(&stage.apply(&es, &short.mask).unwrap(), &short.mask)
            .unwrap())
    .abs()
    .max()
    .double_value(&[]);
    assert!(d2 < 1e-6, "short documents differ by {d2}");
    // Affinity, bias included: apply(b + a(e − b)) = apply(b) + a(apply(e) − apply(b)).
    let b = Tensor::randn(e.size(), (Kind::Float, Device::Cpu)) * 0.3;
    for a in [0.0, 0.25, 0.7, 1.0, 2.5] {
        let lhs = stage.apply(&(&b + (&e - &b) * a), m).unwrap();
        let ab = stage.apply(&b, m).unwrap();
        let rhs = &ab + (stage.apply(&e, m).unwrap() - &ab) * a;
        let diff = (lhs - rhs).abs().max().double_value(&[]);
        assert!(diff < 1e-5, "apply is not affine at a = {a}: {diff}");
    }
    // And the bias is really inside: apply(0) is not zero.
    let zero = stage.apply(&e.zeros_like(), m).unwrap();
    assert!(zero.abs().sum(Kind::Float).double_value(&[]) > 0.0);
}

#[test]
fn dynamic_pooling_matches_per_document_adaptive_max_pooling() {
    // With one filter width, an identity-like check: recompute pooled features
    // with libtorch's adaptive_max_pool1d on each document alone.
    let p = XmlCnnParams::builder()
        .embedding_dim(4)
        .filter_widths(vec![3])
        .num_filters(5)
        .chunks(4)
        .hidden(6)
        .build()
        .unwrap();
    let model = Model::new(&spec(Architecture::XmlCnn(p)), 9, Device::Cpu, None).unwrap();
    let cnn = model.as_xml_cnn().unwrap();
    let stage = model.linear_stage().unwrap();
    let ex = docs();
    let batch = make_batch(&ex, &[0, 1, 2, 3], 0, 5, Device::Cpu).unwrap();
    let e = model.embed(&batch.ids).unwrap();
    let h = stage.apply(&e, &batch.mask).unwrap().select(1, 0).relu(); // [b, F, len']
    let out = model.forward_embedded(&e, &batch.mask).unwrap();
    let named: std::collections::HashMap<&str, &Tensor> = model.named_parameters().collect();
    for (i, doc) in ex.iter().take(4).enumerate() {
        let n = (doc.ids.len() as i64 - 2).max(1);
        let hi = h.get(i as i64).narrow(1, 0, n).unsqueeze(0);
        let (pooled, _) = hi.adaptive_max_pool1d([4]);
        let z = pooled.flatten(1, -1); // [1, F*p], f-major then chunk
        let z = z
            .linear(named["bottleneck.weight"], Some(named["bottleneck.bias"]))
            .relu();
        let logits = z.linear(named["output.weight"], Some(named["output.bias"]));
        let diff = (logits.get(0) - out.get(i as i64))
            .abs()
            .max()
            .double_value(&[]);
        assert!(diff < 1e-5, "document {i}: {diff}");
    }
    assert_eq!(cnn.params().chunks(), 4);
}

#[test]
fn xml_cnn_max_pool_head_reproduces_forward_from() {
    // The MaxPoolHead contract: pooling the stage output over the declared
    // windows and running the head gives forward_from's logits, for every
    // document length of a padded batch (an empty one included).
    let model = Model::new(&spec(small_archs().remove(0)), 7, Device::Cpu, None).unwrap();
    let stage = model.linear_stage().unwrap();
    let head = stage
        .max_pool_head()
        .expect("xml-cnn pools its stage output");
    let ex = docs();
    let batch = make_batch(&ex, &[0, 1, 2, 3, 4], 0, 5, Device::Cpu).unwrap();
    let e = model.embed(&batch.ids).unwrap();
    let s = stage.apply(&e, &batch.mask).unwrap();
    let dims = s.size();
    let positions = *dims.last().unwrap() as usize;
    let flat = s.view([dims[0], -1, dims[dims.len() - 1]]);
    let expected = stage.forward_from(&s, &batch.mask).unwrap();
    for (i, doc) in ex.iter().enumerate() {
        let windows = head.pool_windows(doc.ids.len(), positions);
        assert_eq!(windows.len(), 3 * 6 * 3, "widths × filters × chunks");
        let row = flat.get(i as i64);
        let pooled: Vec<f32> = windows
            .iter()
            .map(|w| {
                let v = row
                    .get(w.channel as i64)
                    .narrow(0, w.start as i64, (w.end - w.start) as i64)
                    .max()
                    .double_value(&[]) as f32;
                v.max(0.0)
            })
            .collect();
        let logits = head
            .forward_pooled(&Tensor::from_slice(&pooled).view([1, -1]))
            .unwrap();
        let diff = (logits.get(0) - expected.get(i as i64))
            .abs()
            .max()
            .double_value(&[]);
        assert!(diff < 1e-6, "document {i}: {diff}");
    }
}

#[test]
fn builders_reject_out_of_range_values() {
    let e = XmlCnnParams::builder()
        .chunks(0)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(e, "chunks = 0 is invalid: expected 1..=64");
    let e = XmlCnnParams::builder()
        .filter_widths(vec![])
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("filter_widths = [] is invalid"), "{e}");
    let e = XmlCnnParams::builder()
        .dropout(1.0)
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("dropout = 1 is invalid"), "{e}");
    let e = TransformerParams::builder()
        .embedding_dim(10)
        .heads(4)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "heads = 4 is invalid: expected a divisor of embedding_dim"
    );
    assert!(EmbedPoolParams::builder().hidden(0).build().is_err());
    assert!("cnn".parse::<Architecture>().is_err());
    let a: Architecture = "transformer".parse().unwrap();
    assert_eq!(a, Architecture::Transformer(TransformerParams::default()));
    let bad = ModelSpec {
        vocab_size: 5,
        pad_id: 7,
        ..spec(small_archs().remove(0))
    };
    assert!(
        Model::new(&bad, 1, Device::Cpu, None)
            .unwrap_err()
            .to_string()
            .contains("pad_id")
    );
}

#[test]
fn architecture_json_round_trips_with_a_kind_tag() {
    for arch in small_archs() {
        let json = serde_json::to_string(&arch).unwrap();
        assert!(
            json.starts_with(&format!("{{\"kind\":\"{}\"", arch.name())),
            "{json}"
        );
        let back: Architecture = serde_json::from_str(&json).unwrap();
        assert_eq!(back, arch);
    }
}

#[test]
fn seeds_decide_initial_weights() {
    let s = spec(small_archs().remove(0));
    let a = Model::new(&s, 1, Device::Cpu, None).unwrap();
    let b = Model::new(&s, 1, Device::Cpu, None).unwrap();
    let c = Model::new(&s, 2, Device::Cpu, None).unwrap();
    for ((n, x), ((_, y), (_, z))) in a
        .named_parameters()
        .zip(b.named_parameters().zip(c.named_parameters()))
    {
        assert!(x.equal(y), "{n} differs for the same seed");
        if n != "embedding.weight" || x.numel() > 8 {
            assert!(!x.equal(z), "{n} equal for different seeds");
        }
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    for arch in small_archs() {
        let name = arch.to_string();
        let model = Model::new(&spec(arch), 1, Device::Cpu, None).unwrap();
        assert_eq!(model.vocab_size(), 50, "{name}");
        for bad in [50i64, -1] {
            let ids = Tensor::from_slice(&[3i64, bad, 4]).view([1, 3]);
            let e = model.embed(&ids).unwrap_err();
            assert!(
                matches!(e, sacx_model::Error::TokenOutOfRange { id, vocab_size: 50 } if id == bad),
                "{name}: {e}"
            );
            let mask = Tensor::ones([1, 3], (Kind::Float, Device::Cpu));
            assert!(model.logits(&ids, &mask).is_err(), "{name}");
        }
        // Embeddings of the wrong rank or width: an error from libtorch.
        let flat = Tensor::zeros([3], (Kind::Float, Device::Cpu));
        let e = model.forward_embedded(&flat, &flat).unwrap_err();
        assert!(matches!(e, sacx_model::Error::Torch(_)), "{name}: {e}");
        let mask = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
        let narrow = Tensor::zeros([2, 4, 3], (Kind::Float, Device::Cpu));
        assert!(model.forward_embedded(&narrow, &mask).is_err(), "{name}");
        if let Some(stage) = model.linear_stage() {
            assert!(stage.apply(&narrow, &mask).is_err(), "{name}");
            assert!(stage.forward_from(&flat, &mask).is_err(), "{name}");
        }
    }
}

#[test]
fn deserializing_checks_the_ranges_like_the_builders() {
    let ok = serde_json::json!({"kind": "xml-cnn", "embedding_dim": 8, "filter_widths": [2],
        "num_filters": 4, "chunks": 2, "hidden": 16, "dropout": 0.5, "freeze_embeddings": false});
    let arch: Architecture = serde_json::from_value(ok.clone()).unwrap();
    assert_eq!(serde_json::to_value(&arch).unwrap(), ok);
    let mut bad = ok.clone();
    bad["chunks"] = 0.into();
    let e = serde_json::from_value::<Architecture>(bad)
        .unwrap_err()
        .to_string();
    assert!(e.contains("chunks = 0 is invalid"), "{e}");
    let mut unknown = ok;
    unknown["stride"] = 2.into();
    assert!(serde_json::from_value::<Architecture>(unknown).is_err());
    let t = serde_json::to_value(TransformerParams::default()).unwrap();
    let mut t_bad = t.clone();
    t_bad["heads"] = 3.into();
    assert!(serde_json::from_value::<TransformerParams>(t_bad).is_err());
    assert_eq!(
        serde_json::from_value::<TransformerParams>(t).unwrap(),
        TransformerParams::default()
    );
}

/// A replica (for attribution on another thread) holds the original's tensors
/// themselves, not copies, gives the same logits there, and is refused while
/// the model still trains.
#[test]
fn replicas_share_the_weights_and_give_the_same_logits_on_another_thread() {
    let ids = Tensor::from_slice(&[3i64, 4, 5, 6, 7, 8, 1, 2]).view([2, 4]);
    let mask = Tensor::ones([2, 4], (Kind::Float, Device::Cpu));
    for arch in small_archs() {
        let mut model = Model::new(&spec(arch.clone()), 4, Device::Cpu, None).unwrap();
        let e = model.replica().unwrap_err().to_string();
        assert!(e.contains("freeze it first"), "{arch}: {e}");
        assert!(Classifier::replica(&model).unwrap().is_none(), "{arch}");
        model.freeze();
        let copy = model.replica().unwrap();
        for ((n, a), (m, b)) in model.named_parameters().zip(copy.named_parameters()) {
            assert_eq!(n, m);
            assert_eq!(a.data_ptr(), b.data_ptr(), "{arch}: `{n}` was copied");
        }
        let want = model.logits(&ids, &mask).unwrap();
        let (i, m) = (ids.shallow_clone(), mask.shallow_clone());
        let got = std::thread::spawn(move || copy.logits(&i, &m).unwrap())
            .join()
            .unwrap();
        assert!(want.equal(&got), "{arch}");
    }
}

/// `Model::predict` pads xml-cnn batches to a multiple of 8 tokens (fewer
/// shapes for libtorch's primitive cache); padding is masked out, so the
/// probabilities are those of each document alone at its own length, up to
/// the last bits (oneDNN picks its kernels by shape).
#[test]
fn xml_cnn_predictions_do_not_change_with_the_padded_length() {
    let arch = small_archs().remove(0);
    assert_eq!(arch.batch_len_multiple(), 8);
    let model = Model::new(&spec(arch), 5, Device::Cpu, None).unwrap();
    let mut ex = docs();
    ex.extend((1..20).map(|n| Example {
        ids: (0..n).map(|i| 1 + (i * 7 + n) % 49).collect(),
        labels: vec![],
        lang: "en".into(),
    }));
    let predicted = model.predict(&ex, 3).unwrap();
    for (i, p) in predicted.iter().enumerate() {
        for multiple in [1, 13] {
            let b = sacx_model::internal::make_batch_to(&ex, &[i], 0, 5, Device::Cpu, multiple)
                .unwrap();
            let own = model.logits(&b.ids, &b.mask).unwrap().sigmoid();
            let own = Vec::<f32>::try_from(own.flatten(0, -1)).unwrap();
            let diff = own
                .iter()
                .zip(p)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                diff <= 1e-6,
                "document {i} padded to a multiple of {multiple}: {diff}"
            );
        }
    }
}
