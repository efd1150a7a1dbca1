//! The selection: pass 1 (scores), motif mining (in memory), pass 3 (motif
//! matches), then the documents taken per reason and class, each id once.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use sacx_data::Segmenter;

use crate::find::find;
use crate::mine::{MotifStat, mine};
use crate::output::{ClassSummary, Reason, SUMMARY_FORMAT, Selected, Selection, Summary};
use crate::pool::Pool;
use crate::sample::key;
use crate::scan::{Held, Scan, TAG_EXPLOIT, scan};
use crate::{Error, Result, SelectParams};

/// What a selection knows besides the pool: how words are made, each class's
/// stable IG keywords (best first), and the ids already labelled.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The segmenter of the run's class word counts and keywords (same case
    /// fold and preprocessing), so that keywords match motifs.
    pub segmenter: Segmenter,
    /// Per class name, its stable keywords, best first (may be empty).
    pub keywords: HashMap<String, Vec<String>>,
    /// Ids never selected.
    pub labelled: HashSet<String>,
    /// The classes of each labelled document (indices into the pool's
    /// labels): CVIRS and label cardinality compare with them.
    pub labelled_labels: Vec<Vec<u32>>,
}

/// Checks the pool's labels and thresholds and the context's classes.
pub(crate) fn check(pool: &dyn Pool, ctx: &Context) -> Result<Vec<f32>> {
    let labels = pool.labels();
    if labels.is_empty() {
        return Err(Error::Labels {
            reason: "the pool has no labels".into(),
        });
    }
    let mut seen = HashSet::new();
    if let Some(dup) = labels.iter().find(|l| !seen.insert(l.as_str())) {
        return Err(Error::Labels {
            reason: format!("label {dup:?} is given twice"),
        });
    }
    let thresholds = pool.thresholds();
    if thresholds.len() != labels.len() {
        return Err(Error::Labels {
            reason: format!(
                "{} thresholds for {} labels",
                thresholds.len(),
                labels.len()
            ),
        });
    }
    for (t, class) in thresholds.iter().zip(labels) {
        if !(*t > 0.0 && *t < 1.0) {
            return Err(Error::Threshold {
                class: class.clone(),
                value: *t,
            });
        }
    }
    let mut unknown: Vec<&String> = ctx
        .keywords
        .keys()
        .filter(|k| !seen.contains(k.as_str()))
        .collect();
    unknown.sort();
    if let Some(k) = unknown.first() {
        return Err(Error::Labels {
            reason: format!(
                "keywords are given for class {k:?}, which is not a label of the pool ({} unknown classes); use the keywords of the run that scored the pool",
                unknown.len()
            ),
        });
    }
    Ok(thresholds)
}

