//! The streaming, parallel aggregation against a simple in-memory reference on seeded
//! random input (several shards per run, ties, letterless words, every style).
mod common;
use common::{labels, write_run};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_aggregate::{
    Association, ClassCount, ClassCounts, CutOrder, Inputs, Keyword, KeywordParams, Ranking,
    Stability, Style, aggregate, is_stable,
};
use sacx_data::explanation::{DocExplanation, TargetAttribution};
use std::collections::{BTreeMap, BTreeSet};

const VOCAB: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "ups", "42", "--", "3.14", "x2", "ß",
    "日本",
];

fn random_runs(
    rng: &mut ChaCha8Rng,
    n_runs: usize,
    n_labels: usize,
    discrete: bool,
) -> Vec<Vec<DocExplanation>> {
    (0..n_runs)
        .map(|_| {
            (0..rng.random_range(15..30))
                .map(|_| {
                    let n_words = rng.random_range(1..25);
                    let words: Vec<String> = (0..n_words)
                        .map(|_| VOCAB[rng.random_range(0..VOCAB.len())].to_string())
                        .collect();
                    let gold: Vec<u32> = (0..n_labels as u32)
                        .filter(|_| rng.random_bool(0.4))
                        .collect();
                    let probs: Vec<f32> = (0..n_labels).map(|_| rng.random::<f32>()).collect();
                    let classes: Vec<u32> = (0..n_labels as u32)
                        .filter(|_| rng.random_bool(0.5))
                        .collect();
                    let targets = classes
                        .into_iter()
                        .map(|class| TargetAttribution {
                            class,
                            scores: (0..n_words)
                                .map(|_| {
                                    if discrete {
                                        rng.random_range(0..16) as f32 / 16.0 - 0.25
                                    } else {
                                        rng.random_range(-0.5f32..1.0)
                                    }
                                })
                                .collect(),
                            delta: 0.0,
                            rel_delta: 0.0,
                            steps: 8,
                        })
                        .collect();
                    DocExplanation {
                        doc_id: format!("doc{}", rng.random_range(0..40)),
                        lang: if rng.random_bool(0.8) {
                            "en".into()
                        } else {
                            "fi".into()
                        },
                        gold,
                        probs,
                        words,
                        targets,
                    }
                })
                .collect()
        })
        .collect()
}

/// Per class: keywords, unstable words, counter-evidence.
type Lists = (Vec<Keyword>, Vec<Keyword>, Vec<Keyword>);

struct Row {
    run: usize,
    doc: String,
    score: f64,
    gold: Vec<u32>,
}

