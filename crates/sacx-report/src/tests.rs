//! Tests of the renderer on the hand-made run directory of [`super::fixture`], and of
//! the topic map on the synthetic maps of [`super::map_fixture`].

use super::chart::{NEGATIVE, POSITIVE};
use super::fixture::{SCRIPT_WORD, labels, write_run};
use super::html::esc;
use super::map::{MapView, PALETTE, map_page, map_section};
use super::map_fixture::{HOSTILE, synthetic};
use super::{REPORT_HTML, render, write};

fn rendered() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let page = render(dir.path()).unwrap();
    (dir, page)
}

/// The class sections' HTML, in page order, with their `data-class` values.
fn class_sections(page: &str) -> Vec<(String, &str)> {
    page.split("<section class=\"class\"")
        .skip(1)
        .map(|chunk| {
            let attr = chunk.split("data-class=\"").nth(1).unwrap();
            (attr[..attr.find('"').unwrap()].to_string(), chunk)
        })
        .collect()
}

#[test]
fn all_text_from_the_run_is_escaped() {
    let (_dir, page) = rendered();
    assert!(!page.contains(SCRIPT_WORD), "raw script word on the page");
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(page.contains(&esc(SCRIPT_WORD)));
    assert!(page.contains("R&amp;D &lt;Lab&gt; &quot;x&quot;"));
    assert!(page.contains("&quot;forschung&quot;") && page.contains("o&#39;neil"));
    assert!(page.contains("bundled &lt;appstream&gt; &amp; co"));
    // Non-Latin scripts are kept as they are, with their language marked.
    assert!(page.contains("音楽") && page.contains("lang=\"ja\""));
}

#[test]
fn a_class_shows_its_keywords_per_language_and_their_translations() {
    let (_dir, page) = rendered();
    let sections = class_sections(&page);
    let audio = sections[0].1;
    assert!(audio.contains("<h3>Keywords per language</h3>"), "{audio}");
    assert!(audio.contains("en · 20 docs") && audio.contains("ja · 3 docs"));
    // A keyword cell names its translations, and the folded table lists them.
    assert!(audio.contains("title=\"ja: 音楽\">music</span>"));
    let table = &audio[audio.find("<details class=\"translations\">").unwrap()..];
    assert!(table.contains("Translations (2 keywords)"));
    assert!(table.contains("<td>音楽</td>") && table.contains("<td>music</td>"));
    assert!(audio.contains("too few to say anything about this language"));
    // A class without per-language lists has no such block.
    assert!(!sections[1].1.contains("Keywords per language"));
}

#[test]
fn every_class_has_one_chart_in_its_section() {
    let (_dir, page) = rendered();
    let sections = class_sections(&page);
    let expected: Vec<String> = labels().iter().map(|l| esc(l)).collect();
    assert_eq!(
        sections.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
        expected
    );
    for (class, html) in &sections {
        let body = &html[..html.find("</section>").unwrap()];
        assert_eq!(
            body.matches("<svg class=\"chart").count(),
            1,
            "class {class}"
        );
    }
    // The table of contents links to each class.
    for i in 0..expected.len() {
        assert!(
            page.contains(&format!("href=\"#class-{i}\""))
                && page.contains(&format!("id=\"class-{i}\""))
        );
    }
}

