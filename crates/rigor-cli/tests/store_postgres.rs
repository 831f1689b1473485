//! The history on PostgreSQL: the same scenario gives the same output as on SQLite, concurrent
//! runs lose nothing, change-aware selection (co-failures, coverage maps) gives the same plans,
//! and unreachable servers fail clearly. A throwaway
//! cluster is started per test (rigor-testkit's `PgCluster`); the tests fail, with what to
//! install, when PostgreSQL is absent.

mod common;
#[allow(clippy::duplicate_mod)]
mod serve_support;

use common::*;
use rigor_testkit::pg::PgCluster;
use std::path::Path;
use std::process::{Command, Stdio};

/// Keys whose values differ between two recordings of the same data: timestamps, and row ids
/// (identity columns may skip numbers on PostgreSQL).
const REDACTED: &[&str] = &[
    "started_at",
    "finished_at",
    "created_at",
    "expires_at",
    "ingested_at",
    "first_seen",
    "last_seen",
    "set_at",
    "time",
    "first_seen_at",
    "source",
    "generated_at",
];

/// Timestamps differ between two recordings of the same results: replaced by a marker.
fn redact(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if REDACTED.contains(&k.as_str()) && !x.is_null() {
                    *x = "[time]".into();
                } else {
                    redact(x);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact),
        serde_json::Value::String(text) => *text = redact_times(text),
        _ => {}
    }
}

/// `YYYY-MM-DD HH:MM:SS` inside a text replaced by `[time]`.
fn redact_times(text: &str) -> String {
    let shape = b"dddd-dd-dd dd:dd:dd";
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            });
        if fits {
            out.push_str("[time]");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
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
    stores::eight_concurrent_runs_lose_nothing(&dir, Some(&url), &["deadlock", "PostgreSQL"]);
    // Nothing was written to a SQLite file beside the project.
    assert!(!dir.join(".rigor/history.db").exists());
}

