//! A small hand-made run directory for the report's tests: two seeds, four classes
//! (with markup and CJK in names and words), real shards, metrics computed by
//! sacx-model, an evaluation computed by sacx-aggregate for IG and a baseline.

use std::path::Path;

use sacx_aggregate::{
    ClassKeywords, EvalDocuments, Keyword, Keywords, LanguageClass, LanguageKeywords, Method,
    Translation,
};
use sacx_data::explanation::{
    DocExplanation, SHARD_FORMAT_VERSION, ShardHeader, ShardWriter, Summary, TargetAttribution,
};

/// The classes, in label order.
pub fn labels() -> Vec<String> {
    ["Audio", "Game", "R&D <Lab> \"x\"", "音楽"]
        .map(String::from)
        .to_vec()
}

/// Why the third class has no keywords.
pub const NOTE: &str =
    "1 documents in the corpus, none explained as this class in any of the 2 runs";

/// A word that would run a script if it were not escaped.
pub const SCRIPT_WORD: &str = "<script>alert('x')</script>";

fn kw(word: &str, mean: f64, std: f64, runs: u32) -> Keyword {
    Keyword {
        word: word.into(),
        score_mean: mean,
        score_std: std,
        occurrences: 4,
        runs,
        documents: 3,
        gold_labels: vec![vec!["Audio".into()]],
        corpus_freq: Some(7),
        score: mean,
        mass: mean,
        specificity: 1.0,
        association: None,
        translations: Vec::new(),
    }
}

/// The per-language lists: Audio in English (its "music" translated to the
/// Japanese "音楽") and in Japanese (three documents: too few, with a note).
fn languages() -> Vec<LanguageKeywords> {
    let translated = |word: &str, lang: &str, to: &str| {
        let mut k = kw(word, 0.8, 0.1, 2);
        k.translations = vec![Translation {
            lang: lang.into(),
            word: to.into(),
            phi: 0.9,
            documents: 4,
        }];
        k
    };
    let class = |class: &str, documents, keywords, note: Option<&str>| LanguageClass {
        class: class.into(),
        documents: Some(documents),
        explained: 2,
        explained_runs: 2,
        keywords,
        note: note.map(String::from),
    };
    vec![
        LanguageKeywords {
            lang: "en".into(),
            documents: Some(40),
            classes: vec![class(
                "Audio",
                20,
                vec![
                    translated("music", "ja", "音楽"),
                    kw("speakers", 0.5, 0.05, 2),
                ],
                None,
            )],
        },
        LanguageKeywords {
            lang: "ja".into(),
            documents: Some(5),
            classes: vec![class(
                "Audio",
                3,
                vec![translated("音楽", "en", "music")],
                Some("3 documents of Audio in ja: too few to say anything about this language"),
            )],
        },
    ]
}

/// The documents: (id, lang, words, gold labels, probabilities).
#[allow(clippy::type_complexity)]
fn docs() -> Vec<(
    &'static str,
    &'static str,
    Vec<&'static str>,
    Vec<u32>,
    Vec<f32>,
)> {
    vec![
        (
            "d1",
            "en",
            vec!["play", "music", "loud", "&", "speakers"],
            vec![0],
            vec![0.9, 0.1, 0.2, 0.3],
        ),
        (
            "d2",
            "en",
            vec!["a", "game", "with", SCRIPT_WORD, "levels"],
            vec![1],
            vec![0.2, 0.95, 0.1, 0.1],
        ),
        (
            "d3",
            "de",
            vec!["labor", "\"forschung\"", "o'neil", "audio"],
            vec![2, 0],
            vec![0.7, 0.1, 0.8, 0.1],
        ),
        (
            "d4",
            "ja",
            vec!["音楽", "を", "聴く", "ゲーム"],
            vec![3],
            vec![0.1, 0.6, 0.1, 0.85],
        ),
        (
            "d5",
            "en",
            vec!["sound", "mixer", "game"],
            vec![0, 1],
            vec![0.8, 0.7, 0.1, 0.2],
        ),
    ]
}