#[test]
fn keywords_are_positive_bars_and_counter_evidence_is_folded_apart() {
    let (_dir, page) = rendered();
    let sections = class_sections(&page);
    let audio = sections[0].1;
    let chart = &audio[audio.find("<svg class=\"chart\"").unwrap()..audio.find("</svg>").unwrap()];
    assert_eq!(chart.matches("class=\"bar pos\" x=").count(), 3);
    assert_eq!(chart.matches("class=\"bar neg\"").count(), 0);
    assert_eq!(chart.matches(&format!("fill=\"{POSITIVE}\"")).count(), 3);
    assert_ne!(POSITIVE, NEGATIVE);
    // The figures: mean ± std and runs out of all runs.
    assert!(chart.contains("0.8000 ± 0.1000 · 2/2"), "{chart}");
    assert!(!chart.contains("silence"));
    // Counter-evidence and unstable words are folded below the chart.
    let counter = &audio[audio.find("<details class=\"counter\">").unwrap()..];
    assert!(
        counter.starts_with("<details class=\"counter\"><summary>Counter-evidence (1)</summary>")
    );
    assert!(counter[..counter.find("</details>").unwrap()].contains("silence"));
    assert!(audio.contains("<details class=\"unstable\"><summary>Unstable words (1)</summary>"));
    // An empty class has its (empty) chart and says why.
    assert!(sections[2].1.contains("<svg class=\"chart empty\""));
    assert!(sections[2].1.contains(&format!(
        "No keywords: {}.",
        super::html::esc(super::fixture::NOTE)
    )));
}

#[test]
fn the_evaluation_table_has_the_faithfulness_rows() {
    let (_dir, page) = rendered();
    let eval = &page[page.find("<section id=\"evaluation\">").unwrap()..];
    let eval = &eval[..eval.find("</section>").unwrap()];
    let row = |name: &str| {
        let from = eval
            .find(&format!("<th scope=\"row\">{name}</th>"))
            .unwrap();
        &eval[from..from + eval[from..].find("</tr>").unwrap()]
    };
    // IG (0.3) beats the baseline (0.1) and is bold; the control row is never bold.
    let drop = row("comprehensiveness: probability drop");
    assert!(drop.contains("<strong>0.300"), "{drop}");
    assert!(drop.contains("<td>0.100"), "{drop}");
    assert!(row("comprehensiveness: logit drop").contains("<strong>1.500"));
    assert!(!row("control (K random words): probability drop").contains("<strong>"));
    assert!(row("sufficiency: probability kept").contains("0.400"));
}

#[test]
fn the_page_references_no_url() {
    let (_dir, page) = rendered();
    let lower = page.to_ascii_lowercase();
    for needle in [
        "http:",
        "https:",
        "ftp:",
        "src=",
        "href=\"//",
        "url(",
        "@import",
        "<link",
        "<script",
        "<img",
        "<iframe",
    ] {
        assert!(!lower.contains(needle), "page contains {needle:?}");
    }
    // Internal links only.
    for href in lower.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "external link {}",
            &href[..href.len().min(40)]
        );
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn metrics_per_seed_and_language_and_evaluation_with_baselines() {
    let (dir, page) = rendered();
    let metrics: sacx_data::metrics::Metrics = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("runs/seed-1/model/metrics.json")).unwrap(),
    )
    .unwrap();
    let seeds = &page[page.find("<table class=\"metrics seeds\">").unwrap()..];
    let seeds = &seeds[..seeds.find("</table>").unwrap()];
    let row1 = seeds
        .split("<tr>")
        .find(|r| r.starts_with("<th scope=\"row\">1</th>"))
        .unwrap();
    assert!(
        row1.contains(&format!("<td>{:.3}</td>", metrics.overall.micro_f1)),
        "{row1}"
    );
    assert!(row1.contains(&format!("<td>{:.3}</td>", metrics.overall.macro_f1)));
    assert!(seeds.contains("<th scope=\"row\">2</th>") && seeds.contains("mean ± std"));
    let langs = &page[page.find("<table class=\"metrics languages\">").unwrap()..];
    let langs = &langs[..langs.find("</table>").unwrap()];
    for lang in ["de", "en", "ja"] {
        assert!(
            langs.contains(&format!("<th scope=\"row\">{lang}</th>")),
            "{lang}"
        );
    }
    let eval = &page[page.find("id=\"evaluation\"").unwrap()..];
    let eval = &eval[..eval.find("</section>").unwrap()];
    // IG first, then the baseline, for each K.
    assert_eq!(
        eval.matches("<th scope=\"col\" class=\"ig\">ig</th><th scope=\"col\">log-odds</th>")
            .count(),
        2
    );
    assert!(
        eval.contains("Top 2 keywords per class") && eval.contains("Top 10 keywords per class")
    );
    assert!(eval.contains("<td class=\"best\"><strong>"));
    // Timings of run.json are shown as durations.
    assert!(
        page.contains("<span title=\"95.2500 s\">1 min 35 s</span>"),
        "timings"
    );
    assert!(page.contains("xml-cnn"));
}

