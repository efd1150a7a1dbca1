//! Corpus loading: SACX TSV, JSON Lines, gzip, label sets, bad lines, reports.

use std::io::Write;
use std::path::{Path, PathBuf};

use sacx_data::{Corpus, Error, Format, LabelSet, LoadOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn sacx_tsv_with_na_labels_one_file_per_language() {
    let opts = LoadOptions::builder()
        .languages(["en", "fi"])
        .build()
        .unwrap();
    let corpus = Corpus::load(&[fixture("sacx_en.tsv"), fixture("sacx_fi.tsv")], &opts).unwrap();
    assert_eq!(corpus.labels.names(), ["HI", "ID", "IN", "IP", "NA", "OP"]);
    let na = corpus.labels.index("NA").unwrap();
    assert_eq!(corpus.len(), 6);
    assert_eq!(corpus.docs[0].labels, [na]);
    assert_eq!(corpus.docs[0].lang, "en");
    assert_eq!(
        corpus.docs[0].text,
        "This is a news article about the elections."
    );
    let (hi, id) = (
        corpus.labels.index("HI").unwrap(),
        corpus.labels.index("ID").unwrap(),
    );
    assert_eq!(corpus.docs[1].labels, [hi, id]);
    let (inn, op) = (
        corpus.labels.index("IN").unwrap(),
        corpus.labels.index("OP").unwrap(),
    );
    assert_eq!(corpus.docs[2].labels, [inn, op], "comma-separated labels");
    // CRLF line ends are stripped; the file language applies.
    assert_eq!(corpus.docs[4].text, "Tämä on uutinen vaaleista.");
    assert_eq!(corpus.docs[4].lang, "fi");
    // Several files: default ids name the file so unrelated lines never group.
    assert!(
        corpus.docs[4].id.ends_with("sacx_fi.tsv:line-1"),
        "{}",
        corpus.docs[4].id
    );
    assert_eq!(corpus.report.per_class["NA"], 3);
    assert_eq!(corpus.report.per_language["en"], 4);
    assert_eq!(corpus.report.per_language["fi"], 2);
}

#[test]
fn explicit_label_set_keeps_order_and_drops_documents_outside_it() {
    let labels = LabelSet::new(["OP", "NA"]).unwrap();
    let opts = LoadOptions::builder()
        .languages(["en"])
        .labels(labels)
        .build()
        .unwrap();
    let corpus = Corpus::load(&[fixture("sacx_en.tsv")], &opts).unwrap();
    assert_eq!(corpus.labels.names(), ["OP", "NA"]);
    // "HI ID" is dropped; "IN,OP" keeps OP only.
    assert_eq!(corpus.len(), 3);
    assert_eq!(corpus.docs[1].labels, [0]);
    assert_eq!(corpus.docs[2].labels, [0, 1]);
    assert_eq!(corpus.report.dropped_outside_labels, 1);
    assert_eq!(corpus.report.unknown_labels["HI"], 1);
    assert_eq!(corpus.report.unknown_labels["IN"], 1);
    let shown = corpus.report.to_string();
    assert!(
        shown.contains("dropped (all labels outside the label set): 1"),
        "{shown}"
    );
}

#[test]
fn tsv_language_count_must_match_files() {
    let opts = LoadOptions::builder()
        .languages(["en", "fi", "sv"])
        .build()
        .unwrap();
    let err = Corpus::load(&[fixture("sacx_en.tsv"), fixture("sacx_fi.tsv")], &opts).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LanguageCount {
                files: 2,
                languages: 3,
                ..
            }
        ),
        "{err}"
    );
}

/// Writes a file with one good line followed by `bad`, and loads it.
fn load_with_bad_line(bad: &[u8]) -> (PathBuf, Result<Corpus, Error>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"{\"text\": \"fine\", \"labels\": [\"A\"]}\n")
        .unwrap();
    f.write_all(bad).unwrap();
    f.write_all(b"\n").unwrap();
    let result = Corpus::load(&[&path], &LoadOptions::default());
    (path, result, dir)
}

#[test]
fn each_kind_of_malformed_line_names_file_and_line() {
    let cases: [(&[u8], &str); 7] = [
        (b"{\"text\": \"unterminated", "invalid JSON"),
        (b"[\"text\"]", "expected a JSON object, found an array"),
        (b"{\"labels\": [\"A\"]}", "missing \"text\" field"),
        (
            b"{\"text\": 42, \"labels\": [\"A\"]}",
            "\"text\" must be a string, found a number 42",
        ),
        (
            b"{\"text\": \"x\", \"labels\": \"A\"}",
            "\"labels\" must be an array of strings, found a string",
        ),
        (
            b"{\"text\": \"x\", \"labels\": [\"A\", 1]}",
            "found a number 1 at position 1",
        ),
        (
            b"{\"text\": \"caf\xe9\", \"labels\": [\"A\"]}",
            "invalid UTF-8 at byte 13",
        ),
    ];
    for (bad, reason) in cases {
        let (path, result, _dir) = load_with_bad_line(bad);
        let err = result.unwrap_err();
        let msg = err.to_string();
        let want = format!("{}:2: ", path.display());
        assert!(msg.starts_with(&want), "{msg}");
        assert!(msg.contains(reason), "{msg} should contain {reason}");
        assert!(msg.contains("LoadOptions::skip_bad_lines"), "{msg}");
        assert!(matches!(err, Error::BadLine { line: 2, .. }));
    }
}

