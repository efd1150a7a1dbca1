//! Tokenizers: word → token mapping, save/load round trips, truncation.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use sacx_data::{
    Corpus, Encoding, LoadOptions, Segmenter, Tokenizer, TokenizerKind, TokenizerOptions,
};

fn bundled() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/appstream.jsonl.gz");
        Corpus::load(&[path], &LoadOptions::default()).unwrap()
    })
}

/// Up to `n` documents per language, every language of the corpus.
fn sample(n: usize) -> Vec<&'static str> {
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for d in &bundled().docs {
        let k = per.entry(&d.lang).or_default();
        if *k < n {
            *k += 1;
            out.push(d.text.as_str());
        }
    }
    assert_eq!(per.len(), 12);
    out
}

fn train(kind: TokenizerKind, vocab: usize, max_len: usize) -> Tokenizer {
    let opts = TokenizerOptions::builder()
        .kind(kind)
        .vocab_size(vocab)
        .max_len(max_len)
        .add_cls(true)
        .build()
        .unwrap();
    // Every third document keeps the test fast; all languages are in it.
    let texts: Vec<&str> = bundled()
        .docs
        .iter()
        .step_by(3)
        .map(|d| d.text.as_str())
        .collect();
    Tokenizer::train(&opts, Segmenter::new(), &texts).unwrap()
}

/// Checks that each word's tokens spell the word (subword markers removed).
fn assert_round_trip(tok: &Tokenizer, text: &str, enc: &Encoding, marker: &str) -> (usize, usize) {
    assert_eq!(enc.ids.len(), enc.word_ids.len());
    assert_eq!(enc.word_ids[0], None, "leading [CLS]");
    assert_eq!(enc.ids[0], tok.cls_id().unwrap());
    let seg = tok.segmenter();
    let mut spelled: Vec<String> = vec![String::new(); enc.words.len()];
    let mut unk = vec![false; enc.words.len()];
    let mut last = 0;
    for (&id, wid) in enc.ids.iter().zip(&enc.word_ids).skip(1) {
        let w = wid.expect("only [CLS] has no word") as usize;
        assert!(
            w == last || w == last + 1 || (w == 0 && last == 0),
            "word ids go up one by one"
        );
        last = w;
        if Some(id) == tok.unk_id() {
            unk[w] = true;
        }
        let token = tok.id_to_token(id).unwrap();
        spelled[w].push_str(token.strip_prefix(marker).unwrap_or(&token));
    }
    assert_eq!(last + 1, enc.words.len(), "every word has a token");
    let mut unknown = 0;
    for (i, &(s, e)) in enc.spans.iter().enumerate() {
        let word = &text[s..e];
        assert_eq!(enc.words[i], seg.fold(word), "keyword form");
        if unk[i] {
            unknown += 1;
        } else {
            assert_eq!(spelled[i], word.to_lowercase(), "tokens of {word:?}");
        }
    }
    (unknown, enc.words.len())
}

#[test]
fn subword_tokens_map_back_to_words_in_every_language() {
    for (kind, marker) in [(TokenizerKind::WordPiece, "##"), (TokenizerKind::Bpe, "")] {
        let tok = train(kind.clone(), 8000, 100_000);
        assert_eq!(
            (tok.pad_id(), tok.unk_id(), tok.cls_id()),
            (0, Some(1), Some(2))
        );
        let (mut unknown, mut words) = (0, 0);
        for text in sample(15) {
            let enc = tok.encode(text);
            assert!(!enc.truncated);
            let (u, w) = assert_round_trip(&tok, text, &enc, marker);
            unknown += u;
            words += w;
        }
        assert!(words > 5000, "{words}");
        assert!(
            unknown * 200 < words,
            "{kind:?}: {unknown} of {words} words unknown"
        );
    }
}