#[test]
fn unreachable_servers_fail_clearly() {
    let pg = PgCluster::start();
    let (_t, dir) = project("pyproj");
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

/// `rigor` in `dir` against the history at `url`; exit code 0 asserted.
fn ok(dir: &Path, url: &str, args: &[&str]) -> std::process::Output {
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
    out
}

/// Both engines, one scenario each: the outputs must be equal.
fn same_on_both(
    pg: &PgCluster,
    name: &str,
    scenario: impl Fn(&str) -> Vec<serde_json::Value>,
) -> Vec<serde_json::Value> {
    let sqlite = scenario(&format!("sqlite://.rigor/{name}.db"));
    let postgres = scenario(&pg.database(name));
    assert_eq!(sqlite.len(), postgres.len());
    for (i, (a, b)) in sqlite.iter().zip(&postgres).enumerate() {
        assert_eq!(a, b, "step {i}: SQLite and PostgreSQL disagree");
    }
    sqlite
}

/// What selection decided, without what depends on measured durations (estimates, tiers, the
/// order of equally risky tests): the change, each selected test's reasons and risk, the skipped
/// tests and why.
fn plan_view(p: &serde_json::Value) -> serde_json::Value {
    let mut tests: Vec<serde_json::Value> = p["tests"]
        .as_array()
        .unwrap_or_else(|| panic!("not a plan: {p}"))
        .iter()
        .map(|t| serde_json::json!([t["id"], t["reasons"], t["risk"]]))
        .collect();
    tests.sort_by_key(|t| t[0].to_string());
    serde_json::json!({
        "base": p["base"], "changed_files": p["changed_files"], "full_run": p["full_run"],
        "total": p["total"], "tests": tests, "skipped": p["skipped"],
    })
}

/// A run's verdict: status, counts and each test's outcome (sorted by id).
fn run_view(r: &serde_json::Value) -> serde_json::Value {
    let mut tests: Vec<String> = r["tests"]
        .as_array()
        .unwrap_or_else(|| panic!("not a run summary: {r}"))
        .iter()
        .map(|t| format!("{} {}", t["id"], t["outcome"]))
        .collect();
    tests.sort();
    serde_json::json!({"status": r["status"], "counts": r["counts"], "tests": tests})
}

/// The selection area's rows (co-failures, file changes, coverage map) in the history at `url`.
fn select_rows(dir: &Path, url: &str) -> serde_json::Value {
    let store = match url.strip_prefix("sqlite://") {
        Some(path) => rigor_store::Store::open(&dir.join(path)).unwrap(),
        None => rigor_store::Store::open_postgres(url).unwrap(),
    };
    let rows = |sql: &str| -> Vec<String> {
        store
            .with_sql(|db| {
                Ok(db
                    .query(sql, &[])?
                    .iter()
                    .map(|r| format!("{:?}", r.0))
                    .collect())
            })
            .unwrap()
    };
    serde_json::json!({
        "cofail": rows("SELECT file, suite, test_id, failures FROM select_cofail ORDER BY file, suite, test_id"),
        "changes": rows("SELECT file, changes FROM select_file_changes ORDER BY file"),
        "coverage": rows("SELECT suite, file, context, content, numbits FROM select_cov_rows ORDER BY suite, file, context"),
    })
}

/// `rigor run` / `rigor ci` with `--format json` against `url`, with the expected exit code.
fn run_at(dir: &Path, url: &str, args: &[&str], code: i32) -> serde_json::Value {
    let out = rigor(dir)
        .env("RIGOR_STORE_URL", url)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

/// Change-aware selection on both engines, through the binary, in one git checkout: a full run
/// records the history and the coverage map; a change breaks `double`; `rigor plan --base HEAD`
/// selects the same tests for the same reasons; `rigor run --base HEAD` records the change's
/// co-failures; the next plan ranks the failed tests first; `rigor ci` runs on the history.
#[test]
fn change_aware_selection_is_the_same_on_both_engines() {
    let pg = PgCluster::start();
    let (_t, dir) = stores::pysel_checkout(".rigor/\n__pycache__/\n.pytest_cache/\n");
    let scenario = |url: &str| -> Vec<serde_json::Value> {
        let full = run_at(&dir, url, &["run"], 0);
        std::fs::write(
            dir.join("pkg/a.py"),
            "def double(x):\n    return x + x + 1\n",
        )
        .unwrap();
        let before = plan_view(&output(
            &dir,
            url,
            &["plan", "--base", "HEAD", "--format", "json"],
        ));
        let changed = run_at(&dir, url, &["run", "--base", "HEAD"], 1);
        let after = plan_view(&output(
            &dir,
            url,
            &["plan", "--base", "HEAD", "--format", "json"],
        ));
        let rows = select_rows(&dir, url);
        let ci = run_at(&dir, url, &["ci", "--base", "HEAD"], 1);
        let ci = serde_json::json!({"status": ci["status"], "counts": ci["counts"]});
        let history = output(&dir, url, &["history", "--format", "json"]);
        let statuses: Vec<_> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].clone())
            .collect();
        let ci_rows = select_rows(&dir, url);
        rigor_testkit::git(&dir, &["checkout", "-q", "--", "pkg/a.py"]);
        vec![
            run_view(&full),
            before,
            run_view(&changed),
            after,
            rows,
            ci,
            serde_json::json!(statuses),
            ci_rows["changes"].clone(),
        ]
    };
    let sqlite = scenario("sqlite://.rigor/select.db");
    let postgres = scenario(&pg.database("select"));
    for (i, (a, b)) in sqlite.iter().zip(&postgres).enumerate() {
        assert_eq!(a, b, "step {i}: SQLite and PostgreSQL disagree");
    }
    // The scenario exercised what it claims: the change selected test_a's two tests (with the
    // coverage map's reason), both failed, their co-failures were recorded, and the failed
    // tests came first in the next plan's risk.
    let two = [
        "tests/test_a.py::test_double",
        "tests/test_a.py::test_double_zero",
    ];
    let selected: Vec<&str> = sqlite[1]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    assert_eq!(selected, two, "{}", sqlite[1]);
    assert!(sqlite[1].to_string().contains("covers"), "{}", sqlite[1]);
    assert_eq!(sqlite[2]["counts"]["failed"], 2, "{}", sqlite[2]);
    assert!(
        sqlite[3].to_string().contains("failed in the last run"),
        "{}",
        sqlite[3]
    );
    let rows = &sqlite[4];
    assert_eq!(rows["cofail"].as_array().unwrap().len(), 2, "{rows}");
    assert_eq!(
        rows["changes"],
        serde_json::json!(["[Text(\"pkg/a.py\"), Int(1)]"])
    );
    assert!(rows["coverage"].as_array().unwrap().len() >= 6, "{rows}");
    assert_eq!(sqlite[5]["status"], "failed", "{}", sqlite[5]);
    assert_eq!(
        sqlite[6].as_array().unwrap().len(),
        3,
        "three runs: {}",
        sqlite[6]
    );
    assert_eq!(
        sqlite[7],
        serde_json::json!(["[Text(\"pkg/a.py\"), Int(2)]"]),
        "ci recorded the change too"
    );
}