/// The algorithm written the obvious way: every selected row in memory, then group.
fn reference(
    runs: &[Vec<DocExplanation>],
    labels: &[String],
    p: &KeywordParams,
    counts: Option<&ClassCounts>,
) -> Vec<Lists> {
    let letter = |w: &str| w.chars().any(char::is_alphabetic);
    let mut groups: BTreeMap<(u32, String), Vec<Row>> = BTreeMap::new();
    // Explained pairs per class and run that passed the style filter.
    let mut pairs = vec![vec![0u64; runs.len()]; labels.len()];
    for (run, records) in runs.iter().enumerate() {
        for r in records {
            let predicted: Vec<u32> = (0..labels.len() as u32)
                .filter(|&c| r.probs[c as usize] > p.prediction_threshold())
                .collect();
            for t in &r.targets {
                let ok = match p.style() {
                    Style::All => true,
                    Style::Exact => predicted == r.gold,
                    Style::Contains => r.gold.contains(&t.class),
                    Style::False => !r.gold.contains(&t.class),
                };
                if !ok {
                    continue;
                }
                pairs[t.class as usize][run] += 1;
                let mut cands: Vec<(f32, usize)> = t.scores.iter().copied().zip(0..).collect();
                if p.cut_order() == CutOrder::LetterlessFirst {
                    cands.retain(|&(_, i)| letter(&r.words[i]));
                }
                cands.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap().then(a.1.cmp(&b.1)));
                cands.truncate(p.words_per_doc());
                cands.retain(|&(_, i)| letter(&r.words[i]));
                for (s, i) in cands {
                    groups
                        .entry((t.class, r.words[i].clone()))
                        .or_default()
                        .push(Row {
                            run,
                            doc: format!("{}/{}", r.lang, r.doc_id),
                            score: s as f64,
                            gold: r.gold.clone(),
                        });
                }
            }
        }
    }
    const SCALE: f64 = 18_446_744_073_709_551_616.0;
    let n_c = |c: u32| pairs[c as usize].iter().sum::<u64>();
    let r_c = |c: u32| pairs[c as usize].iter().filter(|&&n| n > 0).count();
    let mass = |class: u32, rows: &[Row]| {
        let mean = rows.iter().map(|r| r.score).sum::<f64>() / rows.len() as f64;
        mean * rows.len() as f64 / n_c(class).max(1) as f64
    };
    let mut total: BTreeMap<&str, i128> = BTreeMap::new();
    for ((class, word), rows) in &groups {
        *total.entry(word.as_str()).or_default() += (mass(*class, rows).max(0.0) * SCALE) as i128;
    }
    let mut out: Vec<Lists> = vec![(vec![], vec![], vec![]); labels.len()];
    for ((class, word), rows) in &groups {
        let n = rows.len() as f64;
        let mean = rows.iter().map(|r| r.score).sum::<f64>() / n;
        let std = (rows.iter().map(|r| (r.score - mean).powi(2)).sum::<f64>() / n).sqrt();
        let run_set: BTreeSet<usize> = rows.iter().map(|r| r.run).collect();
        let docs: BTreeSet<&str> = rows.iter().map(|r| r.doc.as_str()).collect();
        let gold: BTreeSet<Vec<u32>> = rows.iter().map(|r| r.gold.clone()).collect();
        let label = &labels[*class as usize];
        let corpus_freq = counts.map(|c| c.df(label, word));
        if corpus_freq.is_some_and(|f| f <= p.min_word_freq()) {
            continue;
        }
        let m = mass(*class, rows);
        let t = total[word.as_str()] as f64 / SCALE;
        let specificity = if m > 0.0 && t > 0.0 { m / t } else { 0.0 };
        let association = match (p.ranking(), counts) {
            (Ranking::Contrast, Some(c)) => {
                let z = match p.association() {
                    Association::RelativeRiskBound => 1.6448536269514722,
                    _ => 0.0,
                };
                Some(relative_risk_excess(c, label, word, z))
            }
            _ => None,
        };
        let (score, needed) = match p.ranking() {
            Ranking::Support | Ranking::Contrast if m < 0.0 => (m, r_c(*class)),
            Ranking::Support | Ranking::Contrast => (
                m * specificity.powf(p.specificity_power())
                    * association.map_or(1.0, |a| a.powf(p.association_power())),
                r_c(*class),
            ),
            Ranking::Original => (mean, runs.len()),
        };
        let k = Keyword {
            word: word.clone(),
            score_mean: mean,
            score_std: std,
            occurrences: rows.len() as u64,
            runs: run_set.len() as u32,
            documents: docs.len() as u64,
            gold_labels: gold
                .into_iter()
                .map(|g| g.iter().map(|&c| labels[c as usize].clone()).collect())
                .collect(),
            corpus_freq,
            score,
            mass: m,
            specificity,
            association,
            translations: vec![],
        };
        let slot = &mut out[*class as usize];
        if !is_stable(p.stability(), k.runs, std, needed) {
            slot.1.push(k)
        } else if mean > 0.0 {
            // The contrast ranking lists no word its corpus association rules out.
            if k.association != Some(0.0) {
                slot.0.push(k)
            }
        } else if mean < 0.0 {
            slot.2.push(k)
        }
    }
    let order = |a: &Keyword, b: &Keyword| {
        b.score
            .partial_cmp(&a.score)
            .unwrap()
            .then(b.runs.cmp(&a.runs))
            .then(a.word.cmp(&b.word))
    };
    for (s, u, c) in &mut out {
        s.sort_by(order);
        s.truncate(p.top_n());
        u.sort_by(order);
        u.truncate(p.unstable_n());
        c.sort_by(|a, b| {
            a.score
                .partial_cmp(&b.score)
                .unwrap()
                .then(b.runs.cmp(&a.runs))
                .then(a.word.cmp(&b.word))
        });
        c.truncate(p.top_n());
    }
    out
}

