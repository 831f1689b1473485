//! The HTML report: parses as HTML (html5gum, WHATWG tokenizer) without errors, balanced tags,
//! contains its charts as inline SVG, and loads nothing from anywhere.

use html5gum::{Token, Tokenizer};
use rigor_gate::config::Settings;
use rigor_gate::html::{ReportData, render};
use rigor_gate::{GateRequest, evaluate_with, history};
use rigor_model::{Config, Outcome, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus, Store};

const VOID: &[&str] = &[
    "meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track",
    "wbr",
];

/// Tokenize and check: no tokenizer error, every end tag closes the innermost open element,
/// nothing left open; returns (tag names, attribute names).
fn validate(html: &str) -> (Vec<String>, Vec<(String, String, String)>) {
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut attrs = Vec::new();
    let mut doctype = false;
    for token in Tokenizer::new(html) {
        let token = token.unwrap();
        match token {
            Token::Error(e) => panic!("HTML parse error: {e:?}"),
            Token::Doctype(_) => doctype = true,
            Token::StartTag(t) => {
                let name = String::from_utf8_lossy(&t.name).into_owned();
                for (k, v) in &t.attributes {
                    attrs.push((
                        name.clone(),
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(v).into_owned(),
                    ));
                }
                tags.push(name.clone());
                if !t.self_closing && !VOID.contains(&name.as_str()) {
                    stack.push(name);
                }
            }
            Token::EndTag(t) => {
                let name = String::from_utf8_lossy(&t.name).into_owned();
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.as_str()),
                    "mis-nested </{name}>"
                );
            }
            _ => {}
        }
    }
    assert!(doctype, "<!DOCTYPE html> missing");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    (tags, attrs)
}

fn populated() -> (tempfile::TempDir, ReportData) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join(".rigor/history.db")).unwrap();
    for (n, outcome_b) in [Outcome::Passed, Outcome::Flaky, Outcome::Failed]
        .into_iter()
        .enumerate()
    {
        let run = store
            .begin_run(&NewRun {
                started_at: 1_795_000_000.0 + n as f64 * 100.0,
                trigger: "ci".into(),
                commit: Some("0123456789abcdef0123".into()),
                branch: Some("feature/<x>".into()),
                // the last two runs are the two shards of one CI run
                shard: Some(if n == 2 { "2/2" } else { "1/2" }.into()),
                ..Default::default()
            })
            .unwrap();
        let mut rs = Vec::new();
        for (i, (id, o, d)) in [
            ("test_a", Outcome::Passed, 1.5),
            ("test_b", outcome_b, 0.7),
            ("test_slow", Outcome::Passed, 4.0),
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = TestResult::new(TestKey::new("py", id), o, d);
            r.start_s = Some(i as f64 * 0.5);
            r.worker = Some(i as u32 % 2);
            r.tier = Some(if i == 0 { "smoke" } else { "fast" }.into());
            if o.is_failure() {
                r.excerpt =
                    Some("E   assert 1 == 2\nE    +  where <script>alert(1)</script>".into());
            }
            rs.push(r);
        }
        store.record_results(run, &rs).unwrap();
        store
            .finish_run(run, RunStatus::Passed, 1_795_000_010.0 + n as f64 * 100.0)
            .unwrap();
    }
    // two gate evaluations for a trend, with coverage and components
    std::fs::write(
        dir.path().join("rigor.toml"),
        "[components.core]\npaths = [\"src/**\"]\ncriticality = \"core\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    for (i, hits) in [(0, "1"), (1, "0")] {
        std::fs::write(
            dir.path().join("lcov.info"),
            format!("SF:src/a.py\nDA:1,1\nDA:2,{hits}\nend_of_record\n"),
        )
        .unwrap();
        let config = Config::load(
            rigor_model::config::CORE_DEFAULTS,
            Some(&dir.path().join("rigor.toml")),
            dir.path(),
            &[],
        )
        .unwrap();
        let (settings, _) = Settings::load(&config).unwrap();
        let report = evaluate_with(
            &config,
            &settings,
            &GateRequest {
                coverage: vec![dir.path().join("lcov.info")],
                ..Default::default()
            },
            &|_| None,
        )
        .unwrap();
        history::record(&mut store, &report, 1_795_000_500.0 + i as f64).unwrap();
    }
    let data = ReportData::load(&mut store, 20).unwrap();
    (dir, data)
}

#[test]
fn the_report_is_valid_self_contained_html_with_svg_charts() {
    let (_dir, data) = populated();
    assert_eq!(data.results.len(), 6, "the last run and its sibling shard");
    assert_eq!(
        data.shards.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![3, 2]
    );
    assert_eq!(data.evaluations.len(), 2);
    let html = render(&data);
    let (tags, attrs) = validate(&html);
    let svgs = tags.iter().filter(|t| *t == "svg").count();
    // timeline, slowest, recent runs, one trend per valued gate (coverage), component bars
    assert!(svgs >= 5, "{svgs} charts");
    assert!(
        tags.iter().filter(|t| *t == "rect").count() >= 9,
        "a bar per test on the timeline"
    );
    for forbidden in ["script", "link", "img", "iframe", "object", "embed", "base"] {
        assert!(
            !tags.iter().any(|t| t == forbidden),
            "<{forbidden}> present"
        );
    }
    for (tag, k, v) in &attrs {
        assert!(
            !matches!(k.as_str(), "src" | "href" | "srcset" | "action" | "data"),
            "<{tag} {k}={v}>"
        );
        if k == "xmlns" {
            assert_eq!(v, "http://www.w3.org/2000/svg");
        } else {
            assert!(!v.contains("://"), "<{tag} {k}={v}> refers to a resource");
        }
    }
    assert!(
        !html.contains("url(") && !html.contains("@import"),
        "no CSS resources"
    );
    // content
    assert!(
        html.contains("shard 1/2 / worker 0") && html.contains("shard 2/2 / worker 1"),
        "timeline lanes by tier/shard/worker"
    );
    assert!(
        html.contains("smoke / shard 1/2") && html.contains("smoke / shard 2/2"),
        "tier lanes"
    );
    assert!(
        html.contains("Shards of this commit: #3 (shard 2/2), #2 (shard 1/2)"),
        "sibling shards"
    );
    assert!(html.contains("py::test_slow"), "slowest tests");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "failure excerpt escaped"
    );
    assert!(
        html.contains("Flaky tests (1)") && html.contains("py::test_b"),
        "flaky tests"
    );
    assert!(
        html.contains("By component") && html.contains("core"),
        "coverage by component"
    );
    assert!(html.contains("trend of coverage"), "gate trend");
    assert!(
        html.contains("gate verdicts over recent evaluations"),
        "verdict grid"
    );
    assert!(html.contains("feature/&lt;x&gt;"));
}

#[test]
fn an_empty_history_still_renders_valid_html() {
    let data = ReportData::default();
    assert!(data.is_empty());
    let html = render(&data);
    validate(&html);
    assert!(html.contains("No finished run"));
}
