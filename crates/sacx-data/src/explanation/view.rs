//! A borrowed view of an explanation record: what a streaming reader hands out
//! without allocating per word.
//!
//! [`DocRef`] mirrors the serde layout of [`DocExplanation`] field for field, so
//! the bytes of a shard record decode into it directly (bincode's
//! `borrow_decode`); TSV records are viewed through the same type.
use super::DocExplanation;
#[cfg(doc)]
use super::TargetAttribution;
use serde::Deserialize;
use std::borrow::Cow;

/// One record, borrowing its strings.
#[derive(Debug, Deserialize)]
pub struct DocRef<'a> {
    /// [`DocExplanation::doc_id`].
    #[serde(borrow)]
    pub doc_id: &'a str,
    /// [`DocExplanation::lang`] (empty for TSV input, which has none).
    #[serde(borrow)]
    pub lang: &'a str,
    /// [`DocExplanation::gold`].
    pub gold: Cow<'a, [u32]>,
    /// [`DocExplanation::probs`].
    pub probs: Cow<'a, [f32]>,
    /// [`DocExplanation::words`].
    #[serde(borrow)]
    pub words: Vec<&'a str>,
    /// [`DocExplanation::targets`].
    pub targets: Vec<TargetRef<'a>>,
}

/// One target of a [`DocRef`].
#[derive(Debug, Deserialize)]
pub struct TargetRef<'a> {
    /// [`TargetAttribution::class`].
    pub class: u32,
    /// [`TargetAttribution::scores`].
    pub scores: Cow<'a, [f32]>,
    /// [`TargetAttribution::delta`].
    pub delta: f32,
    /// [`TargetAttribution::rel_delta`].
    pub rel_delta: f32,
    /// [`TargetAttribution::steps`].
    pub steps: u32,
}

impl<'a> DocRef<'a> {
    /// A view of an owned record.
    pub fn view(r: &'a DocExplanation) -> Self {
        Self {
            doc_id: &r.doc_id,
            lang: &r.lang,
            gold: Cow::Borrowed(&r.gold),
            probs: Cow::Borrowed(&r.probs),
            words: r.words.iter().map(String::as_str).collect(),
            targets: r
                .targets
                .iter()
                .map(|t| TargetRef {
                    class: t.class,
                    scores: Cow::Borrowed(&t.scores),
                    delta: t.delta,
                    rel_delta: t.rel_delta,
                    steps: t.steps,
                })
                .collect(),
        }
    }
}
