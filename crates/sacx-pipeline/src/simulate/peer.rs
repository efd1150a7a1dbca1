//! A round's selection by a peer strategy of the field (least confidence,
//! prediction entropy, breaking ties, CVIRS, label cardinality, the seed
//! committee, random): the previous round's model scores the unlabelled pool
//! ([`sacx_select::peer_scores`]) and the best documents are revealed, by
//! document id as `sacx select` takes them (one translation of a document at
//! most, none of an id already labelled).
use super::round::{Env, RoundDir, random_rows};
use crate::observer::Observer;
use crate::predict::threshold;
use crate::{Error, Result};
use sacx_select::{PeerInput, Strategy, peer_scores, top_n};
use std::collections::HashSet;

/// Random streams of the random strategy's rounds (stream + round).
pub(super) const RANDOM_STREAM: u64 = 1000;

/// Seeds of the committee's extra members: the round's seed plus this times
/// the member's number, so that members never share a seed with a
/// simulation seed.
const MEMBER_SEED_STEP: u64 = 1_000_003;

/// What one peer selection needs.
pub(super) struct PeerJob<'a> {
    pub env: &'a Env<'a>,
    pub strategy: Strategy,
    /// The previous round: its model scores the pool.
    pub from: &'a RoundDir,
    pub unlabelled: &'a [usize],
    pub labelled: &'a [usize],
    /// Documents to reveal.
    pub budget: usize,
    pub seed: u64,
    pub round: usize,
}

/// The rows the strategy reveals, ascending.
pub(super) fn choose(job: &PeerJob<'_>, observer: &mut dyn Observer) -> Result<Vec<usize>> {
    let corpus = job.env.corpus;
    if job.strategy == Strategy::Random {
        let stream = RANDOM_STREAM + job.round as u64;
        return Ok(random_rows(job.unlabelled, job.budget, job.seed, stream));
    }
    let member = job.from.model(job.env.device)?;
    let probs = job.from.scores(job.env, &member, job.unlabelled)?;
    let members = if job.strategy == Strategy::Committee {
        committee(job, probs.clone(), observer)?
    } else {
        Vec::new()
    };
    let classes = corpus.labels.len();
    let labelled: Vec<Vec<u32>> = job
        .labelled
        .iter()
        .map(|&r| corpus.docs[r].labels.clone())
        .collect();
    let input = PeerInput {
        probs: &probs,
        thresholds: &vec![threshold(std::slice::from_ref(&member)); classes],
        labelled: &labelled,
        members: &members,
        seed: job.seed,
    };
    let scores = peer_scores(job.strategy, &input).map_err(|e| Error::Conflict {
        option: "strategies",
        reason: e.to_string(),
    })?;
    let mut taken: HashSet<&str> = job
        .labelled
        .iter()
        .map(|&r| corpus.docs[r].id.as_str())
        .collect();
    let mut rows: Vec<usize> = top_n(&scores, scores.len())
        .into_iter()
        .map(|i| job.unlabelled[i])
        .filter(|&r| taken.insert(corpus.docs[r].id.as_str()))
        .take(job.budget)
        .collect();
    rows.sort_unstable();
    Ok(rows)
}

/// The committee's probabilities: the round's model and
/// `--committee - 1` more trained on the same labelled documents with other
/// seeds (each saved in the round's `member-K/`, trained once).
fn committee(
    job: &PeerJob<'_>,
    first: Vec<Vec<f32>>,
    observer: &mut dyn Observer,
) -> Result<Vec<Vec<Vec<f32>>>> {
    let mut members = vec![first];
    for k in 1..job.env.options.committee {
        let dir = RoundDir::at(job.from.dir().join(format!("member-{k}")));
        let seed = job
            .seed
            .wrapping_add(MEMBER_SEED_STEP.wrapping_mul(k as u64));
        dir.train(job.env, job.labelled, seed, observer)?;
        let model = dir.model(job.env.device)?;
        members.push(dir.scores(job.env, &model, job.unlabelled)?);
    }
    Ok(members)
}
