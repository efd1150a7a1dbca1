//! Opens a rendered report in headless Chromium (Debian's `chromium`): every class
//! has its chart in the rendered DOM, markup from the data stays text, and the page
//! makes no network request, checked on Chromium's own network log with a negative
//! control (a page with a remote image must be caught).
//!
//! A topic map of 10,000 documents loads within a generous time bound, with every
//! circle in the DOM and nothing on the console (a blocked inline script on a page
//! with the same policy must show there).
//!
//! Without Chromium the tests try `apt-get install -y chromium`; when that fails they
//! print `SKIPPED: ...` and return. Set `SACX_REPORT_SCREENSHOT=<file.png>` to also
//! save a screenshot of the report (and a copy of the page beside it), and
//! `SACX_MAP_SCREENSHOT=<file.png>` for screenshots of the map (coloured by cluster,
//! and beside it `<file>-class.png`, by gold class).

// The fixture run directory is shared with the crate's unit tests; the report
// itself is rendered through the library.
#[allow(dead_code)]
#[path = "../src/fixture.rs"]
mod fixture;
#[allow(dead_code)]
#[path = "../src/map_fixture.rs"]
mod map_fixture;

// `map_fixture` names the map's types as `super::map`.
use sacx_report::map;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

fn ensure_chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get")
            .args(["update", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        install();
    }
    if Path::new(CHROMIUM).exists() {
        Ok(())
    } else {
        Err(format!(
            "{CHROMIUM} is missing and `apt-get install -y chromium` failed"
        ))
    }
}

/// What one headless Chromium run of a page gave.
struct Visit {
    dom: String,
    /// URLs of requests the page made (not Chromium's own background requests).
    page_requests: Vec<String>,
    /// The page's console messages (Content-Security-Policy violations among them),
    /// from Chromium's log on stderr.
    console: Vec<String>,
    /// From the start of Chromium to its exit after dumping the DOM.
    elapsed: Duration,
}

/// Loads `page` in headless Chromium with every host name unresolvable, dumps the
/// DOM after load and reads the network log and the console.
fn visit(page: &Path, work: &Path, extra: &[String]) -> Visit {
    let profile = work.join("profile");
    let netlog = work.join("netlog.json");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    let read_all = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            pipe.read_to_string(&mut s).map(|_| s)
        })
    };
    let reader = read_all(Box::new(child.stdout.take().unwrap()));
    let log_reader = read_all(Box::new(child.stderr.take().unwrap()));
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = start.elapsed();
    let dom = reader.join().unwrap().expect("read the dumped DOM");
    let console = log_reader
        .join()
        .unwrap()
        .expect("read chromium's log")
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let log: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&netlog).expect("chromium wrote its network log"),
    )
    .expect("the network log is JSON");
    Visit {
        dom,
        page_requests: page_requests(&log),
        console,
        elapsed,
    }
}

