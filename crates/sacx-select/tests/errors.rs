//! Bad input: one-line errors naming the value, row or option.
mod common;
use std::cell::Cell;

use common::doc;
use sacx_select::{Context, MemoryPool, Pool, PoolPass, ScoredDoc, SelectParams, select};

fn err(pool: &dyn Pool, ctx: &Context) -> String {
    let e = select(pool, &SelectParams::default(), ctx)
        .unwrap_err()
        .to_string();
    assert!(!e.contains('\n'), "{e}");
    e
}

fn one(text: &str, probs: &[f32]) -> Vec<ScoredDoc> {
    vec![doc("a", text, probs)]
}

#[test]
fn bad_parameters_name_the_parameter_and_range() {
    let e = SelectParams::builder()
        .max_n(4)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(e, "max_n = 4 is invalid: expected 1..=3");
    let e = SelectParams::builder()
        .exploit(50)
        .top_n(10)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("top_n = 10 is invalid") && e.contains("exploit = 50"),
        "{e}"
    );
    let e = SelectParams::builder()
        .min_lift(f64::NAN)
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("min_lift = NaN"), "{e}");
    assert!(SelectParams::builder().min_obs(0).build().is_err());
    let p: Result<SelectParams, _> = serde_json::from_value(serde_json::json!({
        "exploit": 1, "top_n": null, "random_sample": null, "max_n": 9, "skip": 0,
        "min_obs": null, "min_lift": 2.0, "motifs": 1, "explore": 1, "uncertain": 1,
        "keyword_motifs": 1, "keyword_docs": null, "max_words": 10, "seed": 0
    }));
    assert!(p.unwrap_err().to_string().contains("max_n = 9"));
}

#[test]
fn bad_pools_name_the_row_class_and_value() {
    let labels = vec!["Game".to_string(), "Audio".to_string()];
    let pool = MemoryPool::new(labels.clone(), vec![0.5, 1.5], one("x", &[0.1, 0.2]));
    assert_eq!(
        err(&pool, &Context::default()),
        "threshold of class \"Audio\" = 1.5 is invalid: expected a probability in (0, 1)"
    );
    let pool = MemoryPool::new(labels.clone(), vec![0.5, 0.5], one("x", &[0.1]));
    assert_eq!(
        err(&pool, &Context::default()),
        "pool row 0 (id \"a\"): 1 probabilities, expected one per label (2)"
    );
    let pool = MemoryPool::new(labels.clone(), vec![0.5, 0.5], one("x", &[0.1, f32::NAN]));
    assert!(err(&pool, &Context::default()).contains("probability of class \"Audio\" is NaN"));
    let pool = MemoryPool::new(vec!["Game".into(), "Game".into()], vec![0.5, 0.5], vec![]);
    assert!(err(&pool, &Context::default()).contains("label \"Game\" is given twice"));
    let pool = MemoryPool::new(labels, vec![0.5, 0.5], one("x", &[0.1, 0.2]));
    let mut ctx = Context::default();
    ctx.keywords
        .insert("Science".into(), vec!["telescope".into()]);
    assert!(err(&pool, &ctx).contains("class \"Science\", which is not a label of the pool"));
}

/// A pool whose second pass yields one document fewer.
struct Shrinking {
    inner: MemoryPool,
    passes: Cell<usize>,
}

impl Pool for Shrinking {
    fn labels(&self) -> &[String] {
        self.inner.labels()
    }
    fn thresholds(&self) -> Vec<f32> {
        self.inner.thresholds()
    }
    fn pass(&self) -> sacx_select::Result<PoolPass<'_>> {
        let n = self.passes.get();
        self.passes.set(n + 1);
        Ok(Box::new(self.inner.pass()?.skip(n)))
    }
}

#[test]
fn a_pool_that_changes_between_passes_is_refused() {
    let docs = vec![
        doc("a", "chess board", &[0.9]),
        doc("b", "chess game", &[0.8]),
        doc("c", "photo", &[0.1]),
    ];
    let pool = Shrinking {
        inner: MemoryPool::new(vec!["Game".into()], vec![0.5], docs),
        passes: Cell::new(0),
    };
    let params = SelectParams::builder()
        .exploit(1)
        .top_n(2)
        .min_obs(2)
        .min_lift(1.0)
        .build()
        .unwrap();
    let e = select(&pool, &params, &Context::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "the pool changed between passes: the first pass read 3 documents, the motif pass 2"
        ),
        "{e}"
    );
}
