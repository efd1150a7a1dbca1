//! Keyword-quality metrics (`evaluation.json`): the IG keywords next to the
//! classical baselines, one table per K.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use sacx_aggregate::Faithfulness;
use sacx_aggregate::{Evaluation, Method, MetricsAtK, PerClass};

use super::html::{esc, note, num};
use super::load::RunData;

/// Whether a larger value of a metric is better.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Higher,
    Lower,
    /// A reference row (the random control): nothing is emphasised.
    Neither,
}

type Getter = fn(&MetricsAtK) -> (Option<f64>, Option<f64>);

fn per_class(p: &PerClass) -> (Option<f64>, Option<f64>) {
    (p.mean, p.std)
}

fn faith(m: &MetricsAtK, f: fn(&Faithfulness) -> &PerClass) -> (Option<f64>, Option<f64>) {
    m.faithfulness
        .as_ref()
        .map_or((None, None), |x| per_class(f(x)))
}

const ROWS: [(&str, Better, Getter); 15] = [
    ("distinctiveness", Better::Higher, |m| {
        per_class(&m.distinctiveness)
    }),
    ("macro coverage", Better::Higher, |m| {
        per_class(&m.macro_coverage)
    }),
    ("micro coverage", Better::Higher, |m| {
        (m.micro_coverage, None)
    }),
    ("cross-coverage", Better::Lower, |m| {
        per_class(&m.cross_coverage)
    }),
    ("generic-word share", Better::Lower, |m| {
        m.generic_share.as_ref().map_or((None, None), per_class)
    }),
    (
        "coverage distinctiveness: difference",
        Better::Higher,
        |m| (m.coverage_distinctiveness.difference, None),
    ),
    ("coverage distinctiveness: ratio", Better::Higher, |m| {
        (m.coverage_distinctiveness.ratio, None)
    }),
    (
        "coverage distinctiveness: normalised",
        Better::Higher,
        |m| (m.coverage_distinctiveness.normalised, None),
    ),
    ("corpus coverage", Better::Higher, |m| {
        per_class(&m.corpus_coverage)
    }),
    ("comprehensiveness: probability drop", Better::Higher, |m| {
        faith(m, |f| &f.keywords.comprehensiveness_prob)
    }),
    ("comprehensiveness: logit drop", Better::Higher, |m| {
        faith(m, |f| &f.keywords.comprehensiveness_logit)
    }),
    ("sufficiency: probability kept", Better::Higher, |m| {
        faith(m, |f| &f.keywords.sufficiency_prob)
    }),
    (
        "control (K random words): probability drop",
        Better::Neither,
        |m| faith(m, |f| &f.control.comprehensiveness_prob),
    ),
    (
        "control (K random words): probability kept",
        Better::Neither,
        |m| faith(m, |f| &f.control.sufficiency_prob),
    ),
    ("classes with keywords", Better::Higher, |m| {
        let n = m
            .distinctiveness
            .per_class
            .values()
            .filter(|v| v.is_some())
            .count();
        (Some(n as f64), None)
    }),
];

/// The section: one table per K with a column per method; the best value of each
/// row is emphasised.
pub fn evaluation_section(data: &RunData) -> String {
    let mut out = String::from(
        "<section id=\"evaluation\">\n<h2>Keyword evaluation</h2>\n\
         <p class=\"lead\">Quality of each class's top K keywords (formulas in docs/metrics.md): \
         the IG keywords of this run next to the classical baselines. Values are means over \
         classes (± population standard deviation); the best value of each row is in bold \
         (lowest for cross-coverage and the generic-word share, highest otherwise). The \
         generic-word share is the share of a list among the corpus's most \
         document-frequent words (its function words, in every language). Faithfulness: each seed's model on \
         its validation documents of the class, with every token of the class's top K \
         keywords deleted (probability and logit drop) or kept alone (probability kept); \
         the control rows do the same with K random vocabulary words.</p>\n",
    );
    if data.evaluations.is_empty() {
        out.push_str(&note(
            "evaluation.json is missing: no keyword evaluation to show.",
        ));
        out.push_str("</section>\n");
        return out;
    }
    let evals = &data.evaluations;
    if !evals.iter().any(|e| e.method != Method::Ig) {
        out.push_str(&note(
            "evaluation.json holds no baseline method: the IG keywords are shown alone.",
        ));
    }
    let first = &evals[0];
    let _ = writeln!(
        out,
        "<p class=\"muted\">Evaluated on {} documents, labels from {}.</p>",
        first.n_documents,
        esc(&first.label_source.to_string())
    );
    let ks: BTreeSet<usize> = evals
        .iter()
        .flat_map(|e| e.results.iter().map(|r| r.k))
        .collect();
    for k in ks {
        k_table(&mut out, evals, k);
    }
    out.push_str("</section>\n");
    out
}

