//! Issue 25: the contrast ranking drops words the corpus spreads over every
//! class (function words, any language), per-language lists with their
//! document counts and notes, and translations found from parallel documents.
mod common;
use common::{labels, rec, write_run};
use sacx_aggregate::{Association, ClassCounts, Inputs, KeywordParams, Ranking, aggregate};
use sacx_data::LanguageCounts;
use sacx_data::explanation::DocExplanation;

/// Sport and Politics documents in English and Italian, ten ids each, every
/// id translated; one German Sport document. Half the Sport ids speak of a
/// goal, the other half of fans, all of the team (likewise vote, debate and
/// law in Politics). The models lean on the function words ("the", "il") of
/// Sport documents more than on any content word.
fn corpus() -> Vec<(String, &'static str, Vec<&'static str>, u32)> {
    let mut docs = Vec::new();
    for i in 0..10 {
        let (en, it) = if i < 5 {
            (["the", "goal", "team"], ["il", "gol", "squadra"])
        } else {
            (["the", "fans", "team"], ["il", "tifosi", "squadra"])
        };
        docs.push((format!("s{i}"), "en", en.to_vec(), 0));
        docs.push((format!("s{i}"), "it", it.to_vec(), 0));
        let (en, it) = if i < 5 {
            (["the", "vote", "law"], ["il", "voto", "legge"])
        } else {
            (["the", "debate", "law"], ["il", "dibattito", "legge"])
        };
        docs.push((format!("p{i}"), "en", en.to_vec(), 1));
        docs.push((format!("p{i}"), "it", it.to_vec(), 1));
    }
    docs.push(("s0".into(), "de", vec!["das", "tor", "mannschaft"], 0));
    docs
}

fn records() -> Vec<DocExplanation> {
    corpus()
        .into_iter()
        .map(|(id, lang, words, class)| {
            // Function word, content word, second content word.
            let scores: [f32; 3] = if class == 0 {
                [0.9, 0.8, 0.5]
            } else {
                [-0.1, 0.7, 0.4]
            };
            let probs = if class == 0 { [0.9, 0.1] } else { [0.1, 0.9] };
            let mut r = rec(&id, &[class], &probs, &words, &[(class, &scores)]);
            r.lang = lang.into();
            r
        })
        .collect()
}

fn counts() -> ClassCounts {
    let names = ["Sport", "Politics"];
    let docs: Vec<(Vec<&str>, Vec<&str>)> = corpus()
        .iter()
        .map(|(_, _, w, c)| (w.clone(), vec![names[*c as usize]]))
        .collect();
    let mut languages = LanguageCounts::default();
    for (_, lang, words, c) in &corpus() {
        languages.add_document(lang, [names[*c as usize]], words.iter().copied());
    }
    ClassCounts::from_documents(docs).with_languages(languages)
}

fn run(params: &KeywordParams, counts: Option<&ClassCounts>) -> sacx_aggregate::Keywords {
    let dir = tempfile::tempdir().unwrap();
    let l = labels(&["Sport", "Politics"]);
    let mut inputs = Inputs::new();
    for seed in 0..2 {
        for p in write_run(dir.path(), &format!("seed-{seed}"), &l, &records(), 2) {
            inputs = inputs.shard(p);
        }
    }
    aggregate(&inputs, params, counts).unwrap()
}

fn words(list: &[sacx_aggregate::Keyword]) -> Vec<&str> {
    list.iter().map(|k| k.word.as_str()).collect()
}

/// The point estimate of the relative risk: the corpus here is too small for
/// the default lower bound to credit words found in five documents.
fn params() -> KeywordParams {
    KeywordParams::builder()
        .min_word_freq(0)
        .association(Association::RelativeRisk)
        .association_power(1.0)
        .build()
        .unwrap()
}

#[test]
fn contrast_puts_words_spread_over_every_class_last() {
    let c = counts();
    let support = KeywordParams::builder()
        .min_word_freq(0)
        .ranking(Ranking::Support)
        .build()
        .unwrap();
    let k = run(&support, Some(&c));
    // The support ranking trusts the models: "the" and "il" have Sport's largest
    // mass and a negative one in Politics, so their specificity is 1.
    assert_eq!(
        words(&k.class("Sport").unwrap().keywords)[..2],
        ["il", "the"]
    );
    let k = run(&params(), Some(&c));
    assert_eq!(k.parameters["ranking"], "contrast");
    let sport = k.class("Sport").unwrap();
    // "the" and "il" are in every document of both classes: association 0, no
    // keyword.
    let w = words(&sport.keywords);
    assert!(!w.contains(&"the") && !w.contains(&"il"), "{w:?}");
    assert!(w.contains(&"goal") && w.contains(&"squadra"), "{w:?}");
    assert!(sport.keywords.iter().all(|k| k.association.unwrap() > 0.5));
    // The default lower bound asks more of a word seen in 5 of 21 documents
    // ("goal") than of one in 10 ("team").
    let default = KeywordParams::builder().min_word_freq(0).build().unwrap();
    assert_eq!(default.association(), Association::RelativeRiskBound);
    let k = run(&default, Some(&c));
    let w = words(&k.class("Sport").unwrap().keywords);
    assert!(w.contains(&"team") && w.contains(&"squadra"), "{w:?}");
    assert!(!w.contains(&"goal") && !w.contains(&"the"), "{w:?}");
    // Without counts, contrast is the support ranking.
    let k = run(&params(), None);
    assert_eq!(
        words(&k.class("Sport").unwrap().keywords)[..2],
        ["il", "the"]
    );
    assert_eq!(k.class("Sport").unwrap().keywords[0].association, None);
}