#[test]
fn tsv_line_without_tab_is_a_bad_line() {
    let data = b"NA\tfine\nno tab here\n";
    let err = Corpus::from_reader("mem.tsv", &data[..], &LoadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "mem.tsv:2: expected two tab-separated columns labels<TAB>text, found no tab; \
         fix the line or set LoadOptions::skip_bad_lines to skip and count it"
    );
}

#[test]
fn skip_bad_lines_counts_and_reports_them() {
    let opts = LoadOptions::builder().skip_bad_lines(true).build().unwrap();
    let corpus = Corpus::load(&[fixture("bad_lines.jsonl")], &opts).unwrap();
    let ids: Vec<&str> = corpus.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "h"]);
    assert_eq!(corpus.docs[1].text, "Viimeinen hyvä rivi.");
    let r = &corpus.report;
    let bad: Vec<usize> = r.bad_lines.iter().map(|b| b.line).collect();
    assert_eq!(bad, [2, 3, 4, 5, 6, 7]);
    assert_eq!(r.empty.len(), 1);
    assert_eq!(r.empty[0].line, 9);
    assert_eq!(r.lines, 9);
    assert_eq!(r.documents, 2);
    // A document without lang takes the default language.
    assert_eq!(corpus.docs[0].lang, "en");
    let shown = r.to_string();
    assert!(shown.contains("bad lines (skipped): 6"), "{shown}");
    assert!(
        shown.contains("bad_lines.jsonl:7: invalid UTF-8"),
        "{shown}"
    );
    assert!(shown.contains("empty texts (dropped): 1"), "{shown}");
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["bad_lines"][0]["line"], 2);
}

#[test]
fn bundled_gzip_corpus_loads_from_memory_and_from_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/appstream.jsonl.gz");
    let bytes = std::fs::read(&path).unwrap();
    let opts = LoadOptions::default();
    let from_mem =
        Corpus::from_reader("appstream.jsonl.gz", std::io::Cursor::new(bytes), &opts).unwrap();
    assert_eq!(from_mem.len(), 9493);
    assert_eq!(from_mem.labels.len(), 35);
    assert_eq!(from_mem.languages().len(), 12);
    assert_eq!(from_mem.report.per_language["zh"], 228);
    assert_eq!(from_mem.report.per_class["Game"], 2035);
    assert!(from_mem.report.bad_lines.is_empty());
    // Gzip is found by magic bytes, whatever the name says.
    let opts = LoadOptions::builder()
        .format(Format::Jsonl)
        .build()
        .unwrap();
    let from_file = Corpus::load(&[&path], &opts).unwrap();
    assert_eq!(from_file.docs, from_mem.docs);
}

#[test]
fn unknown_extension_is_sniffed_and_lang_defaults_apply() {
    let jsonl = b"{\"text\": \"Hallo Welt\", \"labels\": [\"x\"]}\n";
    let opts = LoadOptions::builder().languages(["de"]).build().unwrap();
    let c = Corpus::from_reader("stdin", &jsonl[..], &opts).unwrap();
    assert_eq!(
        (c.docs[0].lang.as_str(), c.docs[0].id.as_str()),
        ("de", "line-1")
    );
    let tsv = b"x y\tHallo Welt\n";
    let c = Corpus::from_reader("stdin", &tsv[..], &LoadOptions::default()).unwrap();
    assert_eq!(c.docs[0].lang, "und");
    assert_eq!(c.labels.names(), ["x", "y"]);
}

#[test]
fn preprocessing_at_load_inserts_spaces() {
    let data = b"{\"text\": \"Fast.Simple,free(really)\"}\n";
    let opts = LoadOptions::builder().preprocess(true).build().unwrap();
    let c = Corpus::from_reader("p.jsonl", &data[..], &opts).unwrap();
    assert_eq!(c.docs[0].text, "Fast. Simple, free( really)");
    assert_eq!(c.report.without_labels, 1);
}

