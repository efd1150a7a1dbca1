//! The max-pool path (xml-cnn declares a [`MaxPoolHead`]) against the same
//! model seen through the plain linear-stage path and the generic path.
mod common;

use common::docs;
use sacx_ig::{Explainer, IgParams, Normalize, ResolvedBaseline, TargetPolicy};
use sacx_model::{
    Architecture, Classifier, LinearStage, MaxPoolHead, Model, ModelSpec, PoolWindow, XmlCnnParams,
};
use tch::{Device, Tensor};

/// A model seen without its max-pool head (`linear: true`) or without its
/// linear stage altogether (`linear: false`); with `broken`, its max-pool head
/// declares a window one position past the stage output.
struct Hide<'a> {
    model: &'a Model,
    linear: bool,
    broken: bool,
}

impl MaxPoolHead for Hide<'_> {
    fn pool_windows(&self, len: usize, positions: usize) -> Vec<PoolWindow> {
        let head = self.model.linear_stage().unwrap().max_pool_head().unwrap();
        let mut windows = head.pool_windows(len, positions);
        windows[0].end = positions + 1;
        windows
    }
    fn forward_pooled(&self, pooled: &Tensor) -> sacx_model::Result<Tensor> {
        let head = self.model.linear_stage().unwrap().max_pool_head().unwrap();
        head.forward_pooled(pooled)
    }
}

impl LinearStage for Hide<'_> {
    fn apply(&self, e: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        self.model.linear_stage().unwrap().apply(e, mask)
    }
    fn forward_from(&self, s: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        self.model.linear_stage().unwrap().forward_from(s, mask)
    }
    fn max_pool_head(&self) -> Option<&dyn MaxPoolHead> {
        self.broken.then_some(self as &dyn MaxPoolHead)
    }
}

impl Classifier for Hide<'_> {
    fn num_classes(&self) -> usize {
        self.model.num_classes()
    }
    fn embedding_dim(&self) -> usize {
        self.model.embedding_dim()
    }
    fn device(&self) -> Device {
        self.model.device()
    }
    fn pad_id(&self) -> i64 {
        self.model.pad_id()
    }
    fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }
    fn embed(&self, ids: &Tensor) -> sacx_model::Result<Tensor> {
        self.model.embed(ids)
    }
    fn forward_embedded(&self, e: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        self.model.forward_embedded(e, mask)
    }
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        self.linear.then_some(self as &dyn LinearStage)
    }
}

#[test]
fn max_pool_path_equals_the_linear_stage_and_generic_paths() {
    // Widths up to 5 and 3 chunks, so short documents get one window and
    // chunks of one position; the documents are 2 to 25 tokens long (a leading special token).
    let params = XmlCnnParams::builder()
        .embedding_dim(6)
        .filter_widths(vec![1, 3, 5])
        .num_filters(7)
        .chunks(3)
        .hidden(9)
        .build()
        .unwrap();
    let spec = ModelSpec {
        architecture: Architecture::XmlCnn(params),
        vocab_size: 40,
        pad_id: 0,
        num_classes: 4,
    };
    let model = Model::new(&spec, 3, Device::Cpu, None).unwrap();
    assert!(model.linear_stage().unwrap().max_pool_head().is_some());
    let linear = Hide {
        model: &model,
        linear: true,
        broken: false,
    };
    let generic = Hide {
        model: &model,
        linear: false,
        broken: false,
    };
    let mut input = docs(14, 40, 11);
    input.push(common::doc("one", &[7], &[1]));
    input.push(common::doc("two", &[3, 9], &[0]));
    for baseline in [ResolvedBaseline::Token(0), ResolvedBaseline::Zero] {
        let params = IgParams::builder()
            .n_steps(24)
            .targets(TargetPolicy::All)
            .normalize(Normalize::None)
            .build()
            .unwrap();
        let run = |m: &dyn Classifier| {
            Explainer::new(m, params.clone(), baseline.clone())
                .explain(&input)
                .unwrap()
        };
        let (fast, lin, slow) = (run(&model), run(&linear), run(&generic));
        for ((a, b), c) in fast.iter().zip(&lin).zip(&slow) {
            for ((x, y), z) in a.probs.iter().zip(&b.probs).zip(&c.probs) {
                assert!((x - y).abs() < 1e-6 && (x - z).abs() < 1e-6, "{x} {y} {z}");
            }
            for ((ta, tb), tc) in a.targets.iter().zip(&b.targets).zip(&c.targets) {
                let scale = tc.scores.iter().fold(1e-3f32, |m, s| m.max(s.abs()));
                for ((x, y), z) in ta.scores.iter().zip(&tb.scores).zip(&tc.scores) {
                    assert!(
                        (x - y).abs() <= 1e-5 * scale,
                        "{}: {x} vs linear {y}",
                        a.doc_id
                    );
                    assert!(
                        (x - z).abs() <= 1e-4 * scale,
                        "{}: {x} vs generic {z}",
                        a.doc_id
                    );
                }
                assert!((ta.delta - tb.delta).abs() <= 1e-5 * scale.max(ta.delta.abs()));
            }
        }
    }
}

