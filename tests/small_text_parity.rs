//! sacx's peer selection strategies against small-text:
//! `tests/python/small_text_select.py` runs small-text's own query strategies
//! (least confidence, prediction entropy, breaking ties, CVIRS; label
//! cardinality inconsistency by small-text's definition) on the same seeded
//! probability matrices and labelled label sets. Every document's score must
//! equal small-text's (1e-9 relative; sacx's sign convention: higher is asked
//! first), and the documents chosen must be the same set; where scores tie at
//! the cut (label cardinality takes few values), the chosen scores must be
//! the same.
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx::select::{PeerInput, Strategy, peer_scores, top_n};

fn python() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
}

/// Seeded probabilities: each document has a few likely classes.
fn matrix(rng: &mut ChaCha8Rng, docs: usize, classes: usize) -> Vec<Vec<f32>> {
    (0..docs)
        .map(|_| {
            (0..classes)
                .map(|_| {
                    let x: f32 = rng.random();
                    if rng.random::<f32>() < 0.2 {
                        0.4 + 0.6 * x
                    } else {
                        0.45 * x
                    }
                })
                .collect()
        })
        .collect()
}

fn label_sets(rng: &mut ChaCha8Rng, docs: usize, classes: usize) -> Vec<Vec<u32>> {
    (0..docs)
        .map(|_| {
            let mut set: Vec<u32> = (0..classes as u32)
                .filter(|_| rng.random::<f32>() < 0.25)
                .collect();
            if set.is_empty() {
                set.push(rng.random_range(0..classes as u32));
            }
            set
        })
        .collect()
}

fn reference(
    probs: &[Vec<f32>],
    labelled: &[Vec<u32>],
    classes: usize,
    n: usize,
) -> serde_json::Value {
    let input =
        serde_json::json!({ "probs": probs, "labelled": labelled, "classes": classes, "n": n });
    let mut child = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/small_text_select.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run .venv/bin/python (make test provisions it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "small_text_select.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(docs: usize, classes: usize, labelled: usize, n: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let probs = matrix(&mut rng, docs, classes);
    let sets = label_sets(&mut rng, labelled, classes);
    let thresholds = vec![0.5f32; classes];
    let want = reference(&probs, &sets, classes, n);
    let input = PeerInput {
        probs: &probs,
        thresholds: &thresholds,
        labelled: &sets,
        members: &[],
        seed,
    };
    for strategy in [
        Strategy::LeastConfidence,
        Strategy::PredictionEntropy,
        Strategy::BreakingTies,
        Strategy::Cvirs,
        Strategy::LabelCardinality,
    ] {
        let name = strategy.name();
        let got = peer_scores(strategy, &input).unwrap();
        let theirs: Vec<f64> = want[name]["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), theirs.len(), "{name}");
        for (i, (a, b)) in got.iter().zip(&theirs).enumerate() {
            let tol = 1e-9 * a.abs().max(b.abs()).max(1e-12);
            assert!(
                (a - b).abs() <= tol,
                "{name}, document {i}: sacx {a}, small-text {b}"
            );
        }
        let mut mine = top_n(&got, n);
        mine.sort_unstable();
        let chosen: Vec<usize> = want[name]["chosen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let mut sorted = theirs.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let tie_at_cut = n < sorted.len() && sorted[n - 1] == sorted[n];
        if tie_at_cut {
            let scores_of = |rows: &[usize]| {
                let mut s: Vec<f64> = rows.iter().map(|&r| theirs[r]).collect();
                s.sort_by(f64::total_cmp);
                s
            };
            assert_eq!(
                scores_of(&mine),
                scores_of(&chosen),
                "{name}: chosen scores"
            );
        } else {
            assert_eq!(mine, chosen, "{name}: chosen documents");
        }
    }
}

#[test]
fn peer_strategies_choose_what_small_text_chooses() {
    check(300, 6, 40, 25, 1);
    // More documents than small-text's CVIRS batch (2,048): its sums are
    // divided per batch, and the batches of numpy's array_split differ by one.
    check(4_501, 9, 120, 60, 2);
}