fn same(a: &[Keyword], b: &[Keyword], what: &str) {
    let wa: Vec<&str> = a.iter().map(|k| k.word.as_str()).collect();
    let wb: Vec<&str> = b.iter().map(|k| k.word.as_str()).collect();
    assert_eq!(wa, wb, "{what}: words");
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x.score_mean - y.score_mean).abs() < 1e-9,
            "{what} {}: mean {} vs {}",
            x.word,
            x.score_mean,
            y.score_mean
        );
        assert!(
            (x.score - y.score).abs() < 1e-9 && (x.specificity - y.specificity).abs() < 1e-9,
            "{what} {}: score {} vs {}, specificity {} vs {}, mass {} vs {}",
            x.word,
            x.score,
            y.score,
            x.specificity,
            y.specificity,
            x.mass,
            y.mass
        );
        assert!(
            (x.score_std - y.score_std).abs() < 1e-7,
            "{what} {}: std {} vs {}",
            x.word,
            x.score_std,
            y.score_std
        );
        assert_eq!(
            (
                x.occurrences,
                x.runs,
                x.documents,
                &x.gold_labels,
                x.corpus_freq
            ),
            (
                y.occurrences,
                y.runs,
                y.documents,
                &y.gold_labels,
                y.corpus_freq
            ),
            "{what} {}",
            x.word
        );
    }
}

#[test]
fn streaming_equals_in_memory_reference_on_random_input() {
    let l = labels(&["A", "B", "C", "D"]);
    let mut checked = 0;
    for seed in 0..6u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let discrete = seed % 2 == 0;
        let runs = random_runs(&mut rng, 3 + seed as usize % 3, l.len(), discrete);
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = Inputs::new();
        for (i, records) in runs.iter().enumerate() {
            inputs = inputs.paths(write_run(
                dir.path(),
                &format!("run{i}"),
                &l,
                records,
                1 + i % 3,
            ));
        }
        let mut counts = ClassCounts::default();
        for c in &l {
            let mut cc = ClassCount {
                n_docs: 6 + c.len() as u64,
                ..ClassCount::default()
            };
            for (i, w) in VOCAB.iter().enumerate() {
                cc.df
                    .insert(w.to_string(), (i as u64 * 7 + c.len() as u64) % 6);
            }
            counts.insert(c.clone(), cc);
        }
        let styles = [Style::All, Style::Exact, Style::Contains, Style::False];
        for (v, style) in styles.into_iter().enumerate() {
            let mut b = KeywordParams::builder()
                .style(style)
                .words_per_doc(1 + (seed as usize + v) % 6)
                .top_n(5)
                .unstable_n(7);
            if v % 2 == 1 {
                b = b.cut_order(CutOrder::Original);
            }
            match (seed as usize + v) % 4 {
                0 => b = b.ranking(Ranking::Original),
                1 => b = b.specificity_power(1.0),
                2 => b = b.ranking(Ranking::Support),
                _ => {
                    b = b
                        .association(Association::RelativeRisk)
                        .association_power(1.0)
                }
            }
            b = if discrete {
                b.selection_frequency(0.5)
            } else {
                b.std_threshold(0.3)
            };
            let p = b.build().unwrap();
            let with_counts = (v == 2).then_some(&counts);
            let got = aggregate(&inputs, &p, with_counts).unwrap();
            let want = reference(&runs, &l, &p, with_counts);
            for (c, (s, u, n)) in want.iter().enumerate() {
                let what = format!("seed {seed} style {style} class {c} {}", p.ranking());
                same(&got.classes[c].keywords, s, &what);
                same(&got.classes[c].unstable, u, &what);
                same(&got.classes[c].counter, n, &what);
                assert!(got.classes[c].keywords.iter().all(|k| k.score_mean > 0.0));
                checked += s.len() + u.len() + n.len();
            }
            assert!(matches!(
                p.stability(),
                Stability::SelectionFrequency { .. } | Stability::Std { .. }
            ));
        }
    }
    assert!(
        checked > 300,
        "the random input should produce non-trivial lists ({checked})"
    );
}

/// The contrast ranking's relative-risk association, from the class counts
/// alone: `1 − 1/RR` with half-counts, RR lowered by `z` standard errors of its
/// logarithm, floored at 0.
fn relative_risk_excess(c: &ClassCounts, class: &str, word: &str, z: f64) -> f64 {
    let (mut all, mut docs) = (0.0, 0.0);
    for name in c.class_names() {
        all += c.df(name, word) as f64;
        docs += c.class(name).unwrap().n_docs as f64;
    }
    if all == 0.0 {
        return 1.0;
    }
    let a = c.df(class, word) as f64;
    let n_c = c.class(class).unwrap().n_docs as f64;
    let (a, b, n_c, n_r) = (a + 0.5, all - a + 0.5, n_c + 0.5, docs - n_c + 0.5);
    let rr = (a / n_c) / (b / n_r);
    let se = (1.0 / a - 1.0 / n_c + 1.0 / b - 1.0 / n_r).max(0.0).sqrt();
    (1.0 - 1.0 / (rr * (-z * se).exp())).max(0.0)
}
