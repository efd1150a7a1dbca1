//! The run's details (`run.json`: versions, device, timings, and the
//! parameters folded and grouped by stage) and the table of contents by class.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::{duration, esc, note, score};
use super::load::RunData;
use super::params::{flatten, group};

const MAX_FIELDS: usize = 400;

/// The run's details: facts found in the directory, then every field of
/// `run.json`, the parameters inside a closed `<details>`, one card per stage.
pub fn run_section(data: &RunData) -> String {
    let mut out =
        String::from("<section id=\"run\">\n<h2>Run details</h2>\n<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(out, "<div><dt>{}</dt><dd>{v}</dd></div>", esc(k));
    };
    fact("directory", esc(&data.dir.display().to_string()));
    let summaries: Vec<_> = data
        .seeds
        .iter()
        .filter_map(|s| s.summary.as_ref())
        .collect();
    if !summaries.is_empty() {
        let docs: usize = summaries.iter().map(|s| s.documents).sum();
        let pairs: usize = summaries.iter().map(|s| s.pairs).sum();
        fact("explained documents (all seeds)", docs.to_string());
        fact("explained (document, class) pairs", pairs.to_string());
    }
    if let Some(k) = &data.keywords {
        fact("keyword method", esc(&k.method.to_string()));
    }
    out.push_str("</dl>\n");
    match &data.run {
        None => out.push_str(&note(
            "run.json is missing: the parameters, versions and timings of this run are unknown.",
        )),
        Some(Value::Object(map)) => {
            let mut scalars = Vec::new();
            let mut groups = Vec::new();
            for (k, v) in map.iter().filter(|(k, _)| *k != "parameters") {
                match v {
                    Value::Object(_) | Value::Array(_) if has_objects(v) => groups.push((k, v)),
                    _ => flatten(k, v, &mut scalars),
                }
            }
            out.push_str("<div class=\"cards\">\n");
            if !scalars.is_empty() {
                card(&mut out, "run.json", &scalars);
            }
            for (k, v) in groups {
                let mut fields = Vec::new();
                flatten("", v, &mut fields);
                card(&mut out, k, &fields);
            }
            out.push_str("</div>\n");
            match map.get("parameters") {
                Some(p) => out.push_str(&parameters(p)),
                None => out.push_str(&note("run.json lists no parameters.")),
            }
        }
        Some(other) => {
            let mut fields = Vec::new();
            flatten("run.json", other, &mut fields);
            out.push_str("<div class=\"cards\">\n");
            card(&mut out, "run.json", &fields);
            out.push_str("</div>\n");
        }
    }
    out.push_str("</section>\n");
    out
}

/// The parameters, folded (a `<details>` closed by default), one card per
/// stage in pipeline order.
fn parameters(p: &Value) -> String {
    let groups = group(p);
    let count: usize = groups.iter().map(|g| g.fields.len()).sum();
    let names: Vec<&str> = groups.iter().map(|g| g.stage).collect();
    let mut out = format!(
        "<details class=\"params\"><summary>Parameters ({count}, by stage: {})</summary>\n\
         <div class=\"cards\">\n",
        esc(&names.join(", "))
    );
    for g in &groups {
        card(&mut out, g.stage, &g.fields);
    }
    out.push_str("</div>\n</details>\n");
    out
}

fn has_objects(v: &Value) -> bool {
    match v {
        Value::Object(_) => true,
        Value::Array(items) => items.iter().any(|i| i.is_object() || i.is_array()),
        _ => false,
    }
}

/// A titled table of (key, value) fields; values of time-like keys get a duration.
fn card(out: &mut String, title: &str, fields: &[(String, Value)]) {
    let _ = writeln!(
        out,
        "<div class=\"card\"><h3>{}</h3><table class=\"kv\"><tbody>",
        esc(title)
    );
    let timed = is_time_key(title);
    for (k, v) in fields.iter().take(MAX_FIELDS) {
        let shown = match v {
            Value::String(s) => esc(s),
            Value::Null => "—".to_string(),
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                let text = if n.is_f64() { score(f) } else { n.to_string() };
                if timed || is_time_key(k) {
                    format!("<span title=\"{} s\">{}</span>", esc(&text), duration(f))
                } else {
                    esc(&text)
                }
            }
            other => esc(&other.to_string()),
        };
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{shown}</td></tr>",
            esc(k)
        );
    }
    if fields.len() > MAX_FIELDS {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"2\" class=\"muted\">{} more fields not shown</td></tr>",
            fields.len() - MAX_FIELDS
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn is_time_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["second", "timing", "duration", "elapsed"]
        .iter()
        .any(|w| k.contains(w))
        || k == "time"
        || k.ends_with("_s")
}

/// The table of contents: the page's parts, then one entry per class with its first
/// keywords.
pub fn toc(data: &RunData, labels: &[String]) -> String {
    let mut out = String::from(
        "<nav id=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol class=\"parts\">\
         <li><a href=\"#summary\">Summary</a></li>\
         <li><a href=\"#classification\">Classification metrics</a></li>\
         <li><a href=\"#evaluation\">Keyword evaluation</a></li>\
         <li><a href=\"#classes\">Classes</a></li>\
         <li><a href=\"#run\">Run details</a></li></ol>\n<ol class=\"classes\">\n",
    );
    for (i, label) in labels.iter().enumerate() {
        let preview = data
            .keywords
            .as_ref()
            .and_then(|k| k.class(label))
            .map(|c| {
                c.keywords
                    .iter()
                    .take(3)
                    .map(|k| k.word.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li><a href=\"#class-{i}\">{}</a> <span class=\"muted\">{}</span></li>",
            esc(label),
            esc(&preview)
        );
    }
    out.push_str("</ol>\n</nav>\n");
    out
}
