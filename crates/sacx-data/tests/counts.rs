//! Class word counts on a hand-checked mini corpus, in the original JSON shape.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sacx_data::{ClassWordCounts, Corpus, LabelSet, LoadOptions, Segmenter};

fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini_counts.jsonl")
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(w, n)| (w.to_string(), n)).collect()
}

// Hand count of tests/fixtures/mini_counts.jsonl (lower-cased words):
//   1 Animals       "The cat sat. The cat ran!"  the 2, cat 2, sat 1, ran 1
//   2 Animals, Pets "A dog and a cat."           a 2, dog 1, and 1, cat 1
//   3 Pets          "Dogs run; dogs play."       dogs 2, run 1, play 1
//   4 Animals       "猫が好きです。"              猫 1, が 1, 好き 1, です 1
fn expected() -> ClassWordCounts {
    let mut c = ClassWordCounts::default();
    c.tf.insert(
        "Animals".into(),
        map(&[
            ("the", 2),
            ("cat", 3),
            ("sat", 1),
            ("ran", 1),
            ("a", 2),
            ("dog", 1),
            ("and", 1),
            ("猫", 1),
            ("が", 1),
            ("好き", 1),
            ("です", 1),
        ]),
    );
    c.df.insert(
        "Animals".into(),
        map(&[
            ("the", 1),
            ("cat", 2),
            ("sat", 1),
            ("ran", 1),
            ("a", 1),
            ("dog", 1),
            ("and", 1),
            ("猫", 1),
            ("が", 1),
            ("好き", 1),
            ("です", 1),
        ]),
    );
    c.tf.insert(
        "Pets".into(),
        map(&[
            ("a", 2),
            ("dog", 1),
            ("and", 1),
            ("cat", 1),
            ("dogs", 2),
            ("run", 1),
            ("play", 1),
        ]),
    );
    c.df.insert(
        "Pets".into(),
        map(&[
            ("a", 1),
            ("dog", 1),
            ("and", 1),
            ("cat", 1),
            ("dogs", 1),
            ("run", 1),
            ("play", 1),
        ]),
    );
    c.n_docs = map(&[("Animals", 3), ("Pets", 2)]);
    c
}

#[test]
fn streaming_counts_match_the_hand_count() {
    let (counts, report) =
        ClassWordCounts::count_files(&[mini()], &LoadOptions::default(), &Segmenter::new())
            .unwrap();
    assert_eq!(counts, expected());
    assert_eq!(report.documents, 4);
    assert_eq!(report.per_language["ja"], 1);
}

