//! `rigor store copy --to URL`: a SQLite history copied into a throwaway PostgreSQL and back
//! gives the same history and flaky output, and every area's tables come back row for row; a filled target is refused without --force; a bad
//! URL is a usage error.

mod common;

use common::*;
use rigor_testkit::pg::PgCluster;
use std::path::Path;

fn json(dir: &Path, url: &str, args: &[&str]) -> serde_json::Value {
    let out = rigor(dir)
        .env("RIGOR_STORE_URL", url)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A command that prints no JSON; exit 0 asserted.
fn json_or_text(dir: &Path, url: &str, args: &[&str]) {
    let out = rigor(dir)
        .env("RIGOR_STORE_URL", url)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy(dir: &Path, from: &str, to: &str, extra: &[&str]) -> std::process::Output {
    rigor(dir)
        .env("RIGOR_STORE_URL", from)
        .args(["store", "copy", "--to", to, "--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn sqlite_to_postgres_and_back_gives_the_same_history() {
    let pg = PgCluster::start();
    let (_t, dir) = project("pyproj");
    let sqlite = "sqlite://.rigor/history.db";
    for _ in 0..3 {
        json(&dir, sqlite, &["run", "--format", "json"]);
    }
    let q = rigor(&dir)
        .env("RIGOR_STORE_URL", sqlite)
        .args([
            "flaky",
            "quarantine",
            "tests/test_basic.py::test_fail",
            "--reason",
            "copied",
        ])
        .output()
        .unwrap();
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stderr));
    let views = [
        &["history", "--format", "json"][..],
        &["history", "--run", "2", "--format", "json"],
        &["history", "--slowest", "--format", "json"],
        &["flaky", "--format", "json"],
    ];
    let seen = |url: &str| -> Vec<serde_json::Value> {
        views.iter().map(|a| json(&dir, url, a)).collect()
    };
    let before = seen(sqlite);
    let pg_url = pg.database("copied");
    let out = copy(&dir, sqlite, &pg_url, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tables: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert!(
        tables.starts_with(&["runs", "tests", "results"]),
        "{report:#}"
    );
    assert_eq!(seen(&pg_url), before, "PostgreSQL shows what SQLite showed");
    let back = "sqlite://.rigor/back.db";
    let out = copy(&dir, &pg_url, back, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(seen(back), before, "and SQLite again after the round trip");
    // New runs after the copy get new ids on PostgreSQL (its sequences moved past the copy).
    let (_, run) = {
        let v = json(&dir, &pg_url, &["run", "--format", "json"]);
        (0, v)
    };
    assert_eq!(run["run_id"], 4, "{run:#}");

    // A filled target is refused, and nothing changes; --force replaces it.
    let out = copy(&dir, sqlite, &pg_url, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the target history is not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        json(&dir, &pg_url, &["history", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let out = copy(&dir, sqlite, &pg_url, &["--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(seen(&pg_url), before);
}

/// A rollout with one analysis, recorded through rigor-release (a real rollout needs live
/// services; its recording is what the copy is about).
fn record_rollout(history: &Path) {
    use rigor_release::rollout::controller::{Analysis, Decision, Report};
    use rigor_release::rollout::judge::{Thresholds, judge};
    use rigor_release::rollout::record::{Meta, record};
    use rigor_release::rollout::samples::Sample;
    let s = Sample {
        latencies_ms: vec![2.0; 40],
        errors: 1,
        requests: 40,
    };
    let analysis = |step| Analysis {
        at_s: step as f64,
        step,
        percent: 50 * step as u32,
        verdict: judge(&s, &s, &Thresholds::default()),
    };
    let report = Report {
        decision: Decision::Promoted,
        manual: false,
        reason: "every step passed".into(),
        analyses: vec![analysis(1), analysis(2)],
        green_exposure_s: 2.5,
        drained: true,
    };
    let meta = Meta {
        started: 100.0,
        finished: 103.0,
        commit: Some("abc123"),
        blue: "127.0.0.1:1",
        green: "127.0.0.1:2",
        steps: &[50, 100],
        forced: false,
        readiness: "passed",
    };
    let mut store = rigor_store::Store::open(history).unwrap();
    record(&mut store, &meta, &report).unwrap();
}

/// Every row of `table` in a SQLite history, in row order.
fn sqlite_rows(history: &Path, table: &str) -> Vec<String> {
    let store = rigor_store::Store::open(history).unwrap();
    store
        .with_sql(|db| {
            Ok(db
                .query(&format!("SELECT * FROM {table} ORDER BY rowid"), &[])?
                .iter()
                .map(|r| format!("{:?}", r.0))
                .collect())
        })
        .unwrap()
}

/// Every area's tables, filled through the commands that write them (runs, co-failures and a
/// coverage map, perf series with change points and alerts, gates, a triage label, kept
/// mutation verdicts, a rollout), copied SQLite → PostgreSQL → SQLite: the commands that read
/// them show the same on all three, and the round trip gives back every row, ids included.
#[test]
fn every_area_survives_sqlite_to_postgres_and_back() {
    let pg = PgCluster::start();
    let (_t, dir) = stores::pysel_checkout(".rigor/\n__pycache__/\n.pytest_cache/\n*.json\n");
    let src = "sqlite://.rigor/history.db";
    let broken = |on: bool| {
        let body = if on { "x + x + 1" } else { "2 * x" };
        std::fs::write(
            dir.join("pkg/a.py"),
            format!("def double(x):\n    return {body}\n"),
        )
        .unwrap();
    };
    json(&dir, src, &["run", "--format", "json"]);
    broken(true);
    json(&dir, src, &["run", "--base", "HEAD", "--format", "json"]);
    broken(false);
    for i in 0..12 {
        let v = if i < 8 { 50.0 } else { 60.0 };
        let f = dir.join(format!("perf{i}.json"));
        let metrics = serde_json::json!({"metrics": [
            {"name": "parse", "unit": "ms", "direction": "lower_is_better", "value": v}
        ]});
        std::fs::write(&f, metrics.to_string()).unwrap();
        let commit = format!("c{i:02}");
        let f = f.to_str().unwrap();
        let args = ["perf", "ingest", f, "--commit", &commit, "--branch", "main"];
        json_or_text(&dir, src, &args);
    }
    json(
        &dir,
        src,
        &["perf", "detect", "--branch", "main", "--format", "json"],
    );
    json_or_text(
        &dir,
        src,
        &[
            "perf", "baseline", "set", "--branch", "main", "--commit", "c07",
        ],
    );
    json(&dir, src, &["gate", "--format", "json"]);
    let triage = json(&dir, src, &["triage", "--format", "json"]);
    let sig = triage["failures"][0]["signature"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a failure to label: {triage}"))
        .to_string();
    json_or_text(
        &dir,
        src,
        &[
            "triage",
            "label",
            &sig,
            "--as",
            "regression",
            "--note",
            "copied",
        ],
    );
    json(
        &dir,
        src,
        &["mutate", "--file", "pkg/a.py", "--format", "json"],
    );
    record_rollout(&dir.join(".rigor/history.db"));

    let views = [
        &["history", "--format", "json"][..],
        &["history", "--run", "2", "--format", "json"],
        &["flaky", "--format", "json"],
        &[
            "perf", "history", "*", "--branch", "main", "--format", "json",
        ],
        &["perf", "alerts", "--state", "all", "--format", "json"],
        &["perf", "baseline", "show", "--format", "json"],
        &["gate", "--no-record", "--format", "json"],
        &["triage", "--format", "json"],
        &["rollout", "history", "--format", "json"],
        &["plan", "--base", "HEAD", "--format", "json"],
    ];
    // The plan is asked about the broken change: its risks use the co-failures and the map.
    let seen = |url: &str| -> Vec<serde_json::Value> {
        broken(true);
        let out = views.iter().map(|a| json(&dir, url, a)).collect();
        broken(false);
        out
    };
    let before = seen(src);
    let pg_url = pg.database("every");
    let out = copy(&dir, src, &pg_url, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let areas: Vec<&str> = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(
        areas,
        [
            "core",
            "gate",
            "mutate",
            "perf",
            "quarantine",
            "rollout",
            "select",
            "triage"
        ],
        "{report:#}"
    );
    assert_eq!(report["skipped_areas"], serde_json::json!([]));
    let rows_of = |table: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .unwrap_or_else(|| panic!("{table} not copied: {report:#}"))["rows"]
            .as_u64()
            .unwrap()
    };
    for table in [
        "results",
        "perf_points",
        "perf_change_points",
        "perf_alerts",
        "perf_baselines",
        "gate_evaluations",
        "gate_results",
        "triage_labels",
        "mutate_verdicts",
        "rollouts",
        "select_cofail",
        "select_file_changes",
        "select_cov_suite",
        "select_cov_rows",
    ] {
        assert!(rows_of(table) > 0, "{table} is empty: {report:#}");
    }
    assert_eq!(rows_of("rollout_analyses"), 2);
    assert_eq!(seen(&pg_url), before, "PostgreSQL shows what SQLite showed");
    let back = "sqlite://.rigor/back.db";
    let out = copy(&dir, &pg_url, back, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(seen(back), before, "and SQLite again after the round trip");
    for t in report["tables"].as_array().unwrap() {
        let table = t["table"].as_str().unwrap();
        assert_eq!(
            sqlite_rows(&dir.join(".rigor/back.db"), table),
            sqlite_rows(&dir.join(".rigor/history.db"), table),
            "{table}: every row, ids included, back after the round trip"
        );
    }
    // The plan used what was copied: the last failures, and the coverage map (whose rows of
    // pkg/a.py the failing run refreshed against the broken content).
    let plan = before.last().unwrap().to_string();
    assert!(
        plan.contains("failed in the last run") && plan.contains("coverage map"),
        "{plan}"
    );
}

#[test]
fn a_bad_target_is_a_usage_error_and_writes_nothing() {
    let (_t, dir) = project("pyproj");
    let sqlite = "sqlite://.rigor/history.db";
    for (to, says) in [
        ("ftp://elsewhere/db", "not a store URL"),
        (sqlite, "the target is the history itself"),
    ] {
        let out = copy(&dir, sqlite, to, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
    }
    assert!(!dir.join("elsewhere").exists());
}
