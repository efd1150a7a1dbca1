//! Every evaluation metric on a tiny corpus, computed by hand (docs/metrics.md).
use sacx_aggregate::{ClassKeywords, EvalDocuments, Keyword, Keywords, Method, evaluate};

fn kw(word: &str) -> Keyword {
    Keyword {
        word: word.into(),
        score_mean: 1.0,
        score_std: 0.0,
        occurrences: 1,
        runs: 1,
        documents: 1,
        gold_labels: vec![],
        corpus_freq: None,
        score: 1.0,
        mass: 1.0,
        specificity: 1.0,
        association: None,
        translations: Vec::new(),
    }
}

fn keywords() -> Keywords {
    let class = |name: &str, words: &[&str]| ClassKeywords {
        class: name.into(),
        keywords: words.iter().map(|w| kw(w)).collect(),
        unstable: vec![],
        counter: vec![],
        explained: 1,
        explained_runs: 1,
        note: None,
    };
    Keywords {
        format: "sacx-keywords/1".into(),
        method: Method::Ig,
        parameters: serde_json::Value::Null,
        runs: vec![],
        languages: vec![],
        classes: vec![
            class("A", &["x", "y", "z"]),
            class("B", &["y", "w"]),
            class("C", &[]),
        ],
    }
}

/// d1 {x,y,q} A · d2 {w,z} A,B · d3 {y} B · d4 {x} (no label) · d5 {x,y,z} A
fn docs() -> EvalDocuments {
    let classes: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
    let d = |id: &str, words: &'static [&'static str], labels: &'static [&'static str]| {
        (
            id.to_string(),
            words.iter().copied(),
            labels.iter().copied(),
        )
    };
    EvalDocuments::from_labelled(
        &classes,
        vec![
            d("d1", &["x", "y", "q", "x"], &["A"]),
            d("d2", &["w", "z"], &["A", "B"]),
            d("d3", &["y"], &["B"]),
            d("d4", &["x"], &[]),
            d("d5", &["x", "y", "z"], &["A"]),
        ],
    )
    .unwrap()
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("defined");
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn all_metrics_at_k_100_by_hand() {
    let e = evaluate(&keywords(), &docs(), &[100, 1]).unwrap();
    assert_eq!(e.n_documents, 4);
    assert_eq!(e.class_documents["A"], 3);
    let m = &e.results[0];
    assert_eq!(m.k, 100);
    // Distinctiveness: A has x, z unique of 3; B has w unique of 2; C undefined.
    close(m.distinctiveness.per_class["A"], 2.0 / 3.0);
    close(m.distinctiveness.per_class["B"], 0.5);
    assert_eq!(m.distinctiveness.per_class["C"], None);
    close(m.distinctiveness.mean, 7.0 / 12.0);
    close(m.distinctiveness.std, 1.0 / 12.0);
    // Macro coverage: A (d1 2/3, d2 1/3, d5 1) = 2/3; B (d2 1/2, d3 1/2) = 1/2.
    close(m.macro_coverage.per_class["A"], 2.0 / 3.0);
    close(m.macro_coverage.per_class["B"], 0.5);
    assert_eq!(m.macro_coverage.per_class["C"], None);
    close(m.macro_coverage.mean, 7.0 / 12.0);
    // Micro: d1 2/3, d2 (1+1)/(3+2), d3 1/2, d5 1.
    close(m.micro_coverage, 77.0 / 120.0);
    // Cross: A over d3 = 1/3; B over d1, d5 = 1/2 each.
    close(m.cross_coverage.per_class["A"], 1.0 / 3.0);
    close(m.cross_coverage.per_class["B"], 0.5);
    close(m.cross_coverage.mean, 5.0 / 12.0);
    close(m.coverage_distinctiveness.difference, 1.0 / 6.0);
    close(m.coverage_distinctiveness.ratio, 7.0 / 5.0);
    close(m.coverage_distinctiveness.normalised, 2.0 / 7.0);
    // Corpus coverage: A: x, y, z each in 2 of 3 A documents; B: y, w each in 1 of 2.
    close(m.corpus_coverage.per_class["A"], 2.0 / 3.0);
    close(m.corpus_coverage.per_class["B"], 0.5);
    close(m.corpus_coverage.mean, 7.0 / 12.0);
}