#[test]
fn the_same_pass_counts_every_language_and_the_whole_corpus() {
    let (counts, languages, _) = ClassWordCounts::count_files_by_language(
        &[mini()],
        &LoadOptions::default(),
        &Segmenter::new(),
    )
    .unwrap();
    assert_eq!(counts, expected());
    assert_eq!(languages.format, sacx_data::LANGUAGE_COUNTS_FORMAT);
    assert_eq!(languages.corpus.n_docs, 4);
    // "cat" is in documents 1 and 2, "dogs" in 3 (document frequencies).
    assert_eq!(languages.corpus.df["cat"], 2);
    assert_eq!(languages.corpus.df["dogs"], 1);
    assert_eq!(languages.language_docs["en"], 3);
    assert_eq!(languages.language_docs["ja"], 1);
    assert_eq!(languages.class_documents("en", "Animals"), 2);
    assert_eq!(languages.class_documents("en", "Pets"), 2);
    assert_eq!(languages.class_documents("ja", "Animals"), 1);
    assert_eq!(languages.class_documents("ja", "Pets"), 0);
    assert_eq!(languages.languages["ja"]["Animals"].df["猫"], 1);
    assert_eq!(languages.languages["en"]["Pets"].df["dog"], 1);
    // The two most document-frequent words: cat (2), then the first by byte
    // order among the words in one document.
    assert_eq!(languages.generic_words(2), ["cat", "a"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(sacx_data::LANGUAGE_COUNTS_FILE);
    languages.save(&path).unwrap();
    assert_eq!(sacx_data::LanguageCounts::load(&path).unwrap(), languages);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("sacx-language-counts/1", "sacx-language-counts/9");
    std::fs::write(&path, text).unwrap();
    let e = sacx_data::LanguageCounts::load(&path)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sacx-language-counts/9") && e.contains("count-words"),
        "{e}"
    );
}

#[test]
fn in_memory_counts_match_streaming_and_respect_the_document_subset() {
    let corpus = Corpus::load(&[mini()], &LoadOptions::default()).unwrap();
    let seg = Segmenter::new();
    assert_eq!(
        ClassWordCounts::from_corpus(&corpus, &seg, None).unwrap(),
        expected()
    );
    let only_3 = ClassWordCounts::from_corpus(&corpus, &seg, Some(&[2])).unwrap();
    assert_eq!(only_3.n_docs("Animals"), 0);
    assert_eq!(only_3.n_docs("Pets"), 1);
    assert_eq!(only_3.tf("Pets", "dogs"), 2);
    assert_eq!(only_3.df("Pets", "dogs"), 1);
    let err = ClassWordCounts::from_corpus(&corpus, &seg, Some(&[9])).unwrap_err();
    assert!(err.to_string().contains("index 9"), "{err}");
}

#[test]
fn explicit_labels_restrict_classes() {
    let opts = LoadOptions::builder()
        .labels(LabelSet::new(["Pets", "Birds"]).unwrap())
        .build()
        .unwrap();
    let (counts, report) =
        ClassWordCounts::count_files(&[mini()], &opts, &Segmenter::new()).unwrap();
    assert_eq!(counts.n_docs, map(&[("Birds", 0), ("Pets", 2)]));
    assert_eq!(counts.tf["Pets"], expected().tf["Pets"]);
    assert_eq!(report.dropped_outside_labels, 2);
}

#[test]
fn json_files_have_the_original_shape_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let (tf, df) = (dir.path().join("tf.json"), dir.path().join("df.json"));
    expected().save(&tf, &df).unwrap();
    let tf_json: serde_json::Value = serde_json::from_slice(&std::fs::read(&tf).unwrap()).unwrap();
    assert_eq!(tf_json["Animals"]["cat"], 3);
    assert_eq!(tf_json["Animals"]["_N_DOCS"], 3);
    assert_eq!(tf_json["Pets"]["_N_DOCS"], 2);
    let df_json: serde_json::Value = serde_json::from_slice(&std::fs::read(&df).unwrap()).unwrap();
    assert_eq!(df_json["Animals"]["cat"], 2);
    // Only the two files remain: the temporary files were renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    assert_eq!(ClassWordCounts::load(&tf, &df).unwrap(), expected());
}

#[test]
fn case_fold_none_keeps_case_in_counts() {
    let seg = Segmenter::new().with_case_fold(sacx_data::CaseFold::None);
    let (counts, _) =
        ClassWordCounts::count_files(&[mini()], &LoadOptions::default(), &seg).unwrap();
    assert_eq!(counts.tf("Animals", "The"), 2);
    assert_eq!(counts.tf("Animals", "the"), 0);
}

#[test]
fn malformed_count_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (tf, df) = (dir.path().join("tf.json"), dir.path().join("df.json"));
    std::fs::write(&tf, r#"{"A": {"x": 1}}"#).unwrap();
    std::fs::write(&df, r#"{"A": {"x": 1, "_N_DOCS": 1}}"#).unwrap();
    let err = ClassWordCounts::load(&tf, &df).unwrap_err().to_string();
    assert!(
        err.contains("tf.json") && err.contains("\"A\" has no \"_N_DOCS\""),
        "{err}"
    );
    std::fs::write(&tf, r#"{"A": {"x": 1.5, "_N_DOCS": 1}}"#).unwrap();
    let err = ClassWordCounts::load(&tf, &df).unwrap_err();
    let source = std::error::Error::source(&err).map(|s| s.to_string());
    let err = err.to_string();
    assert!(err.contains("tf.json") && err.contains("_N_DOCS"), "{err}");
    // serde's position is the source, not repeated in the message.
    let source = source.unwrap_or_default();
    assert!(
        source.contains("line 1") && !err.contains(&source),
        "{source}"
    );
    std::fs::write(&tf, r#"{"A": {"x": 1, "_N_DOCS": 2}}"#).unwrap();
    let err = ClassWordCounts::load(&tf, &df).unwrap_err().to_string();
    assert!(
        err.contains("df.json") && err.contains("class \"A\""),
        "{err}"
    );
}
