//! The topic map of a corpus (`sacx map`): a 2-D scatter of every document in
//! inline SVG, its clusters labelled on the plot, and a table of the clusters.
//!
//! The points are coloured by cluster, gold class (first label) or language, and
//! the reader switches between the three without any script: three radio inputs
//! come before the plot, each circle carries one short class per colouring (`k3`
//! cluster 3, `c7` class 7, `l2` language 2), and CSS rules such as
//! `#map-by-class:checked ~ * .c7 { fill: ... }` colour the circles and show the
//! legend of the checked colouring. Noise, unlabelled documents and documents of
//! unknown language carry no class of that kind and stay grey.
//!
//! Each circle is kept small in bytes (coordinates with one decimal in a viewBox
//! 1000 units wide, no style attribute, a snippet of at most [`SNIPPET_CHARS`]
//! characters in its `<title>`), so a map of 10,000 documents is about 1.7 MB.
//! The output depends only on the view: the same view gives the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

mod summary;
mod view;

pub use view::view_of;

use crate::html::{esc, note};

/// One document on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    /// Layout x (any unit: the plot scales the layout to fit).
    pub x: f32,
    /// Layout y.
    pub y: f32,
    /// The document's id.
    pub id: String,
    /// The document's first words (cut to [`SNIPPET_CHARS`] characters on the map).
    pub snippet: String,
    /// The id of its cluster ([`ClusterView::id`]); `None` for noise.
    pub cluster: Option<usize>,
    /// Its gold classes, indices into [`MapView::classes`]; the first colours it.
    pub labels: Vec<usize>,
    /// Its language, an index into [`MapView::languages`].
    pub language: Option<usize>,
}

/// One cluster's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    /// The cluster's id (what [`MapPoint::cluster`] refers to).
    pub id: usize,
    /// Number of documents in it.
    pub size: usize,
    /// Its most characteristic words, best first (the first three label it on the plot).
    pub top_words: Vec<String>,
    /// Gold-class shares (fractions of its documents, 0–1), largest first.
    pub classes: Vec<(String, f64)>,
    /// Language shares (fractions of its documents, 0–1), largest first.
    pub languages: Vec<(String, f64)>,
    /// IG keywords of the classes it is richest in: (class, keywords best first).
    pub keywords: Vec<(String, Vec<String>)>,
}

/// Everything the map shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    /// Heading of the map (`Topic map`).
    pub title: String,
    /// What was laid out, e.g. `classifier vectors (3 seeds)`.
    pub source: String,
    /// Every document.
    pub points: Vec<MapPoint>,
    /// The clusters, in table order.
    pub clusters: Vec<ClusterView>,
    /// Number of noise documents (in no cluster).
    pub noise: usize,
    /// Gold class names, by index.
    pub classes: Vec<String>,
    /// Language names, by index.
    pub languages: Vec<String>,
    /// Lines of plain text shown under the lead (parameters, caveats).
    pub notes: Vec<String>,
}

/// The categorical palette, cycled by index; distinguishable on white.
pub const PALETTE: [&str; 20] = [
    "#1f77b4", "#e6194b", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9ac91f",
    "#469990", "#9a6324", "#000075", "#808000", "#800000", "#e6c200", "#f08fb0", "#b28be8",
    "#5fd39a", "#f4a96a", "#222222", "#006400",
];
/// Fill of noise, unlabelled documents and unknown languages.
pub const GREY: &str = "#c4c7cc";
/// Most characters of a snippet kept in a point's tooltip.
pub const SNIPPET_CHARS: usize = 80;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 640.0;
const MARGIN: f64 = 24.0;
/// Width of a label character (13 px bold) and height of a label line, in viewBox units.
const LABEL_CHAR_W: f64 = 7.6;
const LABEL_LINE: f64 = 16.0;

/// The three colourings: (radio id, legend class, label text).
const MODES: [(&str, &str, &str); 3] = [
    ("map-by-cluster", "lg-k", "cluster"),
    ("map-by-class", "lg-c", "gold class"),
    ("map-by-lang", "lg-l", "language"),
];

