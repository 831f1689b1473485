//! `rigor store copy --to URL`: a SQLite history copied into a throwaway PostgreSQL and back
//! gives the same history and flaky output; a filled target is refused without --force; a bad
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
