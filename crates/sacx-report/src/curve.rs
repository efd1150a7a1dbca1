//! Learning curves in inline SVG, and the self-contained page of an active
//! learning simulation (`sacx simulate-al`).
//!
//! A chart has one line per series through the mean over repetitions (seeds)
//! at each x, a band from the lowest to the highest repetition, and a dot per
//! point; the x axis is the labelled-set size. Like the report, the page loads
//! nothing: inline CSS and SVG, no script, a Content-Security-Policy.

use std::fmt::Write as _;

use crate::html::{esc, num};

/// One line of a learning curve: a value per x and per repetition.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's name (`active`, `random`).
    pub name: String,
    /// `values[i][r]`: repetition `r`'s value at the chart's `x[i]`.
    pub values: Vec<Vec<f64>>,
}

impl Series {
    /// The mean over repetitions at each x (`NaN` where there are none).
    pub fn means(&self) -> Vec<f64> {
        self.values
            .iter()
            .map(|v| {
                let ok: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                if ok.is_empty() {
                    f64::NAN
                } else {
                    ok.iter().sum::<f64>() / ok.len() as f64
                }
            })
            .collect()
    }

    fn range(&self, i: usize) -> (f64, f64) {
        let v = self.values.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let lo = v
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(f64::INFINITY, f64::min);
        let hi = v
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }
}

/// A learning-curve chart: a title, the x values and the series over them.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveChart {
    /// The chart's title (`macro-F1 on the test documents`).
    pub title: String,
    /// The y axis's name.
    pub y_label: String,
    /// The x values (labelled documents), ascending.
    pub x: Vec<f64>,
    /// The lines.
    pub series: Vec<Series>,
}

/// Line colours, in series order (then repeated).
/// Eight, so that a simulation of every selection strategy has a colour per
/// line.
const COLOURS: [&str; 8] = [
    "#2563a8", "#c4561d", "#3a7d44", "#7b4fa0", "#b8860b", "#0f8b8d", "#d1495b", "#555555",
];
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 340.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 46.0;

struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn of(chart: &CurveChart) -> Frame {
        let finite = |v: &&f64| v.is_finite();
        let x0 = chart
            .x
            .iter()
            .filter(finite)
            .copied()
            .fold(f64::INFINITY, f64::min);
        let mut x1 = chart
            .x
            .iter()
            .filter(finite)
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let all = chart.series.iter().flat_map(|s| s.values.iter().flatten());
        let (mut y0, mut y1) = all
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let x0 = if x0.is_finite() { x0 } else { 0.0 };
        if x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater) {
            x1 = x0 + 1.0;
        }
        if !y0.is_finite() || !y1.is_finite() {
            (y0, y1) = (0.0, 1.0);
        }
        let pad = ((y1 - y0) * 0.08).max(0.01);
        Frame {
            x0,
            x1,
            // Scores of [0, 1] stay above 0; a negative value (κ) is shown.
            y0: if y0 >= 0.0 {
                (y0 - pad).max(0.0)
            } else {
                y0 - pad
            },
            y1: y1 + pad,
        }
    }

    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)
    }

    fn py(&self, y: f64) -> f64 {
        HEIGHT - BOTTOM - (y - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)
    }
}

/// Renders `chart` as `<svg class="curve">`: per series a min–max band, the
/// mean line (`<polyline class="mean">`) and a dot per point, with axes, ticks
/// and a legend.
pub fn curve_chart(chart: &CurveChart) -> String {
    let f = Frame::of(chart);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"curve\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         role=\"img\" aria-label=\"{}\">",
        esc(&chart.title)
    );
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"18\" class=\"title\">{}</text>",
        esc(&chart.title)
    );
    axes(&mut out, &f, chart);
    for (k, s) in chart.series.iter().enumerate() {
        series(&mut out, &f, chart, s, COLOURS[k % COLOURS.len()]);
    }
    legend(&mut out, chart);
    out.push_str("</svg>\n");
    out
}

fn axes(out: &mut String, f: &Frame, chart: &CurveChart) {
    let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
    let _ = writeln!(
        out,
        "<path class=\"axis\" d=\"M{LEFT},{TOP} V{bottom} H{right}\" fill=\"none\" stroke=\"#555\"/>"
    );
    for i in 0..=4 {
        let y = f.y0 + (f.y1 - f.y0) * f64::from(i) / 4.0;
        let py = f.py(y);
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{right}\" y1=\"{py:.1}\" y2=\"{py:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"tick\">{}</text>",
            LEFT - 6.0,
            py + 4.0,
            num(Some(y), 2)
        );
    }
    for &x in &chart.x {
        let px = f.px(x);
        let _ = writeln!(
            out,
            "<text x=\"{px:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
            bottom + 16.0,
            num(Some(x), 0)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis-label\">labelled documents</text>\
         <text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" class=\"axis-label\" transform=\"rotate(-90 14 {:.1})\">{}</text>",
        (LEFT + right) / 2.0,
        HEIGHT - 8.0,
        (TOP + bottom) / 2.0,
        (TOP + bottom) / 2.0,
        esc(&chart.y_label)
    );
}

