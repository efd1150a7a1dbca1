//! Word segmentation across scripts: dictionary segmentation for Chinese,
//! Japanese and Thai, UAX #29 elsewhere; punctuation is never a word.

use sacx_data::{CaseFold, Segmenter};

fn words(text: &str) -> Vec<&str> {
    Segmenter::new().words(text).map(|w| w.text).collect()
}

#[test]
fn japanese_sentences_segment_into_dictionary_words() {
    assert_eq!(
        words("私は日本語を勉強しています。"),
        ["私", "は", "日本語", "を", "勉強", "し", "てい", "ます"]
    );
    assert_eq!(words("音楽プレーヤーです"), ["音楽", "プレーヤー", "です"]);
}

#[test]
fn chinese_sentences_segment_into_dictionary_words() {
    assert_eq!(words("我喜欢学习中文。"), ["我", "喜欢", "学习", "中文"]);
    assert_eq!(words("一个音乐播放器"), ["一个", "音乐", "播放", "器"]);
}

#[test]
fn thai_and_lao_use_dictionaries() {
    assert_eq!(
        words("ภาษาไทยง่ายนิดเดียว"),
        ["ภาษา", "ไทย", "ง่าย", "นิด", "เดียว"]
    );
    assert_eq!(words("ພາສາລາວ"), ["ພາສາ", "ລາວ"]);
}

#[test]
fn punctuation_and_whitespace_are_not_words() {
    assert_eq!(
        words("Привет, мир! — «Это» тест..."),
        ["Привет", "мир", "Это", "тест"]
    );
    assert_eq!(
        words("l'application d'aujourd'hui"),
        ["l'application", "d'aujourd'hui"]
    );
    assert_eq!(
        words("C++ 3.5 GHz e-mail"),
        ["C", "3.5", "GHz", "e", "mail"]
    );
    assert!(words(" \t\n—!?").is_empty());
}

#[test]
fn keyword_form_is_case_folded_unless_disabled() {
    let text = "Grüße aus İstanbul";
    assert_eq!(
        Segmenter::new().keywords(text),
        ["grüße", "aus", "i̇stanbul"]
    );
    let keep = Segmenter::new().with_case_fold(CaseFold::None);
    assert_eq!(keep.keywords(text), ["Grüße", "aus", "İstanbul"]);
}

#[test]
fn spans_locate_each_word_in_mixed_scripts() {
    let text = "Le lecteur 音楽プレーヤー, version 2.0!";
    let seg = Segmenter::new();
    let spans: Vec<(usize, usize)> = seg.words(text).map(|w| (w.start, w.end)).collect();
    let from_spans: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
    assert_eq!(
        from_spans,
        ["Le", "lecteur", "音楽", "プレーヤー", "version", "2.0"]
    );
}
