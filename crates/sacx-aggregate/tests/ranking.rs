//! Hand-computed end-to-end examples of the original SACX keyword ranking (mean
//! score, stability over every run; issue 6, steps 1–6). The support ranking, the
//! default, has its own examples in `support_ranking.rs`.
mod common;
use common::{five_runs, labels, rec, write_run};
use sacx_aggregate::{
    ClassCount, ClassCounts, Inputs, KeywordParams, Keywords, Ranking, Style, aggregate,
};
use std::path::{Path, PathBuf};

fn inputs(dir: &Path, shards_per_run: usize) -> Inputs {
    let l = labels(&["Game", "Music"]);
    let mut paths: Vec<PathBuf> = Vec::new();
    for (i, records) in five_runs().iter().enumerate() {
        paths.extend(write_run(
            dir,
            &format!("seed-{i}"),
            &l,
            records,
            shards_per_run,
        ));
    }
    Inputs::new().paths(paths)
}

fn words(list: &[sacx_aggregate::Keyword]) -> Vec<&str> {
    list.iter().map(|k| k.word.as_str()).collect()
}

fn params() -> sacx_aggregate::KeywordParamsBuilder {
    KeywordParams::builder()
        .ranking(Ranking::Original)
        .words_per_doc(2)
}

#[test]
fn stable_unstable_means_std_runs_and_documents_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let k = aggregate(&inputs(dir.path(), 1), &params().build().unwrap(), None).unwrap();
    assert_eq!(k.runs.len(), 5);
    let game = k.class("Game").unwrap();
    assert_eq!(words(&game.keywords), ["play", "score"]);
    assert_eq!(words(&game.unstable), ["level"]);
    let play = &game.keywords[0];
    assert_eq!((play.runs, play.occurrences, play.documents), (3, 3, 1));
    assert!((play.score_mean - 0.7).abs() < 1e-6, "{}", play.score_mean);
    assert!((play.score_std - (0.02f64 / 3.0).sqrt()).abs() < 1e-6);
    assert_eq!(play.gold_labels, vec![vec!["Game".to_string()]]);
    assert!((game.keywords[1].score_mean - 0.85 / 3.0).abs() < 1e-6);
    let level = &game.unstable[0];
    assert_eq!(level.runs, 2);
    assert!((level.score_mean - 0.45).abs() < 1e-6 && (level.score_std - 0.05).abs() < 1e-6);
    // Music: one run only, so nothing is stable; the non-gold target of run 0 is ignored.
    let music = k.class("Music").unwrap();
    assert!(music.keywords.is_empty());
    assert_eq!(words(&music.unstable), ["song", "play"]);
}

#[test]
fn boundary_needs_exactly_share_times_runs() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path(), 1);
    // 3 of 5 runs: stable at 0.6, not at 0.61.
    let p = params().selection_frequency(0.61).build().unwrap();
    let k = aggregate(&inputs, &p, None).unwrap();
    assert!(k.class("Game").unwrap().keywords.is_empty());
    let p = params().selection_frequency(0.6).build().unwrap();
    assert_eq!(
        words(
            &aggregate(&inputs, &p, None)
                .unwrap()
                .class("Game")
                .unwrap()
                .keywords
        )
        .len(),
        2
    );
}

#[test]
fn style_all_counts_non_gold_targets_and_std_stability() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(dir.path(), 1);
    let k = aggregate(&inputs, &params().style(Style::All).build().unwrap(), None).unwrap();
    // Run 0's Music target on "a" picks level .99 and score .2.
    assert_eq!(
        words(&k.class("Music").unwrap().unstable),
        ["level", "song", "play", "score"]
    );
    // std below 0.06: level (.05) only; play .0816 and score .1434 are unstable.
    let k = aggregate(
        &inputs,
        &params().std_threshold(0.06).build().unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(words(&k.class("Game").unwrap().keywords), ["level"]);
    assert_eq!(words(&k.class("Game").unwrap().unstable), ["play", "score"]);
}

#[test]
fn corpus_filter_runs_before_the_top_n_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut counts = ClassCounts::default();
    let mut game = ClassCount {
        n_docs: 20,
        ..Default::default()
    };
    game.df.insert("play".into(), 3); // not above min_word_freq = 3: dropped
    game.df.insert("score".into(), 4);
    counts.insert("Game", game);
    let p = params().top_n(1).build().unwrap();
    let k = aggregate(&inputs(dir.path(), 1), &p, Some(&counts)).unwrap();
    let game = k.class("Game").unwrap();
    // The original cut to [play] first and then filtered it away, leaving nothing.
    assert_eq!(words(&game.keywords), ["score"]);
    assert_eq!(game.keywords[0].corpus_freq, Some(4));
    assert!(game.unstable.is_empty(), "level has DF 0 in Game");
}

#[test]
fn sharding_does_not_change_the_result() {
    let one = tempfile::tempdir().unwrap();
    let three = tempfile::tempdir().unwrap();
    let p = params().style(Style::All).build().unwrap();
    let a = aggregate(&inputs(one.path(), 1), &p, None).unwrap();
    let b = aggregate(&inputs(three.path(), 3), &p, None).unwrap();
    assert_eq!(a, b);
}

#[test]
fn writes_tsv_in_the_original_columns_and_json_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let k = aggregate(&inputs(dir.path(), 1), &params().build().unwrap(), None).unwrap();
    let out = dir.path().join("kw");
    let written = k.write(&out).unwrap();
    // Two classes × stable, unstable and counter-evidence, and keywords.json.
    assert_eq!(written.len(), 7);
    let tsv = std::fs::read_to_string(out.join("Game_stable.tsv")).unwrap();
    let lines: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        lines[0],
        [
            "token",
            "pred",
            "label",
            "score_mean",
            "score_std",
            "source_number",
            "corpus_freq",
            "occurrences",
            "documents",
            "score",
            "mass",
            "specificity",
            "association"
        ]
    );
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (
            lines[1][0],
            lines[1][1],
            lines[1][2],
            lines[1][5],
            lines[1][6]
        ),
        ("play", "Game", "Game", "3", "")
    );
    assert!((lines[1][3].parse::<f64>().unwrap() - 0.7).abs() < 1e-6);
    let unstable = std::fs::read_to_string(out.join("Music_unstable.tsv")).unwrap();
    assert!(
        unstable
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("song\tMusic\tMusic\t")
    );
    let back = Keywords::read(&out.join("keywords.json")).unwrap();
    assert_eq!(back, k);
    assert_eq!(back.parameters["words_per_doc"], 2);
    assert_eq!(back.parameters["n_runs"], 5);
    // No temporary files are left behind.
    assert!(
        std::fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("tmp"))
    );
}

#[test]
fn inconsistent_records_and_label_lists_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let l = labels(&["Game", "Music"]);
    let bad = rec("d9", &[0], &[0.9, 0.1], &["a", "b"], &[(0, &[0.5])]);
    let p = write_run(dir.path(), "r", &l, &[bad], 1);
    let e = aggregate(
        &Inputs::new().paths(p.clone()),
        &params().build().unwrap(),
        None,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("r-0.shard") && msg.contains("\"d9\"") && msg.contains("1 scores for 2 words"),
        "{msg}"
    );
    let other = write_run(dir.path(), "s", &labels(&["Game", "Art"]), &[], 1);
    let e = aggregate(
        &Inputs::new().paths(p.into_iter().chain(other)),
        &params().build().unwrap(),
        None,
    );
    assert!(e.unwrap_err().to_string().contains("\"Art\""));
}
