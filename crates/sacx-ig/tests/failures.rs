//! Failures are errors, not panics: a model call that fails (a CUDA
//! out-of-memory, simulated) stops `explain_to_dir` with an `Err` and leaves
//! only complete shards behind, and token ids outside the model's vocabulary
//! are refused before the model runs.
mod common;

use std::cell::Cell;
use std::collections::HashSet;

use common::{LinearModel, TinyCnn, docs};
use sacx_ig::run::list_shards;
use sacx_ig::{
    ExplainDoc, Explainer, IgParams, OutputOptions, ResolvedBaseline, RunInfo, ShardReader,
    TargetPolicy, explain_to_dir,
};
use sacx_model::{Classifier, LinearStage};
use tch::{Device, Tensor};

/// Wraps a model; its `fail_at`-th call of `forward_embedded` or
/// `LinearStage::forward_from` (1-based) fails as libtorch does when a device
/// runs out of memory. `calls` counts every call.
struct Flaky<'a> {
    inner: &'a dyn Classifier,
    fail_at: Option<usize>,
    calls: Cell<usize>,
}

impl<'a> Flaky<'a> {
    fn new(inner: &'a dyn Classifier, fail_at: Option<usize>) -> Self {
        Flaky {
            inner,
            fail_at,
            calls: Cell::new(0),
        }
    }

    fn tick(&self) -> sacx_model::Result<()> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        if self.fail_at == Some(n) {
            let oom = tch::TchError::Torch("CUDA out of memory (simulated)".into());
            return Err(sacx_model::Error::Torch(oom));
        }
        Ok(())
    }
}

impl LinearStage for Flaky<'_> {
    fn apply(&self, e: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        match self.inner.linear_stage() {
            Some(stage) => stage.apply(e, mask),
            None => Ok(e.shallow_clone()),
        }
    }
    fn forward_from(&self, s: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        self.tick()?;
        match self.inner.linear_stage() {
            Some(stage) => stage.forward_from(s, mask),
            None => Ok(s.shallow_clone()),
        }
    }
}

impl Classifier for Flaky<'_> {
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
    fn embed(&self, ids: &Tensor) -> sacx_model::Result<Tensor> {
        self.inner.embed(ids)
    }
    fn forward_embedded(&self, e: &Tensor, mask: &Tensor) -> sacx_model::Result<Tensor> {
        self.tick()?;
        self.inner.forward_embedded(e, mask)
    }
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        self.inner.linear_stage().map(|_| self as &dyn LinearStage)
    }
}

fn info() -> RunInfo {
    RunInfo {
        run: "seed-1".into(),
        seed: 1,
        labels: vec!["A".into(), "B".into(), "C".into()],
    }
}

fn params() -> IgParams {
    IgParams::builder()
        .n_steps(4)
        .targets(TargetPolicy::Gold)
        .build()
        .unwrap()
}

/// Every file of `dir`, by name.
fn names(dir: &std::path::Path) -> HashSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Failing at every call in turn: an `Err` each time (never a panic), the
/// shards finished before the failure complete and readable, no other shard
/// file (no partial shard under a final name, no summary), and a resumed run
/// that ends byte-identical to an uninterrupted one.
fn failures_leave_only_complete_shards(model: &dyn Classifier) {
    let input = docs(6, 50, 3);
    let options = OutputOptions {
        docs_per_shard: 2,
        tsv: false,
    };
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    let counting = Flaky::new(model, None);
    let explainer = Explainer::new(&counting, params(), ResolvedBaseline::Token(0));
    // The model calls made when each shard is done.
    let mut ends = Vec::new();
    explain_to_dir(&explainer, &input, &full, &info(), &options, &mut |_| {
        ends.push(counting.calls.get())
    })
    .unwrap();
    let total = counting.calls.get();
    assert_eq!(ends.len(), 3);
    assert!(total >= 3, "{total} model calls for 3 shards");

    for fail_at in 1..=total {
        let dir = tmp.path().join(format!("fail-{fail_at}"));
        let flaky = Flaky::new(model, Some(fail_at));
        let explainer = Explainer::new(&flaky, params(), ResolvedBaseline::Token(0));
        let err = explain_to_dir(&explainer, &input, &dir, &info(), &options, &mut |_| {})
            .expect_err("a failing model call is an error");
        assert!(
            matches!(
                &err,
                sacx_ig::Error::Model(sacx_model::Error::Torch(tch::TchError::Torch(_)))
            ),
            "{err:?}"
        );
        // libtorch's error is the source, not flattened into the message.
        let source = std::error::Error::source(&err).expect("a source");
        assert!(source.to_string().contains("out of memory"), "{source}");

        let shards = list_shards(&dir).unwrap();
        let done = ends.iter().filter(|&&end| end < fail_at).count();
        assert_eq!(shards.len(), done, "failing call {fail_at}");
        for (i, shard) in shards.iter().enumerate() {
            let records: Vec<_> = ShardReader::open(shard)
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert_eq!(records.len(), 2, "shard {i} after failing call {fail_at}");
            for (r, doc) in records.iter().zip(&input[2 * i..]) {
                assert_eq!(r.doc_id, doc.doc_id);
                assert_eq!(r.targets.len(), doc.gold.len());
                assert!(r.targets.iter().all(|t| t.scores.len() == r.words.len()));
            }
        }
        let expected: HashSet<String> = (0..shards.len())
            .map(|i| format!("shard-{i:05}.bin"))
            .collect();
        assert_eq!(names(&dir), expected, "failing call {fail_at}");

        // Resuming with a working model completes the same bytes.
        let working = Explainer::new(model, params(), ResolvedBaseline::Token(0));
        explain_to_dir(&working, &input, &dir, &info(), &options, &mut |_| {}).unwrap();
        for i in 0..3 {
            let name = format!("shard-{i:05}.bin");
            assert!(
                std::fs::read(dir.join(&name)).unwrap() == std::fs::read(full.join(&name)).unwrap(),
                "{name} differs after resuming from failing call {fail_at}"
            );
        }
    }
}