fn records() -> Vec<DocExplanation> {
    docs()
        .into_iter()
        .map(|(id, lang, words, gold, probs)| {
            let targets = probs
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.5)
                .map(|(c, _)| TargetAttribution {
                    class: c as u32,
                    // Alternating signs, growing magnitudes: every colour bin is used.
                    scores: (0..words.len())
                        .map(|i| {
                            if i % 2 == 0 {
                                0.2 * (i + 1) as f32
                            } else {
                                -0.15 * i as f32
                            }
                        })
                        .collect(),
                    delta: 0.01,
                    rel_delta: 0.02,
                    steps: 50,
                })
                .collect();
            DocExplanation {
                doc_id: id.into(),
                lang: lang.into(),
                gold,
                probs,
                words: words.into_iter().map(String::from).collect(),
                targets,
            }
        })
        .collect()
}

/// The IG keyword lists: class 0 with positive and negative scores and the script
/// word, class 3 with CJK words, class 1 unstable only, class 2 empty.
pub fn keywords() -> Keywords {
    let l = labels();
    Keywords {
        format: "sacx-keywords/1".into(),
        method: Method::Ig,
        parameters: serde_json::json!({"prediction_threshold": 0.5, "style": "contains"}),
        runs: vec!["seed-1".into(), "seed-2".into()],
        languages: languages(),
        classes: vec![
            ClassKeywords {
                class: l[0].clone(),
                keywords: vec![
                    kw("music", 0.8, 0.1, 2),
                    kw("speakers", 0.5, 0.05, 2),
                    kw(SCRIPT_WORD, 0.3, 0.0, 2),
                ],
                unstable: vec![kw("loud", 0.2, 0.3, 1)],
                counter: vec![kw("silence", -0.4, 0.2, 2)],
                explained: 3,
                explained_runs: 2,
                note: None,
            },
            ClassKeywords {
                class: l[1].clone(),
                keywords: vec![kw("game", 0.9, 0.02, 2), kw("levels", 0.4, 0.1, 2)],
                unstable: vec![kw("with", -0.1, 0.4, 1)],
                counter: vec![],
                explained: 2,
                explained_runs: 2,
                note: None,
            },
            ClassKeywords {
                class: l[2].clone(),
                keywords: vec![],
                unstable: vec![],
                counter: vec![],
                explained: 0,
                explained_runs: 0,
                note: Some(NOTE.into()),
            },
            ClassKeywords {
                class: l[3].clone(),
                keywords: vec![kw("音楽", 0.7, 0.1, 2), kw("聴く", 0.2, 0.05, 1)],
                unstable: vec![],
                counter: vec![],
                explained: 2,
                explained_runs: 1,
                note: None,
            },
        ],
    }
}

