//! `--labelled FILE`: extra labelled documents (the next active-learning
//! round) merged with the corpus by `sacx run` / `train`, with one-line errors
//! before any work for what cannot be merged (issue 16, item 4).
mod common;

use common::{ok, sacx, small_corpus};
use std::path::Path;

const SMALL: [&str; 8] = [
    "--seeds",
    "1",
    "--epochs",
    "1",
    "--threads",
    "1",
    "--ig-steps",
    "4",
];

/// Lines `from..to` of the bundled corpus (JSON Lines with ids) into `name`.
fn lines(dir: &Path, name: &str, from: usize, to: usize) -> std::path::PathBuf {
    let src = dir.join(format!("src-{name}"));
    std::fs::create_dir_all(&src).unwrap();
    let all = std::fs::read_to_string(small_corpus(&src, to)).unwrap();
    let path = dir.join(name);
    let body: String = all.lines().skip(from).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, body).unwrap();
    path
}

fn run(corpus: &Path, extra: &[&str], out: &Path) -> std::process::Output {
    let (c, o) = (corpus.display().to_string(), out.display().to_string());
    let mut args = vec!["run", "--corpus", &c, "--out", &o];
    args.extend(SMALL);
    args.extend(extra);
    sacx(&args)
}

#[test]
fn labelled_documents_join_the_run_and_its_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = lines(tmp.path(), "corpus.jsonl", 0, 150);
    // 40 new documents, and 10 the corpus already has (same labels).
    let extra = lines(tmp.path(), "labelled.jsonl", 140, 190);
    let arg = extra.display().to_string();
    let out = tmp.path().join("r");
    let o = run(&corpus, &["--labelled", &arg], &out);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    ok(o);
    assert!(
        stderr.contains("extra labelled documents: 40 added, 10 already in the corpus"),
        "{stderr}"
    );
    let params = std::fs::read_to_string(out.join("params.json")).unwrap();
    assert!(params.contains("\"documents\": 190"), "{params}");
    // The same run without the labelled file is another corpus: refused.
    let again = run(&corpus, &[], &out);
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success());
    assert!(err.contains("corpus.documents was 190, now 150"), "{err}");
}

#[test]
fn what_cannot_be_merged_is_refused_in_one_line_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = lines(tmp.path(), "corpus.jsonl", 0, 60);
    let first = std::fs::read_to_string(&corpus).unwrap();
    let line0: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let (id, lang) = (
        line0["id"].as_str().unwrap(),
        line0["lang"].as_str().unwrap(),
    );
    let cases = [
        (
            format!(
                "{{\"id\":\"{id}\",\"lang\":\"{lang}\",\"text\":\"x\",\"labels\":[\"NotAClass\"]}}\n"
            ),
            "label \"NotAClass\" is not one of the corpus's",
        ),
        (
            format!("{{\"id\":\"{id}\",\"lang\":\"{lang}\",\"text\":\"x\",\"labels\":[]}}\n"),
            "is labelled [] here but [",
        ),
        (
            "{\"text\":\"no id\",\"labels\":[]}\n".to_string(),
            ":1: no \"id\" field",
        ),
        (
            "{\"id\":\"new\",\"text\":\"  \",\"labels\":[]}\n".to_string(),
            "line 1: no text",
        ),
    ];
    for (i, (body, needle)) in cases.iter().enumerate() {
        let file = tmp.path().join(format!("bad{i}.jsonl"));
        std::fs::write(&file, body).unwrap();
        let out = tmp.path().join(format!("never{i}"));
        let o = run(&corpus, &["--labelled", &file.display().to_string()], &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "case {i} was accepted");
        let last = err.lines().last().unwrap_or("");
        assert!(last.contains(needle), "case {i}: {err}");
        assert!(last.contains(&format!("bad{i}.jsonl")), "case {i}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "case {i} wrote {}", out.display());
    }
    let missing = run(
        &corpus,
        &["--labelled", "/nonexistent/l.jsonl"],
        &tmp.path().join("n"),
    );
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("/nonexistent/l.jsonl: no such corpus file")
    );
}