#[test]
fn example_documents_colour_each_word_for_each_predicted_class() {
    let (_dir, page) = rendered();
    let sections = class_sections(&page);
    let audio = sections[0].1;
    let docs: Vec<&str> = audio.split("<article class=\"doc\">").skip(1).collect();
    // Audio is predicted (p > 0.5) for d1, d3 and d5, all gold: by probability.
    assert_eq!(docs.len(), 3);
    for (doc, id) in docs.iter().zip(["d1", "d5", "d3"]) {
        assert!(
            doc.contains(&format!("<span class=\"docid\">{id}</span>")),
            "{id}: {doc}"
        );
    }
    // d5 is predicted as Audio and Game: two coloured lines, the section's class first.
    let d5 = docs[1];
    let names: Vec<&str> = d5
        .split("<div class=\"tname\">")
        .skip(1)
        .map(|t| &t[..t.find(' ').unwrap()])
        .collect();
    assert_eq!(names, ["Audio", "Game"]);
    assert!(d5.contains("<span class=\"w p1\"") || d5.contains("<span class=\"w p2\""));
    assert!(d5.contains("class=\"w n"), "negative attribution coloured");
    // The class with no predicted document says so.
    assert!(
        sections[2].1.contains("<article class=\"doc\">"),
        "d3 is predicted R&D"
    );
    let game = sections[1].1;
    assert!(game.contains("<span class=\"docid\">d2</span>") && game.contains(&esc(SCRIPT_WORD)));
}

/// The two seeds' (macro-F1, micro-F1) from their metrics.json.
fn seed_f1s(dir: &std::path::Path) -> Vec<(f64, f64)> {
    [1, 2]
        .iter()
        .map(|s| {
            let path = dir.join(format!("runs/seed-{s}/model/metrics.json"));
            let m: sacx_data::metrics::Metrics =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            (m.overall.macro_f1, m.overall.micro_f1)
        })
        .collect()
}

#[test]
fn the_page_opens_with_a_summary_of_corpus_seeds_f1_and_keywords() {
    let (dir, page) = rendered();
    let main = &page[page.find("<main>").unwrap()..];
    let first = &main[main.find("<section").unwrap()..];
    assert!(
        first.starts_with("<section id=\"summary\">\n<h2>Summary</h2>"),
        "the first section after the title is the summary: {}",
        &first[..80]
    );
    let summary = &first[..first.find("</section>").unwrap()];
    for fact in [
        "<dt>corpus</dt><dd>bundled &lt;appstream&gt; &amp; co</dd>",
        "<dt>documents</dt><dd>50</dd>",
        "<dt>languages</dt><dd>3 (de, en, ja)</dd>",
        "<dt>classes</dt><dd>4</dd>",
        "<dt>seeds</dt><dd>2 (1, 2)</dd>",
    ] {
        assert!(summary.contains(fact), "{fact} in {summary}");
    }
    let f1 = seed_f1s(dir.path());
    let mean = |i: usize| {
        let v: Vec<f64> = f1.iter().map(|p| if i == 0 { p.0 } else { p.1 }).collect();
        super::html::mean_pm(&v, 3)
    };
    assert!(summary.contains(&format!("<dt>validation macro-F1</dt><dd>{}</dd>", mean(0))));
    assert!(summary.contains(&format!("<dt>validation micro-F1</dt><dd>{}</dd>", mean(1))));
    // IG against the best baseline at the smallest K, one row per measure.
    assert!(summary.contains("IG keywords, top 2 per class, against the best of 1 baseline"));
    let table = &summary[summary.find("<table class=\"summary-eval\">").unwrap()..];
    for row in ["distinctiveness", "macro coverage", "comprehensiveness"] {
        let tr = table
            .split("<tr>")
            .find(|r| r.contains(&format!(">{row}</th>")))
            .unwrap();
        assert!(tr.contains("<td>log-odds</td>"), "{tr}");
    }
    // The comprehensiveness figures are the fixture's faithfulness means.
    let ig = table
        .split("<tr>")
        .find(|r| r.contains(">comprehensiveness</th>"))
        .unwrap();
    assert!(ig.contains("<td>0.300</td><td>0.100</td>"), "{ig}");
    // Then the contents, the metrics, the classes; the run's details last.
    let at = |s: &str| page.find(s).unwrap();
    assert!(at("id=\"summary\"") < at("id=\"toc\""));
    assert!(at("id=\"toc\"") < at("id=\"classification\""));
    assert!(at("id=\"classes\"") < at("<section id=\"run\">"));
}