#[test]
fn word_tokenizer_maps_one_token_per_word() {
    let opts = TokenizerOptions::builder()
        .min_count(2)
        .max_len(64)
        .build()
        .unwrap();
    let texts: Vec<&str> = bundled().docs.iter().map(|d| d.text.as_str()).collect();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &texts).unwrap();
    assert_eq!(tok.pad_id(), 0);
    assert_eq!(tok.id_to_token(1).as_deref(), Some("[UNK]"));
    let enc = tok.encode("Graphical program, graphical Zzqxjv!");
    assert_eq!(enc.words, ["graphical", "program", "graphical", "zzqxjv"]);
    assert_eq!(enc.word_ids, [Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(enc.ids[0], enc.ids[2]);
    assert_eq!(enc.ids[3], 1, "unseen word is [UNK]");
    assert_eq!(enc.ids[0], tok.token_to_id("graphical").unwrap());
    assert!(tok.vocab_size() <= 30_000);
}

#[test]
fn save_and_load_reproduce_every_kind() {
    let texts = sample(10);
    for kind in [
        TokenizerKind::Word,
        TokenizerKind::WordPiece,
        TokenizerKind::Bpe,
    ] {
        let opts = TokenizerOptions::builder()
            .kind(kind.clone())
            .vocab_size(3000)
            .max_len(40)
            .add_cls(true)
            .build()
            .unwrap();
        let tok = Tokenizer::train(&opts, Segmenter::new().with_preprocess(true), &texts).unwrap();
        let dir = tempfile::tempdir().unwrap();
        tok.save(dir.path()).unwrap();
        let back = Tokenizer::load(dir.path()).unwrap();
        assert_eq!(back.vocab_size(), tok.vocab_size());
        assert_eq!(back.kind(), tok.kind());
        assert!(back.segmenter().preprocesses());
        for t in &texts {
            assert_eq!(back.encode(t), tok.encode(t), "{kind:?}");
        }
        // Training again on the same texts gives the same tokenizer.
        let again =
            Tokenizer::train(&opts, Segmenter::new().with_preprocess(true), &texts).unwrap();
        assert_eq!(again.vocab_size(), tok.vocab_size());
        for id in 0..tok.vocab_size() as i64 {
            assert_eq!(
                again.id_to_token(id),
                tok.id_to_token(id),
                "{kind:?} deterministic"
            );
        }
        if kind == TokenizerKind::WordPiece {
            // A saved tokenizer.json loads as a pretrained tokenizer.
            let pre = TokenizerOptions::builder()
                .kind(TokenizerKind::Pretrained(dir.path().join("tokenizer.json")))
                .lowercase(true)
                .max_len(40)
                .add_cls(true)
                .build()
                .unwrap();
            let p = Tokenizer::train::<&str>(&pre, Segmenter::new().with_preprocess(true), &[])
                .unwrap();
            assert_eq!(p.encode(texts[3]).ids, tok.encode(texts[3]).ids);
        }
    }
}

#[test]
fn ten_megabyte_document_loads_and_is_truncated_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let sentence = "Ein großes Dokument mit vielen Wörtern. ";
    let big = sentence.repeat(10 * 1024 * 1024 / sentence.len() + 1);
    let lines = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "big", "lang": "de", "text": big, "labels": ["X"]}),
        serde_json::json!({"id": "small", "lang": "de", "text": "Kurz.", "labels": ["X"]}),
    );
    std::fs::write(&path, lines).unwrap();
    let mut corpus = Corpus::load(&[&path], &LoadOptions::default()).unwrap();
    assert!(corpus.docs[0].text.len() >= 10 * 1024 * 1024);
    let opts = TokenizerOptions::builder()
        .max_len(512)
        .add_cls(true)
        .build()
        .unwrap();
    let tok = Tokenizer::train(&opts, Segmenter::new(), &[sentence]).unwrap();
    let encs = corpus.encode(&tok);
    assert_eq!(encs[0].ids.len(), 512);
    assert!(encs[0].truncated);
    assert_eq!(encs[0].words.len(), 511);
    assert!(!encs[1].truncated);
    assert_eq!(corpus.report.truncated, 1);
    assert!(
        corpus
            .report
            .to_string()
            .contains("truncated at tokenization: 1")
    );
    // Exactly full is not truncated.
    let exact = TokenizerOptions::builder().max_len(6).build().unwrap();
    let tok = Tokenizer::train(&exact, Segmenter::new(), &[sentence]).unwrap();
    assert!(!tok.encode(sentence).truncated);
    assert!(tok.encode(&sentence.repeat(2)).truncated);
}

