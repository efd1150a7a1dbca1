//! The keyword form of text, without any segmentation data: case folding and
//! the original pipeline's preprocessing. Available without the `text` feature.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The characters after which [`preprocess`] inserts a space when a word character follows.
pub const PREPROCESS_CHARS: &[char] = &['.', ',', ':', ';', '!', '?', '"', '(', ')'];

/// How words are case-folded into their keyword form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseFold {
    /// Unicode lower case (`str::to_lowercase`); the default.
    #[default]
    Lower,
    /// Keep the text as written.
    None,
}

impl CaseFold {
    /// Applies the fold to a word, borrowing when nothing changes.
    pub fn apply<'a>(self, word: &'a str) -> Cow<'a, str> {
        match self {
            CaseFold::None => Cow::Borrowed(word),
            CaseFold::Lower => lowercase(word),
        }
    }
}

/// Lower-cases `s`, borrowing when it is already lower case.
pub(crate) fn lowercase(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else {
        let lower = s.to_lowercase();
        if lower == s {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(lower)
        }
    }
}

/// Python's `\w`: alphanumeric or underscore.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte offsets just after a [`PREPROCESS_CHARS`] character that a word character follows.
pub(crate) fn preprocess_points(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            if PREPROCESS_CHARS.contains(&c)
                && chars.peek().is_some_and(|&(_, next)| is_word_char(next))
            {
                return Some(i + c.len_utf8());
            }
        }
        None
    })
}

/// The original pipeline's optional preprocessing: inserts a space after
/// `.,:;!?"()` when a word character (`\w`) follows, so that `end.Next` becomes
/// `end. Next`. Idempotent; borrows when nothing changes.
///
/// ```
/// assert_eq!(sacx_data::preprocess("Hi,there.Next (x)y"), "Hi, there. Next ( x) y");
/// assert_eq!(sacx_data::preprocess("no change"), "no change");
/// ```
pub fn preprocess(text: &str) -> Cow<'_, str> {
    let mut points = preprocess_points(text).peekable();
    if points.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for p in points {
        out.push_str(&text[last..p]);
        out.push(' ');
        last = p;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}
