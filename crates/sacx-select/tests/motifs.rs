//! Motif extraction and lift, checked against counts done by hand.
mod common;
use common::doc;
use sacx_select::{
    Context, MemoryPool, Reason, SelectParams, document_words, lift, select, skip_grams,
};

#[test]
fn k_skip_n_grams_by_hand() {
    let w = ["a", "b", "c", "d"];
    let grams: Vec<String> = skip_grams(&w, 3, 1).iter().map(|g| g.join(" ")).collect();
    // Every in-order choice of 1..=3 words skipping at most one word in total.
    let expected = [
        "a", "a b", "a b c", "a b d", "a c", "a c d", "b", "b c", "b c d", "b d", "c", "c d", "d",
    ];
    assert_eq!(grams, expected);
    // No skip: contiguous n-grams only.
    let plain: Vec<String> = skip_grams(&w, 2, 0).iter().map(|g| g.join(" ")).collect();
    assert_eq!(plain, ["a", "a b", "b", "b c", "c", "c d", "d"]);
    // Two skips, pairs only: "a d" is in (two words skipped).
    assert!(skip_grams(&w, 2, 2).iter().any(|g| g == &["a", "d"]));
    assert!(!skip_grams(&w, 2, 1).iter().any(|g| g == &["a", "d"]));
}

#[test]
fn document_words_are_the_keyword_forms() {
    let seg = sacx_data::Segmenter::new();
    assert_eq!(
        document_words(&seg, "Chess, BOARD game!", 10),
        ["chess", "board", "game"]
    );
    assert_eq!(
        document_words(&seg, "Chess, BOARD game!", 2),
        ["chess", "board"]
    );
}

/// Four top documents (probability 0.9) and six others; the random sample is
/// the whole pool (10 documents).
fn tiny_pool() -> MemoryPool {
    let docs = vec![
        doc("t1", "chess board game", &[0.9]),
        doc("t2", "chess puzzle", &[0.9]),
        doc("t3", "online chess board", &[0.9]),
        doc("t4", "photo app", &[0.9]),
        doc("r1", "photo editor", &[0.1]),
        doc("r2", "music player", &[0.1]),
        doc("r3", "photo chess", &[0.1]),
        doc("r4", "music editor", &[0.1]),
        doc("r5", "text editor", &[0.1]),
        doc("r6", "board meeting notes", &[0.1]),
    ];
    MemoryPool::new(vec!["games".into()], vec![0.5], docs)
}

#[test]
fn lift_by_hand_on_a_tiny_pool() {
    let params = SelectParams::builder()
        .exploit(2)
        .top_n(4)
        .random_sample(10)
        .max_n(2)
        .skip(1)
        .min_obs(2)
        .min_lift(1.0)
        .explore(5)
        .uncertain(0)
        .build()
        .unwrap();
    let sel = select(&tiny_pool(), &params, &Context::default()).unwrap();
    let class = &sel.summary.classes[0];
    let stats: Vec<(&str, u64, u64)> = class
        .motifs
        .iter()
        .map(|m| (m.motif.as_str(), m.obs, m.random_obs))
        .collect();
    // By hand: "chess" is in 3 of 4 top documents and 4 of 10 pool documents;
    // "board" in 2 of 4 and 3 of 10; "chess board" (adjacent in t1, t3) in 2 of 4
    // and 2 of 10. Everything else is in fewer than 2 top documents.
    // lift = (obs / 4) / ((random_obs + 1) / 11):
    //   chess board 0.5 / (3/11) = 1.833, chess 0.75 / (5/11) = 1.65, board 0.5 / (4/11) = 1.375.
    assert_eq!(
        stats,
        [("chess board", 2, 2), ("chess", 3, 4), ("board", 2, 3)]
    );
    let lifts: Vec<f64> = class.motifs.iter().map(|m| m.lift).collect();
    for (got, want) in
        lifts
            .iter()
            .zip([0.5 / (3.0 / 11.0), 0.75 / (5.0 / 11.0), 0.5 / (4.0 / 11.0)])
    {
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    assert!((lift(3, 4, 4, 10) - 1.65).abs() < 1e-9);
    // Explore looks beyond the top ranks: the pool documents holding a motif
    // outside the top four are r3 ("photo chess") and r6 ("board meeting notes").
    let mut explore: Vec<(&str, Option<&str>)> = sel
        .documents
        .iter()
        .filter(|d| d.reason == Reason::Explore)
        .map(|d| (d.id.as_str(), d.motif.as_deref()))
        .collect();
    explore.sort();
    assert_eq!(explore, [("r3", Some("chess")), ("r6", Some("board"))]);
    // A higher min_lift keeps only "chess board", which no document outside the top holds.
    let strict = SelectParams::builder()
        .exploit(2)
        .top_n(4)
        .random_sample(10)
        .max_n(2)
        .skip(1)
        .min_obs(2)
        .min_lift(1.7)
        .explore(5)
        .uncertain(0)
        .build()
        .unwrap();
    let sel = select(&tiny_pool(), &strict, &Context::default()).unwrap();
    let kept: Vec<&str> = sel.summary.classes[0]
        .motifs
        .iter()
        .map(|m| m.motif.as_str())
        .collect();
    assert_eq!(kept, ["chess board"]);
    assert!(sel.documents.iter().all(|d| d.reason != Reason::Explore));
}

#[test]
fn keywords_are_motifs_too() {
    let params = SelectParams::builder()
        .exploit(1)
        .top_n(4)
        .random_sample(10)
        .max_n(1)
        .min_obs(4)
        .explore(0)
        .keyword_docs(5)
        .uncertain(0)
        .build()
        .unwrap();
    let mut ctx = Context::default();
    ctx.keywords
        .insert("games".into(), vec!["Editor".into(), "music".into()]);
    let sel = select(&tiny_pool(), &params, &ctx).unwrap();
    let kw = &sel.summary.classes[0].keywords;
    // Keywords are segmented and case-folded like document words; counted in
    // 0 top documents and in 3 (editor) and 2 (music) of the 10 pool documents.
    let stats: Vec<(&str, u64, u64)> = kw
        .iter()
        .map(|m| (m.motif.as_str(), m.obs, m.random_obs))
        .collect();
    assert_eq!(stats, [("editor", 0, 3), ("music", 0, 2)]);
    // The pool documents outside the top holding "editor" (r1, r4, r5) or
    // "music" (r2, r4), each once, with the keyword they hold.
    let mut ids = Vec::new();
    for d in sel.documents.iter().filter(|d| d.reason == Reason::Keyword) {
        assert!(d.text.contains(d.motif.as_deref().unwrap()), "{d:?}");
        ids.push(d.id.as_str());
    }
    ids.sort();
    assert_eq!(ids, ["r1", "r2", "r4", "r5"]);
}
