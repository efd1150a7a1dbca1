//! The document being assembled from a file's lines, and its two outward forms.
use crate::explanation::{DocExplanation, DocRef, TargetAttribution, TargetRef};
use std::borrow::Cow;

/// The document being read: words in one text arena, target scores in one flat vector,
/// all buffers reused from document to document.
#[derive(Default)]
pub(super) struct DocBuf {
    pub(super) open: bool,
    pub(super) doc_id: String,
    pub(super) gold: Vec<u32>,
    pub(super) probs: Vec<f32>,
    pub(super) text: String,
    /// End of each word in `text`.
    pub(super) ends: Vec<usize>,
    /// (class, start, end) of each target's scores in `scores`.
    pub(super) targets: Vec<(u32, usize, usize)>,
    pub(super) scores: Vec<f32>,
    /// Target of the group being read (`None`: the no-prediction group).
    pub(super) group: Option<u32>,
    pub(super) groups: usize,
    /// Position in the words while checking a later group's tokens.
    pub(super) pos: usize,
    pub(super) group_start: usize,
}

impl DocBuf {
    /// Starts document `id`, reusing the buffers.
    pub(super) fn start(&mut self, id: &str, gold: Vec<u32>, probs: Vec<f32>) {
        self.doc_id.clear();
        self.doc_id.push_str(id);
        self.gold = gold;
        self.probs = probs;
        self.text.clear();
        self.ends.clear();
        self.targets.clear();
        self.scores.clear();
        self.group = None;
        self.groups = 0;
        self.pos = 0;
        self.group_start = 0;
        self.open = true;
    }

    pub(super) fn word(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub(super) fn n_words(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn view(&self) -> DocRef<'_> {
        DocRef {
            doc_id: &self.doc_id,
            lang: "",
            gold: Cow::Borrowed(&self.gold),
            probs: Cow::Borrowed(&self.probs),
            words: (0..self.n_words()).map(|i| self.word(i)).collect(),
            targets: self
                .targets
                .iter()
                .map(|&(class, s, e)| TargetRef {
                    class,
                    scores: Cow::Borrowed(&self.scores[s..e]),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 0,
                })
                .collect(),
        }
    }

    pub(super) fn to_record(&self) -> DocExplanation {
        DocExplanation {
            doc_id: self.doc_id.clone(),
            lang: String::new(),
            gold: self.gold.clone(),
            probs: self.probs.clone(),
            words: (0..self.n_words())
                .map(|i| self.word(i).to_string())
                .collect(),
            targets: self
                .targets
                .iter()
                .map(|&(class, s, e)| TargetAttribution {
                    class,
                    scores: self.scores[s..e].to_vec(),
                    delta: 0.0,
                    rel_delta: 0.0,
                    steps: 0,
                })
                .collect(),
        }
    }
}