#[test]
fn the_parameters_are_folded_and_grouped_by_stage() {
    let (_dir, page) = rendered();
    let run = &page[page.find("<section id=\"run\">").unwrap()..];
    let run = &run[..run.find("</section>").unwrap()];
    let open = run
        .find("<details")
        .expect("the parameters are in a <details>");
    let details = &run[open..run.find("</details>").unwrap()];
    assert!(
        details.starts_with("<details class=\"params\"><summary>Parameters (13, by stage: "),
        "closed by default, with a summary: {}",
        &details[..120]
    );
    let stages = [
        "run",
        "corpus and split",
        "model",
        "training",
        "integrated gradients",
        "keywords",
        "evaluation",
        "other",
    ];
    let mut last = 0;
    for stage in stages {
        let at = details
            .find(&format!("<h3>{stage}</h3>"))
            .unwrap_or_else(|| panic!("no {stage} card"));
        assert!(at > last, "{stage} in pipeline order");
        last = at;
    }
    let card = |stage: &str| {
        let c = &details[details.find(&format!("<h3>{stage}</h3>")).unwrap()..];
        c[..c.find("</div>").unwrap()].to_string()
    };
    assert!(card("model").contains("<th scope=\"row\">model</th><td>xml-cnn</td>"));
    assert!(card("corpus and split").contains("<th scope=\"row\">train_fraction</th>"));
    assert!(card("training").contains("<th scope=\"row\">epochs</th><td>3</td>"));
    assert!(card("other").contains("<th scope=\"row\">experimental_knob</th><td>7</td>"));
    // No parameter is shown outside the fold.
    assert!(!run[..open].contains("xml-cnn") && !run[..open].contains("experimental_knob"));
}

#[test]
fn missing_parts_give_notes_instead_of_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    for f in [
        "evaluation.json",
        "run.json",
        "runs/seed-2/model/metrics.json",
        "runs/seed-1/explanations/summary.json",
    ] {
        std::fs::remove_file(dir.path().join(f)).unwrap();
    }
    let page = render(dir.path()).unwrap();
    assert!(page.contains("evaluation.json is missing"));
    assert!(page.contains("run.json is missing"));
    assert_eq!(class_sections(&page).len(), 4);
    std::fs::remove_dir_all(dir.path().join("keywords")).unwrap();
    std::fs::remove_dir_all(dir.path().join("runs/seed-1/model")).unwrap();
    let page = render(dir.path()).unwrap();
    assert!(page.contains("keywords/keywords.json is missing"));
    // Classes then come from the shards' label list; each still has its (empty) chart.
    let sections = class_sections(&page);
    assert_eq!(sections.len(), 4);
    assert!(
        sections
            .iter()
            .all(|(_, s)| s.contains("<svg class=\"chart empty\""))
    );
    // A directory with nothing in it still renders.
    let empty = tempfile::tempdir().unwrap();
    let page = render(empty.path()).unwrap();
    assert!(page.contains("No runs/seed-&lt;N&gt;/model/metrics.json found"));
}

