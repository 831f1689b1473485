//! `rigor serve` over a history that the real binary recorded: every page and API route, links
//! between pages, filters, escaping of hostile test ids, 404s and no path traversal.

mod serve_support;

use serve_support::*;

fn assert_page(r: &Response, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.body);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "{what}: {}",
        r.head
    );
    assert!(r.body.starts_with("<!DOCTYPE html>"), "{what}");
    // self-contained: no script, no external resource
    assert!(
        !r.body.to_ascii_lowercase().contains("<script"),
        "{what} has a script: {}",
        r.body
    );
    assert!(
        !r.body.contains("src=\"http") && !r.body.contains("href=\"http"),
        "{what} loads from elsewhere"
    );
}

#[test]
fn pages_show_the_history_and_link_to_each_other() {
    let dir = fixture_history();
    let server = Server::start(dir.path(), &[]);

    let overview = server.get("/");
    assert_page(&overview, "overview");
    for needle in [
        "Latest run per branch",
        "<option value=\"main\">main</option>",
        "<option value=\"feature\">feature</option>",
        "pass rate (%)",
        "wall time (s)",
        "CI time saved by selection",
        "Open performance alerts",
        "Failing gates",
        "href=\"/runs/4\"",
    ] {
        assert!(
            overview.body.contains(needle),
            "overview lacks {needle}: {}",
            overview.body
        );
    }
    // the open alerts of the perf step, and the failing tests gate
    assert!(
        overview.body.contains("parse (") && overview.body.contains("render ("),
        "{}",
        overview.body
    );
    assert!(overview.body.contains(">tests</a>"), "{}", overview.body);

    // branch filter: only the feature run is the latest of its branch
    let feature = server.get("/?branch=feature");
    assert_page(&feature, "overview for feature");
    assert!(
        feature.body.contains("<option value=\"feature\" selected>"),
        "{}",
        feature.body
    );
    assert!(
        feature.body.contains("href=\"/runs/4\"") && !feature.body.contains("href=\"/runs/3\""),
        "{}",
        feature.body
    );
    assert_eq!(server.get("/?days=soon").status, 400);
    // a time window before any run shows none
    let old = server.get("/runs?days=0.0000001");
    assert_page(&old, "runs in a tiny window");
    assert!(old.body.contains("No runs in this filter."), "{}", old.body);

    // the run page: failures with excerpts linked to the test page, timeline, gates
    let run = server.get("/runs/4");
    assert_page(&run, "run 4");
    assert!(
        run.body.contains("expected failure: one is not two"),
        "{}",
        run.body
    );
    assert!(
        run.body.contains(&format!(
            "href=\"/test?suite=python&amp;id={}",
            enc(FAILING_ID)
        )),
        "{}",
        run.body
    );
    assert!(
        run.body.contains("aria-label=\"timeline") || run.body.contains("worker"),
        "{}",
        run.body
    );
    assert!(
        run.body.contains("<h2>Gates</h2><table>") && run.body.contains(">tests<"),
        "{}",
        run.body
    );
    assert_eq!(server.get("/runs/999").status, 404);
    let failing = server.get(&format!("/test?suite=python&id={}", enc(FAILING_ID)));
    assert_page(&failing, "quarantined test");
    assert!(
        failing.body.contains("Quarantined until")
            && failing.body.contains("broken &lt;b&gt;upstream&lt;/b&gt;"),
        "{}",
        failing.body
    );
    assert_eq!(server.get("/runs/abc").status, 400);

    // the flaky test's page: strip, trend, score with evidence
    let flaky = server.get(&format!("/test?suite=python&id={}", enc(FLAKY_ID)));
    assert_page(&flaky, "flaky test");
    assert!(
        flaky.body.contains("aria-label=\"outcome history\""),
        "{}",
        flaky.body
    );
    assert!(
        flaky.body.contains("duration (s)") && flaky.body.contains("passed on retry"),
        "{}",
        flaky.body
    );
    assert!(
        flaky.body.contains("<span class=\"warn\">flaky</span>"),
        "{}",
        flaky.body
    );
    assert!(flaky.body.contains("Not quarantined."), "{}", flaky.body);
    assert_eq!(server.get("/test?suite=python&id=nope").status, 404);

    // a test id with markup is text everywhere
    let script = server.get(&format!("/test?suite=python&id={}", enc(SCRIPT_ID)));
    assert_page(&script, "script-named test");
    assert!(
        script
            .body
            .contains("test_named[&lt;script&gt;alert(1)&lt;/script&gt;]"),
        "{}",
        script.body
    );
    let tests = server.get("/tests?q=named");
    assert_page(&tests, "tests search");
    assert!(tests.body.contains("&lt;script&gt;"), "{}", tests.body);

    let board = server.get("/flaky");
    assert_page(&board, "flaky board");
    let (f, a) = (
        board.body.find("test_every_other_attempt").unwrap(),
        board.body.find("test_always_fails").unwrap(),
    );
    assert!(
        f < a,
        "the flaky test scores above the always-failing one: {}",
        board.body
    );

    assert!(
        board.body.contains("<h2>Quarantined</h2><table>"),
        "{}",
        board.body
    );
    let slow = server.get("/slowest");
    assert_page(&slow, "slowest");
    assert!(
        slow.body.find("test_slow").unwrap() < slow.body.find("test_stable").unwrap(),
        "{}",
        slow.body
    );

    let perf = server.get("/perf?branch=main");
    assert_page(&perf, "perf");
    assert!(perf.body.matches("<svg").count() >= 2, "{}", perf.body);
    assert!(perf.body.contains("/perf/series/1"), "{}", perf.body);
    // read-only: no forms to change alerts
    assert!(
        !perf.body.contains("action=\"/perf/alerts/"),
        "{}",
        perf.body
    );
    let series = server.get("/perf/series/1?branch=main");
    assert_page(&series, "series");
    assert!(
        series.body.contains("commit12"),
        "the stored change point: {}",
        series.body
    );
    assert_eq!(server.get("/perf/series/99").status, 404);

    let gates = server.get("/gates");
    assert_page(&gates, "gates");
    assert!(
        gates.body.contains("gate verdicts over recent evaluations")
            && gates.body.contains("<h2>tests</h2>"),
        "{}",
        gates.body
    );

    for p in [
        "/runs",
        "/tests",
        "/runs?branch=main",
        "/flaky?days=30",
        "/slowest?branch=feature",
        "/gates?branch=feature",
    ] {
        assert_page(&server.get(p), p);
    }
}

