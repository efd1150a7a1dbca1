//! Tokens into words: special tokens dropped, the original's normalisation applied.

/// Tokens of the model's vocabulary that are not words; skipped.
const SPECIAL_TOKENS: &[&str] = &[
    "<s>", "</s>", "<pad>", "<unk>", "<mask>", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]",
];

/// Whether a byte is kept by the normalisation (`\w` or whitespace, ASCII case).
#[inline]
fn keep_ascii(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Bytes an already normalised ASCII word consists of: kept and not upper-case.
static NORMAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = (c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '))
            && !c.is_ascii_uppercase();
        b += 1;
    }
    t
};

/// The word of a token: its own bytes when they are already normalised ASCII (so valid
/// UTF-8 by construction, with no conversion on the hot path), else checked text.
#[derive(Clone, Copy)]
pub(super) enum Word<'a> {
    Ascii(&'a [u8]),
    Text(&'a str),
}

impl Word<'_> {
    #[inline]
    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            Word::Ascii(b) => b,
            Word::Text(t) => t.as_bytes(),
        }
    }

    /// Appends the word to `out`.
    #[inline]
    pub(super) fn push_to(&self, out: &mut String) {
        match self {
            // ASCII bytes are the chars U+0000..=U+007F.
            Word::Ascii(b) => out.extend(b.iter().map(|&b| char::from(b))),
            Word::Text(t) => out.push_str(t),
        }
    }
}

/// The word form of a raw token: `None` in the outer option for invalid UTF-8, `None`
/// inside when the token is dropped. Normalised text that differs from the token is
/// written to `scratch`.
#[inline]
pub(super) fn word<'a>(
    token: &'a [u8],
    normalize: bool,
    scratch: &'a mut String,
) -> Option<Option<Word<'a>>> {
    if matches!(token.first(), Some(b'<' | b'['))
        && SPECIAL_TOKENS.iter().any(|t| t.as_bytes() == token)
    {
        return Some(None);
    }
    if normalize && token.iter().all(|&b| NORMAL[b as usize]) {
        // `NORMAL` holds only ASCII bytes.
        return Some((!token.is_empty()).then_some(Word::Ascii(token)));
    }
    Some(word_slow(token, normalize, scratch)?.map(Word::Text))
}

#[cold]
fn word_slow<'a>(
    token: &'a [u8],
    normalize: bool,
    scratch: &'a mut String,
) -> Option<Option<&'a str>> {
    if !normalize {
        let t = std::str::from_utf8(token).ok()?;
        return Some((!t.is_empty()).then_some(t));
    }
    if token.is_ascii() {
        scratch.clear();
        scratch.extend(
            token
                .iter()
                .filter(|&&b| keep_ascii(b))
                .map(|&b| b.to_ascii_lowercase() as char),
        );
    } else {
        let t = std::str::from_utf8(token).ok()?;
        let keep = |c: char| c.is_alphanumeric() || c == '_' || c.is_whitespace();
        if t.chars().all(|c| keep(c) && !c.is_uppercase()) {
            return Some(Some(t));
        }
        scratch.clear();
        scratch.extend(t.chars().filter(|&c| keep(c)).flat_map(char::to_lowercase));
    }
    Some((!scratch.is_empty()).then_some(scratch.as_str()))
}