/// The colour of palette slot `i` (cycled).
fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The map from layout coordinates to the viewBox: one scale for both axes (the
/// layout's shape is kept), centred, with a margin.
struct Frame {
    scale: f64,
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
}

impl Frame {
    /// The frame of the finite points, `None` when there is none.
    fn of(points: &[MapPoint]) -> Option<Frame> {
        let mut ok = points.iter().filter(|p| finite(p)).peekable();
        ok.peek()?;
        let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in ok {
            let (x, y) = (f64::from(p.x), f64::from(p.y));
            (lo_x, hi_x, lo_y, hi_y) = (lo_x.min(x), hi_x.max(x), lo_y.min(y), hi_y.max(y));
        }
        let (dx, dy) = (hi_x - lo_x, hi_y - lo_y);
        let fit = |room: f64, d: f64| if d > 0.0 { room / d } else { f64::INFINITY };
        let scale = fit(WIDTH - 2.0 * MARGIN, dx).min(fit(HEIGHT - 2.0 * MARGIN, dy));
        let scale = if scale.is_finite() { scale } else { 1.0 };
        Some(Frame {
            scale,
            x0: lo_x,
            y0: lo_y,
            dx,
            dy,
        })
    }

    /// viewBox coordinates of a point (y grows upwards in the layout).
    fn xy(&self, p: &MapPoint) -> (f64, f64) {
        let x = (WIDTH - self.dx * self.scale) / 2.0 + (f64::from(p.x) - self.x0) * self.scale;
        let y = (HEIGHT + self.dy * self.scale) / 2.0 - (f64::from(p.y) - self.y0) * self.scale;
        (x, y)
    }
}

fn finite(p: &MapPoint) -> bool {
    p.x.is_finite() && p.y.is_finite()
}

/// The circle classes of a point: `k<cluster> c<first label> l<language>`.
fn point_classes(p: &MapPoint) -> String {
    let mut c = Vec::with_capacity(3);
    if let Some(k) = p.cluster {
        c.push(format!("k{k}"));
    }
    if let Some(l) = p.labels.first() {
        c.push(format!("c{l}"));
    }
    if let Some(l) = p.language {
        c.push(format!("l{l}"));
    }
    c.join(" ")
}

/// The tooltip of a point: `id — class A, class B — snippet` (escaped).
fn tooltip(p: &MapPoint, view: &MapView) -> String {
    let labels: Vec<&str> = p
        .labels
        .iter()
        .map(|&i| view.classes.get(i).map_or("?", String::as_str))
        .collect();
    let labels = if labels.is_empty() {
        "no gold class".to_string()
    } else {
        labels.join(", ")
    };
    let snippet: String = if p.snippet.chars().count() > SNIPPET_CHARS {
        let mut s: String = p.snippet.chars().take(SNIPPET_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        p.snippet.clone()
    };
    esc(&format!("{} — {labels} — {snippet}", p.id))
}

/// The colour rules of the view: per cluster id, class and language, active under
/// its radio; cluster swatches in the table are always coloured.
fn colour_css(view: &MapView) -> String {
    let mut ids: BTreeSet<usize> = view.clusters.iter().map(|c| c.id).collect();
    ids.extend(view.points.iter().filter_map(|p| p.cluster));
    let mut out = String::from("<style>");
    for k in ids {
        let _ = write!(
            out,
            "#map-by-cluster:checked~* .k{k},.map-table .k{k}{{fill:{}}}",
            colour(k)
        );
    }
    for c in 0..view.classes.len() {
        let _ = write!(out, "#map-by-class:checked~* .c{c}{{fill:{}}}", colour(c));
    }
    for l in 0..view.languages.len() {
        let _ = write!(out, "#map-by-lang:checked~* .l{l}{{fill:{}}}", colour(l));
    }
    out.push_str("</style>\n");
    out
}

/// The radio inputs and their labels (cluster checked).
fn switch(out: &mut String) {
    out.push_str("<span class=\"map-by\">Colour by</span>");
    for (i, (id, _, text)) in MODES.iter().enumerate() {
        let checked = if i == 0 { " checked" } else { "" };
        let _ = write!(
            out,
            "<input type=\"radio\" name=\"map-colour\" id=\"{id}\"{checked}><label for=\"{id}\">{text}</label>"
        );
    }
    out.push('\n');
}

/// The plot: circles (noise first, underneath), then the cluster labels.
fn plot(out: &mut String, view: &MapView, frame: &Frame) {
    let _ = writeln!(
        out,
        "<svg class=\"map-plot\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!(
            "{}: {} documents in 2-D",
            view.title,
            view.points.len()
        ))
    );
    let noise_first = view
        .points
        .iter()
        .filter(|p| p.cluster.is_none())
        .chain(view.points.iter().filter(|p| p.cluster.is_some()));
    for p in noise_first.filter(|p| finite(p)) {
        let (x, y) = frame.xy(p);
        let classes = point_classes(p);
        let class = if classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{classes}\"")
        };
        let _ = writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"{class}><title>{}</title></circle>",
            tooltip(p, view)
        );
    }
    cluster_labels(out, view, frame);
    out.push_str("</svg>\n");
}

