//! `rigor serve`'s /metrics parsed by a real OpenMetrics parser (Python prometheus_client) over
//! a history recorded by the real binary; the values agree with the JSON API.

mod serve_support;

use serve_support::*;
use std::collections::HashMap;

const PARSER: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    out[fam.name] = {"type": fam.type, "unit": fam.unit,
                     "samples": [[s.name, s.labels, s.value] for s in fam.samples]}
print(json.dumps(out))
"#;

/// The families as the parser sees them (it rejects anything that is not valid OpenMetrics).
fn parse(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, text).unwrap();
    let out = std::process::Command::new(python())
        .args(["-c", PARSER, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "prometheus_client rejected the exposition (is prometheus-client from scripts/test-requirements.txt installed?):\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample(fams: &serde_json::Value, family: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: HashMap<&str, &str> = labels.iter().copied().collect();
    fams[family]["samples"]
        .as_array()
        .unwrap_or_else(|| panic!("no family {family}: {fams}"))
        .iter()
        .find(|s| {
            s[0] == name
                && want.iter().all(|(k, v)| s[1][*k] == *v)
                && s[1].as_object().unwrap().len() == want.len()
        })
        .unwrap_or_else(|| panic!("no sample {name} {labels:?} in {}", fams[family]))[2]
        .as_f64()
        .unwrap()
}

#[test]
fn metrics_parse_as_openmetrics_and_agree_with_the_api() {
    let dir = fixture_history();
    let server = Server::start(dir.path(), &[]);
    let r = server.get("/metrics");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").unwrap(),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(r.body.ends_with("# EOF\n"));
    let f = parse(&r.body);

    assert_eq!(
        sample(&f, "rigor_runs", "rigor_runs", &[("status", "failed")]),
        4.0
    );
    assert_eq!(f["rigor_runs"]["type"], "gauge");
    assert_eq!(
        sample(
            &f,
            "rigor_last_run_tests",
            "rigor_last_run_tests",
            &[("branch", "feature"), ("outcome", "failed")]
        ),
        2.0
    );
    assert_eq!(
        sample(
            &f,
            "rigor_last_run_tests",
            "rigor_last_run_tests",
            &[("branch", "main"), ("outcome", "flaky")]
        ),
        1.0
    );
    // summaries: 4 runs × 5 results
    assert_eq!(f["rigor_test_duration_seconds"]["type"], "summary");
    assert_eq!(f["rigor_test_duration_seconds"]["unit"], "seconds");
    assert_eq!(
        sample(
            &f,
            "rigor_test_duration_seconds",
            "rigor_test_duration_seconds_count",
            &[]
        ),
        20.0
    );
    let p99 = sample(
        &f,
        "rigor_test_duration_seconds",
        "rigor_test_duration_seconds",
        &[("quantile", "0.99")],
    );
    assert!(p99 >= 0.3, "test_slow sleeps 0.3 s: {p99}");
    assert_eq!(
        sample(
            &f,
            "rigor_run_wall_seconds",
            "rigor_run_wall_seconds_count",
            &[]
        ),
        4.0
    );
    // every run ran the whole suite
    assert_eq!(
        sample(&f, "rigor_selection_ratio", "rigor_selection_ratio", &[]),
        1.0
    );
    assert_eq!(
        sample(
            &f,
            "rigor_selection_saved_seconds",
            "rigor_selection_saved_seconds",
            &[]
        ),
        0.0
    );
    let flaky = server.get("/api/v1/flaky").json();
    let scored = flaky["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["score"].as_f64().unwrap() >= 0.3)
        .count();
    assert!(scored >= 1);
    assert_eq!(
        sample(&f, "rigor_flaky_tests", "rigor_flaky_tests", &[]),
        scored as f64
    );
    assert_eq!(
        sample(
            &f,
            "rigor_quarantined_tests",
            "rigor_quarantined_tests",
            &[]
        ),
        1.0
    );
    // the newest perf points (commit23: 1.2 × base × wiggle) and the two open alerts
    let parse_ms = sample(
        &f,
        "rigor_perf_latest_value",
        "rigor_perf_latest_value",
        &[
            ("benchmark", "parse"),
            ("measure", "value"),
            ("testbed", "default"),
            ("unit", "ms"),
        ],
    );
    let api = server.get("/api/v1/perf/series/1").json();
    let last = api["series"]["points"].as_array().unwrap().last().unwrap()["value"]
        .as_f64()
        .unwrap();
    assert_eq!(parse_ms, last);
    assert!((parse_ms - 60.0).abs() < 1.0, "{parse_ms}");
    assert_eq!(
        sample(
            &f,
            "rigor_perf_alerts",
            "rigor_perf_alerts",
            &[("state", "open")]
        ),
        2.0
    );
    assert_eq!(
        sample(
            &f,
            "rigor_perf_alerts",
            "rigor_perf_alerts",
            &[("state", "resolved")]
        ),
        0.0
    );
}

#[test]
fn the_parser_rejects_what_is_not_openmetrics() {
    // the check above can fail: a sample of an undeclared family without # EOF is refused
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.txt");
    std::fs::write(&file, "rigor_runs{status=\"passed\" 3\n").unwrap();
    let out = std::process::Command::new(python())
        .args(["-c", PARSER, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