/// Selects documents to label from `pool`: per class an exploit sample of the
/// top ranks, explore documents holding the motifs over-represented among the
/// top ranks (and the class's IG keywords), and the documents nearest to the
/// threshold; each id once, none labelled. Memory holds the requested
/// documents and samples, never the pool: the pool is read twice.
///
/// ```
/// use sacx_select::{Context, MemoryPool, ScoredDoc, SelectParams, select};
/// let docs = (0..50)
///     .map(|i| ScoredDoc {
///         id: format!("d{i}"),
///         text: if i % 2 == 0 { "chess puzzle board".into() } else { "photo editor".into() },
///         probs: vec![if i % 2 == 0 { 0.9 } else { 0.1 }],
///         members: vec![],
///     })
///     .collect();
/// let pool = MemoryPool::new(vec!["games".into()], vec![0.5], docs);
/// let params = SelectParams::builder().exploit(5).top_n(20).uncertain(3).explore(0).build()?;
/// let sel = select(&pool, &params, &Context::default())?;
/// assert_eq!(sel.documents.len(), 8);
/// # Ok::<(), sacx_select::Error>(())
/// ```
pub fn select(pool: &dyn Pool, params: &SelectParams, ctx: &Context) -> Result<Selection> {
    let thresholds = check(pool, ctx)?;
    let labels = pool.labels().to_vec();
    let start = Instant::now();
    let mut seconds = BTreeMap::new();
    let scan = scan(pool, &thresholds, params, &ctx.labelled)?;
    seconds.insert("scan".to_string(), start.elapsed().as_secs_f64());
    let t = Instant::now();
    let keywords: Vec<Vec<String>> = labels
        .iter()
        .map(|l| ctx.keywords.get(l).cloned().unwrap_or_default())
        .collect();
    let mined = mine(&ctx.segmenter, &scan.top, &scan.random, &keywords, params);
    seconds.insert("motifs".to_string(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let found = find(
        pool,
        &ctx.segmenter,
        &scan,
        &mined.motifs,
        &mined.keywords,
        params,
        &ctx.labelled,
    )?;
    seconds.insert("find".to_string(), t.elapsed().as_secs_f64());
    let mut taker = Taker {
        labels: &labels,
        taken: HashSet::new(),
        docs: Vec::new(),
        counts: vec![BTreeMap::new(); labels.len()],
    };
    taker.exploit(&scan, params);
    for (c, near) in scan.near.iter().enumerate() {
        taker.take(
            c,
            Reason::Uncertainty,
            near.iter().map(|h| (h, None)),
            params.uncertain(),
        );
    }
    for c in 0..labels.len() {
        taker.round_robin(
            c,
            Reason::Explore,
            &found.explore[c],
            &mined.motifs[c],
            params.explore(),
        );
    }
    for c in 0..labels.len() {
        taker.round_robin(
            c,
            Reason::Keyword,
            &found.keywords[c],
            &mined.keywords[c],
            params.keyword_docs(),
        );
    }
    seconds.insert("total".to_string(), start.elapsed().as_secs_f64());
    let classes = classes(
        &labels,
        &thresholds,
        taker.counts,
        mined.motifs,
        mined.keywords,
    );
    let summary = Summary {
        format: SUMMARY_FORMAT.into(),
        sacx_version: env!("CARGO_PKG_VERSION").into(),
        pool: scan.rows,
        labelled_skipped: scan.labelled,
        random_sample: scan.random.len(),
        verified: found.verified,
        selected: taker.docs.len(),
        parameters: params.resolved(),
        classes,
        seconds,
    };
    Ok(Selection {
        documents: taker.docs,
        summary,
    })
}

fn classes(
    labels: &[String],
    thresholds: &[f32],
    counts: Vec<BTreeMap<String, usize>>,
    motifs: Vec<Vec<MotifStat>>,
    keywords: Vec<Vec<MotifStat>>,
) -> Vec<ClassSummary> {
    let parts = counts.into_iter().zip(motifs).zip(keywords);
    labels
        .iter()
        .zip(thresholds)
        .zip(parts)
        .map(
            |((class, &threshold), ((mut selected, motifs), keywords))| {
                for r in [
                    Reason::Exploit,
                    Reason::Explore,
                    Reason::Uncertainty,
                    Reason::Keyword,
                ] {
                    selected.entry(r.name().to_string()).or_insert(0);
                }
                ClassSummary {
                    class: class.clone(),
                    threshold,
                    selected,
                    motifs,
                    keywords,
                }
            },
        )
        .collect()
}

/// Takes documents in order, each id once.
struct Taker<'a> {
    labels: &'a [String],
    taken: HashSet<String>,
    docs: Vec<Selected>,
    counts: Vec<BTreeMap<String, usize>>,
}

impl Taker<'_> {
    /// Takes up to `n` of `candidates` for class `c`; returns how many.
    fn take<'h>(
        &mut self,
        c: usize,
        reason: Reason,
        candidates: impl Iterator<Item = (&'h Held, Option<&'h str>)>,
        n: usize,
    ) -> usize {
        let mut got = 0;
        for (h, motif) in candidates {
            if got == n {
                break;
            }
            if self.add(c, reason, h, motif) {
                got += 1;
            }
        }
        got
    }

    fn add(&mut self, c: usize, reason: Reason, h: &Held, motif: Option<&str>) -> bool {
        if !self.taken.insert(h.id.clone()) {
            return false;
        }
        self.docs.push(Selected {
            id: h.id.clone(),
            text: h.text.clone(),
            class: self.labels[c].clone(),
            reason,
            score: h.score,
            motif: motif.map(str::to_string),
        });
        *self.counts[c].entry(reason.name().to_string()).or_default() += 1;
        true
    }

    /// Exploit: per class, the top ranks in the order of their seeded keys.
    fn exploit(&mut self, scan: &Scan, params: &SelectParams) {
        for (c, top) in scan.top.iter().enumerate() {
            let tag = TAG_EXPLOIT ^ ((c as u64) << 32);
            let mut order: Vec<&Held> = top.iter().collect();
            order.sort_by_key(|h| (key(params.seed(), tag, h.row), h.row));
            self.take(
                c,
                Reason::Exploit,
                order.into_iter().map(|h| (h, None)),
                params.exploit(),
            );
        }
    }

    /// Takes up to `n` documents for class `c`, one per motif in turn (best
    /// motif first), each motif's documents in sample order.
    fn round_robin(
        &mut self,
        c: usize,
        reason: Reason,
        lists: &[Vec<Held>],
        motifs: &[MotifStat],
        n: usize,
    ) {
        let mut next = vec![0usize; lists.len()];
        let mut got = 0;
        while got < n {
            let mut progressed = false;
            for (m, list) in lists.iter().enumerate() {
                if got == n {
                    break;
                }
                while let Some(h) = list.get(next[m]) {
                    next[m] += 1;
                    progressed = true;
                    let motif = motifs.get(m).map(|s| s.motif.as_str());
                    if self.add(c, reason, h, motif) {
                        got += 1;
                        break;
                    }
                }
            }
            if !progressed {
                break;
            }
        }
    }
}
