//! The tiny XLM-R of `tests/fixtures/tiny-xlm-roberta`, a full Hugging Face
//! model directory written by `tests/python/hf_tiny_models.py`: a random
//! encoder and a Unigram (SentencePiece-style) tokenizer trained on a
//! multilingual sample of the bundled corpus (`hf_tiny_tokenizer.py`).
//!
//! sacx's `hf_model` tokenization against `transformers.AutoTokenizer`
//! (`tokenization.json`: ids, tokens and offsets of corpus documents in twelve
//! languages and of odd texts, and the ids truncated at a few lengths), the
//! mapping of tokens to words, and the classifier's logits against
//! `transformers` on the padded multilingual batch of `reference.safetensors`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sacx_data::{Encoding, Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
use sacx_model::Pooling;
use sacx_model::hf::HfClassifier;
use tch::{Device, Kind, Tensor};

const TOL: f64 = 1e-4;
/// `<s>`, `<pad>`, `</s>` and `<mask>`: the special tokens `tokenizers` marks
/// as such in an encoding (`<unk>` is special too, but stands for text).
const ADDED: [i64; 4] = [0, 1, 2, 4];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-xlm-roberta")
}

/// One text of `tokenization.json` with AutoTokenizer's encoding.
struct Case {
    text: String,
    ids: Vec<i64>,
    tokens: Vec<String>,
    /// Character offsets.
    offsets: Vec<(usize, usize)>,
    /// Ids with `truncation=True, max_length=N`, by N.
    truncated: BTreeMap<usize, Vec<i64>>,
}

fn ids(v: &serde_json::Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// AutoTokenizer's special ids and encodings.
fn cases() -> (Vec<i64>, Vec<Case>) {
    let text = std::fs::read_to_string(dir().join("tokenization.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            text: c["text"].as_str().unwrap().to_string(),
            ids: ids(&c["input_ids"]),
            tokens: c["tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect(),
            offsets: c["offsets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    (
                        o[0].as_u64().unwrap() as usize,
                        o[1].as_u64().unwrap() as usize,
                    )
                })
                .collect(),
            truncated: c["truncated"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(n, t)| (n.parse().unwrap(), ids(t)))
                .collect(),
        })
        .collect();
    (ids(&v["special_ids"]), cases)
}

fn tokenizer(max_len: usize) -> Tokenizer {
    let opts = TokenizerOptions::builder()
        .kind(TokenizerKind::Pretrained(dir().join("tokenizer.json")))
        .hf_model(true)
        .max_len(max_len)
        .build()
        .unwrap();
    Tokenizer::train(&opts, Segmenter::new(), &[] as &[&str]).unwrap()
}

/// The byte offset of character `c` of `text`.
fn byte(text: &str, c: usize) -> usize {
    text.char_indices().nth(c).map_or(text.len(), |(b, _)| b)
}

/// What [`check_words`] saw.
#[derive(Default, Debug)]
struct Seen {
    /// Tokens with a word.
    in_words: usize,
    /// `▁` tokens standing for a space (offsets on whitespace only).
    spaces: usize,
    /// `▁` tokens split off a word's start (offsets on its first character).
    leading: usize,
    /// Tokens overlapping several segmenter words (joined into one).
    across: usize,
    /// Tokens with a word in a Chinese or Japanese text span.
    cjk: usize,
}

