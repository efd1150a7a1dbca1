//! Checks the keyword-stability prediction against the truth: on a run
//! directory with at least 2·S seeds, the agreement *predicted* at S seeds
//! from the first S seeds alone (split-half, extrapolated along the fitted
//! agreement curve; plain Spearman–Brown beside it) against the
//! agreement *measured* between two disjoint sets of S seeds; for every
//! disjoint pair of S-seed sets the seeds allow, and for each S given.
//!
//! ```sh
//! cargo run --release -p sacx-aggregate --example stability_check -- \
//!     RUN_DIR COUNTS_DIR 3,5,10
//! ```
//! RUN_DIR holds `runs/seed-N/explanations`; COUNTS_DIR the class word counts
//! (`sacx count-words`, or the run's `counts/`). The ranking is the library
//! default (`KeywordParams::default()`, as `sacx run` ranks). Last, the
//! stability after each seed in order, and where `--seeds auto` (target 0.9)
//! would stop.
use sacx_aggregate::{
    ClassCounts, Inputs, KeywordParams, RunTables, StabilityParams, jaccard, rbo, spearman_brown,
};
use std::path::{Path, PathBuf};

fn shards(run: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let mut seeds: Vec<(u64, PathBuf)> = std::fs::read_dir(run.join("runs"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let n = name.strip_prefix("seed-")?.parse().ok()?;
            Some((n, e.path().join("explanations")))
        })
        .filter(|(_, p)| p.is_dir())
        .collect();
    seeds.sort();
    let mut files = Vec::new();
    for (_, dir) in seeds {
        let mut f: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .collect();
        f.sort();
        files.extend(f);
    }
    Ok(files)
}

/// Mean over classes with a list in either set of (RBO, Jaccard).
fn measured(a: &[Vec<String>], b: &[Vec<String>], p: f64) -> (f64, f64, usize) {
    let v: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some((rbo(x, y, p)?, jaccard(x, y)?)))
        .collect();
    let n = v.len().max(1) as f64;
    (
        v.iter().map(|x| x.0).sum::<f64>() / n,
        v.iter().map(|x| x.1).sum::<f64>() / n,
        v.len(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: stability_check RUN_DIR COUNTS_DIR S1,S2,...".into());
    }
    let (run, counts_dir) = (Path::new(&args[1]), Path::new(&args[2]));
    let sizes: Vec<usize> = args[3]
        .split(',')
        .map(|s| s.parse())
        .collect::<Result<_, _>>()?;
    let counts = ClassCounts::from_json_files(
        &counts_dir.join("df.json"),
        Some(&counts_dir.join("tf.json")),
    )?;
    let params = KeywordParams::default();
    let sp = StabilityParams::default();
    let tables = RunTables::build(&Inputs::new().paths(shards(run)?), &params)?;
    let n = tables.runs().len();
    println!(
        "{n} runs; K = {}, {} splits, RBO p = {}",
        sp.k(),
        sp.splits(),
        sp.rbo_p()
    );
    println!(
        "S\tpair\tpredicted_rbo(A)\tpredicted_rbo(B)\tmeasured_rbo\tpredicted_jaccard(A)\tpredicted_jaccard(B)\tmeasured_jaccard\thalf_rbo(A)\tclasses"
    );
    for &s in &sizes {
        let mut diffs = (Vec::new(), Vec::new(), Vec::new());
        for pair in 0..n / (2 * s) {
            let a: Vec<usize> = (2 * s * pair..2 * s * pair + s).collect();
            let b: Vec<usize> = (2 * s * pair + s..2 * s * (pair + 1)).collect();
            let la = tables.top_lists(&a, &params, Some(&counts), sp.k());
            let lb = tables.top_lists(&b, &params, Some(&counts), sp.k());
            let (m_rbo, m_jac, classes) = measured(&la, &lb, sp.rbo_p());
            let pa = tables
                .stability_of(&a, &params, Some(&counts), &sp)
                .ok_or("S < 2")?;
            let pb = tables
                .stability_of(&b, &params, Some(&counts), &sp)
                .ok_or("S < 2")?;
            println!(
                "{s}\t{pair}\t{:.3}\t{:.3}\t{m_rbo:.3}\t{:.3}\t{:.3}\t{m_jac:.3}\t{:.3}\t{classes}",
                pa.mean_rbo, pb.mean_rbo, pa.mean_jaccard, pb.mean_jaccard, pa.mean_rbo_half
            );
            // Plain Spearman–Brown (exponent 1), the estimate before the
            // curve fit, for comparison.
            let m = s as f64 / (s / 2) as f64;
            let plain = |st: &sacx_aggregate::KeywordStability| {
                st.classes
                    .iter()
                    .map(|c| spearman_brown(c.rbo_half, m))
                    .sum::<f64>()
                    / st.classes.len().max(1) as f64
            };
            println!(
                "{s}\t{pair}\texponent {:.2}/{:.2}; plain Spearman–Brown {:.3}/{:.3}; curve A: {}",
                pa.rbo_exponent,
                pb.rbo_exponent,
                plain(&pa),
                plain(&pb),
                pa.curve
                    .iter()
                    .map(|p| format!("{}:{:.3}", p.runs, p.rbo))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            diffs.2.push(plain(&pa) - m_rbo);
            diffs.2.push(plain(&pb) - m_rbo);
            for p in [&pa, &pb] {
                diffs.0.push(p.mean_rbo - m_rbo);
                diffs.1.push(p.mean_jaccard - m_jac);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        println!(
            "S = {s}: predicted − measured, mean over {} predictions: RBO {:+.3}, Jaccard {:+.3} (plain Spearman–Brown RBO {:+.3})",
            diffs.0.len(),
            mean(&diffs.0),
            mean(&diffs.1),
            mean(&diffs.2)
        );
    }
    // What `--seeds auto` (defaults: target 0.9, from 3 seeds) would do on
    // these seeds: the same check after each seed, in seed order.
    println!("n\tstability(1..n)\tinterval\tfit");
    let mut stop = None;
    for k in 3..=n {
        let first: Vec<usize> = (0..k).collect();
        if let Some(st) = tables.stability_of(&first, &params, Some(&counts), &sp) {
            let [lo, hi] = st.mean_rbo_interval;
            let curve: Vec<String> = st
                .curve
                .iter()
                .map(|p| format!("{}:{:.3}", p.runs, p.rbo))
                .collect();
            println!(
                "{k}\t{:.3}\t{lo:.3}-{hi:.3}\texponent {:.2}, curve {}",
                st.mean_rbo,
                st.rbo_exponent,
                curve.join(" ")
            );
            if stop.is_none() && st.mean_rbo >= 0.9 {
                stop = Some(k);
            }
        }
    }
    match stop {
        Some(k) => println!("--seeds auto --stability 0.9 would stop at {k} seeds"),
        None => println!("--seeds auto --stability 0.9 would not stop within {n} seeds"),
    }
    Ok(())
}
