//! Word segmentation: Unicode word boundaries (UAX #29) for every language, with
//! dictionary segmentation for Chinese, Japanese, Thai, Lao, Khmer and Burmese
//! (ICU4X compiled data, offline).
//!
//! Keywords are words: punctuation and whitespace are never words, and the
//! keyword form of a word is its case-folded text ([`CaseFold`]).

use std::borrow::Cow;
use std::collections::VecDeque;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};

#[cfg(any(doc, test))]
use crate::fold::preprocess;
use crate::fold::{CaseFold, preprocess_points};

/// A word: its text as written and its byte span in the segmented text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written (not case-folded).
    pub text: &'a str,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// Splits text into words; holds the ICU4X dictionary word segmenter, the
/// case-fold setting and the preprocessing switch.
///
/// `Segmenter` is `Copy`, `Send` and `Sync` (it only borrows ICU4X's static
/// compiled data), so one instance can be shared by all rayon threads.
///
/// ```
/// let seg = sacx_data::Segmenter::new();
/// let words: Vec<_> = seg.words("Hello, world! 東京に行きます").map(|w| w.text).collect();
/// assert_eq!(words, ["Hello", "world", "東京", "に", "行き", "ます"]);
/// assert_eq!(seg.keywords("Hello World"), ["hello", "world"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Segmenter {
    inner: WordSegmenterBorrowed<'static>,
    case_fold: CaseFold,
    preprocess: bool,
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Segmenter {
    /// A segmenter with [`CaseFold::Lower`] and no preprocessing.
    pub fn new() -> Self {
        Segmenter {
            inner: WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()),
            case_fold: CaseFold::Lower,
            preprocess: false,
        }
    }

    /// Sets the case fold of the keyword form (default [`CaseFold::Lower`]).
    pub fn with_case_fold(mut self, case_fold: CaseFold) -> Self {
        self.case_fold = case_fold;
        self
    }

    /// Switches the original pipeline's preprocessing on or off (default off):
    /// words are split as if [`preprocess`] had inserted its spaces, while spans
    /// still point into the text as given.
    pub fn with_preprocess(mut self, preprocess: bool) -> Self {
        self.preprocess = preprocess;
        self
    }

    /// The case-fold setting.
    pub fn case_fold(&self) -> CaseFold {
        self.case_fold
    }

    /// Whether preprocessing is on.
    pub fn preprocesses(&self) -> bool {
        self.preprocess
    }

    /// The words of `text`, lazily, in order. Punctuation, symbols and
    /// whitespace are skipped; numbers are words.
    pub fn words<'a>(&self, text: &'a str) -> Words<'a> {
        Words {
            seg: self.inner,
            breaks: self.inner.segment_str(text),
            text,
            last: 0,
            preprocess: self.preprocess,
            pending: VecDeque::new(),
        }
    }

    /// The keyword form of a word (case-folded per [`Segmenter::case_fold`]).
    pub fn fold<'a>(&self, word: &'a str) -> Cow<'a, str> {
        self.case_fold.apply(word)
    }

    /// The keyword forms of all words of `text`.
    pub fn keywords(&self, text: &str) -> Vec<String> {
        self.words(text)
            .map(|w| self.fold(w.text).into_owned())
            .collect()
    }
}

/// Iterator over the [`Word`]s of a text; see [`Segmenter::words`].
#[derive(Debug)]
pub struct Words<'a> {
    seg: WordSegmenterBorrowed<'static>,
    breaks: icu_segmenter::iterators::WordBreakIterator<'static, 'a, icu_segmenter::scaffold::Utf8>,
    text: &'a str,
    last: usize,
    preprocess: bool,
    pending: VecDeque<(usize, usize)>,
}

impl<'a> Words<'a> {
    fn word(&self, start: usize, end: usize) -> Word<'a> {
        Word {
            text: &self.text[start..end],
            start,
            end,
        }
    }

    /// Re-segments a word-like segment at the preprocessing points inside it.
    fn split_segment(&mut self, start: usize, end: usize) {
        let segment = &self.text[start..end];
        let mut piece_start = 0;
        let points = preprocess_points(segment).chain(std::iter::once(segment.len()));
        for p in points {
            let piece = &segment[piece_start..p];
            let mut inner = self.seg.segment_str(piece);
            let mut prev = 0;
            while let Some(b) = inner.next() {
                if b > prev && inner.is_word_like() {
                    let offset = start + piece_start;
                    self.pending.push_back((offset + prev, offset + b));
                }
                prev = b;
            }
            piece_start = p;
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        loop {
            if let Some((s, e)) = self.pending.pop_front() {
                return Some(self.word(s, e));
            }
            let b = self.breaks.next()?;
            let start = self.last;
            self.last = b;
            if b == start || !self.breaks.is_word_like() {
                continue;
            }
            if self.preprocess && preprocess_points(&self.text[start..b]).next().is_some() {
                self.split_segment(start, b);
                continue;
            }
            return Some(self.word(start, b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(seg: &Segmenter, text: &str) -> Vec<String> {
        seg.words(text).map(|w| w.text.to_string()).collect()
    }

    #[test]
    fn spans_point_into_the_text() {
        let seg = Segmenter::new();
        let text = "  Grüße, 12 apps — ok?";
        for w in seg.words(text) {
            assert_eq!(&text[w.start..w.end], w.text);
        }
        assert_eq!(texts(&seg, text), ["Grüße", "12", "apps", "ok"]);
    }

    #[test]
    fn preprocessing_splits_like_inserted_spaces() {
        let plain = Segmenter::new();
        let pre = Segmenter::new().with_preprocess(true);
        let text = "end.Next word,and 3,5 \"quoted\"x";
        assert_eq!(
            texts(&plain, text),
            ["end.Next", "word", "and", "3,5", "quoted", "x"]
        );
        let split = texts(&pre, text);
        assert_eq!(
            split,
            ["end", "Next", "word", "and", "3", "5", "quoted", "x"]
        );
        assert_eq!(split, texts(&plain, &preprocess(text)));
        for w in pre.words(text) {
            assert_eq!(&text[w.start..w.end], w.text);
        }
    }

    #[test]
    fn preprocess_is_idempotent() {
        let once = preprocess("a.b,c(d)e");
        assert_eq!(once, "a. b, c( d) e");
        assert_eq!(preprocess(&once), once);
    }

    #[test]
    fn case_fold_none_keeps_case() {
        let seg = Segmenter::new().with_case_fold(CaseFold::None);
        assert_eq!(seg.keywords("ÄPFEL Apps"), ["ÄPFEL", "Apps"]);
        assert_eq!(Segmenter::new().keywords("ÄPFEL Apps"), ["äpfel", "apps"]);
    }

    #[test]
    fn segmenter_is_shareable_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Segmenter>();
    }
}
