//! Encoding a whole text as a pretrained Hugging Face model expects it
//! ([`crate::TokenizerOptions::hf_model`]): `tokenizer.json`'s normalizer,
//! pre-tokenizer and model over the text, truncation to the maximum length,
//! then its post-processor's special tokens (`[CLS]` … `[SEP]`, `<s>` … `</s>`).
//! Tokens map to sacx's words through their byte offsets; a token outside
//! every word (punctuation) or a special token has no word.
use tokenizers::TruncationDirection;

use crate::segment::Segmenter;
use crate::tokenize::Encoding;

/// Special tokens the post-processor of `tok` adds to one sequence.
pub(crate) fn added_tokens(tok: &tokenizers::Tokenizer) -> usize {
    tok.get_post_processor()
        .map_or(0, |p| tokenizers::PostProcessor::added_tokens(p, false))
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
    let mut token_word: Vec<Option<usize>> = Vec::with_capacity(e.len());
    let mut used = vec![false; words.len()];
    for (&(a, b), &special) in e.get_offsets().iter().zip(e.get_special_tokens_mask()) {
        let w = if special == 1 || a >= b {
            None
        } else {
            // The first word ending after the token's start, if it overlaps.
            let i = words.partition_point(|w| w.end <= a);
            words.get(i).filter(|w| w.start < b).map(|_| i)
        };
        if let Some(i) = w {
            used[i] = true;
        }
        token_word.push(w);
    }
    // Words without a token are left out; the others are renumbered in order.
    let mut number = vec![None; words.len()];
    let mut enc = Encoding {
        ids: e.get_ids().iter().map(|&i| i64::from(i)).collect(),
        word_ids: Vec::with_capacity(e.len()),
        words: Vec::new(),
        spans: Vec::new(),
        truncated,
    };
    for (i, w) in words.iter().enumerate().filter(|(i, _)| used[*i]) {
        number[i] = Some(enc.words.len() as u32);
        enc.words.push(segmenter.fold(w.text).into_owned());
        enc.spans.push((w.start, w.end));
    }
    enc.word_ids = token_word
        .into_iter()
        .map(|w| w.and_then(|i| number[i]))
        .collect();
    Ok(enc)
}
