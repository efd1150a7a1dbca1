//! The map's legends (one per colouring) and its table of clusters.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{MODES, MapPoint, MapView};
use crate::html::{esc, table};

/// A small coloured dot with the given circle class (grey without one).
fn swatch(class: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<svg class=\"sw\" viewBox=\"0 0 10 10\" aria-hidden=\"true\"><circle cx=\"5\" cy=\"5\" r=\"4.5\"{class}/></svg>"
    )
}

/// Documents per index of `key` (`None` counted apart), over the points.
fn counts(points: &[MapPoint], n: usize, key: impl Fn(&MapPoint) -> Option<usize>) -> Vec<usize> {
    let mut c = vec![0; n + 1];
    for p in points {
        match key(p) {
            Some(i) if i < n => c[i] += 1,
            _ => c[n] += 1,
        }
    }
    c
}

/// One legend per colouring; CSS shows the checked one.
pub(super) fn legends(out: &mut String, view: &MapView) {
    let (_, class, _) = MODES[0];
    let _ = write!(out, "<div class=\"map-legend {class}\">");
    for c in &view.clusters {
        let words: Vec<&str> = c.top_words.iter().take(3).map(String::as_str).collect();
        let _ = write!(
            out,
            "<span>{}{} {} <i>({})</i></span>",
            swatch(&format!("k{}", c.id)),
            c.id,
            esc(&words.join(" · ")),
            c.size
        );
    }
    let _ = writeln!(
        out,
        "<span>{}noise <i>({})</i></span></div>",
        swatch(""),
        view.noise
    );
    let named = [
        (MODES[1].1, 'c', &view.classes, "no gold class"),
        (MODES[2].1, 'l', &view.languages, "unknown language"),
    ];
    for (class, prefix, names, none) in named {
        let n = names.len();
        let count = if prefix == 'c' {
            counts(&view.points, n, |p| p.labels.first().copied())
        } else {
            counts(&view.points, n, |p| p.language)
        };
        let _ = write!(out, "<div class=\"map-legend {class}\">");
        for (i, name) in names.iter().enumerate() {
            let _ = write!(
                out,
                "<span>{}{} <i>({})</i></span>",
                swatch(&format!("{prefix}{i}")),
                esc(name),
                count[i]
            );
        }
        if count[n] > 0 {
            let _ = write!(
                out,
                "<span>{}{none} <i>({})</i></span>",
                swatch(""),
                count[n]
            );
        }
        out.push_str("</div>\n");
    }
}

/// `name 62%, name 20%, …` for the first three shares.
fn shares(list: &[(String, f64)]) -> String {
    if list.is_empty() {
        return "—".to_string();
    }
    list.iter()
        .take(3)
        .map(|(name, share)| {
            let pct = if share.is_finite() {
                format!("{:.0}%", share * 100.0)
            } else {
                "—".to_string()
            };
            format!("{} <span class=\"muted\">{pct}</span>", esc(name))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shares of each name among `docs` documents, largest first (ties by index).
fn noise_shares(names: &[String], count: &[usize], docs: usize) -> Vec<(String, f64)> {
    let mut v: Vec<(usize, usize)> = count
        .iter()
        .copied()
        .enumerate()
        .take(names.len())
        .filter(|&(_, c)| c > 0)
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter()
        .map(|(i, c)| (names[i].clone(), c as f64 / docs.max(1) as f64))
        .collect()
}

/// The cluster table: a row per cluster, then noise (its shares from its points).
pub(super) fn cluster_table(out: &mut String, view: &MapView) {
    let mut rows: Vec<Vec<String>> = view
        .clusters
        .iter()
        .map(|c| {
            let keywords: Vec<String> = c
                .keywords
                .iter()
                .map(|(class, words)| format!("<b>{}</b>: {}", esc(class), esc(&words.join(", "))))
                .collect();
            vec![
                format!("{}{}", swatch(&format!("k{}", c.id)), c.id),
                c.size.to_string(),
                esc(&c.top_words.join(", ")),
                shares(&c.classes),
                shares(&c.languages),
                if keywords.is_empty() {
                    "—".to_string()
                } else {
                    keywords.join("<br>")
                },
            ]
        })
        .collect();
    let noise: Vec<MapPoint> = view
        .points
        .iter()
        .filter(|p| p.cluster.is_none())
        .cloned()
        .collect();
    let (nc, nl) = (view.classes.len(), view.languages.len());
    let by_class = noise_shares(&view.classes, &label_counts(&noise, nc), noise.len());
    let by_lang = noise_shares(
        &view.languages,
        &counts(&noise, nl, |p| p.language),
        noise.len(),
    );
    rows.push(vec![
        format!("{}noise", swatch("")),
        view.noise.to_string(),
        "—".to_string(),
        shares(&by_class),
        shares(&by_lang),
        "—".to_string(),
    ]);
    let head = [
        "cluster",
        "size",
        "top words",
        "gold classes",
        "languages",
        "keywords of its richest classes",
    ];
    table(out, "map-table", &head, &rows);
}

/// Documents carrying each class among any of their labels.
fn label_counts(points: &[MapPoint], n: usize) -> Vec<usize> {
    let mut c = vec![0; n];
    for p in points {
        for &l in p.labels.iter().collect::<BTreeSet<_>>() {
            if let Some(slot) = c.get_mut(l) {
                *slot += 1;
            }
        }
    }
    c
}
