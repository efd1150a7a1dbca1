//! Hand-computed examples of the default support ranking (docs/metrics.md, step 6):
//! attribution mass per explained class document, specificity, stability over the
//! runs that explained the class, counter-evidence and the note of an empty class.
mod common;
use common::{five_runs, labels, rec, write_run};
use sacx_aggregate::{ClassCount, ClassCounts, Inputs, KeywordParams, Ranking, aggregate};
use sacx_data::explanation::DocExplanation;
use std::path::PathBuf;

fn inputs(dir: &std::path::Path, names: &[&str], runs: &[Vec<DocExplanation>]) -> Inputs {
    let l = labels(names);
    let mut paths: Vec<PathBuf> = Vec::new();
    for (i, records) in runs.iter().enumerate() {
        paths.extend(write_run(dir, &format!("seed-{i}"), &l, records, 1));
    }
    Inputs::new().paths(paths)
}

fn words(list: &[sacx_aggregate::Keyword]) -> Vec<&str> {
    list.iter().map(|k| k.word.as_str()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// `common::five_runs`, ranked by support. Game is explained on document "a" in
// runs 0–3, Music on "b" in run 4 (run 0's Music target on "a" is not gold, so
// `contains` leaves it out). With 2 words per document, Game selects play .8 .6 .7, score .1 .3 .45 and
// level .4 .5 over N = 4 pairs; Music selects song .6 and play .3 over N = 1 pair.
//
// mass(Game, play) = 2.1 / 4 = .525, mass(Music, play) = .3, so
// specificity(Game, play) = .525 / .825 and score = .525 × (.525 / .825)² ≈ .21260;
// mass(Game, score) = .85 / 4 = .2125, specificity 1, score .2125. level is in
// 2 of the 4 runs that explained Game (3 needed): unstable. Music was explained in 1 run, so a word
// selected there once is stable: song (.6, specificity 1), then play
// (.3 × (.3 / .825)² ≈ .0397).

#[test]
fn mass_specificity_and_stability_over_the_runs_that_explained_the_class() {
    let dir = tempfile::tempdir().unwrap();
    let p = KeywordParams::builder()
        .words_per_doc(2)
        .specificity_power(2.0)
        .build()
        .unwrap();
    let k = aggregate(
        &inputs(dir.path(), &["Game", "Music"], &five_runs()),
        &p,
        None,
    )
    .unwrap();
    // The default contrast ranking is the support ranking without class counts.
    assert_eq!(k.parameters["ranking"], "contrast");
    let game = k.class("Game").unwrap();
    assert_eq!((game.explained, game.explained_runs), (4, 4));
    assert_eq!(words(&game.keywords), ["play", "score"]);
    assert_eq!(words(&game.unstable), ["level"]);
    let play = &game.keywords[0];
    assert!(close(play.mass, 0.525), "{}", play.mass);
    assert!(close(play.specificity, 0.525 / 0.825));
    assert!(close(play.score, 0.525 * (0.525f64 / 0.825).powi(2)));
    assert!(close(play.score_mean, 0.7));
    let score = &game.keywords[1];
    assert!(close(score.mass, 0.2125) && close(score.specificity, 1.0));
    let music = k.class("Music").unwrap();
    assert_eq!((music.explained, music.explained_runs), (1, 1));
    assert_eq!(words(&music.keywords), ["song", "play"]);
    assert!(close(
        music.keywords[1].score,
        0.3 * (0.3f64 / 0.825).powi(2)
    ));
    // Specificity to the first power (the re-ranking) scores mass × share.
    let p1 = KeywordParams::builder()
        .words_per_doc(2)
        .specificity_power(1.0)
        .build()
        .unwrap();
    let k1 = aggregate(
        &inputs(dir.path(), &["Game", "Music"], &five_runs()),
        &p1,
        None,
    )
    .unwrap();
    let play1 = &k1.class("Game").unwrap().keywords[0];
    assert!(close(play1.score, 0.525 * 0.525 / 0.825));
    assert!(game.note.is_none() && music.note.is_none());
}

/// Two runs over three classes. A: good (.5, .4) and bad (−.3, −.2) over 2 pairs;
/// meh scores 0. B: never explained. C: one pair whose only word is negative.
#[test]
fn negative_words_are_counter_evidence_and_empty_classes_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let runs = vec![
        vec![
            rec(
                "x",
                &[0],
                &[0.9, 0.1, 0.1],
                &["good", "bad"],
                &[(0, &[0.5, -0.3])],
            ),
            rec("z", &[2], &[0.1, 0.1, 0.3], &["noise"], &[(2, &[-0.1])]),
        ],
        vec![rec(
            "y",
            &[0],
            &[0.8, 0.6, 0.1],
            &["good", "bad", "meh"],
            // B is predicted but not gold: `contains` leaves it out.
            &[(0, &[0.4, -0.2, 0.0]), (1, &[0.9, 0.9, 0.9])],
        )],
    ];
    let mut counts = ClassCounts::default();
    for (class, n_docs) in [("A", 6), ("B", 4), ("C", 2)] {
        let mut cc = ClassCount {
            n_docs,
            ..ClassCount::default()
        };
        for w in ["good", "bad", "meh", "noise"] {
            cc.df.insert(w.into(), 5);
        }
        counts.insert(class, cc);
    }
    // The counts here only feed the corpus filter (every word in every class
    // alike): the support ranking, without the contrast's corpus factor.
    let p = KeywordParams::builder()
        .ranking(Ranking::Support)
        .build()
        .unwrap();
    let k = aggregate(
        &inputs(dir.path(), &["A", "B", "C"], &runs),
        &p,
        Some(&counts),
    )
    .unwrap();
    let a = k.class("A").unwrap();
    assert_eq!(words(&a.keywords), ["good"]);
    assert!(close(a.keywords[0].mass, 0.45));
    assert_eq!(words(&a.counter), ["bad"]);
    assert!(close(a.counter[0].mass, -0.25) && close(a.counter[0].score_mean, -0.25));
    assert!(a.keywords.iter().all(|w| w.score_mean > 0.0));
    let b = k.class("B").unwrap();
    assert!(b.keywords.is_empty() && b.explained == 0);
    let why = b.note.as_deref().unwrap();
    assert!(
        why.starts_with("4 documents in the corpus, none explained"),
        "{why}"
    );
    let c = k.class("C").unwrap();
    assert!(c.keywords.is_empty());
    assert_eq!(words(&c.counter), ["noise"]);
    let why = c.note.as_deref().unwrap();
    assert!(
        why.contains("1 explained in 1 of 2 runs") && why.contains("(1 counter-evidence words)"),
        "{why}"
    );
    // The files: a counter-evidence TSV beside the stable and unstable ones.
    let out = dir.path().join("kw");
    k.write(&out).unwrap();
    let tsv = std::fs::read_to_string(out.join("A_counter.tsv")).unwrap();
    assert!(tsv.lines().nth(1).unwrap().starts_with("bad\tA\t"), "{tsv}");
    assert!(tsv.starts_with("token\tpred\tlabel\tscore_mean"), "{tsv}");
}
