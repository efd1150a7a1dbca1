//! What `sacx explain --tsv` writes, `sacx keywords` reads back: the same
//! records, translations sharing an id included, header and all (issue 13,
//! defect 2). Writer and reader live side by side in
//! `sacx_data::explanation::tsv` (re-exported by sacx-ig and sacx-aggregate);
//! this test holds the re-exports together.
use sacx::aggregate::{TsvOptions, TsvReader};
use sacx::data::explanation::{DocExplanation, TargetAttribution};

fn doc(
    id: &str,
    lang: &str,
    words: &[&str],
    targets: &[(u32, &[f32])],
    probs: [f32; 3],
) -> DocExplanation {
    DocExplanation {
        doc_id: id.into(),
        lang: lang.into(),
        gold: vec![0, 2],
        probs: probs.to_vec(),
        words: words.iter().map(|w| w.to_string()).collect(),
        targets: targets
            .iter()
            .map(|(class, scores)| TargetAttribution {
                class: *class,
                scores: scores.to_vec(),
                delta: 0.0,
                rel_delta: 0.0,
                steps: 50,
            })
            .collect(),
    }
}

#[test]
fn the_tsv_sacx_writes_reads_back_to_the_same_records() {
    let records = vec![
        doc(
            "t1",
            "en",
            &["play", "the", "game"],
            &[(0, &[0.5, -0.125, 0.25]), (2, &[0.0, 0.75, -1.0])],
            [0.9, 0.2, 0.7],
        ),
        doc(
            "t1",
            "fi",
            &["pelaa", "peliä"],
            &[(0, &[0.375, 0.5]), (2, &[0.125, -0.5])],
            [0.8, 0.1, 0.6],
        ),
        doc("t2", "en", &["nothing", "predicted"], &[], [0.1, 0.2, 0.3]),
        doc("t3", "de", &["spiel"], &[(1, &[1.0])], [0.4, 0.6, 0.1]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shard-00000.tsv");
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    std::fs::write(&path, sacx::ig::tsv::render_tsv(&records, &labels, true)).unwrap();
    let back: Vec<DocExplanation> = TsvReader::open(
        &path,
        &labels,
        &TsvOptions::builder().normalize(false).build().unwrap(),
    )
    .unwrap()
    .map(|r| r.unwrap())
    .collect();
    assert_eq!(back.len(), records.len());
    for (a, b) in records.iter().zip(&back) {
        assert_eq!(
            (&a.doc_id, &a.gold, &a.probs, &a.words),
            (&b.doc_id, &b.gold, &b.probs, &b.words)
        );
        let t = |d: &DocExplanation| {
            d.targets
                .iter()
                .map(|t| (t.class, t.scores.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(t(a), t(b), "{}", a.doc_id);
    }
}
