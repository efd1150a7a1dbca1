//! Encoding a whole text as a pretrained Hugging Face model expects it
//! ([`crate::TokenizerOptions::hf_model`]): `tokenizer.json`'s normalizer,
//! pre-tokenizer and model over the text, truncation to the maximum length,
//! then its post-processor's special tokens (`[CLS]` … `[SEP]`, `<s>` … `</s>`).
//! Tokens map to sacx's words through their byte offsets. A token outside
//! every word (punctuation, a SentencePiece `▁` standing for a space) or a
//! special token (added by the post-processor, or written in the text, like
//! `<mask>`) has no word. A token overlapping several words (a
//! SentencePiece piece across a Chinese word boundary) joins them into one
//! word, the text from the first one's start to the last one's end, since its
//! attribution cannot be split between them.
use std::collections::BTreeSet;

use tokenizers::TruncationDirection;

use crate::segment::Segmenter;
use crate::tokenize::Encoding;

/// Special tokens the post-processor of `tok` adds to one sequence.
pub(crate) fn added_tokens(tok: &tokenizers::Tokenizer) -> usize {
    tok.get_post_processor()
        .map_or(0, |p| tokenizers::PostProcessor::added_tokens(p, false))
}

/// The ids of `tok`'s special tokens: its added tokens marked special and the
/// tokens its post-processor adds to a single sequence or a pair.
pub(crate) fn special_ids(tok: &tokenizers::Tokenizer) -> BTreeSet<u32> {
    let mut ids: BTreeSet<u32> = tok
        .get_added_tokens_decoder()
        .iter()
        .filter(|(_, t)| t.special)
        .map(|(&id, _)| id)
        .collect();
    let empty = || tokenizers::Encoding::default();
    for pair in [None, Some(empty())] {
        if let Ok(e) = tok.post_process(empty(), pair, true) {
            ids.extend(
                e.get_ids()
                    .iter()
                    .zip(e.get_special_tokens_mask())
                    .filter(|(_, s)| **s == 1)
                    .map(|(&id, _)| id),
            );
        }
    }
    ids
}

/// The words each token of `e` overlaps, as a range of indices into `words`;
/// none for a special token: one the post-processor added, or a special added
/// token written in the text (`<mask>`, `</s>`), but not the unknown token
/// standing for text the model does not know.
fn word_ranges(
    tok: &tokenizers::Tokenizer,
    e: &tokenizers::Encoding,
    text: &str,
    words: &[crate::Word<'_>],
) -> Vec<Option<(usize, usize)>> {
    let added = tok.get_added_vocabulary().get_added_tokens_decoder();
    let typed = |id: &u32, a: usize, b: usize| {
        added
            .get(id)
            .is_some_and(|t| t.special && text.get(a..b).is_some_and(|s| s.trim() == t.content))
    };
    e.get_offsets()
        .iter()
        .zip(e.get_special_tokens_mask())
        .zip(e.get_ids())
        .map(|((&(a, b), &special), id)| {
            if special == 1 || a >= b || typed(id, a, b) {
                return None;
            }
            let first = words.partition_point(|w| w.end <= a);
            let end = words.partition_point(|w| w.start < b);
            (first < end).then_some((first, end))
        })
        .collect()
}

/// Encodes `text` with `tok` into at most `max_len` tokens, specials included.
pub(crate) fn encode_whole(
    tok: &tokenizers::Tokenizer,
    segmenter: &Segmenter,
    text: &str,
    max_len: usize,
) -> tokenizers::Result<Encoding> {
    let mut e = tok.encode(text, false)?;
    let room = max_len.saturating_sub(added_tokens(tok));
    let truncated = e.len() > room;
    if truncated {
        e.truncate(room, 0, TruncationDirection::Right);
    }
    let e = tok.post_process(e, None, true)?;
    let words: Vec<crate::Word<'_>> = segmenter.words(text).collect();
    let ranges = word_ranges(tok, &e, text, &words);
    // group[i]: the joined word of word i; a token's words are joined.
    let mut joined = vec![false; words.len()];
    for &(first, end) in ranges.iter().flatten() {
        joined[first..end - 1].fill(true);
    }
    let mut group = Vec::with_capacity(words.len());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match spans.last_mut() {
            Some(last) if i > 0 && joined[i - 1] => last.1 = w.end,
            _ => spans.push((w.start, w.end)),
        }
        group.push(spans.len() - 1);
    }
    let mut used = vec![false; spans.len()];
    for &(first, _) in ranges.iter().flatten() {
        used[group[first]] = true;
    }
    // Words without a token are left out; the others are renumbered in order.
    let mut number = vec![None; spans.len()];
    let mut enc = Encoding {
        ids: e.get_ids().iter().map(|&i| i64::from(i)).collect(),
        word_ids: Vec::with_capacity(e.len()),
        words: Vec::new(),
        spans: Vec::new(),
        truncated,
    };
    for (g, &(start, end)) in spans.iter().enumerate().filter(|(g, _)| used[*g]) {
        number[g] = Some(enc.words.len() as u32);
        let word = text.get(start..end).unwrap_or_default();
        enc.words.push(segmenter.fold(word).into_owned());
        enc.spans.push((start, end));
    }
    enc.word_ids = ranges
        .iter()
        .map(|r| r.and_then(|(first, _)| number[group[first]]))
        .collect();
    Ok(enc)
}
