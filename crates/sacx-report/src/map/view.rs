//! A topic map ([`sacx_data::map::SavedMap`] read from a run directory, or a
//! `sacx_map::TopicMap` just built) as the report draws it.
use super::{ClusterView, MapPoint, MapView};
use sacx_data::map::{MapContents, Source};
use std::collections::BTreeMap;

/// The view of `map`, titled after `corpus`. The map's parameters are not
/// looked at, so any [`MapContents`] draws: a [`sacx_data::map::SavedMap`]
/// with its parameters as JSON, or a `sacx_map::TopicMap`.
pub fn view_of<M: MapContents>(map: &M, corpus: &str) -> MapView {
    let (info, docs, plot, clusters) = (map.info(), map.docs(), map.plot(), map.clusters());
    let index = |names: &mut BTreeMap<String, usize>, s: &str| -> usize {
        let next = names.len();
        *names.entry(s.to_string()).or_insert(next)
    };
    // Classes and languages in order of first appearance.
    let (mut classes, mut languages) = (BTreeMap::new(), BTreeMap::new());
    let mut points = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let labels = d.labels.iter().map(|l| index(&mut classes, l)).collect();
        let language = Some(index(&mut languages, &d.lang));
        points.push(MapPoint {
            x: plot.get(2 * i).copied().unwrap_or(0.0),
            y: plot.get(2 * i + 1).copied().unwrap_or(0.0),
            id: d.id.clone(),
            snippet: d.snippet.clone(),
            cluster: clusters.get(i).copied().flatten(),
            labels,
            language,
        });
    }
    let ordered = |names: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = names.into_iter().collect();
        v.sort_by_key(|p| p.1);
        v.into_iter().map(|p| p.0).collect()
    };
    let m = &info.metrics;
    let language_note = m.language_note(languages.len());
    let source = match &info.source {
        Source::ParagraphVectors { .. } => {
            format!("paragraph vectors (PV-DBOW, {} dimensions)", info.dim)
        }
        Source::Classifier { seeds, .. } => {
            format!(
                "classifier vectors ({} seed{})",
                seeds.len(),
                if seeds.len() == 1 { "" } else { "s" }
            )
        }
    };
    MapView {
        title: format!("topic map: {corpus}"),
        source,
        points,
        clusters: info
            .clusters
            .iter()
            .filter_map(|c| {
                Some(ClusterView {
                    id: c.cluster?,
                    size: c.size,
                    top_words: c.top_words.iter().map(|w| w.0.clone()).collect(),
                    classes: c.classes.clone(),
                    languages: c.languages.clone(),
                    keywords: c.keywords.clone(),
                })
            })
            .collect(),
        noise: m.noise,
        classes: ordered(classes),
        languages: ordered(languages),
        notes: std::iter::once(format!(
            "{} documents, {} clusters (minimum size {}), {} noise; kNN-10 label precision {:.3}; NMI against the first class {:.3}, against the language {:.3}.",
            docs.len(),
            m.clusters,
            info.min_cluster_size,
            m.noise,
            m.knn10_label_precision,
            m.nmi_first_class,
            m.nmi_language
        )).chain(language_note).collect(),
    }
}
