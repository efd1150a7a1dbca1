//! An error with a cause is printed as one line, the chain joined with ": ",
//! and no cause's text appears twice: the libraries keep a cause as the
//! error's source without quoting it. Library errors that name a library
//! setting are worded with the flag instead.
mod common;

use common::sacx;

/// The last stderr line of a failed command.
fn failure(args: &[&str]) -> String {
    let o = sacx(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{err}");
    err.lines().last().unwrap_or_default().to_string()
}

/// `needle` occurs exactly once in `line`, and no ": "-separated part repeats.
fn once(line: &str, needle: &str) {
    assert_eq!(
        line.matches(needle).count(),
        1,
        "{needle:?} not once in: {line}"
    );
    let parts: Vec<&str> = line.split(": ").filter(|p| p.len() > 3).collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "{p:?} printed twice: {line}");
    }
}

#[test]
fn causes_are_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never").display().to_string();

    let missing = tmp.path().join("missing.jsonl").display().to_string();
    let line = failure(&["run", "--corpus", &missing, "--out", &out]);
    once(&line, "missing.jsonl");
    once(&line, "no such corpus file");

    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"text\": \"fine\", \"labels\": [\"A\"]}\nnot json\n",
    )
    .unwrap();
    let line = failure(&["run", "--corpus", &bad.display().to_string(), "--out", &out]);
    once(&line, "bad.jsonl:2");
    once(&line, "--skip-bad-lines");
    assert!(!line.contains("LoadOptions"), "{line}");

    let counts = tmp.path().join("counts");
    std::fs::create_dir(&counts).unwrap();
    std::fs::write(counts.join("df.json"), "{\"A\": {\"x\": 1.5}}").unwrap();
    let shards = tmp.path().join("shards");
    std::fs::create_dir(&shards).unwrap();
    let line = failure(&[
        "keywords",
        "--explanations",
        &shards.display().to_string(),
        "--counts",
        &counts.display().to_string(),
        "--out",
        &out,
    ]);
    once(&line, "df.json");
    once(&line, "line 1");

    let kw = tmp.path().join("kw.json");
    std::fs::write(&kw, "{\"format\": ").unwrap();
    let line = failure(&[
        "evaluate",
        "--keywords",
        &kw.display().to_string(),
        "--explanations",
        &shards.display().to_string(),
        "--out",
        &tmp.path().join("eval.json").display().to_string(),
    ]);
    once(&line, "kw.json");
    once(&line, "EOF");
    assert!(!tmp.path().join("never").exists());
}
