//! The history on PostgreSQL: the same scenario gives the same output as on SQLite, concurrent
//! runs lose nothing, areas not ported yet and unreachable servers fail clearly. A throwaway
//! cluster is started per test (rigor-testkit's `PgCluster`); the tests fail, with what to
//! install, when PostgreSQL is absent.

mod common;

use common::*;
use rigor_testkit::pg::PgCluster;
use std::path::Path;
use std::process::{Command, Stdio};

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Timestamps differ between two recordings of the same results: replaced by a marker.
fn redact(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if ["started_at", "finished_at", "created_at", "expires_at"].contains(&k.as_str())
                    && !x.is_null()
                {
                    *x = "[time]".into();
                } else {
                    redact(x);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact),
        _ => {}
    }
}

/// What `rigor` prints for one command against the history at `url`, timestamps redacted.
fn output(dir: &Path, url: &str, args: &[&str]) -> serde_json::Value {
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
    let mut v = json_of(&out);
    redact(&mut v);
    v
}

#[test]
fn the_same_scenario_gives_the_same_output_on_sqlite_and_postgres() {
    let pg = PgCluster::start();
    let (_t, dir) = project("pyproj");
    // Three runs' results, recorded once, merged into either history.
    let mut files = Vec::new();
    for k in 1..=3 {
        let out = rigor(&dir)
            .env("RIGOR_STORE_URL", "sqlite://.rigor/source.db")
            .args(["run", "--format", "json"])
            .output()
            .unwrap();
        let f = dir.join(format!("run-{k}.json"));
        std::fs::write(&f, &out.stdout).unwrap();
        files.push(f);
    }
    let scenario = |url: &str| -> Vec<serde_json::Value> {
        let out = rigor(&dir)
            .env("RIGOR_STORE_URL", url)
            .arg("merge")
            .args(&files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let q = rigor(&dir)
            .env("RIGOR_STORE_URL", url)
            .args([
                "flaky",
                "quarantine",
                "tests/test_basic.py::test_pass",
                "--reason",
                "demo",
            ])
            .output()
            .unwrap();
        assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stderr));
        [
            &["history", "--format", "json"][..],
            &["history", "--slowest", "--format", "json"],
            &["history", "--failing", "--format", "json"],
            &["history", "--run", "2", "--format", "json"],
            &["flaky", "--format", "json"],
            &["plan", "--all", "--shards", "2", "--format", "json"],
            &["list", "--format", "json"],
        ]
        .iter()
        .map(|args| output(&dir, url, args))
        .collect()
    };
    let sqlite = scenario("sqlite://.rigor/compare.db");
    let postgres = scenario(&pg.database("compare"));
    assert_eq!(sqlite.len(), postgres.len());
    for (a, b) in sqlite.iter().zip(&postgres) {
        assert_eq!(a, b, "SQLite and PostgreSQL disagree");
    }
    assert_eq!(sqlite[0].as_array().unwrap().len(), 3, "three runs merged");
    assert!(
        sqlite[4].to_string().contains("demo"),
        "the quarantine is listed: {}",
        sqlite[4]
    );
}