/// Every token maps to the word containing the segmenter words its offsets
/// overlap (none for specials, whitespace and punctuation), and the encoding's
/// words are the segmenter's, joined only where one token overlaps two.
fn check_words(tok: &Tokenizer, case: &Case, enc: &Encoding, seen: &mut Seen) {
    let text = case.text.as_str();
    let seg: Vec<(usize, usize)> = tok
        .segmenter()
        .words(text)
        .map(|w| (w.start, w.end))
        .collect();
    assert_eq!(enc.word_ids.len(), enc.ids.len());
    let mut has_token = vec![false; enc.words.len()];
    let mut links = Vec::new();
    for (t, wid) in enc.word_ids.iter().enumerate() {
        let (a, b) = case.offsets[t];
        let (a, b) = (byte(text, a), byte(text, b));
        let span = &text[a..b];
        let content = a + (span.len() - span.trim_start().len());
        let over: Vec<&(usize, usize)> =
            seg.iter().filter(|&&(s, e)| s < b && e > content).collect();
        let what = format!("{text:?} token {t} {:?} at {a}..{b}", case.tokens[t]);
        if ADDED.contains(&case.ids[t]) || over.is_empty() {
            assert_eq!(*wid, None, "{what}");
            if case.tokens[t] == "▁" && content == b {
                seen.spaces += 1;
            }
            continue;
        }
        let w = wid.unwrap_or_else(|| panic!("{what}: no word")) as usize;
        has_token[w] = true;
        let (s, e) = enc.spans[w];
        assert!(
            s <= over[0].0 && over[over.len() - 1].1 <= e,
            "{what}: in word {:?} {s}..{e}",
            enc.words[w]
        );
        seen.in_words += 1;
        seen.leading += usize::from(case.tokens[t] == "▁");
        seen.across += usize::from(over.len() > 1);
        seen.cjk += usize::from(span.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c)));
        links.extend(over.windows(2).map(|p| p[0].1));
    }
    assert!(
        has_token.iter().all(|&h| h),
        "{text:?}: a word without token"
    );
    for (w, &(s, e)) in enc.spans.iter().enumerate() {
        assert_eq!(enc.words[w], tok.segmenter().fold(&text[s..e]), "{text:?}");
        // A segmenter word boundary inside the word is crossed by a token.
        let inner: Vec<usize> = seg
            .iter()
            .filter(|&&(ws, we)| s <= ws && we < e)
            .map(|&(_, we)| we)
            .collect();
        assert!(seg.iter().any(|&(ws, _)| ws == s), "{text:?} {s}");
        assert!(seg.iter().any(|&(_, we)| we == e), "{text:?} {e}");
        for end in inner {
            assert!(links.contains(&end), "{text:?}: {:?} joined", enc.words[w]);
        }
        if w > 0 {
            assert!(enc.spans[w - 1].1 <= s, "{text:?}: words in order");
        }
    }
}

#[test]
fn hf_model_ids_equal_autotokenizer_in_every_language() {
    let tok = tokenizer(512);
    let (special, cases) = cases();
    assert_eq!(special, [0, 1, 2, 3, 4]);
    assert_eq!(tok.special_ids(), special);
    assert_eq!(
        (tok.vocab_size(), tok.pad_id(), tok.unk_id()),
        (800, 1, Some(3))
    );
    let mut seen = Seen::default();
    for case in &cases {
        let enc = tok.encode(&case.text);
        assert_eq!(enc.ids, case.ids, "{:?}", case.text);
        assert!(!enc.truncated);
        assert_eq!(enc.word_ids.first(), Some(&None));
        assert_eq!(enc.word_ids.last(), Some(&None));
        check_words(&tok, case, &enc, &mut seen);
    }
    eprintln!("{} texts equal AutoTokenizer's; {seen:?}", cases.len());
    assert!(seen.in_words > 1000 && seen.cjk > 100, "{seen:?}");
    assert!(
        seen.spaces > 20 && seen.leading > 5 && seen.across > 0,
        "{seen:?}"
    );
}

#[test]
fn unknown_characters_empty_texts_and_truncation_follow_autotokenizer() {
    let (_, cases) = cases();
    let unk = |ids: &[i64]| ids.iter().filter(|&&i| i == 3).count();
    let tok = tokenizer(512);
    for odd in [
        "😀",
        "Привет, мир! Это тест.",
        "Καλημέρα κόσμε",
        "مرحبا بالعالم",
    ] {
        let case = cases.iter().find(|c| c.text == odd).unwrap();
        let enc = tok.encode(odd);
        assert!(unk(&case.ids) > 0, "{odd}");
        assert_eq!(enc.ids, case.ids, "{odd}");
    }
    for blank in ["", "   ", " \t\n "] {
        let enc = tok.encode(blank);
        assert_eq!(enc.ids, [0, 2], "{blank:?}");
        assert_eq!(enc.word_ids, [None, None]);
        assert!(enc.words.is_empty() && enc.spans.is_empty() && !enc.truncated);
    }
    let mut cut = 0;
    for n in [3, 8, 16] {
        let short = tokenizer(n);
        for case in &cases {
            let enc = short.encode(&case.text);
            assert_eq!(enc.ids, case.truncated[&n], "{:?} at {n}", case.text);
            assert_eq!(enc.ids.last(), Some(&2), "</s> last");
            assert_eq!(enc.truncated, case.ids.len() > n);
            cut += usize::from(enc.truncated);
            let words = enc.word_ids.iter().flatten().max().map_or(0, |&w| w + 1);
            assert_eq!(words as usize, enc.words.len(), "{:?} at {n}", case.text);
        }
    }
    assert!(cut > 40, "{cut}");
}

