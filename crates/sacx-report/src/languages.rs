//! A class's keywords per language: one column per language, and a folded
//! table of translations (each keyword row lists its equivalents).

use std::fmt::Write as _;

use sacx_aggregate::{Keywords, LanguageClass};

use super::html::{esc, note, table};

/// Keywords shown per language column.
pub const LANGUAGE_WORDS: usize = 10;

/// The per-language block of class `label` (nothing for a corpus of one language).
pub fn language_lists(out: &mut String, keywords: Option<&Keywords>, label: &str) {
    let Some(k) = keywords else { return };
    let cols: Vec<(&str, &LanguageClass)> = k
        .languages
        .iter()
        .filter_map(|l| l.class(label).map(|c| (l.lang.as_str(), c)))
        .collect();
    if cols.is_empty() {
        return;
    }
    out.push_str("<h3>Keywords per language</h3>\n");
    let head: Vec<String> = cols
        .iter()
        .map(|(lang, c)| match c.documents {
            Some(n) => format!("{lang} · {n} docs"),
            None => lang.to_string(),
        })
        .collect();
    let head_refs: Vec<&str> = std::iter::once("rank")
        .chain(head.iter().map(String::as_str))
        .collect();
    let mut rows: Vec<Vec<String>> = (0..LANGUAGE_WORDS)
        .map(|r| vec![(r + 1).to_string()])
        .collect();
    for (_, c) in &cols {
        for (r, row) in rows.iter_mut().enumerate() {
            row.push(match c.keywords.get(r) {
                Some(kw) if kw.translations.is_empty() => esc(&kw.word),
                Some(kw) => {
                    let t: Vec<String> = kw
                        .translations
                        .iter()
                        .map(|t| format!("{}: {}", t.lang, t.word))
                        .collect();
                    format!(
                        "<span class=\"translated\" title=\"{}\">{}</span>",
                        esc(&t.join(", ")),
                        esc(&kw.word)
                    )
                }
                None if r == 0 => "<span class=\"muted\">—</span>".to_string(),
                None => String::new(),
            });
        }
    }
    rows.retain(|r| r.iter().skip(1).any(|c| !c.is_empty()));
    out.push_str("<div class=\"scroll\">\n");
    table(out, "languages", &head_refs, &rows);
    out.push_str("</div>\n");
    let notes: Vec<String> = cols
        .iter()
        .filter_map(|(lang, c)| c.note.as_ref().map(|n| format!("{lang}: {n}")))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"language-notes\"><summary>Notes ({})</summary>",
            notes.len()
        );
        for n in &notes {
            out.push_str(&note(n));
        }
        out.push_str("</details>\n");
    }
    translations(out, &cols);
}

/// Each keyword with translations, of every language, with its equivalents in a
/// column per other language.
fn translations(out: &mut String, cols: &[(&str, &LanguageClass)]) {
    let langs: Vec<&str> = cols.iter().map(|(l, _)| *l).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (lang, c) in cols {
        for kw in c.keywords.iter().filter(|k| !k.translations.is_empty()) {
            let mut row = vec![format!(
                "{} <span class=\"muted\">{lang}</span>",
                esc(&kw.word)
            )];
            for other in &langs {
                row.push(
                    kw.translations
                        .iter()
                        .find(|t| t.lang == *other)
                        .map(|t| esc(&t.word))
                        .unwrap_or_default(),
                );
            }
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details class=\"translations\"><summary>Translations ({} keywords): equivalents \
         found in the attributions of translated documents</summary>",
        rows.len()
    );
    let head: Vec<&str> = std::iter::once("keyword")
        .chain(langs.iter().copied())
        .collect();
    out.push_str("<div class=\"scroll\">\n");
    table(out, "translations", &head, &rows);
    out.push_str("</div>\n</details>\n");
}
