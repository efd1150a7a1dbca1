//! The original TSV: what `write_tsv` writes, `TsvReader` and
//! `for_each_tsv_record` read back as the same records (translations sharing an
//! id, a document without a target, header and all).
use sacx_data::explanation::tsv::{
    COLUMNS, TsvOptions, TsvReader, for_each_tsv_record, render_tsv, write_tsv,
};
use sacx_data::explanation::{DocExplanation, TargetAttribution};

fn doc(id: &str, words: &[&str], targets: &[(u32, &[f32])], probs: [f32; 3]) -> DocExplanation {
    DocExplanation {
        doc_id: id.into(),
        // The TSV has no language column, nor completeness gaps or steps.
        lang: String::new(),
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
                steps: 0,
            })
            .collect(),
    }
}

fn records() -> Vec<DocExplanation> {
    vec![
        doc(
            "t1",
            &["play", "the", "game"],
            &[(0, &[0.5, -0.125, 0.25]), (2, &[0.0, 0.75, -1.0])],
            [0.9, 0.2, 0.7],
        ),
        doc(
            "t1",
            &["pelaa", "peliä"],
            &[(0, &[0.375, 0.5])],
            [0.8, 0.1, 0.6],
        ),
        doc("t2", &["nothing", "predicted"], &[], [0.1, 0.2, 0.3]),
        doc(
            "t3",
            &["東京", "spiel"],
            &[(1, &[1.0, 0.1])],
            [0.4, 0.6, 0.1],
        ),
    ]
}

#[test]
fn written_records_read_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.tsv");
    let records = records();
    write_tsv(&path, &records).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, render_tsv(&records, true));
    assert_eq!(text.lines().next(), Some("\t0\t1\t2\t3\t4\t5"));
    assert_eq!(
        text.lines().nth(1).unwrap().split('\t').count(),
        COLUMNS.len() + 1
    );
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let options = TsvOptions::builder().normalize(false).build().unwrap();
    let back: Vec<DocExplanation> = TsvReader::open(&path, &labels, &options)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, records);
    let mut ids = Vec::new();
    for_each_tsv_record(&path, &labels, &options, |view| {
        ids.push((
            view.doc_id.to_string(),
            view.words.len(),
            view.targets.len(),
        ));
        Ok::<(), sacx_data::Error>(())
    })
    .unwrap();
    let want: Vec<_> = records
        .iter()
        .map(|r| (r.doc_id.clone(), r.words.len(), r.targets.len()))
        .collect();
    assert_eq!(ids, want);
}

#[test]
fn a_header_with_the_column_names_is_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("named.tsv");
    let body = render_tsv(&records(), false);
    std::fs::write(&path, format!("\t{}\n{body}", COLUMNS.join("\t"))).unwrap();
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let options = TsvOptions::builder().normalize(false).build().unwrap();
    let n = TsvReader::open(&path, &labels, &options).unwrap().count();
    assert_eq!(n, records().len());
}