/// The clusters' labels: each one's top three words at the median of its points,
/// moved up or down by a line at a time until it overlaps no label placed before it
/// (larger clusters are placed first; a label with no free spot nearby stays put).
fn cluster_labels(out: &mut String, view: &MapView, frame: &Frame) {
    let mut wanted: Vec<(usize, f64, f64, String)> = Vec::new();
    for c in &view.clusters {
        let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = view
            .points
            .iter()
            .filter(|p| p.cluster == Some(c.id) && finite(p))
            .map(|p| frame.xy(p))
            .unzip();
        if xs.is_empty() || c.top_words.is_empty() {
            continue;
        }
        let words: Vec<&str> = c.top_words.iter().take(3).map(String::as_str).collect();
        wanted.push((c.size, median(&mut xs), median(&mut ys), words.join(" · ")));
    }
    wanted.sort_by_key(|w| std::cmp::Reverse(w.0));
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    for (_, x, y, text) in wanted {
        let half = (text.chars().count() as f64 * LABEL_CHAR_W / 2.0 + 4.0).min(WIDTH / 2.0);
        let x = x.clamp(half, WIDTH - half);
        let free = |y: f64| {
            placed
                .iter()
                .all(|&(px, py, ph)| (px - x).abs() >= ph + half || (py - y).abs() >= LABEL_LINE)
        };
        let y = (0..9)
            .map(|i| {
                let step = f64::from((i + 1) / 2) * if i % 2 == 1 { 1.0 } else { -1.0 };
                (y + step * LABEL_LINE).clamp(MARGIN, HEIGHT - MARGIN / 2.0)
            })
            .find(|&y| free(y))
            .unwrap_or_else(|| y.clamp(MARGIN, HEIGHT - MARGIN / 2.0));
        placed.push((x, y, half));
        let _ = writeln!(
            out,
            "<text class=\"ml\" x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{}</text>",
            esc(&text)
        );
    }
}

/// The median of non-empty finite values (the mean of the middle two when even).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The map as an HTML fragment, `<section id="map">`, for the run report: a lead,
/// the notes, the colouring switch, the plot, its legends and the cluster table.
/// Its colour rules come in a `<style>` element of its own; the layout rules are in
/// the report's stylesheet. A view without points gives a short note instead of
/// the plot.
pub fn map_section(view: &MapView) -> String {
    let mut out = String::with_capacity(160 * view.points.len() + (16 << 10));
    let _ = writeln!(out, "<section id=\"map\">\n<h2>{}</h2>", esc(&view.title));
    let drawn = view.points.iter().filter(|p| finite(p)).count();
    let Some(frame) = Frame::of(&view.points) else {
        out.push_str(&note(&format!(
            "No documents to map ({}).",
            if view.points.is_empty() {
                "the map has no points"
            } else {
                "no point has finite coordinates"
            }
        )));
        notes(&mut out, view);
        out.push_str("</section>\n");
        return out;
    };
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} documents laid out in 2-D by UMAP from {}: {} HDBSCAN cluster{}, \
         {} document{} noise. Hover a point for its id, gold classes and first words.</p>",
        view.points.len(),
        esc(&view.source),
        view.clusters.len(),
        if view.clusters.len() == 1 { "" } else { "s" },
        view.noise,
        if view.noise == 1 { "" } else { "s" }
    );
    notes(&mut out, view);
    if drawn < view.points.len() {
        out.push_str(&note(&format!(
            "{} documents without finite coordinates are not drawn.",
            view.points.len() - drawn
        )));
    }
    out.push_str(&colour_css(view));
    out.push_str("<div class=\"map\">\n");
    switch(&mut out);
    plot(&mut out, view, &frame);
    summary::legends(&mut out, view);
    out.push_str("</div>\n");
    summary::cluster_table(&mut out, view);
    out.push_str("</section>\n");
    out
}

fn notes(out: &mut String, view: &MapView) {
    for n in &view.notes {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", esc(n));
    }
}

/// The map as a standalone page, with the report's Content-Security-Policy and
/// stylesheet: `sacx map --out DIR` writes it to `DIR/map.html`.
///
/// ```
/// use sacx_report::map::{MapPoint, MapView, map_page};
/// let view = MapView {
///     title: "Topic map".into(),
///     source: "classifier vectors (1 seed)".into(),
///     points: vec![MapPoint {
///         x: 0.5, y: -1.0, id: "d1".into(), snippet: "<b>first words</b>".into(),
///         cluster: None, labels: vec![0], language: Some(0),
///     }],
///     clusters: vec![],
///     noise: 1,
///     classes: vec!["Audio".into()],
///     languages: vec!["en".into()],
///     notes: vec![],
/// };
/// let html = map_page(&view);
/// assert!(html.contains("<circle ") && html.contains("&lt;b&gt;first words"));
/// assert!(!html.contains("<script") && !html.contains("://"));
/// ```
pub fn map_page(view: &MapView) -> String {
    let section = map_section(view);
    let mut out = crate::page_start(&view.title);
    let _ = writeln!(
        out,
        "<header class=\"page\"><h1>{}</h1><p>A UMAP layout of {} with HDBSCAN clusters.</p></header>\n<main>",
        esc(&view.title),
        esc(&view.source)
    );
    out.push_str(&section);
    out.push_str(&crate::page_end());
    out
}
