//! The first section of the page: what the run was about and how well it
//! went, from what [`RunData`] already holds: the corpus (name from
//! `run.json`, size from the seeds' `split.json`, languages, classes), the
//! seeds, the models' validation F1 (`metrics.json`) and the IG keywords
//! against the best baseline at the smallest K (`evaluation.json`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use sacx_aggregate::{Evaluation, Method, MetricsAtK};
use serde_json::Value;

use super::html::{esc, mean_pm, num};
use super::load::RunData;

/// A keyword metric of the summary: its name, a short gloss and its value.
type Row = (&'static str, &'static str, fn(&MetricsAtK) -> Option<f64>);

/// The metrics the summary compares, all "higher is better".
const ROWS: [Row; 3] = [
    (
        "distinctiveness",
        "how much more the words occur in their class than elsewhere",
        |m| m.distinctiveness.mean,
    ),
    (
        "macro coverage",
        "share of the class's documents that contain a keyword",
        |m| m.macro_coverage.mean,
    ),
    (
        "comprehensiveness",
        "probability drop when the keywords are deleted",
        |m| {
            m.faithfulness
                .as_ref()
                .and_then(|f| f.keywords.comprehensiveness_prob.mean)
        },
    ),
];

/// The summary section (`id="summary"`).
pub fn summary_section(data: &RunData, labels: &[String]) -> String {
    let mut out =
        String::from("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(out, "<div><dt>{}</dt><dd>{v}</dd></div>", esc(k));
    };
    let corpus = data
        .run
        .as_ref()
        .and_then(|r| r.get("corpus"))
        .and_then(Value::as_str);
    fact("corpus", corpus.map_or_else(|| "unknown".into(), esc));
    if let Some(n) = corpus_documents(data) {
        fact("documents", n.to_string());
    }
    let langs = languages(data);
    if !langs.is_empty() {
        let list: Vec<&str> = langs.iter().map(String::as_str).collect();
        fact(
            "languages",
            format!("{} ({})", langs.len(), esc(&list.join(", "))),
        );
    }
    fact("classes", labels.len().to_string());
    let seeds: Vec<String> = data.seeds.iter().map(|s| s.seed.to_string()).collect();
    fact(
        "seeds",
        if seeds.is_empty() {
            "none found".into()
        } else {
            format!("{} ({})", seeds.len(), esc(&seeds.join(", ")))
        },
    );
    let overall: Vec<_> = data
        .seeds
        .iter()
        .filter_map(|s| s.metrics.as_ref().map(|m| &m.overall))
        .collect();
    if !overall.is_empty() {
        let macro_f1: Vec<f64> = overall.iter().map(|m| m.macro_f1).collect();
        let micro_f1: Vec<f64> = overall.iter().map(|m| m.micro_f1).collect();
        fact("validation macro-F1", mean_pm(&macro_f1, 3));
        fact("validation micro-F1", mean_pm(&micro_f1, 3));
    }
    out.push_str("</dl>\n");
    if overall.is_empty() {
        out.push_str("<p class=\"muted\">No seed's metrics.json: model quality unknown.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p class=\"muted\">F1: mean over the {} seed{} with metrics (± standard deviation), \
             on each seed's validation documents.</p>",
            overall.len(),
            if overall.len() == 1 { "" } else { "s" }
        );
    }
    out.push_str(&keyword_comparison(&data.evaluations));
    out.push_str(&crate::evaluation::stability_summary(&data.evaluations));
    out.push_str("</section>\n");
    out
}

/// Documents in the corpus: training plus validation documents of the first
/// seed's `split.json`.
fn corpus_documents(data: &RunData) -> Option<u64> {
    let split = data.seeds.iter().find_map(|s| s.split.as_ref())?;
    let count = |k: &str| split.get(k).and_then(Value::as_u64);
    Some(count("train_documents")? + count("valid_documents")?)
}

/// The corpus's languages: those of the per-language keywords and of the
/// seeds' validation metrics.
fn languages(data: &RunData) -> BTreeSet<String> {
    let from_keywords = data
        .keywords
        .iter()
        .flat_map(|k| k.languages.iter().map(|l| l.lang.clone()));
    let from_metrics = data
        .seeds
        .iter()
        .filter_map(|s| s.metrics.as_ref())
        .flat_map(|m| m.per_language.keys().cloned());
    from_keywords.chain(from_metrics).collect()
}

/// One sentence and a three-row table: the IG keywords against the best
/// baseline, metric by metric, at the smallest K IG was evaluated at.
fn keyword_comparison(evals: &[Evaluation]) -> String {
    let Some(ig) = evals.iter().find(|e| e.method == Method::Ig) else {
        return "<p class=\"muted\">No IG keyword evaluation (evaluation.json).</p>\n".into();
    };
    let Some(ig_k) = ig.results.iter().min_by_key(|r| r.k) else {
        return "<p class=\"muted\">The IG keyword evaluation holds no result.</p>\n".into();
    };
    let k = ig_k.k;
    let baselines: Vec<(Method, &MetricsAtK)> = evals
        .iter()
        .filter(|e| e.method != Method::Ig)
        .filter_map(|e| e.results.iter().find(|r| r.k == k).map(|r| (e.method, r)))
        .collect();
    let mut out = String::new();
    let mut wins = 0;
    let mut rows = String::new();
    for (name, gloss, get) in ROWS {
        let mine = get(ig_k).filter(|v| v.is_finite());
        let best = baselines
            .iter()
            .filter_map(|(m, r)| get(r).filter(|v| v.is_finite()).map(|v| (*m, v)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a });
        if let (Some(v), Some((_, b))) = (mine, best)
            && v >= b
        {
            wins += 1;
        }
        let _ = writeln!(
            rows,
            "<tr><th scope=\"row\" title=\"{}\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(gloss),
            esc(name),
            num(mine, 3),
            num(best.map(|b| b.1), 3),
            best.map_or_else(|| "—".into(), |b| esc(&b.0.to_string()))
        );
    }
    if baselines.is_empty() {
        let _ = writeln!(
            out,
            "<p>IG keywords, top {k} per class (no baseline was evaluated):</p>"
        );
    } else {
        let _ = writeln!(
            out,
            "<p>IG keywords, top {k} per class, against the best of {} baseline{}: \
             IG is as good or better on {wins} of {} measures.</p>",
            baselines.len(),
            if baselines.len() == 1 { "" } else { "s" },
            ROWS.len()
        );
    }
    out.push_str(
        "<table class=\"summary-eval\">\n<thead><tr><th scope=\"col\">top-K measure (mean over \
         classes)</th><th scope=\"col\" class=\"ig\">IG</th><th scope=\"col\">best \
         baseline</th><th scope=\"col\">which</th></tr></thead>\n<tbody>\n",
    );
    out.push_str(&rows);
    out.push_str("</tbody></table>\n");
    out
}