#[test]
fn the_api_answers_json_and_nothing_leaks_past_the_routes() {
    let dir = fixture_history();
    let server = Server::start(dir.path(), &[]);
    let runs = server.get("/api/v1/runs?branch=main").json();
    assert_eq!(runs["api"], "rigor.serve/v1");
    let ids: Vec<i64> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![3, 2, 1]);
    assert_eq!(runs["runs"][0]["branch"], "main");
    assert!(runs["runs"][0]["counts"]["failed"].as_u64().unwrap() >= 1);
    assert_eq!(
        server.get("/api/v1/runs?limit=1").json()["runs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        server.get("/api/v1/runs?before=2").json()["runs"][0]["id"],
        1
    );

    let run = server.get("/api/v1/runs/4").json();
    assert_eq!(run["run"]["branch"], "feature");
    assert_eq!(run["results"].as_array().unwrap().len(), 5);
    assert_eq!(run["gates"]["gates"][0]["gate"], "tests");
    let missing = server.get("/api/v1/runs/77");
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("no run #77")
    );

    let tests = server.get("/api/v1/tests?q=script").json();
    assert_eq!(tests["tests"][0]["id"], SCRIPT_ID);
    let history = server
        .get(&format!(
            "/api/v1/tests/history?suite=python&id={}",
            enc(FLAKY_ID)
        ))
        .json();
    assert_eq!(history["history"].as_array().unwrap().len(), 4);
    assert!(
        history["flaky"]["retried_passes"].as_u64().unwrap() >= 1,
        "{history}"
    );
    let feature_only = server
        .get(&format!(
            "/api/v1/tests/history?suite=python&id={}&branch=feature",
            enc(FLAKY_ID)
        ))
        .json();
    assert_eq!(feature_only["history"].as_array().unwrap().len(), 1);

    let flaky = server.get("/api/v1/flaky").json();
    assert_eq!(flaky["tests"][0]["id"], FLAKY_ID, "{flaky}");
    assert!(flaky["tests"][0]["score"].as_f64().unwrap() > 0.0);

    let series = server.get("/api/v1/perf/series").json();
    assert_eq!(series["series"].as_array().unwrap().len(), 2);
    let one = server.get("/api/v1/perf/series/1?branch=main").json();
    assert_eq!(one["series"]["points"].as_array().unwrap().len(), 24);
    assert_eq!(one["series"]["change_points"][0]["commit"], "commit12");
    let open = server.get("/api/v1/alerts?state=open").json();
    assert_eq!(open["alerts"].as_array().unwrap().len(), 2, "{open}");
    assert_eq!(server.get("/api/v1/alerts?state=bogus").status, 400);
    let gates = server.get("/api/v1/gates").json();
    assert_eq!(gates["evaluations"][0]["report"]["passed"], false);
    assert!(
        server.get("/api/v1/").json()["endpoints"]
            .as_array()
            .unwrap()
            .len()
            >= 10
    );

    // nothing outside the routes; no file is ever served
    for p in [
        "/../../etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/../../../etc/passwd",
        "/api/v2/runs",
    ] {
        let r = server.get(p);
        assert!(r.status == 404 || r.status == 400, "{p}: {}", r.status);
        assert!(!r.body.contains("root:"), "{p}");
    }
    // read-only without a token: writes are refused, nothing written
    let post = request(&server.addr, "POST", "/api/v1/runs", &[], b"{}");
    assert_eq!(post.status, 403, "{}", post.body);
    assert_eq!(
        server.get("/api/v1/runs?limit=100").json()["runs"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(server.stop(), Some(0), "SIGTERM stops the server cleanly");
}