/// URLs of the URL requests in a Chromium net log that the page issued: those with a
/// real initiator or keyed to the `file://` page. Chromium's own background requests
/// (initiator "not an origin", not keyed to the page) are left out; `file:`, `data:`
/// and `about:` URLs are not network requests.
fn page_requests(log: &serde_json::Value) -> Vec<String> {
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("net log constants name URL_REQUEST_START_JOB");
    let events = log["events"].as_array().expect("net log events");
    let mut out = Vec::new();
    for e in events {
        if e["type"].as_u64() != Some(start_job) {
            continue;
        }
        let p = &e["params"];
        let url = p["url"].as_str().unwrap_or_default();
        if ["file:", "data:", "about:"]
            .iter()
            .any(|s| url.starts_with(s))
        {
            continue;
        }
        let initiator = p["initiator"].as_str().unwrap_or("not an origin");
        let key = p["network_isolation_key"].as_str().unwrap_or_default();
        if initiator != "not an origin" || key.contains("file://") {
            out.push(url.to_string());
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn report_renders_in_chromium_with_a_chart_per_class_and_no_request() {
    if let Err(why) = ensure_chromium() {
        println!("SKIPPED: report_browser: {why}; the report was not checked in a browser");
        eprintln!("SKIPPED: report_browser: {why}; the report was not checked in a browser");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    std::fs::create_dir_all(&run).unwrap();
    fixture::write_run(&run);
    let page = sacx_report::write(&run).unwrap();
    let control = tmp.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><p>control</p><img src=\"http://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let work: Vec<PathBuf> = ["report", "control"]
        .iter()
        .map(|w| tmp.path().join(w))
        .collect();
    for w in &work {
        std::fs::create_dir_all(w).unwrap();
    }
    let shot = std::env::var_os("SACX_REPORT_SCREENSHOT").map(PathBuf::from);
    let mut extra = vec!["--window-size=1280,3000".to_string()];
    if let Some(s) = &shot {
        extra.push(format!("--screenshot={}", s.display()));
    }
    let (seen, control_seen) = std::thread::scope(|s| {
        let a = s.spawn(|| visit(&page, &work[0], &extra));
        let b = s.spawn(|| visit(&control, &work[1], &[]));
        (a.join().unwrap(), b.join().unwrap())
    });

    // The detector works: the control page's remote image is caught.
    assert_eq!(
        control_seen.page_requests,
        ["http://example.invalid/x.png"],
        "negative control"
    );
    assert!(control_seen.dom.contains("control"));
    // The report made no request at all, and logged nothing on the console.
    assert!(
        seen.page_requests.is_empty(),
        "the report made requests: {:?}",
        seen.page_requests
    );
    assert!(seen.console.is_empty(), "console: {:?}", seen.console);

    // Every class has its section with a chart in the rendered DOM.
    let dom = &seen.dom;
    let sections: Vec<(String, &str)> = dom
        .split("<section class=\"class\"")
        .skip(1)
        .map(|chunk| {
            let attr = chunk.split("data-class=\"").nth(1).expect("data-class");
            let body = &chunk[..chunk.find("</section>").expect("section end")];
            (unescape(&attr[..attr.find('"').unwrap()]), body)
        })
        .collect();
    let names: Vec<String> = sections.iter().map(|s| s.0.clone()).collect();
    assert_eq!(
        names,
        fixture::labels(),
        "class sections in the rendered page"
    );
    for (class, body) in &sections {
        assert_eq!(
            body.matches("<svg class=\"chart").count(),
            1,
            "chart of {class}"
        );
    }
    // Bars were parsed as SVG (keywords are positive evidence: no bar points away
    // from its class); counter-evidence is a folded table; data markup stayed text.
    assert!(dom.contains("class=\"bar pos\"") && !dom.contains("class=\"bar neg\""));
    assert!(dom.contains("<details class=\"counter\"><summary>Counter-evidence (1)</summary>"));
    assert!(
        !dom.to_ascii_lowercase().contains("<script"),
        "a script element in the DOM"
    );
    assert!(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    // As parsed, the page opens with the summary (seeds and F1 in it) and the
    // parameters stay folded: their <details> has no `open` attribute.
    let main = &dom[dom.find("<main>").expect("main")..];
    let first = &main[main.find("<section").expect("a section")..];
    assert!(
        first.starts_with("<section id=\"summary\">"),
        "{}",
        &first[..60]
    );
    let summary = &first[..first.find("</section>").expect("summary end")];
    assert!(
        summary.contains("<dt>seeds</dt><dd>2 (1, 2)</dd>"),
        "{summary}"
    );
    assert!(
        summary.contains("<dt>validation macro-F1</dt>"),
        "{summary}"
    );
    let params = &dom[dom
        .find("<details class=\"params\"")
        .expect("folded parameters")..];
    let tag = &params[..params.find('>').unwrap()];
    assert!(!tag.contains("open"), "the parameters are folded: {tag}");
    assert!(params.starts_with("<details class=\"params\"><summary>Parameters ("));
    if let Some(s) = shot {
        let copy = s.with_extension("html");
        std::fs::copy(&page, &copy).unwrap();
        println!("screenshot: {}; the page: {}", s.display(), copy.display());
    }
}

/// The `<svg class="map-plot">` element of a page or DOM.
fn map_plot(html: &str) -> &str {
    let from = html
        .find("<svg class=\"map-plot\"")
        .expect("the map's plot");
    &html[from..from + html[from..].find("</svg>").expect("end of the plot")]
}

#[test]
fn a_map_of_ten_thousand_points_loads_quickly_with_every_circle() {
    if let Err(why) = ensure_chromium() {
        println!("SKIPPED: map_browser: {why}; the map was not checked in a browser");
        eprintln!("SKIPPED: map_browser: {why}; the map was not checked in a browser");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let view = map_fixture::synthetic(10_000, 7);
    let html = map::map_page(&view);
    // The same page with the gold-class colouring checked instead of the clusters'.
    let by_class = html
        .replacen(
            "id=\"map-by-cluster\" checked>",
            "id=\"map-by-cluster\">",
            1,
        )
        .replacen("id=\"map-by-class\">", "id=\"map-by-class\" checked>", 1);
    assert_ne!(by_class, html);
    // A page with the same policy and an inline script: its violation must be logged.
    let control = "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"></head>\
         <body><p>control</p><script>document.title = 'ran'</script></body></html>";
    let shot = std::env::var_os("SACX_MAP_SCREENSHOT").map(PathBuf::from);
    let mut seen = Vec::new();
    for (name, page, shot) in [
        ("map", html.as_str(), shot.clone()),
        (
            "map-class",
            by_class.as_str(),
            shot.as_ref().map(|s| {
                s.with_file_name(format!(
                    "{}-class.png",
                    s.file_stem().unwrap_or_default().to_string_lossy()
                ))
            }),
        ),
        ("control", control, None),
    ] {
        let path = tmp.path().join(format!("{name}.html"));
        std::fs::write(&path, page).unwrap();
        let work = tmp.path().join(name);
        std::fs::create_dir_all(&work).unwrap();
        let mut extra = vec!["--window-size=1280,1500".to_string()];
        if let Some(s) = &shot {
            extra.push(format!("--screenshot={}", s.display()));
        }
        // One at a time, so that the load times are the page's own.
        seen.push(visit(&path, &work, &extra));
    }
    let (map_seen, class_seen, control_seen) = (&seen[0], &seen[1], &seen[2]);
    println!(
        "10k-point map: {} bytes, loaded in {:.2} s (class variant {:.2} s; \
         a one-line page {:.2} s)",
        html.len(),
        map_seen.elapsed.as_secs_f64(),
        class_seen.elapsed.as_secs_f64(),
        control_seen.elapsed.as_secs_f64()
    );
    assert!(
        control_seen
            .console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "negative control: {:?}",
        control_seen.console
    );
    for (v, checked) in [(map_seen, "map-by-cluster"), (class_seen, "map-by-class")] {
        assert!(v.elapsed < Duration::from_secs(20), "took {:?}", v.elapsed);
        assert!(
            v.page_requests.is_empty(),
            "requests: {:?}",
            v.page_requests
        );
        assert!(v.console.is_empty(), "console: {:?}", v.console);
        let plot = map_plot(&v.dom);
        assert_eq!(plot.matches("<circle ").count(), 10_000);
        assert_eq!(
            plot.matches("<text class=\"ml\"").count(),
            view.clusters.len()
        );
        assert!(
            v.dom.contains(&format!("id=\"{checked}\" checked")),
            "{checked}"
        );
        assert!(!v.dom.to_ascii_lowercase().contains("<script"));
        assert!(v.dom.contains("&lt;script&gt;alert('map')&lt;/script&gt;"));
    }
    if let Some(s) = shot {
        println!("screenshots: {} and its -class variant", s.display());
    }
}

/// The learning-curve page of `sacx simulate-al` with every selection strategy:
/// each strategy's line and band in both charts, a legend entry each, eight
/// distinct colours, and no request.
#[test]
fn a_simulation_page_of_every_strategy_draws_a_line_each() {
    if let Err(why) = ensure_chromium() {
        println!("SKIPPED: curve_browser: {why}; the page was not checked in a browser");
        eprintln!("SKIPPED: curve_browser: {why}; the page was not checked in a browser");
        return;
    }
    use sacx_report::curve::{CurveChart, Series, page};
    let names = [
        "sacx",
        "random",
        "least-confidence",
        "prediction-entropy",
        "breaking-ties",
        "cvirs",
        "label-cardinality",
        "committee",
    ];
    let x = vec![100.0, 150.0, 200.0, 250.0];
    let chart = |title: &str| CurveChart {
        title: title.into(),
        y_label: "macro-F1".into(),
        x: x.clone(),
        series: names
            .iter()
            .enumerate()
            .map(|(k, n)| Series {
                name: (*n).into(),
                values: (0..x.len())
                    .map(|r| (0..3).map(|s| 0.1 + 0.02 * (k + r + s) as f64).collect())
                    .collect(),
            })
            .collect(),
    };
    // The stop-set agreement: no value at the start, one below 0.
    let mut kappa = chart("κ");
    for (k, s) in kappa.series.iter_mut().enumerate() {
        s.values[0].clear();
        s.values[1] = vec![-0.05 * k as f64, 0.2, 0.4];
    }
    let html = page(
        "strategies",
        &["eight strategies".to_string()],
        &[chart("macro-F1"), chart("micro-F1"), kappa],
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("simulation.html");
    std::fs::write(&path, &html).unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let seen = visit(&path, &work, &[]);
    assert!(seen.page_requests.is_empty(), "{:?}", seen.page_requests);
    assert_eq!(seen.dom.matches("<svg class=\"curve\"").count(), 3);
    for n in names {
        assert_eq!(
            seen.dom.matches(&format!("data-series=\"{n}\"")).count(),
            3,
            "{n}: a line in each chart"
        );
        assert!(seen.dom.contains(&format!(">{n}</text>")), "{n}: legend");
    }
    // The mean lines of one chart: eight colours, none repeated.
    let colours: std::collections::BTreeSet<&str> = seen
        .dom
        .split("<polyline class=\"mean\"")
        .skip(1)
        .take(names.len())
        .filter_map(|l| {
            let at = l.find("stroke=\"#")? + 8;
            l.get(at..at + 7)
        })
        .collect();
    assert_eq!(colours.len(), names.len(), "colours: {colours:?}");
    // The κ chart: lines start at the second point, and a negative value
    // is drawn inside the plot, not below its axis.
    let last = seen.dom.rsplit("<svg class=\"curve\"").next().unwrap();
    let height: f64 = last
        .split("height=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap();
    for line in last.split("<polyline class=\"mean\"").skip(1) {
        let points = line.split("points=\"").nth(1).unwrap();
        let points = points.split('"').next().unwrap();
        let ys: Vec<f64> = points
            .split_whitespace()
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert_eq!(ys.len(), x.len() - 1, "no point without a value: {points}");
        assert!(ys.iter().all(|&y| y > 0.0 && y < height), "{points}");
    }
}