/// The table of the top `k` keywords: a row per metric, a column per method.
fn k_table(out: &mut String, evals: &[Evaluation], k: usize) {
    let _ = writeln!(out, "<h3>Top {k} keywords per class</h3>");
    let cols: Vec<Option<&MetricsAtK>> = evals
        .iter()
        .map(|e| e.results.iter().find(|r| r.k == k))
        .collect();
    out.push_str("<table class=\"evaluation\">\n<thead><tr><th scope=\"col\">metric</th>");
    for e in evals {
        let cls = if e.method == Method::Ig {
            " class=\"ig\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<th scope=\"col\"{cls}>{}</th>",
            esc(&e.method.to_string())
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (name, better, get) in ROWS {
        let values: Vec<(Option<f64>, Option<f64>)> = cols
            .iter()
            .map(|c| c.map(get).unwrap_or((None, None)))
            .collect();
        metric_row(out, name, better, &values, values_len(&cols) > 1);
    }
    out.push_str("</tbody></table>\n");
}

/// One metric's row: mean ± std per method, the best one emphasised when
/// there is more than one method to compare.
fn metric_row(
    out: &mut String,
    name: &str,
    better: Better,
    values: &[(Option<f64>, Option<f64>)],
    compare: bool,
) {
    let best = values
        .iter()
        .filter_map(|(m, _)| m.filter(|v| v.is_finite()))
        .reduce(|a, b| match better {
            Better::Higher | Better::Neither => a.max(b),
            Better::Lower => a.min(b),
        });
    let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(name));
    let digits = if name == "classes with keywords" {
        0
    } else {
        3
    };
    for &(m, s) in values {
        let text = match s {
            Some(s) if m.is_some() => {
                format!(
                    "{} <span class=\"pm\">± {}</span>",
                    num(m, digits),
                    num(Some(s), digits)
                )
            }
            _ => num(m, digits),
        };
        let is_best = better != Better::Neither && compare && m.is_some() && m == best;
        if is_best {
            let _ = write!(out, "<td class=\"best\"><strong>{text}</strong></td>");
        } else {
            let _ = write!(out, "<td>{text}</td>");
        }
    }
    out.push_str("</tr>\n");
}

fn values_len(cols: &[Option<&MetricsAtK>]) -> usize {
    cols.iter().filter(|c| c.is_some()).count()
}

/// A line for a class section: the IG keywords' distinctiveness and coverages of
/// this class at the smallest K, or `None` without an IG evaluation.
pub fn class_line(data: &RunData, label: &str) -> Option<String> {
    let ig = data.evaluations.iter().find(|e| e.method == Method::Ig)?;
    let r = ig.results.iter().min_by_key(|r| r.k)?;
    let get = |p: &PerClass| p.per_class.get(label).copied().flatten();
    Some(format!(
        "<p class=\"classline\">Top {} keywords: distinctiveness {}, macro coverage {}, \
         cross-coverage {}, corpus coverage {}, probability drop when deleted {}; {} \
         evaluation documents of this class.</p>\n",
        r.k,
        num(get(&r.distinctiveness), 3),
        num(get(&r.macro_coverage), 3),
        num(get(&r.cross_coverage), 3),
        num(get(&r.corpus_coverage), 3),
        num(
            r.faithfulness
                .as_ref()
                .and_then(|f| get(&f.keywords.comprehensiveness_prob)),
            3
        ),
        ig.class_documents.get(label).copied().unwrap_or(0)
    ))
}

/// The run's keyword stability across seeds, one paragraph (empty without an
/// estimate: a single run, or an evaluation from before it existed).
pub fn stability_summary(evals: &[Evaluation]) -> String {
    let Some(st) = evals
        .iter()
        .find(|e| e.method == Method::Ig)
        .and_then(|e| e.stability.as_ref())
    else {
        return String::new();
    };
    let [lo, hi] = st.mean_rbo_interval;
    format!(
        "<p class=\"stability\">Keyword stability across seeds: the top {} lists of {} \
         other seeds would agree with these at <strong>{}</strong> (rank-biased overlap, \
         mean over {} classes; 95 % interval {}–{}; Jaccard {}), predicted from {} random \
         splits of the {} seeds into halves of {} (docs/metrics.md).</p>\n",
        st.params.k(),
        st.seeds,
        num(Some(st.mean_rbo), 2),
        st.classes.len(),
        num(Some(lo), 2),
        num(Some(hi), 2),
        num(Some(st.mean_jaccard), 2),
        st.params.splits(),
        st.seeds,
        st.half,
    )
}

/// A class's stability line beside its keyword list, or `None` without an
/// estimate for it.
pub fn class_stability(data: &RunData, label: &str) -> Option<String> {
    let ig = data.evaluations.iter().find(|e| e.method == Method::Ig)?;
    let st = ig.stability.as_ref()?;
    let c = st.class(label)?;
    Some(format!(
        "<p class=\"stability\" data-stability=\"{:.4}\">Stability of the top {}: \
         <strong>{}</strong> (range over splits {}–{}; Jaccard {}): how far another {} \
         seeds would keep this list.</p>\n",
        c.rbo,
        st.params.k(),
        num(Some(c.rbo), 2),
        num(Some(c.rbo_interval[0]), 2),
        num(Some(c.rbo_interval[1]), 2),
        num(Some(c.jaccard), 2),
        st.seeds,
    ))
}
