//! Pass 1 over the pool: scores only, into bounded per-class heaps (the top
//! ranks, the nearest to the threshold) and one pool-wide random sample.
use std::cmp::Reverse;
use std::collections::HashSet;

use sacx_data::Fnv1a;

use crate::pool::{Pool, ScoredDoc};
use crate::sample::{Best, Prob, key};
use crate::{Error, Result, SelectParams};

/// Sample stream tags (the `tag` of [`key`]).
pub(crate) const TAG_RANDOM: u64 = 1;
pub(crate) const TAG_EXPLOIT: u64 = 2;
pub(crate) const TAG_EXPLORE: u64 = 3;

/// A document held by a heap or sample: its row, id, text and its probability
/// for the class it is held for.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    pub row: u64,
    pub id: String,
    pub text: String,
    pub score: f32,
}

type TopKey = (Prob, Reverse<u64>);
type NearKey = (Reverse<Prob>, Reverse<u64>);
type RandKey = (Reverse<u64>, Reverse<u64>);

/// What pass 1 keeps.
pub(crate) struct Scan {
    /// Per class, the top `top_n` documents, highest probability first.
    pub top: Vec<Vec<Held>>,
    /// Per class, the documents nearest to the threshold, nearest first.
    pub near: Vec<Vec<Held>>,
    /// The random sample of the pool (labelled documents included).
    pub random: Vec<Held>,
    /// Documents in the pool.
    pub rows: u64,
    /// Pool documents skipped because their id is labelled.
    pub labelled: u64,
    /// Digest of the ids in pool order (the identity later passes must match).
    pub ids: u64,
}

/// Checks one document's probabilities.
pub(crate) fn check_probs(doc: &ScoredDoc, row: u64, labels: &[String]) -> Result<()> {
    if doc.probs.len() != labels.len() {
        return Err(Error::ProbCount {
            row,
            id: doc.id.clone(),
            got: doc.probs.len(),
            expected: labels.len(),
        });
    }
    for (&p, class) in doc.probs.iter().zip(labels) {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Prob {
                row,
                id: doc.id.clone(),
                class: class.clone(),
                value: p,
            });
        }
    }
    Ok(())
}

/// Feeds an id into the pool digest.
pub(crate) fn digest_id(h: &mut Fnv1a, id: &str) {
    h.update(id.as_bytes());
    h.update(&[0x1e]);
}

/// Pass 1: heaps of the top ranks and of the nearest to the threshold per
/// class (labelled ids left out), and the random sample.
pub(crate) fn scan(
    pool: &dyn Pool,
    thresholds: &[f32],
    params: &SelectParams,
    labelled: &HashSet<String>,
) -> Result<Scan> {
    let labels = pool.labels();
    let n = labels.len();
    let mut top: Vec<Best<TopKey, Held>> = (0..n).map(|_| Best::new(params.top_n())).collect();
    // Room for documents taken before: by the class's own exploit sample
    // (the top ranks reach the threshold when a class has few positives) and
    // by other classes (twice the requested count).
    let near_cap = params
        .uncertain()
        .saturating_mul(2)
        .saturating_add(params.exploit());
    let mut near: Vec<Best<NearKey, Held>> = (0..n).map(|_| Best::new(near_cap)).collect();
    let mut random: Best<RandKey, Held> = Best::new(params.random_sample());
    let (mut rows, mut skipped, mut ids) = (0u64, 0u64, Fnv1a::new());
    for doc in pool.pass()? {
        let doc = doc?;
        let row = rows;
        rows += 1;
        check_probs(&doc, row, labels)?;
        digest_id(&mut ids, &doc.id);
        let rkey = (Reverse(key(params.seed(), TAG_RANDOM, row)), Reverse(row));
        if random.admits(&rkey) {
            let held = Held {
                row,
                id: doc.id.clone(),
                text: doc.text.clone(),
                score: 0.0,
            };
            random.push(rkey, held);
        }
        if labelled.contains(&doc.id) {
            skipped += 1;
            continue;
        }
        for c in 0..n {
            let p = doc.probs[c];
            let tkey = (Prob(p), Reverse(row));
            if top[c].admits(&tkey) {
                top[c].push(tkey, held(&doc, row, p));
            }
            let nkey = (Reverse(Prob((p - thresholds[c]).abs())), Reverse(row));
            if near[c].admits(&nkey) {
                near[c].push(nkey, held(&doc, row, p));
            }
        }
    }
    Ok(Scan {
        top: top.into_iter().map(values).collect(),
        near: near.into_iter().map(values).collect(),
        random: values(random),
        rows,
        labelled: skipped,
        ids: ids.finish(),
    })
}

fn values<K: Ord>(b: Best<K, Held>) -> Vec<Held> {
    b.into_sorted().into_iter().map(|(_, h)| h).collect()
}

fn held(doc: &ScoredDoc, row: u64, score: f32) -> Held {
    Held {
        row,
        id: doc.id.clone(),
        text: doc.text.clone(),
        score,
    }
}
