//! Opens a rendered report in headless Chromium (Debian's `chromium`): every class
//! has its chart in the rendered DOM, markup from the data stays text, and the page
//! makes no network request, checked on Chromium's own network log with a negative
//! control (a page with a remote image must be caught).
//!
//! Without Chromium the test tries `apt-get install -y chromium`; when that fails it
//! prints `SKIPPED: ...` and returns. Set `SACX_REPORT_SCREENSHOT=<file.png>` to also
//! save a screenshot of the report (and a copy of the page beside it).

// The fixture run directory is shared with the crate's unit tests; the report
// itself is rendered through the library.
#[allow(dead_code)]
#[path = "../src/fixture.rs"]
mod fixture;

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
}

/// Loads `page` in headless Chromium with every host name unresolvable, dumps the
/// DOM after load and reads the network log.
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
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(extra)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let start = Instant::now();
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
    let dom = reader.join().unwrap().expect("read the dumped DOM");
    let log: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&netlog).expect("chromium wrote its network log"),
    )
    .expect("the network log is JSON");
    Visit {
        dom,
        page_requests: page_requests(&log),
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
    // The report made no request at all.
    assert!(
        seen.page_requests.is_empty(),
        "the report made requests: {:?}",
        seen.page_requests
    );

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
    if let Some(s) = shot {
        let copy = s.with_extension("html");
        std::fs::copy(&page, &copy).unwrap();
        println!("screenshot: {}; the page: {}", s.display(), copy.display());
    }
}