#[test]
fn all_metrics_at_k_1_by_hand() {
    let e = evaluate(&keywords(), &docs(), &[100, 1]).unwrap();
    let m = &e.results[1];
    assert_eq!(m.k, 1); // A: [x], B: [y]
    close(m.distinctiveness.mean, 1.0);
    close(m.distinctiveness.std, 0.0);
    close(m.macro_coverage.mean, (2.0 / 3.0 + 0.5) / 2.0);
    close(m.micro_coverage, 3.0 / 4.0);
    close(m.cross_coverage.per_class["A"], 0.0);
    close(m.cross_coverage.per_class["B"], 1.0);
    close(m.coverage_distinctiveness.difference, 1.0 / 12.0);
    close(m.coverage_distinctiveness.ratio, 7.0 / 6.0);
    close(m.coverage_distinctiveness.normalised, 1.0 / 7.0);
    close(m.corpus_coverage.per_class["A"], 2.0 / 3.0);
    close(m.corpus_coverage.per_class["B"], 0.5);
}

#[test]
fn evaluation_json_has_nulls_for_undefined_values_and_rejects_k_zero() {
    let dir = tempfile::tempdir().unwrap();
    let e = evaluate(&keywords(), &docs(), &[100, 10]).unwrap();
    let path = dir.path().join("evaluation.json");
    sacx_aggregate::write_evaluations(&path, std::slice::from_ref(&e)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v[0]["label_source"], "true");
    assert_eq!(v[0]["results"][1]["k"], 10);
    assert!(v[0]["results"][0]["macro_coverage"]["per_class"]["C"].is_null());
    // The one reader takes the list, and the single evaluation earlier
    // versions wrote; anything else is an error naming the file.
    let back = sacx_aggregate::read_evaluations(&path).unwrap().unwrap();
    assert_eq!(back, vec![e.clone()]);
    std::fs::write(&path, serde_json::to_string(&v[0]).unwrap()).unwrap();
    assert_eq!(
        sacx_aggregate::read_evaluations(&path).unwrap().unwrap(),
        vec![e.clone()]
    );
    std::fs::write(&path, "{\"format\": 3}").unwrap();
    let err = sacx_aggregate::read_evaluations(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("evaluation.json"), "{err}");
    assert!(
        sacx_aggregate::read_evaluations(&dir.path().join("none.json"))
            .unwrap()
            .is_none()
    );
    let e = evaluate(&keywords(), &docs(), &[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("k = 0"), "{e}");
}

#[test]
fn corpus_coverage_from_class_counts_uses_the_whole_corpus() {
    // The corpus: the five documents above plus d6 {x} A. Class A then has 4
    // documents with DF x=3, y=2, z=2; class B has d2 {w,z} and d3 {y}.
    let corpus: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["x", "y", "q", "x"], vec!["A"]),
        (vec!["w", "z"], vec!["A", "B"]),
        (vec!["y"], vec!["B"]),
        (vec!["x"], vec![]),
        (vec!["x", "y", "z"], vec!["A"]),
        (vec!["x"], vec!["A"]),
    ];
    let counts = sacx_aggregate::ClassCounts::from_documents(corpus);
    let eval = evaluate(&keywords(), &docs(), &[3, 1])
        .unwrap()
        .with_corpus_counts(&keywords(), &counts);
    let k3 = &eval.results[0].corpus_coverage;
    close(k3.per_class["A"], (3.0 / 4.0 + 2.0 / 4.0 + 2.0 / 4.0) / 3.0);
    close(k3.per_class["B"], (1.0 / 2.0 + 1.0 / 2.0) / 2.0);
    assert_eq!(k3.per_class["C"], None, "no keywords, no value");
    close(k3.mean, (7.0 / 12.0 + 0.5) / 2.0);
    let k1 = &eval.results[1].corpus_coverage;
    close(k1.per_class["A"], 3.0 / 4.0);
    close(k1.per_class["B"], 1.0 / 2.0);
}

#[test]
fn generic_word_share_by_hand() {
    // A: x, y, z; B: y, w; C: none. Generic words {y, q}: A 1/3, B 1/2 at K = 100;
    // at K = 1, A's "x" 0 and B's "y" 1.
    let e = evaluate(&keywords(), &docs(), &[100, 1])
        .unwrap()
        .with_generic_words(&keywords(), &["y", "q"]);
    let g = e.results[0].generic_share.as_ref().unwrap();
    close(g.per_class["A"], 1.0 / 3.0);
    close(g.per_class["B"], 0.5);
    assert_eq!(g.per_class["C"], None);
    close(g.mean, 5.0 / 12.0);
    let g1 = e.results[1].generic_share.as_ref().unwrap();
    close(g1.per_class["A"], 0.0);
    close(g1.per_class["B"], 1.0);
    // Without counts, no share is claimed.
    assert!(
        evaluate(&keywords(), &docs(), &[1]).unwrap().results[0]
            .generic_share
            .is_none()
    );
}
