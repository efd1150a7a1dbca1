#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
//! The HTML report of a run directory: one self-contained page (`report.html`).
//!
//! The page has no external reference at all: CSS is inline, charts are inline SVG,
//! there are no scripts, fonts or images, and a Content-Security-Policy forbids the
//! browser to load anything should some text ever slip through. Every text from the
//! run's files is escaped. The output depends only on the directory's content
//! (no timestamp), so the same run gives the same bytes.
//!
//! Parts, each rendered from whatever is present (a missing input gives a short note):
//! a summary first (the corpus, the seeds, the models' validation F1 and the IG
//! keywords against the best baseline), a table of contents by class,
//! classification metrics per seed and per language (`runs/seed-<N>/model/metrics.json`)
//! with explanation statistics (`runs/seed-<N>/explanations/summary.json`), the keyword
//! evaluation next to the baselines (`evaluation.json`), and per class its keyword bar
//! chart, unstable words (`keywords/keywords.json`) and example documents coloured by
//! attribution (`runs/seed-<N>/explanations/shard-*.bin`), the topic map when the
//! run has one, and last the run's details: versions and timings (`run.json`) and
//! its parameters, folded and grouped by stage.
//!
//! Two standalone pages share the report's look: [`curve::page`] (learning curves of
//! `sacx simulate-al`) and [`map::map_page`] (the topic map of `sacx map`, whose
//! [`map::map_section`] also fits into a report).

mod chart;
mod classes;
pub mod curve;
mod error;
mod evaluation;
mod examples;
mod header;
mod html;
mod languages;
mod load;
pub mod map;
mod metrics;
mod params;
mod style;
mod summary;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod map_fixture;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use error::{Error, Result};
pub use load::{RunData, SeedRun};

use html::esc;

/// Name of the report file inside the run directory.
pub use sacx_data::layout::REPORT_HTML;

/// Renders the report of `run_dir` as one HTML page.
pub fn render(run_dir: &Path) -> Result<String> {
    let data = RunData::load(run_dir)?;
    let labels = data.labels()?;
    let threshold = prediction_threshold(&data);
    let chosen = examples::choose(&data, &labels, threshold)?;
    let name = run_dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| run_dir.display().to_string());
    let mut out = page_start(&format!("sacx report: {name}"));
    out.push_str(&format!(
        "<header class=\"page\"><h1>sacx report: {}</h1><p>Class keywords from {} classifier run{} \
         explained with Integrated Gradients.</p></header>\n<main>\n",
        esc(&name),
        data.seeds.len(),
        if data.seeds.len() == 1 { "" } else { "s" }
    ));
    out.push_str(&summary::summary_section(&data, &labels));
    out.push_str(&header::toc(&data, &labels));
    out.push_str(&metrics::classification_section(&data));
    out.push_str(&evaluation::evaluation_section(&data));
    out.push_str(&classes::classes_section(
        &data, &labels, &chosen, threshold,
    ));
    // The topic map of `sacx run --map`, when the run has one.
    let map_dir = sacx_data::layout::RunLayout::new(run_dir).map();
    if map_dir.join(sacx_data::map::MAP_JSON).is_file() {
        let map: sacx_data::map::SavedMap = sacx_data::map::SavedMap::load(&map_dir)?;
        out.push_str(&map::map_section(&map::view_of(&map, &name)));
    }
    out.push_str(&header::run_section(&data));
    out.push_str(&page_end());
    Ok(out)
}

/// The start of a page, up to and including `<body>`: the Content-Security-Policy
/// that forbids every request, the viewport, the (escaped) title and the stylesheet.
pub(crate) fn page_start(title: &str) -> String {
    let mut out = String::with_capacity(1 << 20);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", esc(title)));
    out.push_str("<style>");
    out.push_str(style::CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    out
}

/// The end of a page from the footer on (closes `<main>`, which the caller opened).
pub(crate) fn page_end() -> String {
    format!(
        "<footer>Written by sacx {}. This page is self-contained: it loads nothing from \
         anywhere.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Renders the report and writes it to `run_dir/report.html` atomically (a temporary
/// file in the same directory, then a rename); returns the path written.
pub fn write(run_dir: &Path) -> Result<PathBuf> {
    let page = render(run_dir)?;
    let path = run_dir.join(REPORT_HTML);
    sacx_data::write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// The probability above which a class counts as predicted: the keyword ranking's
/// `prediction_threshold`, else the first seed's decision threshold, else 0.5.
fn prediction_threshold(data: &RunData) -> f32 {
    data.keywords
        .as_ref()
        .and_then(|k| k.ranking_parameters())
        .map(|p| f64::from(p.prediction_threshold()))
        .or_else(|| {
            data.seeds
                .iter()
                .find_map(|s| s.metrics.as_ref())
                .map(|m| m.threshold)
        })
        .map_or(0.5, |t| t as f32)
}
