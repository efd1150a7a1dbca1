//! Correctness of the attributions: closed form on a linear model, completeness,
//! the linear-stage shortcut against the generic path, and a slow reference.
mod common;

use common::{LinearModel, TinyCnn, doc, docs};
use sacx_ig::{
    Baseline, DocExplanation, ExplainDoc, Explainer, IgParams, Method, Normalize, ResolvedBaseline,
    TargetPolicy,
};
use sacx_model::Classifier;
use tch::{Kind, Tensor};

fn raw_params(steps: usize) -> IgParams {
    IgParams::builder()
        .n_steps(steps)
        .targets(TargetPolicy::All)
        .normalize(Normalize::None)
        .build()
        .unwrap()
}

#[test]
fn linear_model_attributions_equal_the_closed_form() {
    let model = LinearModel::new(30, 8, 3, 1);
    let d = doc("a", &[4, 9, 17, 4, 25], &[0]);
    for method in Method::ALL {
        let params = IgParams::builder()
            .n_steps(7)
            .method(method)
            .targets(TargetPolicy::All)
            .normalize(Normalize::None)
            .build()
            .unwrap();
        let rec = &Explainer::new(&model, params, ResolvedBaseline::Token(0))
            .explain(std::slice::from_ref(&d))
            .unwrap()[0];
        for t in &rec.targets {
            for (w, &id) in d.ids[1..].iter().enumerate() {
                let diff = model.table.get(id) - model.table.get(0);
                let expected = (diff * model.w.get(t.class as i64))
                    .sum(Kind::Float)
                    .double_value(&[]);
                let got = f64::from(t.scores[w]);
                assert!(
                    (got - expected).abs() < 1e-4 * expected.abs().max(1.0),
                    "{method}: {got} vs {expected}"
                );
            }
            assert!(t.rel_delta < 1e-5, "{method}: {}", t.rel_delta);
        }
    }
}

#[test]
fn completeness_holds_with_64_gauss_legendre_steps() {
    let model = TinyCnn::new(50, 6, 5, 3, 2);
    for m in [&model as &dyn Classifier, &model.as_generic()] {
        let recs = Explainer::new(m, raw_params(64), ResolvedBaseline::Token(0))
            .explain(&docs(12, 50, 3))
            .unwrap();
        for r in &recs {
            for t in &r.targets {
                assert!(
                    t.rel_delta < 1e-3,
                    "{}: rel delta {}",
                    r.doc_id,
                    t.rel_delta
                );
                assert_eq!(t.steps, 64);
            }
        }
    }
}

#[test]
fn linear_stage_shortcut_equals_the_generic_path() {
    let model = TinyCnn::new(50, 6, 5, 3, 4);
    let generic = model.as_generic();
    let input = docs(9, 50, 5);
    for baseline in [ResolvedBaseline::Token(0), ResolvedBaseline::Zero] {
        let fast = Explainer::new(&model, raw_params(20), baseline.clone())
            .explain(&input)
            .unwrap();
        let slow = Explainer::new(&generic, raw_params(20), baseline)
            .explain(&input)
            .unwrap();
        for (a, b) in fast.iter().zip(&slow) {
            assert_eq!(a.probs, b.probs);
            for (ta, tb) in a.targets.iter().zip(&b.targets) {
                for (x, y) in ta.scores.iter().zip(&tb.scores) {
                    assert!((x - y).abs() < 1e-5 * y.abs().max(1.0), "{x} vs {y}");
                }
            }
        }
    }
}

/// One pair, one step at a time, straight from the definition.
fn reference(
    model: &dyn Classifier,
    ids: &[i64],
    base: &[i64],
    class: i64,
    steps: usize,
) -> Vec<f64> {
    let ids_t = Tensor::from_slice(ids).view([1, -1]);
    let base_t = Tensor::from_slice(base).view([1, -1]);
    let mask = Tensor::ones([1, ids.len() as i64], (Kind::Float, tch::Device::Cpu));
    let e = model.embed(&ids_t).unwrap().detach();
    let b = model.embed(&base_t).unwrap().detach();
    let rule = Method::GaussLegendre.rule(steps).unwrap();
    let mut total = Tensor::zeros_like(&e);
    for (a, w) in rule.alphas.iter().zip(&rule.weights) {
        let x = (&b + (&e - &b) * *a).set_requires_grad(true);
        let f = model.forward_embedded(&x, &mask).unwrap().get(0).get(class);
        let g = Tensor::run_backward(&[f], &[&x], false, false);
        total += &g[0] * *w;
    }
    let attr = ((&e - &b) * total)
        .sum_dim_intlist(-1, false, Kind::Float)
        .view([-1]);
    Vec::<f64>::try_from(&attr.to_kind(Kind::Double)).unwrap()
}

