//! The keyword-stability estimate: the per-run tables rank any subset of runs
//! exactly as `aggregate` ranks those runs alone, and the estimate moves the
//! way a user reads it (identical runs: 1; unrelated runs: low).
mod common;
use common::{labels, write_run};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sacx_aggregate::{
    Inputs, KeywordParams, RunTables, StabilityParams, aggregate, keyword_stability,
};
use sacx_data::explanation::{DocExplanation, TargetAttribution};
use std::path::PathBuf;

const VOCAB: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "ups", "phi", "chi", "psi", "omega",
];

/// One run's explanations: 60 documents of 3 classes; each class's scores
/// favour its own words (class c: every third word of the vocabulary from c)
/// by `signal`, plus noise.
fn run(rng: &mut ChaCha8Rng, signal: f32) -> Vec<DocExplanation> {
    (0..60)
        .map(|d| {
            let words: Vec<String> = (0..12)
                .map(|_| VOCAB[rng.random_range(0..VOCAB.len())].to_string())
                .collect();
            let class = (d % 3) as u32;
            let scores = words
                .iter()
                .map(|w| {
                    let own = VOCAB.iter().position(|v| v == w).unwrap() % 3 == class as usize;
                    own as u8 as f32 * signal + rng.random_range(0.0f32..1.0)
                })
                .collect();
            DocExplanation {
                doc_id: format!("doc{d}"),
                lang: "en".into(),
                gold: vec![class],
                probs: (0..3).map(|c| if c == class { 0.9 } else { 0.1 }).collect(),
                words,
                targets: vec![TargetAttribution {
                    class,
                    scores,
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 8,
                }],
            }
        })
        .collect()
}

fn write(dir: &std::path::Path, runs: &[Vec<DocExplanation>]) -> Vec<PathBuf> {
    let l = labels(&["A", "B", "C"]);
    runs.iter()
        .enumerate()
        .flat_map(|(i, r)| write_run(dir, &format!("seed-{}", i + 1), &l, r, 2))
        .collect()
}

fn params() -> KeywordParams {
    KeywordParams::builder()
        .words_per_doc(4)
        .top_n(8)
        .build()
        .unwrap()
}

#[test]
fn tables_rank_every_subset_as_aggregate_ranks_those_runs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let runs: Vec<_> = (0..5).map(|_| run(&mut rng, 0.3)).collect();
    let paths = write(dir.path(), &runs);
    let p = params();
    let tables = RunTables::build(&Inputs::new().paths(paths.clone()), &p).unwrap();
    assert_eq!(tables.runs().len(), 5);
    for subset in [vec![0, 1, 2, 3, 4], vec![1, 3], vec![0, 2, 4], vec![2]] {
        // Two shards per run, in run order.
        let files: Vec<PathBuf> = subset
            .iter()
            .flat_map(|&r| paths[2 * r..2 * r + 2].to_vec())
            .collect();
        let direct = aggregate(&Inputs::new().paths(files), &p, None).unwrap();
        let lists = tables.top_lists(&subset, &p, None, 8);
        for (c, list) in direct.classes.iter().zip(&lists) {
            let want: Vec<&str> = c.keywords.iter().map(|k| k.word.as_str()).collect();
            assert_eq!(list, &want, "class {} over runs {subset:?}", c.class);
        }
    }
}

#[test]
fn identical_runs_are_perfectly_stable_and_noise_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let one = run(&mut rng, 0.5);
    let same = write(dir.path(), &vec![one; 4]);
    let sp = StabilityParams::builder().k(5).build().unwrap();
    let s = keyword_stability(&Inputs::new().paths(same), &params(), None, &sp)
        .unwrap()
        .unwrap();
    assert_eq!((s.seeds, s.half, s.classes.len()), (4, 2, 3));
    assert!((s.mean_rbo - 1.0).abs() < 1e-12, "{}", s.mean_rbo);
    assert!((s.mean_jaccard - 1.0).abs() < 1e-12);

    // Pure noise (no signal): lists change from half to half.
    let dir = tempfile::tempdir().unwrap();
    let noise: Vec<_> = (0..4).map(|_| run(&mut rng, 0.0)).collect();
    let paths = write(dir.path(), &noise);
    let n = keyword_stability(&Inputs::new().paths(paths), &params(), None, &sp)
        .unwrap()
        .unwrap();
    assert!(n.mean_rbo < 0.8, "noise gave {}", n.mean_rbo);
    // A strong signal is more stable than noise, and the prediction at S runs
    // is above the measured agreement at S/2 runs.
    let dir = tempfile::tempdir().unwrap();
    let strong: Vec<_> = (0..4).map(|_| run(&mut rng, 1.0)).collect();
    let paths = write(dir.path(), &strong);
    let st = keyword_stability(&Inputs::new().paths(paths), &params(), None, &sp)
        .unwrap()
        .unwrap();
    assert!(
        st.mean_rbo > n.mean_rbo,
        "{} vs {}",
        st.mean_rbo,
        n.mean_rbo
    );
    assert!(st.mean_rbo >= st.mean_rbo_half);
    let [lo, hi] = st.mean_rbo_interval;
    assert!(
        lo <= st.mean_rbo && st.mean_rbo <= hi,
        "{lo} {} {hi}",
        st.mean_rbo
    );
}

#[test]
fn one_run_has_no_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let paths = write(dir.path(), &[run(&mut rng, 0.5)]);
    let s = keyword_stability(
        &Inputs::new().paths(paths),
        &params(),
        None,
        &StabilityParams::default(),
    )
    .unwrap();
    assert!(s.is_none());
}
