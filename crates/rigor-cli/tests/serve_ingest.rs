//! `rigor serve` writes: ingestion of JUnit (from a real pytest) and rigor JSON with the bearer
//! token, malformed and oversized bodies refused with nothing written, hostile ids escaped,
//! alert state from the API and from the page's form, and the warning for a public bind.

mod serve_support;

use serve_support::*;

const TOKEN: &str = "s3cret-token";

fn auth() -> (&'static str, String) {
    ("Authorization", format!("Bearer {TOKEN}"))
}

fn post(server: &Server, path: &str, body: &[u8], token: Option<&str>) -> Response {
    let h = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = h.iter().map(|v| ("Authorization", v.as_str())).collect();
    request(&server.addr, "POST", path, &headers, body)
}

fn run_count(server: &Server) -> usize {
    server.get("/api/v1/runs?limit=1000").json()["runs"]
        .as_array()
        .unwrap()
        .len()
}

/// JUnit XML written by a real pytest run of a small project.
fn pytest_junit() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    rigor_testkit::write(
        dir.path(),
        "tests/test_x.py",
        "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0, 'boom <b>'\n",
    );
    let xml = dir.path().join("junit.xml");
    let out = std::process::Command::new(python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml"])
        .arg(&xml)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::read(xml).unwrap()
}

#[test]
fn ingestion_needs_the_token_and_writes_only_what_reads() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--token", TOKEN, "--max-body-mib", "1"]);
    let junit = pytest_junit();

    assert_eq!(post(&server, "/api/v1/runs", &junit, None).status, 401);
    assert_eq!(
        post(&server, "/api/v1/runs", &junit, Some("wrong")).status,
        401
    );
    assert_eq!(run_count(&server), 0);

    let r = post(
        &server,
        "/api/v1/runs?branch=ci&commit=abc123&name=junit.xml",
        &junit,
        Some(TOKEN),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    assert_eq!(created["results"], 2);
    let id = created["run_id"].as_i64().unwrap();
    let run = server.get(&format!("/api/v1/runs/{id}")).json();
    assert_eq!(run["run"]["branch"], "ci");
    assert_eq!(run["run"]["commit"], "abc123");
    assert_eq!(run["run"]["status"], "failed");
    assert_eq!(run["run"]["trigger"], "api");
    let page = server.get(&format!("/runs/{id}"));
    assert!(page.body.contains("boom &lt;b&gt;"), "{}", page.body);

    // rigor's own JSON, with a hostile test id
    let json = serde_json::json!({
        "schema": "rigor.run/1", "status": "passed", "commit": "def456", "branch": "main", "wall_s": 1.5,
        "tests": [{"suite": "py", "id": "t[<script>alert(1)</script>]", "outcome": "passed", "duration_s": 0.25}]
    });
    let r = post(
        &server,
        "/api/v1/runs",
        json.to_string().as_bytes(),
        Some(TOKEN),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let page = server.get(&format!(
        "/test?suite=py&id={}",
        enc("t[<script>alert(1)</script>]")
    ));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("t[&lt;script&gt;alert(1)&lt;/script&gt;]")
    );
    assert!(
        !page.body.to_ascii_lowercase().contains("<script"),
        "{}",
        page.body
    );
    let overview = server.get("/");
    assert!(!overview.body.to_ascii_lowercase().contains("<script"));
    assert_eq!(run_count(&server), 2);

    // malformed bodies: 400 with the reader's location, nothing written
    let bad_xml =
        b"<testsuites><testsuite name=\"s\">\n<testcase classname=\"a\" name=\"b\">\n</testsuite>";
    let r = post(
        &server,
        "/api/v1/runs?name=shard-3.xml",
        bad_xml,
        Some(TOKEN),
    );
    assert_eq!(r.status, 400);
    let err = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        err.starts_with("shard-3.xml:3:1: malformed JUnit XML"),
        "{err}"
    );
    let r = post(
        &server,
        "/api/v1/runs",
        b"{\"schema\": \"rigor.run/1\",\n \"status\": 7}",
        Some(TOKEN),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"].as_str().unwrap().starts_with("body:2:"),
        "{}",
        r.body
    );
    let r = post(
        &server,
        "/api/v1/runs?name=../../etc/passwd",
        b"\xff\xfe<x/>",
        Some(TOKEN),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("passwd:1:1: malformed result file"),
        "{}",
        r.body
    );
    let r = post(&server, "/api/v1/runs", b"hello", Some(TOKEN));
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("neither JSON nor XML")
    );
    let empty = b"<testsuites></testsuites>";
    assert_eq!(
        post(&server, "/api/v1/runs", empty, Some(TOKEN)).status,
        400
    );
    // larger than --max-body-mib 1
    let mut big = b"<testsuites>".to_vec();
    big.resize(2 * 1024 * 1024, b' ');
    let r = post(&server, "/api/v1/runs", &big, Some(TOKEN));
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(run_count(&server), 2, "nothing written by refused bodies");
}