#[test]
fn perf_ingest_detect_alerts_and_history_are_the_same_on_both_engines() {
    let pg = PgCluster::start();
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    // 16 commits on main; both benchmarks step up 20 % at commit 10.
    let files: Vec<_> = (0..16)
        .map(|i| {
            let f = if i < 10 { 1.0 } else { 1.2 };
            let wobble = 1.0 + 0.002 * ((i * 7 % 5) as f64 - 2.0);
            let file = dir.join(format!("r{i}.json"));
            std::fs::write(
                &file,
                serde_json::json!({"metrics": [
                    {"name": "parse", "unit": "ms", "direction": "lower_is_better", "value": 50.0 * f * wobble},
                    {"name": "render", "unit": "ms", "direction": "lower_is_better", "value": 80.0 * f * wobble}
                ]})
                .to_string(),
            )
            .unwrap();
            file
        })
        .collect();
    let outputs = same_on_both(&pg, "perf", |url| {
        for (i, f) in files.iter().enumerate() {
            let commit = format!("commit{i:02}");
            let f = f.to_str().unwrap();
            ok(
                dir,
                url,
                &["perf", "ingest", f, "--commit", &commit, "--branch", "main"],
            );
        }
        ok(
            dir,
            url,
            &[
                "perf", "baseline", "set", "--branch", "main", "--commit", "commit09",
            ],
        );
        let mut out: Vec<serde_json::Value> = [
            &["perf", "detect", "--branch", "main", "--format", "json"][..],
            &["perf", "alerts", "--format", "json"],
            &[
                "perf", "history", "*", "--branch", "main", "--format", "json",
            ],
            &["perf", "baseline", "show", "--format", "json"],
            &[
                "perf",
                "compare",
                "--commit",
                "commit15",
                "--branch",
                "main",
                "--format",
                "json",
                "--no-alerts",
            ],
        ]
        .iter()
        .map(|args| output(dir, url, args))
        .collect();
        // Acknowledge the first alert by its id: the state change is stored.
        let alerts = json_of(&ok(dir, url, &["perf", "alerts", "--format", "json"]));
        let id = alerts["alerts"][0]["id"]
            .as_i64()
            .expect("an alert")
            .to_string();
        ok(dir, url, &["perf", "alerts", "ack", &id, "--note", "seen"]);
        out.push(output(
            dir,
            url,
            &["perf", "alerts", "--state", "all", "--format", "json"],
        ));
        out
    });
    let detect = &outputs[0];
    for s in detect["series"].as_array().unwrap() {
        assert_eq!(s["change_points"][0]["commit"], "commit10", "{s}");
    }
    assert_eq!(
        outputs[1]["alerts"].as_array().unwrap().len(),
        2,
        "{}",
        outputs[1]
    );
    assert_eq!(outputs[5]["alerts"][0]["state"], "acknowledged");
    assert_eq!(outputs[5]["alerts"][0]["note"], "seen");
}

