//! Reading the original pipeline's explanation TSV files.
mod common;
use common::{labels, rec, write_run};
use sacx_aggregate::{Inputs, KeywordParams, Style, TsvOptions, TsvReader, aggregate};
use sacx_data::explanation::DocExplanation;
use std::fmt::Write as _;
use std::path::Path;

/// What `pd.DataFrame(save_matrix, columns=["id","label","pred","token","score","probs"])
/// .to_csv(filename, sep="\t")` writes for these records.
fn original_tsv(records: &[DocExplanation], labels: &[String]) -> String {
    let list = |c: &[u32]| {
        if c.is_empty() {
            "None".to_string()
        } else {
            format!(
                "[{}]",
                c.iter()
                    .map(|&i| format!("'{}'", labels[i as usize]))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    let mut out = "\tid\tlabel\tpred\ttoken\tscore\tprobs\n".to_string();
    let mut row = 0;
    for r in records {
        let probs = format!(
            "[{}]",
            r.probs
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for t in &r.targets {
            for (w, s) in r.words.iter().zip(&t.scores) {
                writeln!(
                    out,
                    "{row}\t{}\t{}\t{}\t{w}\t{s}\t{probs}",
                    r.doc_id,
                    list(&r.gold),
                    list(&[t.class])
                )
                .unwrap();
                row += 1;
            }
        }
        if r.targets.is_empty() {
            for w in &r.words {
                writeln!(
                    out,
                    "{row}\t{}\t{}\tNone\t{w}\tNone\t{probs}",
                    r.doc_id,
                    list(&r.gold)
                )
                .unwrap();
                row += 1;
            }
        }
    }
    out
}

fn read_all(path: &Path, labels: &[String]) -> Vec<DocExplanation> {
    TsvReader::open(path, labels, &TsvOptions::default())
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn reads_header_index_quotes_special_tokens_and_no_prediction_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run000.tsv");
    let l = labels(&["HI", "IN", "OP"]);
    let text = "\tid\tlabel\tpred\ttoken\tscore\tprobs\n\
        0\tdoc_1\t['HI', 'OP']\t['HI']\t<s>\t0.0\t[0.9, 0.2, 0.7]\n\
        1\tdoc_1\t['HI', 'OP']\t['HI']\tBaking,\t0.5\t[0.9, 0.2, 0.7]\n\
        2\tdoc_1\t['HI', 'OP']\t['HI']\t\"\"\"Tips\"\"\"\t-0.25\t[0.9, 0.2, 0.7]\n\
        3\tdoc_1\t['HI', 'OP']\t['HI']\t!!\t0.1\t[0.9, 0.2, 0.7]\n\
        4\tdoc_1\t['HI', 'OP']\t['OP']\t<s>\t0.0\t[0.9, 0.2, 0.7]\n\
        5\tdoc_1\t['HI', 'OP']\t['OP']\tbaking\t0.125\t[0.9, 0.2, 0.7]\n\
        6\tdoc_1\t['HI', 'OP']\t['OP']\ttips\t0.75\t[0.9, 0.2, 0.7]\n\
        7\tdoc_1\t['HI', 'OP']\t['OP']\t?\t0.3\t[0.9, 0.2, 0.7]\n\
        8\tdoc_2\tNone\tNone\tHello\tNone\t[0.1, 0.2, 0.3]\n";
    std::fs::write(&path, text).unwrap();
    let docs = read_all(&path, &l);
    assert_eq!(docs.len(), 2);
    let d = &docs[0];
    assert_eq!(
        (d.doc_id.as_str(), &d.gold, &d.probs),
        ("doc_1", &vec![0, 2], &vec![0.9, 0.2, 0.7])
    );
    // <s> skipped; "Baking," → "baking"; "\"Tips\"" → "tips"; "!!" and "?" become empty: dropped.
    assert_eq!(d.words, ["baking", "tips"]);
    assert_eq!(d.targets.len(), 2);
    assert_eq!(
        (d.targets[0].class, &d.targets[0].scores),
        (0, &vec![0.5, -0.25])
    );
    assert_eq!(
        (d.targets[1].class, &d.targets[1].scores),
        (2, &vec![0.125, 0.75])
    );
    assert_eq!(
        (
            docs[1].words.as_slice(),
            docs[1].targets.len(),
            docs[1].gold.len()
        ),
        (&["hello".to_string()][..], 0, 0)
    );
    // Without normalisation tokens are kept as written, so the two targets no longer
    // repeat the same tokens ("Baking," vs "baking"): an error naming the line.
    let mut raw = TsvReader::open(
        &path,
        &l,
        &TsvOptions::builder().normalize(false).build().unwrap(),
    )
    .unwrap();
    let e = raw.next().unwrap().unwrap_err().to_string();
    assert!(
        e.contains("run000.tsv:7") && e.contains("\"baking\"") && e.contains("\"Baking,\""),
        "{e}"
    );
}

#[test]
fn tsv_input_ranks_exactly_like_shard_input() {
    let dir = tempfile::tempdir().unwrap();
    let l = labels(&["Game", "Music"]);
    let words = ["play", "score", "level", "2024"];
    let runs = [
        vec![rec(
            "a",
            &[0],
            &[0.9, 0.7],
            &words,
            &[(0, &[0.8, 0.1, 0.05, 0.9]), (1, &[0.1, 0.2, 0.9, 0.0])],
        )],
        vec![
            rec(
                "a",
                &[0],
                &[0.9, 0.1],
                &words,
                &[(0, &[0.6, 0.3, 0.2, 0.9])],
            ),
            rec("c", &[1], &[0.1, 0.2], &["quiet"], &[]),
        ],
        vec![rec(
            "b",
            &[0, 1],
            &[0.8, 0.9],
            &words,
            &[(0, &[0.7, 0.1, 0.4, 0.0]), (1, &[0.3, 0.3, 0.3, 0.3])],
        )],
    ];
    let (mut shards, mut tsv) = (Inputs::new(), Inputs::new().labels(l.clone()));
    for (i, records) in runs.iter().enumerate() {
        shards = shards.paths(write_run(dir.path(), &format!("run{i}"), &l, records, 1));
        let path = dir.path().join(format!("run{i}.tsv"));
        std::fs::write(&path, original_tsv(records, &l)).unwrap();
        tsv = tsv.tsv(&path, format!("run{i}"));
    }
    for style in [Style::All, Style::Contains, Style::Exact, Style::False] {
        let p = KeywordParams::builder()
            .words_per_doc(2)
            .style(style)
            .selection_frequency(0.3)
            .build()
            .unwrap();
        let a = aggregate(&shards, &p, None).unwrap();
        let b = aggregate(&tsv, &p, None).unwrap();
        assert_eq!(a, b, "style {style}");
        assert!(style == Style::False || !a.classes[0].keywords.is_empty());
    }
}

#[test]
fn malformed_lines_name_file_line_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let l = labels(&["HI", "IN"]);
    let path = dir.path().join("bad.tsv");
    let cases = [
        (
            "0\td1\t['HI']\t['HI']\tword\tabc\t[0.9, 0.1]\n",
            "bad.tsv:1",
            "\"abc\"",
        ),
        (
            "0\td1\t['XX']\t['HI']\tword\t0.1\t[0.9, 0.1]\n",
            "bad.tsv:1",
            "\"XX\"",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[0.9, 0.1]\n1\td1\t['HI']\n",
            "bad.tsv:2",
            "3 fields",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[0.9, 0.1]\n1\td2\t['HI']\t['HI']\tw\t0.1\t[0.9, 0.1]\n2\td1\t['HI']\t['HI']\tw\t0.1\t[0.9, 0.1]\n",
            "bad.tsv:3",
            "\"d1\" appears again",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[0.9]\n",
            "bad.tsv",
            "1 probabilities for 2 labels",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\tinf\t[0.9, 0.1]\n",
            "bad.tsv:1",
            "score \"inf\" is not a finite number",
        ),
        // Every line of a document is checked, not only its first.
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[0.9, 0.1]\n1\td1\t['IN']\t['HI']\tv\t0.1\t[0.9, 0.1]\n",
            "bad.tsv:2",
            "label \"['IN']\" of document \"d1\" differs",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[2.5, 0.1]\n",
            "bad.tsv:1",
            "\"2.5\" in \"[2.5, 0.1]\" is not between 0 and 1",
        ),
        (
            "0\td1\t['HI']\t['HI']\tw\t0.1\t[NaN, 0.1]\n",
            "bad.tsv:1",
            "\"NaN\" in \"[NaN, 0.1]\" is not between 0 and 1",
        ),
    ];
    for (text, place, what) in cases {
        std::fs::write(&path, text).unwrap();
        let p = KeywordParams::builder().build().unwrap();
        let e = aggregate(&Inputs::new().labels(l.clone()).tsv(&path, "r"), &p, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(place) && e.contains(what),
            "{e:?} should name {place} and {what}"
        );
        assert_eq!(e.lines().count(), 1);
    }
    // TSV without a label list cannot map classes.
    let e = aggregate(
        &Inputs::new().tsv(&path, "r"),
        &KeywordParams::default(),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("give the labels"));
}

/// The block reader: lines crossing its 1 MiB read chunks, a line longer than a chunk
/// (the buffer grows), CRLF line ends and no final newline give the same documents and
/// the same keywords as the shard input.
#[test]
fn block_reader_handles_chunk_boundaries_long_lines_and_crlf() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let dir = tempfile::tempdir().unwrap();
    let l = labels(&["A", "B", "C"]);
    let vocab: Vec<String> = (0..300).map(|i| format!("w{i}x")).collect();
    let long = "y".repeat(1_500_000);
    let mut records = Vec::new();
    for d in 0..700 {
        let n = rng.random_range(5..40);
        let mut words: Vec<&str> = (0..n)
            .map(|_| vocab[rng.random_range(0..vocab.len())].as_str())
            .collect();
        if d == 350 {
            words[2] = &long;
        }
        let scores: Vec<Vec<f32>> = (0..2)
            .map(|_| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect())
            .collect();
        let gold = [rng.random_range(0..3u32)];
        let probs = [
            rng.random::<f32>(),
            rng.random::<f32>(),
            rng.random::<f32>(),
        ];
        let first = rng.random_range(0..3u32);
        let targets = [(first, &scores[0][..]), ((first + 1) % 3, &scores[1][..])];
        records.push(rec(&format!("doc{d}"), &gold, &probs, &words, &targets));
    }
    let text = original_tsv(&records, &l).replace('\n', "\r\n");
    let text = text.trim_end_matches("\r\n");
    assert!(text.len() > 4 << 20);
    let path = dir.path().join("big.tsv");
    std::fs::write(&path, text).unwrap();
    let docs = read_all(&path, &l);
    assert_eq!(docs.len(), records.len());
    for (got, want) in docs.iter().zip(&records) {
        assert_eq!(
            (&got.doc_id, &got.gold, &got.probs, &got.words),
            (&want.doc_id, &want.gold, &want.probs, &want.words)
        );
        let t = |r: &DocExplanation| -> Vec<(u32, Vec<f32>)> {
            r.targets
                .iter()
                .map(|t| (t.class, t.scores.clone()))
                .collect()
        };
        assert_eq!(t(got), t(want));
    }
    let shards = Inputs::new().paths(write_run(dir.path(), "big", &l, &records, 3));
    let tsv = Inputs::new().labels(l.clone()).tsv(&path, "big");
    for style in [Style::All, Style::Contains] {
        let p = KeywordParams::builder()
            .words_per_doc(3)
            .style(style)
            .build()
            .unwrap();
        let a = aggregate(&shards, &p, None).unwrap();
        assert_eq!(a, aggregate(&tsv, &p, None).unwrap(), "style {style}");
        assert!(a.classes.iter().any(|c| !c.keywords.is_empty()));
    }
}

#[test]
fn the_numbered_header_and_adjacent_translations_sharing_an_id_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.tsv");
    let l = labels(&["HI", "IN"]);
    // What `sacx explain --tsv` writes: pandas' numbered header, numpy-style
    // arrays, and two translations of "t1" (en, fi) next to each other with
    // the same target.
    let text = "\t0\t1\t2\t3\t4\t5\n\
        0\tt1\t[0]\t0\tbaking\t0.5\t[0.9 0.1]\n\
        1\tt1\t[0]\t0\ttips\t0.25\t[0.9 0.1]\n\
        2\tt1\t[0]\t0\tleivonta\t0.75\t[0.8 0.3]\n\
        3\tt2\t[1]\tNone\thello\tNone\t[0.1 0.2]\n";
    std::fs::write(&path, text).unwrap();
    let docs = read_all(&path, &l);
    assert_eq!(docs.len(), 3);
    assert_eq!((docs[0].doc_id.as_str(), docs[0].words.len()), ("t1", 2));
    assert_eq!(
        (docs[1].doc_id.as_str(), &docs[1].words),
        ("t1", &vec!["leivonta".to_string()])
    );
    assert_eq!(docs[1].probs, vec![0.8, 0.3]);
    assert_eq!((docs[2].doc_id.as_str(), docs[2].targets.len()), ("t2", 0));
}