#[test]
fn tolerance_mode_refines_the_same_pairs_on_both_paths() {
    let params = XmlCnnParams::builder()
        .embedding_dim(5)
        .filter_widths(vec![2, 3])
        .num_filters(4)
        .chunks(2)
        .hidden(6)
        .build()
        .unwrap();
    let spec = ModelSpec {
        architecture: Architecture::XmlCnn(params),
        vocab_size: 30,
        pad_id: 0,
        num_classes: 3,
    };
    let model = Model::new(&spec, 5, Device::Cpu, None).unwrap();
    let linear = Hide {
        model: &model,
        linear: true,
        broken: false,
    };
    // Few starting steps and a tight tolerance: the max-pool kinks leave
    // gaps, so pairs are refined (to 8, 16, 32 steps).
    let params = IgParams::builder()
        .n_steps(4)
        .tolerance(Some(1e-3))
        .max_steps(32)
        .targets(TargetPolicy::All)
        .normalize(Normalize::None)
        .build()
        .unwrap();
    let input = docs(10, 30, 2);
    let run = |m: &dyn Classifier| {
        Explainer::new(m, params.clone(), ResolvedBaseline::Token(0))
            .explain(&input)
            .unwrap()
    };
    let (fast, lin) = (run(&model), run(&linear));
    let mut refined = 0;
    for (a, b) in fast.iter().zip(&lin) {
        for (ta, tb) in a.targets.iter().zip(&b.targets) {
            assert_eq!(ta.steps, tb.steps, "{}", a.doc_id);
            refined += usize::from(ta.steps > 4);
            let scale = tb.scores.iter().fold(1e-3f32, |m, s| m.max(s.abs()));
            for (x, y) in ta.scores.iter().zip(&tb.scores) {
                assert!((x - y).abs() <= 1e-5 * scale, "{}: {x} vs {y}", a.doc_id);
            }
        }
    }
    assert!(
        refined > 0,
        "no pair needed refining: the test lost its point"
    );
}

#[test]
fn a_window_outside_the_stage_output_is_an_error_not_a_panic() {
    let spec = ModelSpec {
        architecture: Architecture::XmlCnn(
            XmlCnnParams::builder().embedding_dim(4).build().unwrap(),
        ),
        vocab_size: 20,
        pad_id: 0,
        num_classes: 2,
    };
    let model = Model::new(&spec, 1, Device::Cpu, None).unwrap();
    let broken = Hide {
        model: &model,
        linear: true,
        broken: true,
    };
    let params = IgParams::builder().n_steps(4).build().unwrap();
    let err = Explainer::new(&broken, params, ResolvedBaseline::Token(0))
        .explain(&docs(2, 20, 1))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("the model breaks its contract: pooling window"),
        "{err}"
    );
}