/// Every target of `rec` against [`reference`] with `steps` steps, for a pad
/// (id 0) baseline that keeps the leading special token; `context` names the run.
fn assert_matches_reference(
    m: &dyn Classifier,
    d: &ExplainDoc,
    rec: &DocExplanation,
    steps: usize,
    context: &str,
) {
    let base: Vec<i64> = d
        .ids
        .iter()
        .enumerate()
        .map(|(i, &t)| if i == 0 { t } else { 0 })
        .collect();
    for t in &rec.targets {
        let want = reference(m, &d.ids, &base, t.class as i64, steps);
        for (w, got) in t.scores.iter().enumerate() {
            let exp = want[w + 1];
            assert!(
                (f64::from(*got) - exp).abs() < 1e-5 * exp.abs().max(1.0),
                "{} class {} {context}: {got} vs {exp}",
                d.doc_id,
                t.class
            );
        }
    }
}

#[test]
fn batched_attributions_agree_with_the_one_step_at_a_time_reference() {
    let model = TinyCnn::new(40, 5, 4, 2, 6);
    let input = docs(6, 40, 8);
    // A tiny budget forces step chunking and many batches.
    let params = IgParams::builder()
        .n_steps(16)
        .targets(TargetPolicy::All)
        .normalize(Normalize::None)
        .max_batch_tokens(512)
        .build()
        .unwrap();
    for m in [&model as &dyn Classifier, &model.as_generic()] {
        let recs = Explainer::new(m, params.clone(), ResolvedBaseline::Token(0))
            .explain(&input)
            .unwrap();
        for (d, r) in input.iter().zip(&recs) {
            assert_matches_reference(m, d, r, 16, "");
        }
    }
}

#[test]
fn targets_follow_the_policy_and_threshold_and_no_target_docs_are_kept() {
    let model = TinyCnn::new(50, 6, 5, 3, 9);
    let input = docs(10, 50, 10);
    let run = |targets, threshold| {
        let p = IgParams::builder()
            .n_steps(4)
            .targets(targets)
            .threshold(threshold)
            .build()
            .unwrap();
        Explainer::new(&model, p, ResolvedBaseline::Token(0))
            .explain(&input)
            .unwrap()
    };
    for threshold in [0.3f32, 0.5, 0.9] {
        let recs = run(TargetPolicy::Predicted, threshold);
        assert_eq!(
            recs.len(),
            input.len(),
            "documents without a target are recorded"
        );
        for r in &recs {
            let want: Vec<u32> = (0..3)
                .filter(|&c| r.probs[c as usize] > threshold)
                .collect();
            assert_eq!(r.targets.iter().map(|t| t.class).collect::<Vec<_>>(), want);
        }
    }
    for r in run(TargetPolicy::Gold, 0.5) {
        assert_eq!(
            r.targets.iter().map(|t| t.class).collect::<Vec<_>>(),
            r.gold
        );
    }
    for r in run(TargetPolicy::TruePositive, 0.5) {
        let want: Vec<u32> = r
            .gold
            .iter()
            .copied()
            .filter(|&c| r.probs[c as usize] > 0.5)
            .collect();
        assert_eq!(r.targets.iter().map(|t| t.class).collect::<Vec<_>>(), want);
    }
}

