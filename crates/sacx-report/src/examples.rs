//! Example documents: a few explained documents per class, each word coloured by
//! its attribution towards each class the document was explained for.
//!
//! Choice (deterministic): among the records of every seed's shards (read in seed
//! then shard order, at most [`MAX_RECORDS`] records) whose probability for the
//! class is above the prediction threshold and that carry an attribution for it,
//! prefer documents where the class is gold, then documents of at most
//! [`SHORT_WORDS`] words, then higher probability, then smaller (document id,
//! language, seed). A document appears at most once per class.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::Result;
use sacx_data::explanation::{DocExplanation, ShardReader, TargetAttribution};

use super::html::{esc, score};
use super::load::RunData;

/// Examples kept per class.
pub const PER_CLASS: usize = 3;
/// Records read at most, over all shards.
pub const MAX_RECORDS: usize = 50_000;
/// Documents up to this many words are preferred.
const SHORT_WORDS: usize = 120;
/// Words shown at most per document.
const MAX_WORDS: usize = 150;
/// Attribution targets shown at most per document.
const MAX_TARGETS: usize = 4;
/// Colour bins on each side of zero.
const BINS: f32 = 5.0;

/// One chosen document.
pub struct Example {
    /// Seed of the run that explained it.
    pub seed: u64,
    /// The explanation record.
    pub doc: Rc<DocExplanation>,
    key: (bool, bool, f32),
}

impl Example {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.key, &other.key);
        a.0.cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(b.2.total_cmp(&a.2))
            .then_with(|| self.doc.doc_id.cmp(&other.doc.doc_id))
            .then_with(|| self.doc.lang.cmp(&other.doc.lang))
            .then(self.seed.cmp(&other.seed))
    }
}

/// Per class (label order), its chosen examples, best first.
pub fn choose(data: &RunData, labels: &[String], threshold: f32) -> Result<Vec<Vec<Example>>> {
    let mut chosen: Vec<Vec<Example>> = (0..labels.len()).map(|_| Vec::new()).collect();
    let mut read = 0usize;
    'seeds: for seed in &data.seeds {
        for shard in &seed.shards {
            for record in ShardReader::open(shard)? {
                let record = Rc::new(record?);
                read += 1;
                offer(&mut chosen, seed.seed, &record, threshold);
                if read >= MAX_RECORDS {
                    break 'seeds;
                }
            }
        }
    }
    Ok(chosen)
}

fn offer(chosen: &mut [Vec<Example>], seed: u64, doc: &Rc<DocExplanation>, threshold: f32) {
    for t in &doc.targets {
        let c = t.class as usize;
        let Some(list) = chosen.get_mut(c) else {
            continue;
        };
        let p = doc.probs.get(c).copied().unwrap_or(0.0);
        if p <= threshold || t.scores.len() != doc.words.len() || doc.words.is_empty() {
            continue;
        }
        let ex = Example {
            seed,
            doc: Rc::clone(doc),
            key: (
                !doc.gold.contains(&t.class),
                doc.words.len() > SHORT_WORDS,
                p,
            ),
        };
        let same = |e: &Example| e.doc.doc_id == doc.doc_id && e.doc.lang == doc.lang;
        if let Some(i) = list.iter().position(same) {
            if ex.cmp(&list[i]) == Ordering::Less {
                list[i] = ex;
            }
        } else {
            list.push(ex);
        }
        list.sort_by(Example::cmp);
        list.truncate(PER_CLASS);
    }
}

/// The colour legend shown once above the classes.
pub fn legend() -> String {
    let mut out = String::from(
        "<p class=\"legend\">Word colours: attribution towards the class named on the line, \
         relative to the largest absolute attribution in that line: ",
    );
    for i in (1..=BINS as usize).rev() {
        let _ = write!(out, "<span class=\"w n{i}\">−</span>");
    }
    out.push_str("<span class=\"w\">0</span>");
    for i in 1..=BINS as usize {
        let _ = write!(out, "<span class=\"w p{i}\">+</span>");
    }
    out.push_str(" (negative pushes away from the class, positive towards it). Hover a word for its score.</p>\n");
    out
}

