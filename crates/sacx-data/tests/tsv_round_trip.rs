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
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    write_tsv(&path, &records, &labels).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, render_tsv(&records, &labels, true));
    // pandas' to_csv of the original's columns: Python lists of class names,
    // floats as Python's repr writes them.
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("\tid\tlabel\tpred\ttoken\tscore\tprobs"));
    assert_eq!(
        lines.next(),
        Some(
            "0\tt1\t['A', 'C']\t['A']\tplay\t0.5\t[0.8999999761581421, 0.20000000298023224, 0.699999988079071]"
        )
    );
    assert!(
        text.contains("\tt2\t['A', 'C']\tNone\tnothing\tNone\t["),
        "{text}"
    );
    assert_eq!(
        text.lines().nth(1).unwrap().split('\t').count(),
        COLUMNS.len() + 1
    );
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

/// What earlier sacx versions wrote: pandas' numbered header, class indices
/// as numpy arrays, the target as an index, probabilities numpy-style.
fn old_format(records: &[DocExplanation]) -> String {
    let mut out = String::from("\t0\t1\t2\t3\t4\t5\n");
    let array = |v: Vec<String>| format!("[{}]", v.join(" "));
    let mut row = 0;
    for r in records {
        let gold = array(r.gold.iter().map(|g| g.to_string()).collect());
        let probs = array(r.probs.iter().map(|p| p.to_string()).collect());
        if r.targets.is_empty() {
            for w in &r.words {
                out += &format!("{row}\t{}\t{gold}\tNone\t{w}\tNone\t{probs}\n", r.doc_id);
                row += 1;
            }
        }
        for t in &r.targets {
            for (w, s) in r.words.iter().zip(&t.scores) {
                out += &format!(
                    "{row}\t{}\t{gold}\t{}\t{w}\t{s}\t{probs}\n",
                    r.doc_id, t.class
                );
                row += 1;
            }
        }
    }
    out
}

#[test]
fn what_earlier_versions_wrote_is_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.tsv");
    std::fs::write(&path, old_format(&records())).unwrap();
    let labels: Vec<String> = ["A", "B", "C"].map(String::from).to_vec();
    let options = TsvOptions::builder().normalize(false).build().unwrap();
    let back: Vec<DocExplanation> = TsvReader::open(&path, &labels, &options)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, records());
}

#[test]
fn ids_and_words_with_tabs_quotes_and_line_breaks_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.tsv");
    let mut records = records();
    records[0].doc_id = "tab\there".into();
    records[1].doc_id = "tab\there".into();
    records[2].doc_id = "new\nline \"quoted\"\r\n".into();
    records[3].words[1] = "sp\"iel".into();
    // Class names Python quotes with double quotes or escapes.
    let labels: Vec<String> = ["it's", "B\\", "C, D"].map(String::from).to_vec();
    write_tsv(&path, &records, &labels).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    // Quoted the CSV way: the id for its tab, the labels for their quotes.
    assert!(
        text.contains("\t\"tab\there\"\t\"[\"\"it's\"\", 'C, D']\"\t"),
        "{text}"
    );
    let options = TsvOptions::builder().normalize(false).build().unwrap();
    let back: Vec<DocExplanation> = TsvReader::open(&path, &labels, &options)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, records);
    // A malformed line after a record spanning two lines is named by its line.
    std::fs::write(&path, format!("{text}99\tx\n")).unwrap();
    let err = TsvReader::open(&path, &labels, &options)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_err()
        .to_string();
    let n = text.lines().count() + 1;
    assert!(err.contains(&format!("odd.tsv:{n}:")), "{err}");
}