#[test]
fn options_are_validated() {
    let err = TokenizerOptions::builder().max_len(0).build().unwrap_err();
    assert!(
        err.to_string().starts_with("max_len = 0 is invalid"),
        "{err}"
    );
    assert!(TokenizerOptions::builder().vocab_size(2).build().is_err());
    assert!(TokenizerOptions::builder().min_count(0).build().is_err());
    let opts = TokenizerOptions::default();
    let err = Tokenizer::train(&opts, Segmenter::new(), &["!!! ..."]).unwrap_err();
    assert!(err.to_string().contains("no words"), "{err}");
    let err = Tokenizer::load(Path::new("/nonexistent-dir")).unwrap_err();
    assert!(err.to_string().contains("sacx-tokenizer.json"), "{err}");
}

/// A `tokenizer.json` (WordLevel) with added tokens, special or not, and a
/// post-processor inserting `<eos>`, which is no added token.
fn hf_tokenizer_json() -> serde_json::Value {
    let added = |id: u32, content: &str, special: bool| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
                           "rstrip": false, "normalized": false, "special": special})
    };
    let special = |id: &str| serde_json::json!({"SpecialToken": {"id": id, "type_id": 0}});
    let seq = |id: &str| serde_json::json!({"Sequence": {"id": id, "type_id": 0}});
    let vocab: serde_json::Map<String, serde_json::Value> = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "again", "<eos>",
        "<extra>", "<word>",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| (t.to_string(), serde_json::json!(i)))
    .collect();
    serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [
            added(0, "[PAD]", true), added(1, "[UNK]", true), added(2, "[CLS]", true),
            added(3, "[SEP]", true), added(4, "[MASK]", true), added(9, "<extra>", true),
            added(10, "<word>", false),
        ],
        "normalizer": null,
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]"), seq("A"), special("<eos>")],
            "pair": [special("[CLS]"), seq("A"), special("[SEP]"), seq("B"), special("<eos>")],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]},
                "<eos>": {"id": "<eos>", "ids": [8], "tokens": ["<eos>"]},
            }
        },
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
    })
}

#[test]
fn special_ids_are_every_special_token() {
    // sacx's own tokenizers: [PAD], [UNK] and [CLS] only (WordPiece's `##c`
    // continuation tokens are ordinary vocabulary).
    let texts = sample(5);
    for kind in [
        TokenizerKind::Word,
        TokenizerKind::WordPiece,
        TokenizerKind::Bpe,
    ] {
        let opts = TokenizerOptions::builder()
            .kind(kind.clone())
            .vocab_size(2000)
            .build()
            .unwrap();
        let tok = Tokenizer::train(&opts, Segmenter::new(), &texts).unwrap();
        assert_eq!(tok.special_ids(), [0, 1, 2], "{kind:?}");
        let dir = tempfile::tempdir().unwrap();
        tok.save(dir.path()).unwrap();
        assert_eq!(
            Tokenizer::load(dir.path()).unwrap().special_ids(),
            [0, 1, 2]
        );
        if kind == TokenizerKind::WordPiece {
            assert!(tok.token_to_id("##e").is_some_and(|id| id > 2));
        }
    }
    // A pretrained tokenizer.json: its special added tokens ([SEP], [MASK],
    // <extra>) and the post-processor's <eos>; not the added word <word>.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokenizer.json");
    std::fs::write(&path, hf_tokenizer_json().to_string()).unwrap();
    for hf_model in [false, true] {
        let opts = TokenizerOptions::builder()
            .kind(TokenizerKind::Pretrained(path.clone()))
            .hf_model(hf_model)
            .build()
            .unwrap();
        let tok = Tokenizer::train::<&str>(&opts, Segmenter::new(), &[]).unwrap();
        assert_eq!(
            tok.special_ids(),
            [0, 1, 2, 3, 4, 8, 9],
            "hf_model {hf_model}"
        );
        assert_eq!(tok.vocab_size(), 11);
    }
    let opts = TokenizerOptions::builder()
        .kind(TokenizerKind::Pretrained(path))
        .hf_model(true)
        .build()
        .unwrap();
    let tok = Tokenizer::train::<&str>(&opts, Segmenter::new(), &[]).unwrap();
    let enc = tok.encode("hello <word> world");
    assert_eq!(enc.ids, [2, 5, 10, 6, 8]);
}