#[test]
fn alerts_are_acknowledged_and_resolved_with_the_token_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..20 {
        let v = if i < 10 { 10.0 } else { 13.0 } * (1.0 + 0.001 * (i % 3) as f64);
        let file = d.join(format!("m{i}.json"));
        std::fs::write(&file, serde_json::json!({"metrics": [{"name": "load", "unit": "ms", "direction": "lower_is_better", "value": v}]}).to_string()).unwrap();
        let out = rigor(d)
            .args([
                "perf",
                "ingest",
                file.to_str().unwrap(),
                "--commit",
                &format!("c{i:02}"),
                "--branch",
                "main",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        rigor(d)
            .args(["perf", "detect", "--branch", "main"])
            .output()
            .unwrap()
            .status
            .success()
    );

    // read-only server: no forms, writes refused
    let ro = Server::start(d, &[]);
    assert!(!ro.get("/perf").body.contains("action=\"/perf/alerts/1\""));
    assert_eq!(
        post(
            &ro,
            "/api/v1/alerts/1",
            br#"{"state": "resolved"}"#,
            Some(TOKEN)
        )
        .status,
        403
    );
    drop(ro);

    let server = Server::start(d, &["--token", TOKEN]);
    let perf = server.get("/perf");
    assert!(
        perf.body.contains("action=\"/perf/alerts/1\""),
        "{}",
        perf.body
    );
    assert_eq!(
        post(
            &server,
            "/api/v1/alerts/1",
            br#"{"state": "acknowledged"}"#,
            None
        )
        .status,
        401
    );
    assert_eq!(
        post(
            &server,
            "/api/v1/alerts/1",
            br#"{"state": "gone"}"#,
            Some(TOKEN)
        )
        .status,
        400
    );
    assert_eq!(
        post(
            &server,
            "/api/v1/alerts/99",
            br#"{"state": "resolved"}"#,
            Some(TOKEN)
        )
        .status,
        404
    );
    let r = post(
        &server,
        "/api/v1/alerts/1",
        br#"{"state": "acknowledged", "note": "looking"}"#,
        Some(TOKEN),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let acked = server.get("/api/v1/alerts?state=acknowledged").json();
    assert_eq!(acked["alerts"][0]["note"], "looking");

    // the page's form: the token in the form body
    let form = |token: &str| format!("token={token}&state=resolved&note=fixed+in+c21");
    let (k, _) = auth();
    let headers = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = request(
        &server.addr,
        "POST",
        "/perf/alerts/1",
        &headers,
        form("nope").as_bytes(),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        server.get("/api/v1/alerts?state=resolved").json()["alerts"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = request(
        &server.addr,
        "POST",
        "/perf/alerts/1",
        &headers,
        form(TOKEN).as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("location").unwrap().starts_with("/perf"));
    let resolved = server.get("/api/v1/alerts?state=resolved").json();
    assert_eq!(resolved["alerts"][0]["note"], "fixed in c21", "{resolved}");
    assert_eq!(k, "Authorization");
}

#[test]
fn binding_beyond_loopback_without_a_token_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = rigor(dir.path());
    let out = c
        .args(["serve", "--addr", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an address to listen on"));

    let mut child = rigor(dir.path())
        .args(["serve", "--addr", "0.0.0.0:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = String::new();
    {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap());
        while !err.contains("listening on") {
            if lines.read_line(&mut err).unwrap() == 0 {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        err.contains("warning: listening on 0.0.0.0:") && err.contains("without --token"),
        "{err}"
    );
    let quiet = Server::start(dir.path(), &["--token", TOKEN]);
    assert!(!quiet.stderr.lock().unwrap().contains("warning"));
}
