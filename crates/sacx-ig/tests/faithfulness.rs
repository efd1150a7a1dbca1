//! Faithfulness of keyword sets on a hand-set linear model, computed by hand
//! (docs/metrics.md, section 2): `z_c = w_c · Σ_t e_t + b_c` with one-dimensional
//! embeddings, so every logit is a sum of token values.
mod common;
use common::LinearModel;
use sacx_ig::ExplainDoc;
use sacx_ig::faithfulness::{FaithSums, faithfulness};
use std::collections::HashSet;
use tch::Tensor;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Token values: pad 0, id 1 → 1, id 2 → 2, id 3 → −1. Class 0: z = Σe;
/// class 1: z = 0.5 Σe − 1.
fn model() -> LinearModel {
    LinearModel {
        table: Tensor::from_slice(&[0f32, 1.0, 2.0, -1.0]).view([4, 1]),
        w: Tensor::from_slice(&[1f32, 0.5]).view([2, 1]),
        bias: Tensor::from_slice(&[0f32, -1.0]),
    }
}

fn docs() -> Vec<ExplainDoc> {
    vec![
        // A special token (value −1) then the words a, b, c (values 1, 2, −1).
        ExplainDoc {
            doc_id: "d1".into(),
            lang: "en".into(),
            gold: vec![0],
            ids: vec![3, 1, 2, 3],
            word_ids: vec![None, Some(0), Some(1), Some(2)],
            words: vec!["a".into(), "b".into(), "c".into()],
        },
        // One word "b" of two tokens.
        ExplainDoc {
            doc_id: "d2".into(),
            lang: "en".into(),
            gold: vec![0, 1],
            ids: vec![2, 2],
            word_ids: vec![Some(0), Some(0)],
            words: vec!["b".into()],
        },
    ]
}

fn set(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn deleting_and_keeping_keyword_tokens_by_hand() {
    let sets = vec![
        vec![set(&["b"]), set(&["zzz"])],
        vec![set(&[]), set(&["b"])],
    ];
    for budget in [65_536, 1] {
        let got = faithfulness(&model(), &docs(), &sets, budget).unwrap();
        // Set 0, class 0. d1: full Σe = 1, without b: −1, only b (and the special
        // token): 1. d2: full 4, without b: empty, 0; only b: 4.
        let c0 = got[0][0];
        assert_eq!(c0.n, 2);
        assert!(close(c0.full_prob, sigmoid(1.0) + sigmoid(4.0)));
        assert!(close(
            c0.drop_prob,
            sigmoid(1.0) - sigmoid(-1.0) + sigmoid(4.0) - 0.5
        ));
        assert!(close(c0.drop_logit, 2.0 + 4.0));
        assert!(close(c0.only_prob, sigmoid(1.0) + sigmoid(4.0)));
        // Set 0, class 1 on d2 only: "zzz" is absent, nothing is deleted (drop 0) and
        // keeping it leaves an empty document: z = −1.
        let c1 = got[0][1];
        assert_eq!(c1.n, 1);
        assert!(close(c1.drop_prob, 0.0) && close(c1.drop_logit, 0.0));
        assert!(close(c1.only_prob, sigmoid(-1.0)));
        assert!(close(c1.full_prob, sigmoid(1.0)));
        // Set 1: class 0 has no keywords (drop 0; only the special token of d1 is
        // kept, z = −1; d2 becomes empty, z = 0); class 1 deletes b from d2.
        let e0 = got[1][0];
        assert!(close(e0.drop_prob, 0.0));
        assert!(close(e0.only_prob, sigmoid(-1.0) + 0.5));
        let e1 = got[1][1];
        assert!(close(e1.drop_logit, 1.0 - (-1.0)));
        assert!(close(e1.only_prob, sigmoid(1.0)));
    }
}

#[test]
fn sums_of_two_runs_add_up() {
    let sets = vec![vec![set(&["b"]), set(&["b"])]];
    let one = faithfulness(&model(), &docs(), &sets, 1024).unwrap();
    let mut total = FaithSums::default();
    total.add(&one[0][0]);
    total.add(&one[0][0]);
    assert_eq!(total.n, 4);
    assert!(close(total.drop_logit, 2.0 * one[0][0].drop_logit));
}

#[test]
fn a_word_set_per_class_is_required_and_labels_are_checked() {
    let e = faithfulness(&model(), &docs(), &[vec![set(&["b"])]], 1024).unwrap_err();
    assert!(
        e.to_string().contains("one word set per model class (2)"),
        "{e}"
    );
    let mut bad = docs();
    bad[0].gold = vec![5];
    let e = faithfulness(&model(), &bad, &[vec![set(&[]), set(&[])]], 1024).unwrap_err();
    assert!(
        e.to_string().contains("d1") && e.to_string().contains("gold label 5"),
        "{e}"
    );
}