/// Writes the whole run directory into `dir`.
pub fn write_run(dir: &Path) {
    let labels = labels();
    let recs = records();
    for seed in [1u64, 2] {
        let run = dir.join(format!("runs/seed-{seed}"));
        std::fs::create_dir_all(run.join("model")).unwrap();
        std::fs::create_dir_all(run.join("explanations")).unwrap();
        // Seed 1 explains documents 0..4, seed 2 documents 2..5 (different splits).
        let mine: Vec<&DocExplanation> = recs
            .iter()
            .skip(if seed == 1 { 0 } else { 2 })
            .take(if seed == 1 { 4 } else { 3 })
            .collect();
        let probs: Vec<Vec<f32>> = mine.iter().map(|r| r.probs.clone()).collect();
        let gold: Vec<Vec<u32>> = mine.iter().map(|r| r.gold.clone()).collect();
        let langs: Vec<String> = mine.iter().map(|r| r.lang.clone()).collect();
        let m = sacx_data::metrics::evaluate(&probs, &gold, &langs, &labels, 0.5).unwrap();
        sacx_data::metrics::write(&run.join("model/metrics.json"), &m).unwrap();
        let split = serde_json::json!({"seed": seed, "train_documents": 40, "valid_documents": 10});
        std::fs::write(run.join("split.json"), split.to_string()).unwrap();
        let header = ShardHeader {
            format_version: SHARD_FORMAT_VERSION,
            run: format!("seed-{seed}"),
            seed,
            labels: labels.clone(),
            shard_index: 0,
        };
        let mut w =
            ShardWriter::create(&run.join("explanations/shard-00000.bin"), &header).unwrap();
        for r in &mine {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
        let pairs: usize = mine.iter().map(|r| r.targets.len()).sum();
        let summary = Summary {
            documents: mine.len(),
            pairs,
            documents_without_target: 0,
            mean_rel_delta: 0.02,
            max_rel_delta: 0.02,
            mean_steps: 50.0,
            max_steps: 50,
            shards: 1,
            shards_resumed: 0,
            seconds: 3.5,
            params: serde_json::json!({ "n_steps": 50, "method": "gauss-legendre" }),
        };
        summary
            .write(&run.join("explanations/summary.json"))
            .unwrap();
    }
    let ig = keywords();
    ig.write(&dir.join("keywords")).unwrap();
    let mut baseline = ig.clone();
    baseline.method = Method::LogOdds;
    baseline.runs.clear();
    for c in &mut baseline.classes {
        c.keywords.reverse();
        c.unstable.clear();
    }
    baseline.write(&dir.join("keywords/log-odds")).unwrap();
    let eval_docs = EvalDocuments::from_labelled(
        &labels,
        recs.iter().map(|r| {
            (
                format!("{}/{}", r.lang, r.doc_id),
                r.words.iter().map(String::as_str),
                r.gold.iter().map(|&g| labels[g as usize].as_str()),
            )
        }),
    )
    .unwrap();
    let mut evals = vec![
        sacx_aggregate::evaluate(&baseline, &eval_docs, &[2, 10]).unwrap(),
        sacx_aggregate::evaluate(&ig, &eval_docs, &[2, 10]).unwrap(),
    ];
    // Faithfulness sums as the models would give them: two documents per class,
    // deleting the baseline's words drops the probability by 0.1, the IG words' by
    // 0.3; random words drop nothing.
    let sums = |drop: f64| sacx_data::FaithSums {
        n: 2,
        full_prob: 1.6,
        drop_prob: 2.0 * drop,
        drop_logit: 10.0 * drop,
        only_prob: 0.8,
    };
    for (e, drop) in evals.iter_mut().zip([0.1, 0.3]) {
        for r in &mut e.results {
            r.faithfulness = Some(sacx_aggregate::Faithfulness::new(
                &labels,
                &vec![sums(drop); labels.len()],
                &vec![sums(0.0); labels.len()],
                0,
            ));
        }
    }
    std::fs::write(
        dir.join("evaluation.json"),
        serde_json::to_string_pretty(&evals).unwrap(),
    )
    .unwrap();
    let run = serde_json::json!({
        "format": sacx_data::run_record::RUN_RECORD_FORMAT,
        "sacx_version": "0.1.0",
        "libtorch": "2.11.0",
        "cpu_threads": 2,
        "total_seconds": 110.0,
        "device": "cpu",
        "seeds": [1, 2],
        "corpus": "bundled <appstream> & co",
        "parameters": {
            "seeds": 2,
            "corpus": {"corpus": "apps.jsonl", "format": "auto"},
            "split": {"train_fraction": 0.8},
            "model": {"model": "xml-cnn", "filters": 128},
            "train": {"epochs": 3, "lr": 0.001},
            "ig": {"ig_steps": 50, "baseline": "pad"},
            "keywords": {"top_n": 50},
            "eval": {"k": [2, 10]},
            "experimental_knob": 7
        },
        "seconds": {"train": 12.5, "explain": 95.25, "keywords": 1.5, "report": 0.2}
    });
    std::fs::write(
        dir.join("run.json"),
        serde_json::to_string_pretty(&run).unwrap(),
    )
    .unwrap();
}
