//! The `word` tokenizer's vocabulary: `[PAD]`, `[UNK]`, `[CLS]`, then the words of
//! the training texts by descending count (ties by byte order).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// The padding token; always id 0 in trained tokenizers.
pub const PAD: &str = "[PAD]";
/// The unknown-word token; id 1 in trained tokenizers.
pub const UNK: &str = "[UNK]";
/// The leading classification token; id 2 in trained tokenizers.
pub const CLS: &str = "[CLS]";
/// Special tokens of trained tokenizers, in id order.
pub const SPECIALS: [&str; 3] = [PAD, UNK, CLS];

/// A word vocabulary: ids are line numbers of `vocab.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WordVocab {
    tokens: Vec<String>,
    index: HashMap<String, u32>,
}

impl WordVocab {
    fn from_tokens(tokens: Vec<String>) -> Self {
        let index = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        WordVocab { tokens, index }
    }

    /// Counts the words of `texts` (as produced by `words`) in parallel and keeps
    /// those seen at least `min_count` times, at most `max_size` tokens in all.
    pub fn train<S, F>(texts: &[S], words: F, min_count: u64, max_size: usize) -> Self
    where
        S: AsRef<str> + Sync,
        F: Fn(&str) -> Vec<String> + Sync,
    {
        let counts = texts
            .par_iter()
            .fold(HashMap::<String, u64>::new, |mut m, t| {
                for w in words(t.as_ref()) {
                    *m.entry(w).or_default() += 1;
                }
                m
            })
            .reduce(HashMap::new, |mut a, b| {
                let (small, mut big) = if a.len() < b.len() {
                    (a, b)
                } else {
                    (b, std::mem::take(&mut a))
                };
                for (k, v) in small {
                    *big.entry(k).or_default() += v;
                }
                big
            });
        let mut entries: Vec<(String, u64)> = counts
            .into_iter()
            .filter(|(w, c)| *c >= min_count && !SPECIALS.contains(&w.as_str()))
            .collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut tokens: Vec<String> = SPECIALS.iter().map(|s| s.to_string()).collect();
        let room = max_size.saturating_sub(tokens.len());
        tokens.extend(entries.into_iter().take(room).map(|(w, _)| w));
        Self::from_tokens(tokens)
    }

    /// Number of tokens, specials included.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// The id of a token.
    pub fn get(&self, token: &str) -> Option<u32> {
        self.index.get(token).copied()
    }

    /// The token of an id.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// Writes `vocab.txt`: one token per line, the line index (from 0) is the id.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |e| Error::io(path, e);
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        for t in &self.tokens {
            writeln!(out, "{t}").map_err(io)?;
        }
        out.flush().map_err(io)
    }

    /// Reads a `vocab.txt` written by [`WordVocab::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let io = |e| Error::io(path, e);
        let file = std::fs::File::open(path).map_err(io)?;
        let mut tokens = Vec::new();
        for line in BufReader::new(file).lines() {
            tokens.push(line.map_err(io)?);
        }
        for (i, special) in SPECIALS.iter().enumerate() {
            if tokens.get(i).map(String::as_str) != Some(special) {
                return Err(Error::BadTokenizerDir {
                    path: path.to_path_buf(),
                    reason: format!("line {} must be {special}", i + 1),
                });
            }
        }
        let vocab = Self::from_tokens(tokens);
        if vocab.index.len() != vocab.tokens.len() {
            return Err(Error::BadTokenizerDir {
                path: path.to_path_buf(),
                reason: "a token appears on two lines".into(),
            });
        }
        Ok(vocab)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_orders_by_count_then_text_and_respects_limits() {
        let texts = ["b a b c", "a b d", "c"];
        let split = |t: &str| t.split(' ').map(str::to_string).collect();
        let v = WordVocab::train(&texts, split, 2, 100);
        assert_eq!(v.tokens, ["[PAD]", "[UNK]", "[CLS]", "b", "a", "c"]);
        let v = WordVocab::train(&texts, split, 1, 5);
        assert_eq!(v.tokens, ["[PAD]", "[UNK]", "[CLS]", "b", "a"]);
        assert_eq!(v.get("a"), Some(4));
        assert_eq!(v.token(3), Some("b"));
    }
}