#[test]
fn a_bad_file_is_a_one_line_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    for (file, text) in [
        ("runs/seed-2/model/metrics.json", "{\"threshold\": 0.5}"),
        ("evaluation.json", "[{\"format\": 3}]"),
        ("run.json", "{not json"),
        ("keywords/keywords.json", "[]"),
        ("runs/seed-1/explanations/shard-00000.bin", "garbage"),
    ] {
        let path = dir.path().join(file);
        let saved = std::fs::read(&path).unwrap();
        std::fs::write(&path, text).unwrap();
        let err = format!("{:#}", render(dir.path()).unwrap_err());
        assert!(err.contains(&path.display().to_string()), "{file}: {err}");
        assert!(!err.contains('\n'), "{file}: {err}");
        std::fs::write(&path, saved).unwrap();
    }
    assert!(render(&dir.path().join("nope")).is_err());
}

#[test]
fn write_is_atomic_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path());
    let path = write(dir.path()).unwrap();
    assert_eq!(path, dir.path().join(REPORT_HTML));
    let first = std::fs::read(&path).unwrap();
    write(dir.path()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first, "same run, same bytes");
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(stray.is_empty(), "temporary file left behind");
}

fn small_map() -> MapView {
    let mut view = synthetic(300, 1);
    view.classes[3] = "Dev <b>\"tools\"</b>".into();
    view
}

#[test]
fn the_map_switches_colouring_with_radios_and_css_only() {
    let view = small_map();
    let page = map_page(&view);
    assert!(!page.to_ascii_lowercase().contains("<script"));
    // Three radios of one group before the plot, the cluster colouring checked.
    let map = &page[page.find("<div class=\"map\">").unwrap()..];
    let plot_at = map.find("<svg class=\"map-plot\"").unwrap();
    for (id, checked) in [
        ("map-by-cluster", true),
        ("map-by-class", false),
        ("map-by-lang", false),
    ] {
        let radio = format!("<input type=\"radio\" name=\"map-colour\" id=\"{id}\"");
        let at = map.find(&radio).unwrap();
        assert!(at < plot_at, "{id} after the plot");
        assert_eq!(
            map[at + radio.len()..].starts_with(" checked>"),
            checked,
            "{id}"
        );
        assert!(map.contains(&format!("<label for=\"{id}\">")));
    }
    // Rules per cluster, class and language, each active under its radio.
    for rule in [
        format!(
            "#map-by-cluster:checked~* .k3,.map-table .k3{{fill:{}}}",
            PALETTE[3]
        ),
        format!("#map-by-class:checked~* .c2{{fill:{}}}", PALETTE[2]),
        format!("#map-by-lang:checked~* .l1{{fill:{}}}", PALETTE[1]),
        "#map-by-class:checked ~ .lg-c".to_string(),
    ] {
        assert!(page.contains(&rule), "{rule}");
    }
    // Every class index has its rule, the last one included.
    assert!(page.contains(&format!(".c9{{fill:{}}}", PALETTE[9])));
    // Each circle carries its cluster, first class and language, and no style.
    let plot = &map[plot_at..map.find("</svg>").unwrap()];
    let circles: Vec<&str> = plot.split("<circle ").skip(1).collect();
    assert_eq!(circles.len(), view.points.len());
    assert!(!plot.contains("style="));
    let p = view.points.iter().find(|p| p.cluster == Some(3)).unwrap();
    let class = format!("k3 c{} l{}", p.labels[0], p.language.unwrap());
    assert!(
        circles
            .iter()
            .any(|c| c.contains(&format!("class=\"{class}\"><title>{} — ", p.id)))
    );
    // Noise carries no cluster class and comes first (drawn underneath).
    assert!(!circles[0].contains("class=\"k"), "{}", circles[0]);
    // A legend per colouring, and a label per cluster with its top 3 words.
    for lg in ["lg-k", "lg-c", "lg-l"] {
        assert_eq!(
            map.matches(&format!("<div class=\"map-legend {lg}\">"))
                .count(),
            1
        );
    }
    assert_eq!(
        plot.matches("<text class=\"ml\"").count(),
        view.clusters.len()
    );
    let c = &view.clusters[0];
    assert!(plot.contains(&format!(
        ">{} · {} · {}</text>",
        c.top_words[0], c.top_words[1], c.top_words[2]
    )));
    assert!(page.contains("Dev &lt;b&gt;&quot;tools&quot;&lt;/b&gt;"));
}

