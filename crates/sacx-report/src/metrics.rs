//! Classification metrics (each seed's `model/metrics.json`) and explanation
//! statistics (each seed's `explanations/summary.json`).

use std::collections::BTreeSet;

use sacx_data::metrics::MetricSet;

use super::html::{duration, esc, mean_pm, note, num, table};
use super::load::RunData;

/// The section: per seed, per language, and the explanation statistics.
pub fn classification_section(data: &RunData) -> String {
    let mut out = String::from(
        "<section id=\"classification\">\n<h2>Classification metrics</h2>\n\
         <p class=\"lead\">Validation documents of each seed's model. F1 figures use the \
         run's decision threshold; P@k and nDCG@k rank all classes by probability.</p>\n",
    );
    let with_metrics: Vec<_> = data
        .seeds
        .iter()
        .filter_map(|s| s.metrics.as_ref().map(|m| (s, m)))
        .collect();
    if with_metrics.is_empty() {
        out.push_str(&note(
            "No runs/seed-<N>/model/metrics.json found: no classification metrics to show.",
        ));
    } else {
        per_seed(&mut out, &with_metrics);
        per_language(&mut out, &with_metrics);
    }
    out.push_str(&explanation_table(data));
    out.push_str("</section>\n");
    out
}

/// The seeds whose metrics were found, with them.
type WithMetrics<'a> = [(&'a crate::SeedRun, &'a sacx_data::metrics::Metrics)];

/// One row per seed (and a mean ± std row).
fn per_seed(out: &mut String, with_metrics: &WithMetrics<'_>) {
    out.push_str("<h3>Per seed</h3>\n");
    let head = [
        "seed",
        "docs",
        "threshold",
        "micro P",
        "micro R",
        "micro F1",
        "macro F1",
        "exact match",
        "P@1",
        "P@3",
        "nDCG@3",
        "best threshold (micro F1)",
    ];
    let mut rows: Vec<Vec<String>> = with_metrics
        .iter()
        .map(|(s, m)| {
            let mut row = vec![esc(&s.seed.to_string())];
            row.extend(set_cells(&m.overall));
            row.insert(2, num(Some(m.threshold), 3));
            row.push(format!(
                "{} ({})",
                num(Some(m.best_threshold.threshold), 3),
                num(Some(m.best_threshold.micro_f1), 3)
            ));
            row
        })
        .collect();
    if with_metrics.len() > 1 {
        let sets: Vec<&MetricSet> = with_metrics.iter().map(|(_, m)| &m.overall).collect();
        let mut row = vec!["mean ± std".to_string()];
        row.extend(mean_cells(&sets));
        row.insert(2, String::new());
        row.push(String::new());
        rows.push(row);
    }
    table(out, "metrics seeds", &head, &rows);
}

/// One row per language, mean ± std over the seeds that have it.
fn per_language(out: &mut String, with_metrics: &WithMetrics<'_>) {
    out.push_str("<h3>Per language</h3>\n<p class=\"muted\">Mean ± standard deviation over the seeds whose validation set has the language.</p>\n");
    let langs: BTreeSet<&str> = with_metrics
        .iter()
        .flat_map(|(_, m)| m.per_language.keys().map(String::as_str))
        .collect();
    let head = [
        "language",
        "seeds",
        "docs",
        "micro P",
        "micro R",
        "micro F1",
        "macro F1",
        "exact match",
        "P@1",
        "P@3",
        "nDCG@3",
    ];
    let rows: Vec<Vec<String>> = langs
        .iter()
        .map(|lang| {
            let sets: Vec<&MetricSet> = with_metrics
                .iter()
                .filter_map(|(_, m)| m.per_language.get(*lang))
                .collect();
            let mut row = vec![esc(lang), sets.len().to_string()];
            row.extend(mean_cells(&sets));
            row
        })
        .collect();
    table(out, "metrics languages", &head, &rows);
}

fn at(m: &std::collections::BTreeMap<String, f64>, k: &str) -> Option<f64> {
    m.get(k).copied()
}

