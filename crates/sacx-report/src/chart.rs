//! Horizontal bar charts of keyword scores in inline SVG.
//!
//! One row per keyword: the word, a bar from zero to the mean score (blue when
//! positive, orange when negative), a whisker of ± one standard deviation, and the
//! figures (mean ± std, runs) at the right. No `xmlns` or external reference: the
//! HTML parser places inline `<svg>` in the SVG namespace by itself.

use std::fmt::Write as _;

use sacx_aggregate::Keyword;

use super::html::{esc, score};

/// Fill of bars with a positive mean score (and of positive word attributions).
pub const POSITIVE: &str = "#2563a8";
/// Fill of bars with a negative mean score (and of negative word attributions).
pub const NEGATIVE: &str = "#c4561d";

const WIDTH: f64 = 780.0;
const LABEL_W: f64 = 170.0;
const FIGURES_W: f64 = 200.0;
const ROW_H: f64 = 20.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 8.0;
const MAX_LABEL_CHARS: usize = 24;

/// Renders `words` as a bar chart `<svg class="chart">`; `n_runs` is the number of
/// runs aggregated (0 when unknown). An empty list gives a small chart saying so.
pub fn keyword_chart(class: &str, words: &[Keyword], n_runs: usize) -> String {
    if words.is_empty() {
        return format!(
            "<svg class=\"chart empty\" viewBox=\"0 0 {WIDTH} 40\" width=\"{WIDTH}\" height=\"40\" \
             role=\"img\" aria-label=\"{}\"><text x=\"{LABEL_W}\" y=\"24\" class=\"muted\">\
             no stable keyword for this class</text></svg>\n",
            esc(&format!("Keywords of {class}: none"))
        );
    }
    let scale = Scale::of(words);
    let height = TOP + ROW_H * words.len() as f64 + BOTTOM;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{}\">",
        esc(&format!("Keyword scores of class {class}"))
    );
    axis(&mut out, &scale, height);
    for (i, k) in words.iter().enumerate() {
        row(&mut out, &scale, TOP + ROW_H * i as f64, k, n_runs);
    }
    out.push_str("</svg>\n");
    out
}

/// The score domain of a chart (zero always inside it) and its map to x.
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    /// The domain covering every mean ± std of `words`.
    fn of(words: &[Keyword]) -> Self {
        let lo = words
            .iter()
            .map(|k| k.score_mean - k.score_std.max(0.0))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::min);
        let mut hi = words
            .iter()
            .map(|k| k.score_mean + k.score_std.max(0.0))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        if hi - lo <= 0.0 {
            hi = lo + 1.0;
        }
        Scale { lo, hi }
    }

    /// The x coordinate of score `v` (clamped to the domain).
    fn x(&self, v: f64) -> f64 {
        let plot_w = WIDTH - LABEL_W - FIGURES_W;
        LABEL_W + (v.clamp(self.lo, self.hi) - self.lo) / (self.hi - self.lo) * plot_w
    }
}

/// The zero line, the domain's end ticks and the figures' heading.
fn axis(out: &mut String, scale: &Scale, height: f64) {
    let (x0, top, bottom) = (scale.x(0.0), TOP - 6.0, height - BOTTOM);
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{x0:.1}\" y1=\"{top}\" x2=\"{x0:.1}\" y2=\"{bottom}\" stroke=\"#888\"/>"
    );
    for (v, anchor) in [(scale.lo, "start"), (0.0, "middle"), (scale.hi, "end")] {
        if v == 0.0 && anchor != "middle" {
            continue;
        }
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{:.1}\" y=\"12\" text-anchor=\"{anchor}\">{}</text>",
            scale.x(v),
            score(v)
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"tick\" x=\"{:.1}\" y=\"12\">mean ± std · runs</text>",
        WIDTH - FIGURES_W + 10.0
    );
}

/// One keyword's row at height `y`: tooltip, word, bar, whisker and figures.
fn row(out: &mut String, scale: &Scale, y: f64, k: &Keyword, n_runs: usize) {
    let mid = y + ROW_H / 2.0;
    let m = if k.score_mean.is_finite() {
        k.score_mean
    } else {
        0.0
    };
    let (sign, fill) = if m < 0.0 {
        ("neg", NEGATIVE)
    } else {
        ("pos", POSITIVE)
    };
    let (a, b) = (scale.x(m.min(0.0)), scale.x(m.max(0.0)));
    let runs = if n_runs > 0 {
        format!("{}/{n_runs}", k.runs)
    } else {
        k.runs.to_string()
    };
    let tip = format!(
        "{}: mean {} ± {}, {} runs, {} occurrences in {} documents",
        k.word,
        score(k.score_mean),
        score(k.score_std),
        runs,
        k.occurrences,
        k.documents
    );
    let _ = writeln!(
        out,
        "<g class=\"row\"><title>{}</title>\
         <text class=\"word\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
         <rect class=\"bar {sign}\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{fill}\"/>",
        esc(&tip),
        LABEL_W - 6.0,
        mid + 4.0,
        esc(&truncate(&k.word, MAX_LABEL_CHARS)),
        mid - 6.0,
        (b - a).max(0.5),
    );
    let s = k.score_std.max(0.0);
    if s > 0.0 && s.is_finite() {
        let (l, r) = (scale.x(m - s), scale.x(m + s));
        let _ = write!(
            out,
            "<path class=\"whisker\" d=\"M{l:.1} {mid:.1}H{r:.1}M{l:.1} {:.1}V{:.1}M{r:.1} {:.1}V{:.1}\" \
             stroke=\"#222\" fill=\"none\"/>",
            mid - 3.0,
            mid + 3.0,
            mid - 3.0,
            mid + 3.0
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"fig\" x=\"{:.1}\" y=\"{:.1}\">{} ± {} · {}</text></g>",
        WIDTH - FIGURES_W + 10.0,
        mid + 4.0,
        score(k.score_mean),
        score(k.score_std),
        esc(&runs)
    );
}

/// The first `max` characters of `s`, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