#[test]
fn eight_concurrent_runs_into_postgres_lose_nothing() {
    let pg = PgCluster::start();
    let url = pg.database("concurrent");
    let (_t, dir) = project("pyproj");
    let many = "import pytest\n\n\n@pytest.mark.parametrize('i', range(150))\ndef test_many(i):\n    pass\n";
    std::fs::write(dir.join("tests/test_many.py"), many).unwrap();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_rigor"))
                .current_dir(&dir)
                .env("RIGOR_PYTHON_INTERPRETER", python())
                .env("RIGOR_STORE_URL", &url)
                .args(["run", "-j", "1", "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut per_run = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "the fixture has failing tests: {err}"
        );
        assert!(
            !err.contains("deadlock") && !err.contains("PostgreSQL"),
            "{err}"
        );
        let s = json_of(&out);
        per_run.push((
            s["run_id"].as_i64().unwrap(),
            s["tests"].as_array().unwrap().len(),
        ));
    }
    let runs = output(&dir, &url, &["history", "-n", "50", "--format", "json"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 8, "one run per process");
    let mut ids: Vec<i64> = per_run.iter().map(|r| r.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "every run has its own id: {per_run:?}");
    for (id, n) in per_run {
        let run = runs.iter().find(|r| r["id"] == id).unwrap();
        let recorded: u64 = run["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(recorded, n as u64, "run {id}: every result recorded");
        assert!(n >= 150, "run {id} ran {n} tests");
    }
    // Nothing was written to a SQLite file beside the project.
    assert!(!dir.join(".rigor/history.db").exists());
}

#[test]
fn areas_not_on_postgres_yet_and_unreachable_servers_fail_clearly() {
    let pg = PgCluster::start();
    let url = pg.database("areas");
    let (_t, dir) = project("pyproj");
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "first");
    let fails = |url: &str, args: &[&str]| {
        let out = rigor(&dir)
            .env("RIGOR_STORE_URL", url)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    };
    // Change-aware selection keeps its co-failure tables in SQLite only.
    let err = fails(&url, &["plan"]);
    assert!(
        err.contains("the `select` area") && err.contains("needs the SQLite store for now"),
        "{err}"
    );
    // Commands that open the SQLite file themselves say so too.
    let err = fails(&url, &["report"]);
    assert!(err.contains("needs the SQLite history for now"), "{err}");
    // A server that is not there: where, and what to check.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = fails(
        &format!("postgres://ci:secret@127.0.0.1:{port}/team"),
        &["history"],
    );
    assert!(
        err.contains(&format!("ci@127.0.0.1:{port}/team"))
            && err.contains("pg_isready")
            && !err.contains("secret"),
        "{err}"
    );
    // A database that does not exist.
    let missing = format!("postgres://rigor@127.0.0.1:{}/nope", pg.port());
    let err = fails(&missing, &["history"]);
    assert!(
        err.contains("does not exist") && err.contains("createdb"),
        "{err}"
    );
}

#[test]
fn store_check_and_prune_work_on_postgres_and_backup_points_to_pg_dump() {
    let pg = PgCluster::start();
    let url = pg.database("ops");
    let (_t, dir) = project("pyproj");
    std::fs::remove_file(dir.join("tests/test_slow.py")).unwrap();
    for _ in 0..3 {
        let out = rigor(&dir)
            .env("RIGOR_STORE_URL", &url)
            .args(["run", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = |args: &[&str]| {
        rigor(&dir)
            .env("RIGOR_STORE_URL", &url)
            .arg("store")
            .args(args)
            .output()
            .unwrap()
    };
    let check = json_of(&store(&["check", "--format", "json"]));
    assert_eq!(
        (check["engine"].as_str(), check["ok"].as_bool()),
        (Some("postgres"), Some(true))
    );
    assert_eq!(
        (check["runs"].as_u64(), check["unfinished_runs"].as_u64()),
        (Some(3), Some(0))
    );
    assert!(!check["location"].as_str().unwrap().contains("password"));
    let done = json_of(&store(&["prune", "--keep-runs", "1", "--format", "json"]));
    assert_eq!(done["runs_removed"], 2);
    assert_eq!(done["runs_kept"], 1);
    let after = json_of(&store(&["check", "--format", "json"]));
    assert_eq!(after["runs"], 1);
    assert_eq!(
        after["results"].as_u64().unwrap() * 3,
        check["results"].as_u64().unwrap(),
        "the kept run keeps its results"
    );
    let out = store(&["backup", "b.db"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.join("b.db").exists());
}

/// The server goes away in the middle of a run: the run stops soon after, exits 2 with a
/// message naming the server and what was recorded, and does not panic or hang.
#[test]
fn a_server_lost_mid_run_fails_the_run_cleanly() {
    let pg = PgCluster::start();
    let url = pg.database("lost");
    let (_t, dir) = project("pyproj");
    std::fs::write(
        dir.join("tests/test_long.py"),
        "import time\nimport pytest\n\n\n@pytest.mark.parametrize('i', range(40))\ndef test_long(i):\n    time.sleep(0.25)\n",
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(&dir)
        .env("RIGOR_PYTHON_INTERPRETER", python())
        .env("RIGOR_STORE_URL", &url)
        .args(["run", "-j", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let it record some results, then take the server away.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let stopped = std::time::Instant::now();
    pg.stop();
    let out = child.wait_with_output().unwrap();
    let took = stopped.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(&format!(
            "the history at postgres://rigor@127.0.0.1:{}/lost failed during the run",
            pg.port()
        )),
        "{err}"
    );
    assert!(
        err.contains("recorded: run 1 and ") && err.contains("pg_isready"),
        "{err}"
    );
    // 40 tests of 0.25 s would need 10 s more: the run stopped at the failure instead.
    assert!(
        took < std::time::Duration::from_secs(8),
        "took {took:?}: {err}"
    );
}
