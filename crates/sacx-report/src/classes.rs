//! One section per class: its keyword chart, the full and unstable lists (folded),
//! the baselines' top words, the class's figures and example documents.

use std::fmt::Write as _;

use sacx_aggregate::{Keyword, Ranking};

use super::chart::keyword_chart;
use super::examples::{self, Example};
use super::html::{esc, note, num, score, table};
use super::load::RunData;
use super::{evaluation, languages, metrics};

/// Keywords drawn in a class's chart; the full list is in a folded table.
pub const CHART_WORDS: usize = 30;
/// Words of each baseline shown per class.
const BASELINE_WORDS: usize = 10;

/// Every class section, in label order.
pub fn classes_section(
    data: &RunData,
    labels: &[String],
    chosen: &[Vec<Example>],
    threshold: f32,
) -> String {
    let mut out = String::from("<section id=\"classes\">\n<h2>Classes</h2>\n");
    match &data.keywords {
        None => out.push_str(&note(
            "keywords/keywords.json is missing: no keyword lists to show (run sacx keywords).",
        )),
        Some(k) => {
            let ranking = k.ranking_parameters().map(|p| p.ranking());
            let order = match ranking {
                Some(Ranking::Contrast) => {
                    "Keywords ranked by support × specificity × association: the word's \
                     attribution mass per explained class document, times the share of its mass \
                     that goes to this class, times how strongly the corpus ties it to the class \
                     (the share of its document rate in the class above its rate elsewhere); \
                     bars show the mean attribution"
                }
                Some(Ranking::Support) => {
                    "Keywords ranked by support × specificity: the word's attribution mass per \
                     explained class document times the share of its mass that goes to this class; \
                     bars show the mean attribution"
                }
                _ => "Keywords ranked by mean attribution over the runs they were selected in",
            };
            let _ = writeln!(
                out,
                "<p class=\"lead\">{order}; whiskers show ± one standard deviation, and the \
                 right column the runs a word was selected in ({} run{} in all). Only words with \
                 a positive mean attribution are keywords. Counter-evidence (stable words that \
                 push the models away from the class) and unstable words (selected in too few \
                 runs or too variable) are folded below each chart.</p>",
                k.runs.len(),
                if k.runs.len() == 1 { "" } else { "s" }
            );
        }
    }
    out.push_str(&examples::legend());
    for i in 0..labels.len() {
        class_section(&mut out, data, labels, i, chosen.get(i), threshold);
    }
    out.push_str("</section>\n");
    out
}

/// The section of class `labels[i]`.
fn class_section(
    out: &mut String,
    data: &RunData,
    labels: &[String],
    i: usize,
    chosen: Option<&Vec<Example>>,
    threshold: f32,
) {
    let label = &labels[i];
    let _ = writeln!(
        out,
        "<section class=\"class\" id=\"class-{i}\" data-class=\"{}\">\n<h2>{}</h2>",
        esc(label),
        esc(label)
    );
    if let Some(line) = metrics::class_line(data, label) {
        out.push_str(&line);
    }
    if let Some(line) = evaluation::class_line(data, label) {
        out.push_str(&line);
    }
    keyword_lists(out, data, label);
    languages::language_lists(out, data.keywords.as_ref(), label);
    baselines(out, data, label);
    out.push_str("<h3>Example documents</h3>\n");
    match chosen {
        Some(ex) if !ex.is_empty() => out.push_str(&examples::render(ex, i, labels, threshold)),
        _ => out.push_str(&note("No explained document is predicted as this class.")),
    }
    out.push_str("</section>\n");
}

/// A class's keyword chart, its full list when longer than the chart, and the
/// folded counter-evidence and unstable words.
fn keyword_lists(out: &mut String, data: &RunData, label: &str) {
    let lists = data.keywords.as_ref().and_then(|k| k.class(label));
    let n_runs = data.keywords.as_ref().map_or(0, |k| k.runs.len());
    let (stable, unstable, counter): (&[Keyword], &[Keyword], &[Keyword]) =
        lists.map_or((&[], &[], &[]), |c| (&c.keywords, &c.unstable, &c.counter));
    out.push_str("<h3>Keywords</h3>\n");
    if let Some(line) = evaluation::class_stability(data, label) {
        out.push_str(&line);
    }
    if let Some(why) = lists.and_then(|c| c.note.as_deref()) {
        out.push_str(&note(&format!("No keywords: {why}.")));
    }
    out.push_str(&keyword_chart(
        label,
        &stable[..stable.len().min(CHART_WORDS)],
        n_runs,
    ));
    if stable.len() > CHART_WORDS {
        let _ = writeln!(
            out,
            "<details><summary>All {} keywords</summary>",
            stable.len()
        );
        word_table(out, stable, n_runs);
        out.push_str("</details>\n");
    }
    for (class, title, list) in [
        ("counter", "Counter-evidence", counter),
        ("unstable", "Unstable words", unstable),
    ] {
        let _ = writeln!(
            out,
            "<details class=\"{class}\"><summary>{title} ({})</summary>",
            list.len()
        );
        if list.is_empty() {
            out.push_str(&note("none"));
        } else {
            word_table(out, list, n_runs);
        }
        out.push_str("</details>\n");
    }
}

fn word_table(out: &mut String, words: &[Keyword], n_runs: usize) {
    let head = [
        "rank",
        "word",
        "mean",
        "std",
        "runs",
        "occurrences",
        "documents",
        "corpus freq.",
        "mass",
        "specificity",
    ];
    let rows: Vec<Vec<String>> = words
        .iter()
        .enumerate()
        .map(|(i, k)| {
            vec![
                (i + 1).to_string(),
                esc(&k.word),
                score(k.score_mean),
                score(k.score_std),
                if n_runs > 0 {
                    format!("{}/{n_runs}", k.runs)
                } else {
                    k.runs.to_string()
                },
                k.occurrences.to_string(),
                k.documents.to_string(),
                num(k.corpus_freq.map(|n| n as f64), 0),
                score(k.mass),
                num(Some(k.specificity), 3),
            ]
        })
        .collect();
    table(out, "words", &head, &rows);
}

fn baselines(out: &mut String, data: &RunData, label: &str) {
    if data.baselines.is_empty() {
        return;
    }
    out.push_str("<h3>Classical baselines</h3>\n<dl class=\"baselines\">\n");
    for b in &data.baselines {
        let words: Vec<&str> = b
            .class(label)
            .map(|c| {
                c.keywords
                    .iter()
                    .take(BASELINE_WORDS)
                    .map(|k| k.word.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(&b.method.to_string()),
            if words.is_empty() {
                "—".to_string()
            } else {
                esc(&words.join(", "))
            }
        );
    }
    out.push_str("</dl>\n");
}
