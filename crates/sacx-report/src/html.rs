//! HTML text helpers: escaping and number formatting.
//!
//! Every piece of text that comes from a file (documents, words, class names,
//! parameters) goes through [`esc`] before it reaches the page, in text and in
//! attribute values alike.

use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become character references; C0 control characters
/// other than tab, newline and carriage return (and DEL) become U+FFFD, since they
/// are not allowed in HTML text.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A number with `digits` decimals, or an em dash for a missing or non-finite value.
pub fn num(value: Option<f64>, digits: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "—".to_string(),
    }
}

/// A score with four significant decimals in scientific notation when tiny.
pub fn score(v: f64) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        format!("{v:.4}")
    }
}

/// Seconds as `12.3 s` or `1 h 02 min 03 s`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "—".to_string();
    }
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else {
        format!("{m} min {s:02} s")
    }
}

/// Mean and population standard deviation of the given values (`None` when empty).
pub fn mean_std(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// `mean ± std` of the values with `digits` decimals (just the value when there is one).
pub fn mean_pm(values: &[f64], digits: usize) -> String {
    match mean_std(values) {
        None => "—".to_string(),
        Some((m, _)) if values.len() == 1 => num(Some(m), digits),
        Some((m, s)) => format!(
            "{} <span class=\"pm\">± {}</span>",
            num(Some(m), digits),
            num(Some(s), digits)
        ),
    }
}

/// A short paragraph saying that a part of the report is unavailable and why.
pub fn note(text: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", esc(text))
}

/// Appends a table: escaped header cells, then rows of already-rendered HTML cells.
/// Cells of the first column become row headers.
pub fn table(out: &mut String, class: &str, head: &[&str], rows: &[Vec<String>]) {
    let _ = write!(out, "<table class=\"{}\">\n<thead><tr>", esc(class));
    for h in head {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{cell}</th>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls_but_keeps_any_script() {
        assert_eq!(
            esc("<b a=\"1\" b='2'>&amp;</b>"),
            "&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;"
        );
        assert_eq!(esc("音楽 музыка\u{0}x\ty"), "音楽 музыка\u{FFFD}x\ty");
    }

    #[test]
    fn formats_numbers_and_durations() {
        assert_eq!(num(None, 2), "—");
        assert_eq!(num(Some(f64::NAN), 2), "—");
        assert_eq!(num(Some(0.12345), 3), "0.123");
        assert_eq!(score(0.00001234), "1.23e-5");
        assert_eq!(duration(5.24), "5.2 s");
        assert_eq!(duration(3723.0), "1 h 02 min 03 s");
        assert_eq!(duration(61.0), "1 min 01 s");
        assert_eq!(mean_pm(&[1.0], 1), "1.0");
        assert_eq!(
            mean_pm(&[1.0, 3.0], 1),
            "2.0 <span class=\"pm\">± 1.0</span>"
        );
    }
}