#[test]
fn missing_file_names_the_path() {
    let err = Corpus::load(&["/nonexistent/x.jsonl"], &LoadOptions::default()).unwrap_err();
    // The message names the path; the I/O error is the source, not repeated.
    assert_eq!(err.to_string(), "/nonexistent/x.jsonl", "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_byte_order_mark_is_dropped_in_both_formats_and_extra_columns_are_bad_lines() {
    let tsv = "\u{feff}Utility\tfirst\nGame\tsecond\n";
    let corpus = Corpus::from_reader("mem.tsv", tsv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(corpus.labels.names(), ["Game", "Utility"]);
    let jsonl = "\u{feff}{\"text\": \"x\", \"labels\": [\"A\"]}\n";
    let corpus =
        Corpus::from_reader("mem.jsonl", jsonl.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(corpus.docs.len(), 1);
    let extra = b"NA\tfine\nNA\ttext\tmore\n";
    let err = Corpus::from_reader("mem.tsv", &extra[..], &LoadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("mem.tsv:2: expected two tab-separated columns labels<TAB>text, found 3"),
        "{err}"
    );
}

#[test]
fn a_label_given_twice_in_a_document_counts_once() {
    let data = "{\"text\": \"a b\", \"labels\": [\"A\", \"B\", \"A\"]}\nA B A\tc d\n";
    let corpus = Corpus::from_reader(
        "mem.jsonl",
        data.lines().next().unwrap().as_bytes(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(corpus.docs[0].labels.len(), 2);
    let tsv = data.lines().nth(1).unwrap();
    let corpus = Corpus::from_reader("mem.tsv", tsv.as_bytes(), &LoadOptions::default()).unwrap();
    assert_eq!(corpus.docs[0].labels.len(), 2);
    let (counts, _) = sacx_data::ClassWordCounts::count_reader(
        "mem.tsv",
        std::io::Cursor::new(tsv.as_bytes().to_vec()),
        &LoadOptions::default(),
        &sacx_data::Segmenter::new(),
    )
    .unwrap();
    assert_eq!(
        (counts.n_docs("A"), counts.tf("A", "c"), counts.df("A", "c")),
        (1, 1, 1)
    );
}

#[test]
fn inputs_matched_by_id_refuse_lines_without_one() {
    let opts = LoadOptions::builder().require_ids(true).build().unwrap();
    let data = b"{\"id\": \"a\", \"text\": \"fine\", \"labels\": [\"A\"]}\n{\"text\": \"no id\", \"labels\": [\"A\"]}\n";
    let err = Corpus::from_reader("extra.jsonl", &data[..], &opts).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("extra.jsonl:2: no \"id\" field"), "{msg}");
    // SACX TSV has no id column: its lines are named after file and line.
    let tsv = Corpus::from_reader("dir/extra.tsv", &b"A\tfine\n\nA\tmore\n"[..], &opts).unwrap();
    let ids: Vec<&str> = tsv.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["extra.tsv:line-1", "extra.tsv:line-3"]);
    // Without the option, the line is named after its number.
    let corpus = Corpus::from_reader("extra.jsonl", &data[..], &LoadOptions::default()).unwrap();
    assert_eq!(corpus.docs[1].id, "line-2");
}

#[test]
fn labelled_files_merge_by_id_and_language_or_change_nothing() {
    let opts = LoadOptions::default();
    let ids = LoadOptions::builder().require_ids(true).build().unwrap();
    let base = b"{\"id\":\"a\",\"lang\":\"en\",\"text\":\"t\",\"labels\":[\"X\"]}\n{\"id\":\"b\",\"lang\":\"en\",\"text\":\"t\",\"labels\":[\"Y\"]}\n";
    let mut corpus = Corpus::from_reader("c.jsonl", &base[..], &opts).unwrap();
    let before = corpus.clone();
    // The same id in another language is another document; in the same
    // language, a repeat within the file with other labels is a conflict.
    let extra = b"{\"id\":\"a\",\"lang\":\"fi\",\"text\":\"t\",\"labels\":[\"Y\"]}\n{\"id\":\"n\",\"lang\":\"en\",\"text\":\"t\",\"labels\":[\"X\"]}\n{\"id\":\"n\",\"lang\":\"en\",\"text\":\"t\",\"labels\":[\"X\",\"Y\"]}\n";
    let e = corpus
        .merge_labelled(
            Corpus::from_reader("l.jsonl", &extra[..], &ids).unwrap(),
            "l.jsonl",
        )
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "l.jsonl: document \"n\" (en) is labelled [X, Y] here but [X] before; fix one of them"
    );
    assert_eq!(corpus, before, "a failed merge changed the corpus");
    let ok: Vec<u8> = extra
        .split_inclusive(|&b| b == b'\n')
        .take(2)
        .flatten()
        .copied()
        .collect();
    let ok = std::io::Cursor::new(ok);
    let counts = corpus
        .merge_labelled(Corpus::from_reader("l.jsonl", ok, &ids).unwrap(), "l.jsonl")
        .unwrap();
    assert_eq!((counts.added, counts.already_present), (2, 0));
    assert_eq!(corpus.docs[2].lang, "fi");
    assert_eq!(corpus.docs[2].labels, [1]);
    assert_eq!(corpus.report.documents, 4);
}