#[test]
fn the_map_escapes_a_hostile_snippet_and_scales_into_the_view_box() {
    let view = small_map();
    let page = map_page(&view);
    assert!(!page.contains(HOSTILE) && !page.contains("<script"));
    assert!(!page.contains("'map')</script>"));
    assert!(page.contains(&esc(HOSTILE)));
    assert_eq!(page.matches("</title>").count(), view.points.len() + 1);
    let plot = &page[page.find("<svg class=\"map-plot\"").unwrap()..];
    for c in plot[..plot.find("</svg>").unwrap()]
        .split("<circle cx=\"")
        .skip(1)
    {
        let (x, rest) = c.split_once("\" cy=\"").unwrap();
        let y = &rest[..rest.find('"').unwrap()];
        for (v, hi) in [(x, 1000.0), (y, 640.0)] {
            assert_eq!(v.split_once('.').unwrap().1.len(), 1, "one decimal: {v}");
            let v: f64 = v.parse().unwrap();
            assert!((23.9..=hi - 23.9).contains(&v), "{v} outside the margin");
        }
    }
}

#[test]
fn the_cluster_table_has_a_row_per_cluster_and_one_for_noise() {
    let view = small_map();
    let page = map_section(&view);
    let t = &page[page.find("<table class=\"map-table\">").unwrap()..];
    let t = &t[..t.find("</table>").unwrap()];
    assert_eq!(t.matches("<tr>").count(), 1 + view.clusters.len() + 1);
    let noise = t.split("<tr>").last().unwrap();
    assert!(
        noise.contains(&format!("noise</th><td>{}</td><td>—</td>", view.noise)),
        "{noise}"
    );
    assert!(
        view.noise > 0 && noise.contains('%'),
        "noise shares from its points"
    );
    let c = &view.clusters[0];
    let row = t.split("<tr>").nth(2).unwrap();
    assert!(
        row.contains(&format!("{}</th><td>{}</td>", c.id, c.size)),
        "{row}"
    );
    assert!(row.contains(&format!("<b>{}</b>: ", esc(&c.keywords[0].0))));
    assert!(row.contains(&format!("{} <span class=\"muted\">", esc(&c.classes[0].0))));
}

#[test]
fn the_map_is_deterministic_and_survives_json() {
    let view = synthetic(2000, 5);
    let page = map_page(&view);
    assert_eq!(map_page(&synthetic(2000, 5)), page, "same view, same bytes");
    let back: MapView = serde_json::from_str(&serde_json::to_string(&view).unwrap()).unwrap();
    assert_eq!(map_page(&back), page);
    assert_ne!(map_page(&synthetic(2000, 6)), page);
}

#[test]
fn ten_thousand_points_make_a_page_under_two_megabytes() {
    let view = synthetic(10_000, 7);
    let page = map_page(&view);
    assert_eq!(page.matches("r=\"2.5\"").count(), 10_000);
    println!("10k-point map page: {} bytes", page.len());
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
}

#[test]
fn an_empty_map_is_a_note_and_a_report_shaped_page() {
    let mut view = synthetic(0, 1);
    view.notes = vec!["<i>no vectors</i>".into()];
    let page = map_page(&view);
    assert!(page.contains("<p class=\"note\">No documents to map (the map has no points).</p>"));
    assert!(!page.contains("<svg") && page.contains("&lt;i&gt;no vectors"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""));
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    // Points without finite coordinates are left out and counted.
    let mut view = synthetic(50, 2);
    view.points[0].x = f32::NAN;
    let page = map_section(&view);
    assert!(page.contains("1 documents without finite coordinates are not drawn."));
    assert_eq!(page.matches("r=\"2.5\"").count(), 49);
    view.points.truncate(1);
    assert!(map_section(&view).contains("no point has finite coordinates"));
}
