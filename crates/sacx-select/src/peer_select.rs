//! `sacx select --strategy`: a pool's documents chosen by one of the field's
//! strategies ([`crate::peer_scores`]) instead of sacx's per-class mix, with
//! the same files and the same rules (by id, one translation at most, none
//! of a labelled id).
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use crate::output::{ClassSummary, Reason, SUMMARY_FORMAT, Selected, Selection, Summary};
use crate::peers::{PeerInput, Strategy, peer_scores, top_n};
use crate::pool::Pool;
use crate::{Context, Error, Result};

/// What one pool document keeps in memory while the strategy scores: its
/// id, its probabilities and its committee members' (the text is read again
/// for the documents chosen only).
struct Row {
    id: String,
    probs: Vec<f32>,
    members: Vec<Vec<f32>>,
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
    let labels = pool.labels().to_vec();
    let thresholds = pool.thresholds();
    let (rows, positions, skipped, total) = read_rows(pool, &labels, &ctx.labelled)?;
    let probs: Vec<Vec<f32>> = rows.iter().map(|r| r.probs.clone()).collect();
    let members = committee(strategy, &rows)?;
    let input = PeerInput {
        probs: &probs,
        thresholds: &thresholds,
        labelled: &ctx.labelled_labels,
        members: &members,
        seed,
    };
    let scores = peer_scores(strategy, &input)?;
    let mut seen: HashSet<&str> = HashSet::new();
    let chosen: Vec<usize> = top_n(&scores, scores.len())
        .into_iter()
        .filter(|&i| seen.insert(rows[i].id.as_str()))
        .take(budget)
        .collect();
    let texts = texts_of(
        pool,
        &chosen.iter().map(|&i| positions[i]).collect::<Vec<_>>(),
    )?;
    let mut per_class = vec![0usize; labels.len()];
    let documents: Vec<Selected> = chosen
        .iter()
        .zip(texts)
        .map(|(&i, text)| {
            let class = argmax(&rows[i].probs);
            per_class[class] += 1;
            Selected {
                id: rows[i].id.clone(),
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
        pool: total,
        labelled_skipped: skipped,
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

/// The unlabelled documents (with their positions in the pool), the labelled
/// ones skipped, and the pool's size.
fn read_rows(
    pool: &dyn Pool,
    labels: &[String],
    labelled: &HashSet<String>,
) -> Result<(Vec<Row>, Vec<u64>, u64, u64)> {
    let (mut rows, mut positions, mut skipped, mut total) = (Vec::new(), Vec::new(), 0, 0);
    for doc in pool.pass()? {
        let doc = doc?;
        if doc.probs.len() != labels.len() {
            return Err(Error::ProbCount {
                row: total,
                id: doc.id,
                got: doc.probs.len(),
                expected: labels.len(),
            });
        }
        if let Some((j, &value)) = doc
            .probs
            .iter()
            .enumerate()
            .find(|(_, p)| !(0.0..=1.0).contains(*p))
        {
            return Err(Error::Prob {
                row: total,
                id: doc.id,
                class: labels[j].clone(),
                value,
            });
        }
        if labelled.contains(&doc.id) {
            skipped += 1;
        } else {
            positions.push(total);
            rows.push(Row {
                id: doc.id,
                probs: doc.probs,
                members: doc.members,
            });
        }
        total += 1;
    }
    Ok((rows, positions, skipped, total))
}

/// The committee's probabilities, member by member (the committee strategy
/// only); every document must have the same members.
fn committee(strategy: Strategy, rows: &[Row]) -> Result<Vec<Vec<Vec<f32>>>> {
    if strategy != Strategy::Committee {
        return Ok(Vec::new());
    }
    let m = rows.first().map_or(0, |r| r.members.len());
    if m < 2 || rows.iter().any(|r| r.members.len() != m) {
        return Err(Error::Strategy {
            value: "committee on a pool without per-seed probabilities".into(),
            expected: "the predictions of sacx predict over the pool with two or more seeds (--predictions)".into(),
        });
    }
    Ok((0..m)
        .map(|k| rows.iter().map(|r| r.members[k].clone()).collect())
        .collect())
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