/// Three recorded runs of the pyproj fixture, as `rigor run --format json` files to merge.
fn recorded_runs(dir: &Path) -> Vec<std::path::PathBuf> {
    (1..=3)
        .map(|k| {
            let out = rigor(dir)
                .env("RIGOR_STORE_URL", "sqlite://.rigor/source.db")
                .args(["run", "--format", "json"])
                .output()
                .unwrap();
            let f = dir.join(format!("run-{k}.json"));
            std::fs::write(&f, &out.stdout).unwrap();
            f
        })
        .collect()
}

/// Perf results of 12 commits, stepping up 20 % at the 8th.
fn perf_files(dir: &Path) -> Vec<std::path::PathBuf> {
    (0..12)
        .map(|i| {
            let f = if i < 8 { 1.0 } else { 1.2 };
            let file = dir.join(format!("perf{i}.json"));
            std::fs::write(
                &file,
                serde_json::json!({"metrics": [
                    {"name": "parse", "unit": "ms", "direction": "lower_is_better", "value": 50.0 * f}
                ]})
                .to_string(),
            )
            .unwrap();
            file
        })
        .collect()
}

#[test]
fn gate_history_and_the_serve_api_are_the_same_on_both_engines() {
    let pg = PgCluster::start();
    let (_t, dir) = project("pyproj");
    let runs = recorded_runs(&dir);
    let perf = perf_files(&dir);
    let outputs = same_on_both(&pg, "serve", |url| {
        // The server reads store.url from rigor.toml.
        std::fs::write(
            dir.join("rigor.toml"),
            format!("[store]\nurl = \"{url}\"\n"),
        )
        .unwrap();
        let out = rigor(&dir).arg("merge").args(&runs).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (i, f) in perf.iter().enumerate() {
            let commit = format!("c{i:02}");
            ok(
                &dir,
                url,
                &[
                    "perf",
                    "ingest",
                    f.to_str().unwrap(),
                    "--commit",
                    &commit,
                    "--branch",
                    "main",
                ],
            );
        }
        ok(&dir, url, &["perf", "detect", "--branch", "main"]);
        let mut out = vec![output(&dir, url, &["gate", "--format", "json"])];
        out.push(output(
            &dir,
            url,
            &["gate", "--run", "2", "--format", "json"],
        ));
        let server = serve_support::Server::start(&dir, &[]);
        for path in [
            "/api/v1/runs",
            "/api/v1/runs/2",
            "/api/v1/tests",
            "/api/v1/tests?q=fail",
            "/api/v1/tests/history?suite=python&id=tests/test_basic.py::test_fail",
            "/api/v1/flaky",
            "/api/v1/perf/series",
            "/api/v1/perf/series/1?branch=main",
            "/api/v1/alerts",
            "/api/v1/gates",
        ] {
            let r = server.get(path);
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            let mut v = r.json();
            redact(&mut v);
            out.push(serde_json::json!({ "path": path, "body": v }));
        }
        for page in ["/", "/runs", "/flaky", "/perf", "/gates"] {
            let r = server.get(page);
            assert_eq!(r.status, 200, "{page} on {url}: {}", r.body);
        }
        out
    });
    assert!(outputs[0]["gates"].is_array(), "{}", outputs[0]);
    let runs_json = &outputs[2]["body"]["runs"];
    assert_eq!(runs_json.as_array().unwrap().len(), 3, "{runs_json}");
}