#[test]
fn tolerance_mode_raises_steps_only_where_needed() {
    let model = TinyCnn::new(50, 6, 5, 3, 11);
    let input = docs(10, 50, 12);
    let p = IgParams::builder()
        .n_steps(2)
        .method(Method::RiemannLeft)
        .targets(TargetPolicy::All)
        .normalize(Normalize::None)
        .tolerance(Some(0.02))
        .max_steps(256)
        .build()
        .unwrap();
    let recs = Explainer::new(&model, p, ResolvedBaseline::Token(0))
        .explain(&input)
        .unwrap();
    let steps: Vec<u32> = recs
        .iter()
        .flat_map(|r| r.targets.iter().map(|t| t.steps))
        .collect();
    for r in &recs {
        for t in &r.targets {
            assert!(
                t.rel_delta <= 0.02 || t.steps == 256,
                "{} steps {} rel {}",
                r.doc_id,
                t.steps,
                t.rel_delta
            );
        }
    }
    assert!(
        steps.iter().any(|&s| s > 2),
        "some pairs needed more steps: {steps:?}"
    );
    assert!(
        steps.iter().min() < steps.iter().max(),
        "not every pair got the maximum: {steps:?}"
    );
}

#[test]
fn random_baselines_average_and_are_seeded() {
    let model = TinyCnn::new(50, 6, 5, 3, 13);
    let input = docs(4, 50, 14);
    let baseline = ResolvedBaseline::resolve(
        &Baseline::Random { k: 3, seed: 7 },
        0,
        |_| None,
        || (2..50).collect(),
    )
    .unwrap();
    let a = Explainer::new(&model, raw_params(32), baseline.clone())
        .explain(&input)
        .unwrap();
    let b = Explainer::new(&model, raw_params(32), baseline)
        .explain(&input)
        .unwrap();
    assert_eq!(a, b, "same seed, same attributions");
    for r in &a {
        for t in &r.targets {
            assert!(t.rel_delta < 1e-2, "averaged completeness {}", t.rel_delta);
        }
    }
    let other = ResolvedBaseline::resolve(
        &Baseline::Random { k: 3, seed: 8 },
        0,
        |_| None,
        || (2..50).collect(),
    )
    .unwrap();
    let c = Explainer::new(&model, raw_params(32), other)
        .explain(&input)
        .unwrap();
    assert_ne!(a, c, "another seed, other baselines");
}

#[test]
fn results_do_not_depend_on_batch_composition() {
    let model = TinyCnn::new(50, 6, 5, 3, 15);
    let input = docs(8, 50, 16);
    let all = Explainer::new(&model, raw_params(8), ResolvedBaseline::Token(0))
        .explain(&input)
        .unwrap();
    for (d, want) in input.iter().zip(&all) {
        let alone = Explainer::new(&model, raw_params(8), ResolvedBaseline::Token(0))
            .explain(std::slice::from_ref(d))
            .unwrap();
        for (ta, tb) in alone[0].targets.iter().zip(&want.targets) {
            for (x, y) in ta.scores.iter().zip(&tb.scores) {
                assert!((x - y).abs() < 1e-5 * y.abs().max(1.0));
            }
        }
    }
}

#[test]
fn documents_with_different_target_counts_agree_with_the_reference() {
    // Gold sets of 0, 1, 2 and 3 classes in one batch: the engine groups the
    // documents by target count and runs one backward pass per slot of each
    // group; a small budget also splits the steps of one document.
    let model = TinyCnn::new(40, 5, 4, 3, 21);
    let mut input = docs(8, 40, 22);
    for (i, d) in input.iter_mut().enumerate() {
        d.gold = (0..(i % 4) as u32).collect();
    }
    for budget in [512, 65_536] {
        let params = IgParams::builder()
            .n_steps(12)
            .targets(TargetPolicy::Gold)
            .normalize(Normalize::None)
            .max_batch_tokens(budget)
            .build()
            .unwrap();
        for m in [&model as &dyn Classifier, &model.as_generic()] {
            let recs = Explainer::new(m, params.clone(), ResolvedBaseline::Token(0))
                .explain(&input)
                .unwrap();
            for (d, r) in input.iter().zip(&recs) {
                assert_eq!(
                    r.targets.iter().map(|t| t.class).collect::<Vec<_>>(),
                    d.gold
                );
                assert_matches_reference(m, d, r, 12, &format!("budget {budget}"));
            }
        }
    }
}
