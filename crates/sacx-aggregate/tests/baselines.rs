//! Classical baselines on hand-made class counts, through the keyword file format.
use sacx_aggregate::{BaselineParams, ClassCount, ClassCounts, Keywords, Method, baseline};
use std::collections::HashMap;

fn map(pairs: &[(&str, u64)]) -> HashMap<String, u64> {
    pairs.iter().map(|(w, n)| (w.to_string(), *n)).collect()
}

/// X and Y, 10 documents each. "42" has no letter; with min_word_freq 3, "a" (DF 2) is
/// not a candidate for Y.
fn counts(with_tf: bool) -> ClassCounts {
    let mut c = ClassCounts::default();
    let tf = |p: &[(&str, u64)]| if with_tf { map(p) } else { HashMap::new() };
    c.insert(
        "X",
        ClassCount {
            n_docs: 10,
            df: map(&[("a", 8), ("b", 4), ("c", 5), ("42", 9)]),
            tf: tf(&[("a", 16), ("b", 4), ("c", 5), ("42", 9)]),
        },
    );
    c.insert(
        "Y",
        ClassCount {
            n_docs: 10,
            df: map(&[("a", 2), ("b", 4), ("d", 6)]),
            tf: tf(&[("a", 2), ("b", 8), ("d", 6)]),
        },
    );
    c.set_has_tf(with_tf);
    c
}

fn classes() -> Vec<String> {
    vec!["X".into(), "Y".into(), "Z".into()]
}

fn list(k: &Keywords, class: &str) -> Vec<(String, f64)> {
    k.class(class)
        .unwrap()
        .keywords
        .iter()
        .map(|w| (w.word.clone(), w.score_mean))
        .collect()
}

#[test]
fn chi_squared_by_hand() {
    let k = baseline(
        &counts(false),
        &classes(),
        &BaselineParams::builder()
            .method(Method::Chi2)
            .build()
            .unwrap(),
    )
    .unwrap();
    // X: a: 20·(8·8 − 2·2)² / (10·10·10·10) = 7.2; c: 20·(5·10)² / (5·15·10·10) = 20/3;
    // b is equally frequent in Y (not over-represented): left out.
    let x = list(&k, "X");
    assert_eq!(
        x.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        ["a", "c"]
    );
    assert!((x[0].1 - 7.2).abs() < 1e-12 && (x[1].1 - 20.0 / 3.0).abs() < 1e-12);
    // Y: d: 20·(6·10)² / (6·14·10·10) = 60/7.
    let y = list(&k, "Y");
    assert_eq!(y.len(), 1);
    assert!((y[0].1 - 60.0 / 7.0).abs() < 1e-12);
    assert!(k.class("Z").unwrap().keywords.is_empty());
    assert_eq!(k.class("X").unwrap().keywords[0].corpus_freq, Some(8));
}

#[test]
fn class_tf_idf_by_hand() {
    let k = baseline(
        &counts(true),
        &classes(),
        &BaselineParams::builder()
            .method(Method::Ctfidf)
            .build()
            .unwrap(),
    )
    .unwrap();
    // n_X = 34, n_Y = 16, average class size A = 50 / 2 = 25; f_a = 18, f_b = 12, f_c = 5.
    let want = [
        ("a", 16.0 / 34.0 * (1.0f64 + 25.0 / 18.0).ln()),
        ("c", 5.0 / 34.0 * 6.0f64.ln()),
        ("b", 4.0 / 34.0 * (1.0f64 + 25.0 / 12.0).ln()),
    ];
    let x = list(&k, "X");
    assert_eq!(x.len(), 3);
    for ((w, s), (ew, es)) in x.iter().zip(want) {
        assert_eq!(w, ew);
        assert!((s - es).abs() < 1e-12, "{w}: {s} vs {es}");
    }
}

#[test]
fn log_odds_by_hand_and_needs_term_frequencies() {
    let k = baseline(
        &counts(true),
        &classes(),
        &BaselineParams::builder()
            .method(Method::LogOdds)
            .build()
            .unwrap(),
    )
    .unwrap();
    // a in X: y=16 of 34 against 2 of 16; prior α_a = 18, α0 = 50.
    let delta = (34.0f64 / 50.0).ln() - (20.0f64 / 46.0).ln();
    let z = delta / (1.0f64 / 34.0 + 1.0 / 20.0).sqrt();
    let x = list(&k, "X");
    assert_eq!(x[0].0, "a");
    assert!((x[0].1 - z).abs() < 1e-12, "{} vs {z}", x[0].1);
    assert_eq!(x.last().unwrap().0, "b", "b is more frequent in Y");
    let e = baseline(
        &counts(false),
        &classes(),
        &BaselineParams::builder()
            .method(Method::LogOdds)
            .build()
            .unwrap(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("log-odds") && e.to_string().contains("term frequencies"));
    let e = BaselineParams::builder()
        .method(Method::Chi2)
        .top_n(0)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("top_n = 0"));
}

#[test]
fn baselines_write_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let k = baseline(
        &counts(true),
        &classes(),
        &BaselineParams::builder()
            .method(Method::Ctfidf)
            .top_n(2)
            .build()
            .unwrap(),
    )
    .unwrap();
    k.write(dir.path()).unwrap();
    let tsv = std::fs::read_to_string(dir.path().join("X_stable.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 3);
    assert!(tsv.lines().nth(1).unwrap().starts_with("a\tX\t\t"));
    let back = Keywords::read(&dir.path().join("keywords.json")).unwrap();
    assert_eq!(back.method, Method::Ctfidf);
    assert_eq!(back, k);
}