fn set_cells(m: &MetricSet) -> Vec<String> {
    vec![
        m.documents.to_string(),
        num(Some(m.micro_precision), 3),
        num(Some(m.micro_recall), 3),
        num(Some(m.micro_f1), 3),
        num(Some(m.macro_f1), 3),
        num(Some(m.subset_accuracy), 3),
        num(at(&m.precision_at, "1"), 3),
        num(at(&m.precision_at, "3"), 3),
        num(at(&m.ndcg_at, "3"), 3),
    ]
}

fn mean_cells(sets: &[&MetricSet]) -> Vec<String> {
    let col = |f: &dyn Fn(&MetricSet) -> Option<f64>| -> String {
        let v: Vec<f64> = sets.iter().filter_map(|m| f(m)).collect();
        mean_pm(&v, 3)
    };
    let docs: Vec<f64> = sets.iter().map(|m| m.documents as f64).collect();
    vec![
        mean_pm(&docs, 0),
        col(&|m| Some(m.micro_precision)),
        col(&|m| Some(m.micro_recall)),
        col(&|m| Some(m.micro_f1)),
        col(&|m| Some(m.macro_f1)),
        col(&|m| Some(m.subset_accuracy)),
        col(&|m| at(&m.precision_at, "1")),
        col(&|m| at(&m.precision_at, "3")),
        col(&|m| at(&m.ndcg_at, "3")),
    ]
}

fn explanation_table(data: &RunData) -> String {
    let mut out = String::from("<h3>Explanations</h3>\n");
    let rows: Vec<Vec<String>> = data
        .seeds
        .iter()
        .filter_map(|s| {
            let x = s.summary.as_ref()?;
            Some(vec![
                esc(&s.seed.to_string()),
                x.documents.to_string(),
                x.pairs.to_string(),
                x.documents_without_target.to_string(),
                num(Some(x.mean_rel_delta), 4),
                num(Some(x.max_rel_delta), 4),
                num(Some(x.mean_steps), 1),
                x.max_steps.to_string(),
                x.shards.to_string(),
                duration(x.seconds),
            ])
        })
        .collect();
    if rows.is_empty() {
        out.push_str(&note(
            "No runs/seed-<N>/explanations/summary.json found: no explanation statistics.",
        ));
        return out;
    }
    out.push_str(
        "<p class=\"muted\">Relative completeness gap: |Σ attributions − (F(x) − F(baseline))| / |F(x) − F(baseline)|; small is faithful.</p>\n",
    );
    let head = [
        "seed",
        "docs",
        "pairs",
        "docs without target",
        "mean rel. gap",
        "max rel. gap",
        "mean steps",
        "max steps",
        "shards",
        "time (last invocation)",
    ];
    table(&mut out, "metrics explanations", &head, &rows);
    out
}

/// Per-class line for a class section: F1, precision and recall (mean over seeds)
/// and the support, or `None` without metrics.
pub fn class_line(data: &RunData, label: &str) -> Option<String> {
    let per: Vec<_> = data
        .seeds
        .iter()
        .filter_map(|s| s.metrics.as_ref())
        .filter_map(|m| m.overall.per_class.iter().find(|c| c.label == label))
        .collect();
    if per.is_empty() {
        return None;
    }
    let f1: Vec<f64> = per.iter().map(|c| c.f1).collect();
    let p: Vec<f64> = per.iter().map(|c| c.precision).collect();
    let r: Vec<f64> = per.iter().map(|c| c.recall).collect();
    let support: Vec<f64> = per.iter().map(|c| c.support as f64).collect();
    Some(format!(
        "<p class=\"classline\">Classifier on this class ({} seed{}): F1 {}, precision {}, recall {}; \
         validation support {}.</p>\n",
        per.len(),
        if per.len() == 1 { "" } else { "s" },
        mean_pm(&f1, 3),
        mean_pm(&p, 3),
        mean_pm(&r, 3),
        mean_pm(&support, 0),
    ))
}
