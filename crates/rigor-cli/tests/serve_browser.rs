//! End to end in a real browser: headless Chromium (Debian's `chromium`, which scripts/test.sh
//! installs) loads the overview and a test page from a running `rigor serve` over a history the
//! real binary recorded; the DOM is checked and screenshots are kept under
//! target/test-artifacts/serve/.

mod serve_support;

use serve_support::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("RIGOR_TEST_CHROMIUM") {
        return PathBuf::from(p);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        for name in ["chromium", "chromium-browser"] {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "chromium is not installed: the browser test needs Debian's `chromium` package (scripts/test.sh installs it with `apt-get install -y chromium`; or set RIGOR_TEST_CHROMIUM to a Chromium binary)"
    );
}

/// Run headless Chromium on `url` with `mode` (`--dump-dom` or `--screenshot=FILE`); stdout.
fn browse(url: &str, mode: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,1800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(mode)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {mode} {url} failed: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish {mode} {url} in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn screenshot(url: &str, name: &str) -> PathBuf {
    let file = artifacts_dir().join(name);
    let _ = std::fs::remove_file(&file);
    browse(url, &format!("--screenshot={}", file.display()));
    let png =
        std::fs::read(&file).unwrap_or_else(|e| panic!("no screenshot {}: {e}", file.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 20_000,
        "a nearly empty screenshot: {} bytes",
        png.len()
    );
    file
}

#[test]
fn chromium_renders_the_overview_and_a_test_page() {
    let dir = fixture_history();
    let server = Server::start(dir.path(), &[]);
    let base = format!("http://{}", server.addr);

    let dom = browse(&format!("{base}/"), "--dump-dom");
    assert!(dom.contains("<h1>Overview</h1>"), "{dom}");
    assert!(
        dom.contains("Latest run per branch") && dom.contains("href=\"/runs/4\""),
        "{dom}"
    );
    assert!(
        dom.contains("<svg") && dom.contains("trend of pass rate (%)"),
        "{dom}"
    );
    for link in [
        "href=\"/flaky\"",
        "href=\"/perf\"",
        "href=\"/gates\"",
        "href=\"/slowest\"",
    ] {
        assert!(dom.contains(link), "{link} missing: {dom}");
    }
    assert!(!dom.contains("<script"), "{dom}");

    let test_url = format!("{base}/test?suite=python&id={}", enc(SCRIPT_ID));
    let dom = browse(&test_url, "--dump-dom");
    assert!(
        dom.contains("test_named[&lt;script&gt;alert(1)&lt;/script&gt;]"),
        "the id is text: {dom}"
    );
    assert!(
        !dom.contains("<script"),
        "no script element came from the id: {dom}"
    );
    assert!(
        dom.contains("outcome history") && dom.contains("duration (s)"),
        "{dom}"
    );

    let flaky_url = format!("{base}/test?suite=python&id={}", enc(FLAKY_ID));
    let shots = [
        screenshot(&format!("{base}/"), "overview.png"),
        screenshot(&flaky_url, "test-page.png"),
        screenshot(&format!("{base}/perf?branch=main"), "perf.png"),
    ];
    for s in shots {
        eprintln!("screenshot: {}", s.display());
    }
}