fn reference() -> (BTreeMap<String, Tensor>, Vec<String>) {
    let path = dir().join("reference.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let texts = serde_json::from_str(&meta.metadata().as_ref().unwrap()["texts"]).unwrap();
    let t = Tensor::read_safetensors(&path)
        .unwrap()
        .into_iter()
        .collect();
    (t, texts)
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.size(), b.size());
    (a - b).abs().max().double_value(&[])
}

/// The reference batch is sacx's encoding of its texts (AutoTokenizer's,
/// truncated at 64), and the classifier is its head over `transformers`'
/// pooled hidden states, for both poolings, padding or not.
#[test]
fn logits_on_the_multilingual_batch_equal_transformers() {
    let (r, texts) = reference();
    let tok = tokenizer(64);
    let ids = &r["input_ids"];
    let mask = r["attention_mask"].to_kind(Kind::Float);
    assert!(texts.iter().any(|t| t.contains("桌面")) && texts.iter().any(|t| t.contains("デ")));
    for (d, text) in texts.iter().enumerate() {
        let n = mask.get(d as i64).sum(Kind::Float).int64_value(&[]);
        let want = Vec::<i64>::try_from(ids.get(d as i64).narrow(0, 0, n)).unwrap();
        let enc = tok.encode(text);
        assert_eq!(enc.ids, want, "{text:?}");
        assert_eq!(enc.truncated, n == 64, "{text:?}");
    }
    for pooling in [Pooling::Mean, Pooling::First] {
        let model = HfClassifier::load(&dir(), 3, pooling, 11, Device::Cpu).unwrap();
        let logits = model.logits(ids, &mask).unwrap();
        let params: BTreeMap<&str, &Tensor> = model.named_parameters().collect();
        let pooled = match pooling {
            Pooling::Mean => r["mean_pooled"].shallow_clone(),
            Pooling::First => r["last_hidden_state"].select(1, 0),
        };
        let want = pooled.linear(params["head.weight"], Some(params["head.bias"]));
        let d = max_abs_diff(&logits, &want);
        eprintln!(
            "tiny XLM-R {pooling:?}: logits vs head(transformers pooled) max |Δ| {d:.3e} (logits up to {:.3})",
            want.abs().max().double_value(&[])
        );
        assert!(d <= TOL, "{pooling:?}: {d}");
        let size = want.abs().max().double_value(&[]);
        assert!(size > 1e-3, "{size}");
        // The shortest document alone, without padding, gives the same logits.
        let short = mask
            .sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            .argmin(0, false);
        let short = short.int64_value(&[]);
        let n = mask.get(short).sum(Kind::Float).int64_value(&[]);
        let alone = model
            .logits(
                &ids.narrow(0, short, 1).narrow(1, 0, n),
                &mask.narrow(0, short, 1).narrow(1, 0, n),
            )
            .unwrap();
        assert!(max_abs_diff(&alone, &logits.narrow(0, short, 1)) <= 1e-5);
    }
}

/// A replica of the tiny XLM-R shares its weights and gives its logits.
#[test]
fn replicas_of_a_pretrained_classifier_share_the_weights() {
    let (r, _) = reference();
    let (ids, mask) = (&r["input_ids"], r["attention_mask"].to_kind(Kind::Float));
    let mut model = HfClassifier::load(&dir(), 3, Pooling::First, 11, Device::Cpu).unwrap();
    assert!(model.replica().is_err(), "a trainable model has no replica");
    model.freeze();
    let copy = model.replica().unwrap();
    for ((n, a), (_, b)) in model.named_parameters().zip(copy.named_parameters()) {
        assert_eq!(a.data_ptr(), b.data_ptr(), "`{n}` was copied");
    }
    assert!(
        model
            .logits(ids, &mask)
            .unwrap()
            .equal(&copy.logits(ids, &mask).unwrap())
    );
}
