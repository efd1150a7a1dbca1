//! Batches explained side by side on CPU replicas (`Explainer::workers`) give
//! the attributions of one call at a time, the same on every run.
mod common;

use common::docs;
use sacx_ig::{Explainer, IgParams, Normalize, ResolvedBaseline, TargetPolicy};
use sacx_model::{
    Architecture, EmbedPoolParams, Model, ModelSpec, TransformerParams, XmlCnnParams,
};
use tch::Device;

fn params() -> IgParams {
    IgParams::builder()
        .n_steps(16)
        .targets(TargetPolicy::All)
        .normalize(Normalize::None)
        .max_batch_tokens(512)
        .build()
        .unwrap()
}

fn model(architecture: Architecture, frozen: bool) -> Model {
    let spec = ModelSpec {
        architecture,
        vocab_size: 40,
        pad_id: 0,
        num_classes: 3,
    };
    let mut m = Model::new(&spec, 5, Device::Cpu, None).unwrap();
    if frozen {
        m.freeze();
    }
    m
}

fn architectures() -> Vec<Architecture> {
    vec![
        Architecture::XmlCnn(
            XmlCnnParams::builder()
                .embedding_dim(8)
                .num_filters(4)
                .hidden(8)
                .build()
                .unwrap(),
        ),
        Architecture::EmbedPool(
            EmbedPoolParams::builder()
                .embedding_dim(8)
                .hidden(8)
                .build()
                .unwrap(),
        ),
        Architecture::Transformer(
            TransformerParams::builder()
                .embedding_dim(16)
                .layers(1)
                .heads(2)
                .ff_dim(16)
                .build()
                .unwrap(),
        ),
    ]
}

fn scores(recs: &[sacx_ig::DocExplanation]) -> Vec<Vec<f32>> {
    recs.iter()
        .flat_map(|r| r.targets.iter().map(|t| t.scores.clone()))
        .collect()
}

#[test]
fn workers_agree_with_one_call_at_a_time_and_repeat_exactly() {
    let input = docs(24, 40, 9);
    for arch in architectures() {
        let m = model(arch.clone(), true);
        let one = Explainer::new(&m, params(), ResolvedBaseline::Token(0))
            .workers(1)
            .explain(&input)
            .unwrap();
        for workers in [2, 3] {
            let explainer =
                Explainer::new(&m, params(), ResolvedBaseline::Token(0)).workers(workers);
            let first = explainer.explain(&input).unwrap();
            let second = explainer.explain(&input).unwrap();
            assert_eq!(
                first, second,
                "{arch}: {workers} workers, same explainer, other result"
            );
            assert_eq!(first.len(), input.len());
            for (rec, doc) in first.iter().zip(&input) {
                assert_eq!(rec.doc_id, doc.doc_id, "records in input order");
            }
            for (a, b) in scores(&one).iter().zip(&scores(&first)) {
                for (x, y) in a.iter().zip(b) {
                    assert!(
                        (x - y).abs() <= 1e-5 * x.abs().max(1.0),
                        "{arch}: {x} vs {y}"
                    );
                }
            }
            let fresh = Explainer::new(&m, params(), ResolvedBaseline::Token(0))
                .workers(workers)
                .explain(&input)
                .unwrap();
            assert_eq!(first, fresh, "{arch}: new replicas, other result");
        }
    }
}

#[test]
fn a_model_that_still_trains_is_explained_one_call_at_a_time() {
    // Replicas share the weights, so a trainable model gets none; the result is
    // still complete and equal to the frozen model's.
    let input = docs(10, 40, 3);
    let arch = architectures().remove(0);
    let (trainable, frozen) = (model(arch.clone(), false), model(arch, true));
    assert!(
        trainable
            .replica()
            .unwrap_err()
            .to_string()
            .contains("freeze it first")
    );
    let a = Explainer::new(&trainable, params(), ResolvedBaseline::Token(0))
        .workers(2)
        .explain(&input)
        .unwrap();
    let b = Explainer::new(&frozen, params(), ResolvedBaseline::Token(0))
        .workers(1)
        .explain(&input)
        .unwrap();
    for (x, y) in scores(&a).iter().flatten().zip(scores(&b).iter().flatten()) {
        assert!((x - y).abs() <= 1e-5 * x.abs().max(1.0));
    }
}

/// A model that records which threads ran it, replicas included.
struct Recording {
    inner: Model,
    threads: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<std::thread::ThreadId>>>,
}

impl sacx_model::Classifier for Recording {
    fn num_classes(&self) -> usize {
        self.inner.num_classes()
    }
    fn embedding_dim(&self) -> usize {
        self.inner.embedding_dim()
    }
    fn device(&self) -> Device {
        self.inner.device()
    }
    fn pad_id(&self) -> i64 {
        self.inner.pad_id()
    }
    fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }
    fn embed(&self, ids: &tch::Tensor) -> sacx_model::Result<tch::Tensor> {
        self.inner.embed(ids)
    }
    fn forward_embedded(
        &self,
        e: &tch::Tensor,
        m: &tch::Tensor,
    ) -> sacx_model::Result<tch::Tensor> {
        self.threads
            .lock()
            .unwrap()
            .insert(std::thread::current().id());
        self.inner.forward_embedded(e, m)
    }
    fn replica(&self) -> sacx_model::Result<Option<Box<dyn sacx_model::Classifier + Send>>> {
        Ok(Some(Box::new(Recording {
            inner: self.inner.replica()?,
            threads: self.threads.clone(),
        })))
    }
}

#[test]
fn batches_run_on_as_many_threads_as_workers() {
    // Enough batches that no worker thread can start after the others finished.
    let input = docs(96, 40, 4);
    for workers in [1, 2, 3] {
        let m = Recording {
            inner: model(architectures().remove(2), true),
            threads: Default::default(),
        };
        Explainer::new(&m, params(), ResolvedBaseline::Token(0))
            .workers(workers)
            .explain(&input)
            .unwrap();
        let used = m.threads.lock().unwrap().len();
        assert!(
            used <= workers && (used > 1) == (workers > 1),
            "{workers} workers, {used} threads"
        );
    }
}