fn series(out: &mut String, f: &Frame, chart: &CurveChart, s: &Series, colour: &str) {
    let n = chart.x.len().min(s.values.len());
    let mut band_top = Vec::new();
    let mut band_bottom = Vec::new();
    for i in 0..n {
        let (lo, hi) = s.range(i);
        if lo.is_finite() && hi.is_finite() {
            let px = f.px(chart.x[i]);
            band_top.push(format!("{px:.1},{:.1}", f.py(hi)));
            band_bottom.push(format!("{px:.1},{:.1}", f.py(lo)));
        }
    }
    band_bottom.reverse();
    if !band_top.is_empty() {
        let _ = writeln!(
            out,
            "<polygon class=\"band\" points=\"{} {}\" fill=\"{colour}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
            band_top.join(" "),
            band_bottom.join(" ")
        );
    }
    let means = s.means();
    let points: Vec<(f64, f64)> = (0..n)
        .filter(|&i| means[i].is_finite())
        .map(|i| (f.px(chart.x[i]), f.py(means[i])))
        .collect();
    let line: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = writeln!(
        out,
        "<polyline class=\"mean\" data-series=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
        esc(&s.name),
        line.join(" ")
    );
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {} at {}</title></circle>",
            esc(&s.name),
            num(Some(means[i]), 4),
            num(chart.x.get(i).copied(), 0)
        );
    }
}

fn legend(out: &mut String, chart: &CurveChart) {
    for (k, s) in chart.series.iter().enumerate() {
        let x = WIDTH - RIGHT - 130.0;
        let y = TOP + 8.0 + 18.0 * k as f64;
        let colour = COLOURS[k % COLOURS.len()];
        let _ = writeln!(
            out,
            "<line x1=\"{x}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"legend\">{}</text>",
            x + 22.0,
            x + 28.0,
            y + 4.0,
            esc(&s.name)
        );
    }
}

/// A table of the charts' means: a row per x, a column per chart and series.
fn table(charts: &[CurveChart]) -> String {
    let mut out = String::from("<table><thead><tr><th>labelled</th>");
    for c in charts {
        for s in &c.series {
            let _ = write!(out, "<th>{} {}</th>", esc(&s.name), esc(&c.y_label));
        }
    }
    out.push_str("</tr></thead><tbody>\n");
    let Some(first) = charts.first() else {
        return String::new();
    };
    let means: Vec<Vec<Vec<f64>>> = charts
        .iter()
        .map(|c| c.series.iter().map(Series::means).collect())
        .collect();
    for (i, x) in first.x.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td>", num(Some(*x), 0));
        for chart in &means {
            for m in chart {
                let _ = write!(out, "<td>{}</td>", num(m.get(i).copied(), 4));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:760px;color:#222}\
 .curve .title{font-weight:600;font-size:14px}.curve .tick{font-size:11px;fill:#555}\
 .curve .axis-label,.curve .legend{font-size:12px}table{border-collapse:collapse;margin:1em 0}\
 td,th{border-bottom:1px solid #ddd;padding:2px 10px;text-align:right}p.note{color:#555}";

/// The self-contained page of a simulation: a heading, paragraphs of plain
/// text (escaped), every chart and a table of the means.
///
/// ```
/// use sacx_report::curve::{CurveChart, Series, page};
/// let chart = CurveChart {
///     title: "macro-F1".into(),
///     y_label: "macro-F1".into(),
///     x: vec![100.0, 200.0],
///     series: vec![Series { name: "active".into(), values: vec![vec![0.2, 0.3], vec![0.5, 0.4]] }],
/// };
/// let html = page("Active learning", &["3 seeds".to_string()], &[chart]);
/// assert!(html.contains("<polyline class=\"mean\" data-series=\"active\""));
/// assert!(!html.contains("://"));
/// ```
pub fn page(title: &str, notes: &[String], charts: &[CurveChart]) -> String {
    let mut out = String::with_capacity(16 << 10);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    let _ = writeln!(
        out,
        "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        esc(title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    for n in notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
    }
    for c in charts {
        out.push_str(&curve_chart(c));
    }
    out.push_str(&table(charts));
    let _ = writeln!(
        out,
        "<footer>Written by sacx {}. This page is self-contained: it loads nothing from anywhere.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}