#[test]
fn a_failing_model_call_stops_the_run_with_complete_shards_only() {
    failures_leave_only_complete_shards(&LinearModel::new(50, 4, 3, 5));
}

#[test]
fn a_failing_linear_stage_call_stops_the_run_with_complete_shards_only() {
    failures_leave_only_complete_shards(&TinyCnn::new(50, 4, 3, 3, 6));
}

#[test]
fn token_ids_outside_the_vocabulary_are_errors_naming_document_and_id() {
    let model = LinearModel::new(50, 4, 3, 5);
    let counting = Flaky::new(&model, None);
    let explainer = Explainer::new(&counting, params(), ResolvedBaseline::Token(0));
    let mut input = docs(3, 50, 8);
    input[1].ids[2] = 50;
    let e = explainer.explain(&input).unwrap_err().to_string();
    assert_eq!(
        e,
        "document 'd1': token id 50 outside the model's vocabulary 0..50"
    );
    input[1].ids[2] = -3;
    let e = explainer.explain(&input).unwrap_err().to_string();
    assert!(e.contains("'d1'") && e.contains("token id -3"), "{e}");
    assert_eq!(counting.calls.get(), 0, "the model never ran");

    // The same through explain_to_dir: an error, no shard of the bad document.
    let tmp = tempfile::tempdir().unwrap();
    let options = OutputOptions {
        docs_per_shard: 1,
        tsv: false,
    };
    let e = explain_to_dir(
        &explainer,
        &input,
        tmp.path(),
        &info(),
        &options,
        &mut |_| {},
    );
    assert!(e.unwrap_err().to_string().contains("token id -3"));
    assert_eq!(list_shards(tmp.path()).unwrap().len(), 1);

    // A baseline token outside the vocabulary is refused too.
    let bad_baseline = Explainer::new(&model, params(), ResolvedBaseline::Token(99));
    let e = bad_baseline
        .explain(&docs(1, 50, 8))
        .unwrap_err()
        .to_string();
    assert!(e.contains("baseline") && e.contains("99"), "{e}");

    // And faithfulness refuses it before scoring.
    counting.calls.set(0);
    let sets = vec![vec![HashSet::new(); 3]];
    let e = sacx_ig::faithfulness::faithfulness(&counting, &input, &sets, 4096)
        .unwrap_err()
        .to_string();
    assert!(e.contains("'d1'") && e.contains("token id -3"), "{e}");
    assert_eq!(counting.calls.get(), 0);
}

#[test]
fn a_real_model_refuses_out_of_range_ids_without_panicking() {
    // Past the explainer's check, the model itself returns an error.
    let spec = sacx_model::ModelSpec {
        architecture: sacx_model::Architecture::XmlCnn(
            sacx_model::XmlCnnParams::builder()
                .embedding_dim(4)
                .num_filters(2)
                .hidden(4)
                .build()
                .unwrap(),
        ),
        vocab_size: 10,
        pad_id: 0,
        num_classes: 3,
    };
    let model = sacx_model::Model::new(&spec, 1, Device::Cpu, None).unwrap();
    let e = model
        .embed(&Tensor::from_slice(&[1i64, 12]).view([1, 2]))
        .unwrap_err();
    assert!(
        matches!(
            e,
            sacx_model::Error::TokenOutOfRange {
                id: 12,
                vocab_size: 10
            }
        ),
        "{e}"
    );
    // A tensor of the wrong rank is an error too.
    let flat = Tensor::zeros([3], (tch::Kind::Float, Device::Cpu));
    assert!(model.forward_embedded(&flat, &flat).is_err());
    let doc: ExplainDoc = docs(1, 10, 1).remove(0);
    let explainer = Explainer::new(&model, params(), ResolvedBaseline::Token(0));
    assert!(explainer.explain(&[doc]).is_ok());
}