#[test]
fn triage_labels_are_the_same_on_both_engines() {
    let pg = PgCluster::start();
    let (_t, dir) = project("pyproj");
    let runs = recorded_runs(&dir);
    let outputs = same_on_both(&pg, "triage", |url| {
        let out = rigor(&dir)
            .env("RIGOR_STORE_URL", url)
            .arg("merge")
            .args(&runs)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let first = output(&dir, url, &["triage", "--format", "json"]);
        let raw = json_of(
            &rigor(&dir)
                .env("RIGOR_STORE_URL", url)
                .args(["triage", "--format", "json"])
                .output()
                .unwrap(),
        );
        let sig = raw["failures"][0]["signature"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a failure with a signature: {raw}"))
            .to_string();
        ok(
            &dir,
            url,
            &[
                "triage",
                "label",
                &sig,
                "--as",
                "infrastructure",
                "--note",
                "db down",
            ],
        );
        let labelled = output(&dir, url, &["triage", "--format", "json"]);
        assert!(labelled.to_string().contains("db down"), "{labelled}");
        vec![first, labelled]
    });
    assert_ne!(outputs[0], outputs[1], "the label changed the verdict");
}

/// Kept mutation verdicts (the `mutate` area) saved and loaded through rigor-mutate's store on
/// both engines, then `rigor mutate` through the binary on both.
#[test]
fn mutate_kept_verdicts_are_the_same_on_both_engines() {
    use rigor_mutate::Verdict;
    use rigor_mutate::store::{Kept, Save, load, migrate, save};
    let pg = PgCluster::start();
    let t = tempfile::tempdir().unwrap();
    let kept = |v: Verdict, fh: &str, killed_by: Option<&str>| Kept {
        file_hash: fh.into(),
        tests_hash: "t1".into(),
        verdict: v,
        tests_run: vec![
            "tests/test_a.py::test_x".into(),
            "tests/test_a.py::test_y".into(),
        ],
        killed_by: killed_by.map(str::to_string),
        duration_s: 0.25,
    };
    let scenario = |mut store: rigor_store::Store| {
        migrate(&mut store).unwrap();
        let first = [
            Save {
                file: "pkg/a.py",
                signature: "1:2:comparison:<=".into(),
                kept: kept(Verdict::Survived, "h1", None),
            },
            Save {
                file: "pkg/a.py",
                signature: "3:4:arithmetic:-".into(),
                kept: kept(Verdict::Killed, "h1", Some("tests/test_a.py::test_y")),
            },
            Save {
                file: "pkg/b.py",
                signature: "9:1:boolean:not".into(),
                kept: kept(Verdict::NoCoverage, "hb", None),
            },
        ];
        save(&mut store, &first, 1.0).unwrap();
        // the same mutant again replaces its verdict
        let again = [Save {
            file: "pkg/a.py",
            signature: "1:2:comparison:<=".into(),
            kept: kept(Verdict::Timeout, "h1", None),
        }];
        save(&mut store, &again, 2.0).unwrap();
        let before: std::collections::BTreeMap<_, _> =
            load(&store, "pkg/a.py").unwrap().into_iter().collect();
        // a new version of the file drops the old version's rows
        let newer = [Save {
            file: "pkg/a.py",
            signature: "5:5:comparison:<".into(),
            kept: kept(Verdict::Killed, "h2", None),
        }];
        save(&mut store, &newer, 3.0).unwrap();
        let after: std::collections::BTreeMap<_, _> =
            load(&store, "pkg/a.py").unwrap().into_iter().collect();
        let other: std::collections::BTreeMap<_, _> =
            load(&store, "pkg/b.py").unwrap().into_iter().collect();
        format!("{before:?}\n{after:?}\n{other:?}")
    };
    let sqlite = scenario(rigor_store::Store::open(&t.path().join("history.db")).unwrap());
    let postgres = scenario(rigor_store::Store::open_postgres(&pg.database("kept")).unwrap());
    assert_eq!(sqlite, postgres);
    assert!(
        sqlite.contains("Timeout") && sqlite.contains("NoCoverage"),
        "{sqlite}"
    );
    assert!(
        !sqlite.lines().nth(1).unwrap().contains("comparison:<="),
        "{sqlite}"
    );

    // `rigor mutate` itself (it reads the selection area's coverage map and keeps verdicts):
    // the same mutants and verdicts on both engines, and the second run reuses the kept ones.
    let (_m, mdir) = project("pymutate");
    let mutate = |url: &str| -> Vec<serde_json::Value> {
        (0..2)
            .map(|_| {
                let out = ok(
                    &mdir,
                    url,
                    &["mutate", "--file", "pkg/text.py", "--format", "json"],
                );
                let v = json_of(&out);
                let mutants: Vec<_> = v["mutants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| {
                        serde_json::json!([
                            m["id"],
                            m["line"],
                            m["operator"],
                            m["verdict"],
                            m["killed_by"],
                            m["tests_run"],
                            m["cached"]
                        ])
                    })
                    .collect();
                serde_json::json!({"mutants": mutants, "summary": v["summary"]})
            })
            .collect()
    };
    let on_sqlite = mutate("sqlite://.rigor/mutate.db");
    let on_postgres = mutate(&pg.database("mutatecli"));
    assert_eq!(on_sqlite, on_postgres, "SQLite and PostgreSQL disagree");
    assert!(on_sqlite[0]["summary"]["mutants"].as_u64().unwrap() > 0);
    assert_eq!(on_sqlite[0]["summary"]["cached"], 0);
    assert_eq!(
        on_sqlite[1]["summary"]["cached"], on_sqlite[1]["summary"]["mutants"],
        "the second run reuses every kept verdict: {}",
        on_sqlite[1]
    );
}