#[test]
fn per_language_lists_carry_their_documents_and_a_note_when_too_few() {
    let c = counts();
    let k = run(&params(), Some(&c));
    let langs: Vec<&str> = k.languages.iter().map(|l| l.lang.as_str()).collect();
    assert_eq!(langs, ["de", "en", "it"]);
    let en = &k.languages[1];
    assert_eq!(en.documents, Some(20));
    let sport = en.class("Sport").unwrap();
    assert_eq!(sport.documents, Some(10));
    // team: mass .5 (every document), goal and fans .4 (half of them each).
    assert_eq!(words(&sport.keywords), ["team", "fans", "goal"]);
    assert_eq!(sport.keywords[2].documents, 5, "five English documents");
    assert!(sport.note.is_none());
    let it = &k.languages[2];
    assert_eq!(
        words(&it.class("Politics").unwrap().keywords),
        ["legge", "dibattito", "voto"]
    );
    // One German Sport document: listed, with a note that it is too few.
    let de = k.languages[0].class("Sport").unwrap();
    assert_eq!(de.documents, Some(1));
    assert!(
        de.note.as_deref().unwrap().contains("too few"),
        "{:?}",
        de.note
    );
    // The overall list is unchanged by the per-language lists.
    let off = KeywordParams::builder()
        .min_word_freq(0)
        .association(Association::RelativeRisk)
        .association_power(1.0)
        .per_language(false)
        .build()
        .unwrap();
    let k_off = run(&off, Some(&c));
    assert!(k_off.languages.is_empty());
    assert_eq!(k_off.classes, k.classes);
    // Files: one TSV per language and class.
    let dir = tempfile::tempdir().unwrap();
    k.write(dir.path()).unwrap();
    let tsv = std::fs::read_to_string(dir.path().join("languages/it/Sport_stable.tsv")).unwrap();
    assert!(
        tsv.lines().nth(1).unwrap().starts_with("squadra\tSport"),
        "{tsv}"
    );
    assert!(tsv.lines().next().unwrap().ends_with("\ttranslations"));
    // Read back: the same lists, counts and translations (floats to JSON
    // precision).
    let back = sacx_aggregate::Keywords::read(&dir.path().join("keywords.json")).unwrap();
    assert_eq!(back.languages.len(), k.languages.len());
    for (b, l) in back.languages.iter().zip(&k.languages) {
        assert_eq!((&b.lang, b.documents), (&l.lang, l.documents));
        for (bc, lc) in b.classes.iter().zip(&l.classes) {
            assert_eq!((bc.documents, &bc.note), (lc.documents, &lc.note));
            assert_eq!(words(&bc.keywords), words(&lc.keywords));
            for (bw, lw) in bc.keywords.iter().zip(&lc.keywords) {
                let t = |w: &sacx_aggregate::Keyword| -> Vec<(String, String, u64)> {
                    w.translations
                        .iter()
                        .map(|t| (t.lang.clone(), t.word.clone(), t.documents))
                        .collect()
                };
                assert_eq!(t(bw), t(lw));
            }
        }
    }
}

#[test]
fn translations_come_from_parallel_documents() {
    let k = run(&params(), Some(&counts()));
    let en = &k.languages[1];
    let sport = en.class("Sport").unwrap();
    let goal = &sport.keywords[2];
    assert_eq!(goal.word, "goal");
    let t: Vec<(&str, &str, u64)> = goal
        .translations
        .iter()
        .map(|t| (t.lang.as_str(), t.word.as_str(), t.documents))
        .collect();
    // Five shared ids of ten with Italian (p = 1/252); the German document is
    // one id, not enough.
    assert_eq!(t, [("it", "gol", 5)]);
    assert!((goal.translations[0].phi - 1.0).abs() < 1e-12);
    assert_eq!(sport.keywords[1].translations[0].word, "tifosi");
    // "team" and "squadra" are in every Sport document: always together, but
    // so is everything else; no evidence, no link.
    assert!(sport.keywords[0].translations.is_empty());
    let it = &k.languages[2];
    let voto = &it.class("Politics").unwrap().keywords[2];
    assert_eq!(voto.translations[0].word, "vote");
    // A keyword is never linked to two words of one language.
    for l in &k.languages {
        for c in &l.classes {
            for w in &c.keywords {
                let mut langs: Vec<&str> = w.translations.iter().map(|t| t.lang.as_str()).collect();
                langs.dedup();
                assert_eq!(langs.len(), w.translations.len());
            }
        }
    }
}