/// Renders one class's examples; `class` is the section's class index.
pub fn render(examples: &[Example], class: usize, labels: &[String], threshold: f32) -> String {
    let mut out = String::new();
    for ex in examples {
        let d = &ex.doc;
        let name = |c: u32| labels.get(c as usize).map(String::as_str).unwrap_or("?");
        let gold: Vec<&str> = d.gold.iter().map(|&c| name(c)).collect();
        let mut predicted: Vec<(usize, f32)> = d
            .probs
            .iter()
            .enumerate()
            .filter(|(_, p)| **p > threshold)
            .map(|(c, p)| (c, *p))
            .collect();
        predicted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let predicted: Vec<String> = predicted
            .iter()
            .map(|(c, p)| format!("{} ({p:.2})", name(*c as u32)))
            .collect();
        let _ = writeln!(
            out,
            "<article class=\"doc\"><header><span class=\"docid\">{}</span> · {} · seed {} · \
             gold: {} · predicted: {}</header>",
            esc(&d.doc_id),
            esc(&d.lang),
            ex.seed,
            esc(&if gold.is_empty() {
                "none".into()
            } else {
                gold.join(", ")
            }),
            esc(&if predicted.is_empty() {
                "none".into()
            } else {
                predicted.join(", ")
            }),
        );
        // The section's class first, then the other predicted targets in label order.
        let mut targets: Vec<&TargetAttribution> = d
            .targets
            .iter()
            .filter(|t| t.scores.len() == d.words.len())
            .filter(|t| {
                t.class as usize == class
                    || d.probs
                        .get(t.class as usize)
                        .is_some_and(|p| *p > threshold)
            })
            .collect();
        targets.sort_by_key(|t| (t.class as usize != class, t.class));
        for t in targets.iter().take(MAX_TARGETS) {
            let p = d.probs.get(t.class as usize).copied().unwrap_or(f32::NAN);
            let mark = if d.gold.contains(&t.class) {
                "gold"
            } else {
                "not gold"
            };
            let _ = writeln!(
                out,
                "<div class=\"target\"><div class=\"tname\">{} <span class=\"muted\">p = {p:.2}, {mark}</span></div>\
                 <p class=\"text\" lang=\"{}\" dir=\"auto\">{}</p></div>",
                esc(name(t.class)),
                esc(&d.lang),
                coloured(&d.words, &t.scores)
            );
        }
        if targets.len() > MAX_TARGETS {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more explained classes not shown.</p>",
                targets.len() - MAX_TARGETS
            );
        }
        out.push_str("</article>\n");
    }
    out
}

/// The words, each in a span whose class bins its attribution (`p1`..`p5`,
/// `n1`..`n5`), with the score as a tooltip; near-zero words stay plain.
fn coloured(words: &[String], scores: &[f32]) -> String {
    let max = scores
        .iter()
        .filter(|s| s.is_finite())
        .fold(0.0f32, |m, s| m.max(s.abs()));
    let mut out = String::new();
    for (i, (w, &s)) in words.iter().zip(scores).take(MAX_WORDS).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bin = if max > 0.0 && s.is_finite() {
            (s.abs() / max * BINS).ceil().min(BINS) as usize
        } else {
            0
        };
        if bin == 0 || (s.abs() / max) < 0.05 {
            out.push_str(&esc(w));
        } else {
            let side = if s < 0.0 { 'n' } else { 'p' };
            let _ = write!(
                out,
                "<span class=\"w {side}{bin}\" title=\"{}\">{}</span>",
                score(s as f64),
                esc(w)
            );
        }
    }
    if words.len() > MAX_WORDS {
        let _ = write!(
            out,
            " <span class=\"muted\">… ({} more words)</span>",
            words.len() - MAX_WORDS
        );
    }
    out
}