/// Keys removed everywhere in `v`.
fn strip(v: &mut serde_json::Value, keys: &[&str]) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|k, _| !keys.contains(&k.as_str()));
            m.values_mut().for_each(|x| strip(x, keys));
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| strip(x, keys)),
        _ => {}
    }
}

#[test]
fn rollout_records_and_readiness_are_the_same_on_both_engines() {
    let pg = PgCluster::start();
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    rigor_testkit::git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("a.py"), "x = 1\ny = 2\n").unwrap();
    std::fs::write(dir.join(".gitignore"), ".rigor/\n*.info\nrigor.toml\n").unwrap();
    rigor_testkit::commit_all(dir, "base");
    std::fs::write(
        dir.join("lcov.info"),
        "SF:a.py\nDA:1,1\nDA:2,0\nend_of_record\n",
    )
    .unwrap();
    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let service = |p: u16| {
        format!(
            "exec {} {} {p} 0 1",
            python(),
            fixture_dir("rollout").join("service.py").display()
        )
    };
    let outputs = same_on_both(&pg, "rollout", |url| {
        std::fs::write(
            dir.join("rigor.toml"),
            format!(
                "[store]\nurl = \"{url}\"\n\n[gates]\ncoverage = {{ min = 90, blocking = true }}\n"
            ),
        )
        .unwrap();
        // A failed blocking gate of this commit: the rollout is refused…
        let gate = rigor(dir)
            .args(["gate", "--coverage", "lcov.info"])
            .output()
            .unwrap();
        assert_eq!(
            gate.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&gate.stderr)
        );
        let (blue, green) = (port(), port());
        let rollout = |extra: &[&str]| {
            rigor(dir)
                .args(["rollout", "--exit", "--format", "json"])
                .args(["--listen", &format!("127.0.0.1:{}", port())])
                .args(["--control", &format!("127.0.0.1:{}", port())])
                .args([
                    "--blue",
                    &format!("127.0.0.1:{blue}"),
                    "--blue-cmd",
                    &service(blue),
                ])
                .args([
                    "--green",
                    &format!("127.0.0.1:{green}"),
                    "--green-cmd",
                    &service(green),
                ])
                .args([
                    "--baseline-time",
                    "1s",
                    "--step-time",
                    "1s",
                    "--interval",
                    "500ms",
                ])
                .args(extra)
                .output()
                .unwrap()
        };
        let refused = rollout(&[]);
        let err = String::from_utf8_lossy(&refused.stderr).to_string();
        assert!(
            err.contains("not deploying") && err.contains("coverage"),
            "{err}"
        );
        // …unless forced, and the forced rollout is recorded.
        let forced = rollout(&["--force"]);
        let mut history = output(dir, url, &["rollout", "history", "--format", "json"]);
        assert_eq!(
            history["rollouts"].as_array().map(Vec::len),
            Some(1),
            "{url}: {}",
            String::from_utf8_lossy(&forced.stderr)
        );
        strip(
            &mut history,
            &[
                "green_exposure_s",
                "started",
                "finished",
                "blue",
                "green",
                "decision",
                "reason",
                "analyses",
                "manual",
            ],
        );
        vec![history]
    });
    let rows = outputs[0]["rollouts"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", outputs[0]);
    assert_eq!(rows[0]["forced"], true);
    assert!(
        rows[0]["readiness"].as_str().unwrap().contains("coverage"),
        "{}",
        outputs[0]
    );
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
