//! `sacx select --strategy`: a pool's documents chosen by one of the field's
//! strategies ([`crate::peer_scores`]) instead of sacx's per-class mix, with
//! the same files and the same rules (by id, one translation at most, none
//! of a labelled id).
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use crate::output::{ClassSummary, Reason, SUMMARY_FORMAT, Selected, Selection, Summary};
use crate::peers::{PeerInput, Strategy, peer_scores, top_n};
use crate::pool::Pool;
use crate::scan::check_probs;
use crate::select::check;
use crate::{Context, Error, Result};

/// The unlabelled documents of a pool as the strategy scores them: ids,
/// probabilities and, for the committee, each member's probabilities (the
/// text is read again for the documents chosen only).
#[derive(Default)]
struct Rows {
    ids: Vec<String>,
    probs: Vec<Vec<f32>>,
    /// Per member, per document (the committee only).
    members: Vec<Vec<Vec<f32>>>,
    /// Each document's position in the pool.
    positions: Vec<u64>,
    /// Documents left out because their id is labelled.
    skipped: u64,
    /// Documents in the pool.
    total: u64,
}

/// Chooses `budget` documents of `pool` by `strategy` (a peer strategy, not
/// [`Strategy::Sacx`]): the highest scores, each id once, none labelled.
/// Memory: each unlabelled document's id and probabilities (and its
/// committee members' for the committee); the pool is read twice.
///
/// ```
/// use sacx_select::{Context, MemoryPool, ScoredDoc, Strategy, select_with};
/// let docs = (0..20)
///     .map(|i| ScoredDoc {
///         id: format!("d{i}"),
///         text: format!("text {i}"),
///         probs: vec![i as f32 / 20.0, 0.3],
///         members: vec![],
///     })
///     .collect();
/// let pool = MemoryPool::new(vec!["games".into(), "audio".into()], vec![0.5, 0.5], docs);
/// let sel = select_with(&pool, Strategy::BreakingTies, 3, &Context::default(), 1)?;
/// // The closest calls between the two classes: 0.30 against 0.3, then 0.25 and 0.35.
/// assert_eq!(sel.documents[0].id, "d6");
/// assert_eq!(sel.documents.len(), 3);
/// # Ok::<(), sacx_select::Error>(())
/// ```
pub fn select_with(
    pool: &dyn Pool,
    strategy: Strategy,
    budget: usize,
    ctx: &Context,
    seed: u64,
) -> Result<Selection> {
    let start = Instant::now();
    let thresholds = check(pool, ctx)?;
    let labels = pool.labels().to_vec();
    let committee = strategy == Strategy::Committee;
    let rows = read_rows(pool, &labels, &ctx.labelled, committee)?;
    let input = PeerInput {
        probs: &rows.probs,
        thresholds: &thresholds,
        labelled: &ctx.labelled_labels,
        members: &rows.members,
        seed,
    };
    let scores = peer_scores(strategy, &input)?;
    let mut seen: HashSet<&str> = HashSet::new();
    let chosen: Vec<usize> = top_n(&scores, scores.len())
        .into_iter()
        .filter(|&i| seen.insert(rows.ids[i].as_str()))
        .take(budget)
        .collect();
    let positions: Vec<u64> = chosen.iter().map(|&i| rows.positions[i]).collect();
    let texts = texts_of(pool, &positions)?;
    let mut per_class = vec![0usize; labels.len()];
    let documents: Vec<Selected> = chosen
        .iter()
        .zip(texts)
        .map(|(&i, text)| {
            let class = argmax(&rows.probs[i]);
            per_class[class] += 1;
            Selected {
                id: rows.ids[i].clone(),
                text,
                class: labels[class].clone(),
                reason: Reason::Strategy,
                score: scores[i] as f32,
                motif: None,
            }
        })
        .collect();
    let classes = labels
        .iter()
        .zip(&thresholds)
        .zip(&per_class)
        .map(|((class, &threshold), &n)| ClassSummary {
            class: class.clone(),
            threshold,
            selected: BTreeMap::from([(Reason::Strategy.name().to_string(), n)]),
            motifs: Vec::new(),
            keywords: Vec::new(),
        })
        .collect();
    let summary = Summary {
        format: SUMMARY_FORMAT.into(),
        sacx_version: env!("CARGO_PKG_VERSION").into(),
        pool: rows.total,
        labelled_skipped: rows.skipped,
        random_sample: 0,
        verified: 0,
        selected: documents.len(),
        parameters: serde_json::json!({
            "strategy": strategy.name(),
            "budget": budget,
            "seed": seed,
        }),
        classes,
        seconds: BTreeMap::from([("total".to_string(), start.elapsed().as_secs_f64())]),
    };
    Ok(Selection { documents, summary })
}

/// The unlabelled documents of the pool, each checked as [`crate::select`]
/// checks it; with `committee`, each member's probabilities too (every
/// document must have the same two or more members).
fn read_rows(
    pool: &dyn Pool,
    labels: &[String],
    labelled: &HashSet<String>,
    committee: bool,
) -> Result<Rows> {
    let mut rows = Rows::default();
    for doc in pool.pass()? {
        let doc = doc?;
        check_probs(&doc, rows.total, labels)?;
        let position = rows.total;
        rows.total += 1;
        if labelled.contains(&doc.id) {
            rows.skipped += 1;
            continue;
        }
        if committee {
            let m = doc.members.len();
            if m < 2 || (!rows.ids.is_empty() && m != rows.members.len()) {
                return Err(Error::Strategy {
                    value: "committee on a pool without per-seed probabilities".into(),
                    expected: "the predictions of sacx predict over the pool with two or more seeds (--predictions)".into(),
                });
            }
            rows.members.resize_with(m, Vec::new);
            for (member, probs) in rows.members.iter_mut().zip(doc.members) {
                member.push(probs);
            }
        }
        rows.positions.push(position);
        rows.ids.push(doc.id);
        rows.probs.push(doc.probs);
    }
    Ok(rows)
}

/// The texts of the pool documents at `positions` (in that order), from a
/// second pass.
fn texts_of(pool: &dyn Pool, positions: &[u64]) -> Result<Vec<String>> {
    let wanted: BTreeMap<u64, usize> = positions.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    let mut texts = vec![String::new(); positions.len()];
    for (row, doc) in pool.pass()?.enumerate() {
        if let Some(&i) = wanted.get(&(row as u64)) {
            texts[i] = doc?.text;
        }
    }
    Ok(texts)
}

/// The most probable class (the first of equals).
fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (j, &x)| {
            if x > best.1 { (j, x) } else { best }
        })
        .0
}
