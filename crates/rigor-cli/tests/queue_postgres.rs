//! Queue mode against a real throwaway PostgreSQL (rigor-testkit's `PgCluster`): concurrent
//! jobs run every test exactly once, a job killed with SIGKILL loses its tests to the others
//! after the lease timeout, a new commit gets a new queue under the same name, and SQLite is
//! refused.

mod common;

use common::*;
use rigor_testkit::pg::PgCluster;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A git project with one pytest file of `durations_ms.len()` tests; those in `failing` fail.
fn project_with(durations_ms: &[u64], failing: &[usize]) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write_tests(dir, durations_ms, failing);
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"q\"\nversion = \"0.1\"\n",
    )
    .unwrap();
    rigor_testkit::git(dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(dir, "first");
    t
}

fn write_tests(dir: &Path, durations_ms: &[u64], failing: &[usize]) {
    let d: Vec<String> = durations_ms.iter().map(|x| x.to_string()).collect();
    let f: Vec<String> = failing.iter().map(|x| x.to_string()).collect();
    rigor_testkit::write(
        dir,
        "tests/test_q.py",
        &format!(
            "import time\nimport pytest\n\nD = [{}]\nFAIL = {{{}}}\n\n\n@pytest.mark.parametrize('i', range(len(D)))\ndef test_q(i):\n    time.sleep(D[i] / 1000)\n    assert i not in FAIL\n",
            d.join(", "),
            if f.is_empty() {
                "-1".to_string()
            } else {
                f.join(", ")
            }
        ),
    );
}

/// `rigor run --queue NAME` as its own process group (so that killing it takes its workers).
fn queue_job(dir: &Path, url: &str, name: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(dir)
        .env("RIGOR_PYTHON_INTERPRETER", python())
        .env("RIGOR_STORE_URL", url)
        .args(["run", "--queue", name, "-j", "1", "--format", "json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap()
}

/// The test ids a job's JSON summary lists.
fn ran(out: &std::process::Output) -> Vec<String> {
    json_of(out)["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

fn status(dir: &Path, url: &str, name: &str) -> serde_json::Value {
    let out = rigor(dir)
        .env("RIGOR_STORE_URL", url)
        .args(["queue", "status", name, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out)
}

fn all_ids(n: usize) -> BTreeSet<String> {
    (0..n)
        .map(|i| format!("tests/test_q.py::test_q[{i}]"))
        .collect()
}

#[test]
fn three_concurrent_jobs_run_every_test_once_and_a_new_commit_gets_a_new_queue() {
    let pg = PgCluster::start();
    let url = pg.database("queue3");
    let durations: Vec<u64> = (0..30).map(|i| 20 + (i * 37) % 180).collect();
    let t = project_with(&durations, &[5]);
    let dir = t.path();
    let jobs: Vec<Child> = (0..3).map(|_| queue_job(dir, &url, "ci", &[])).collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for j in jobs {
        let out = j.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        // Test 5 fails on one job: every job's exit code reports the queue's failure.
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("the queue has 1 failing tests"), "{err}");
        for id in ran(&out) {
            *count.entry(id).or_default() += 1;
        }
    }
    assert_eq!(
        count.keys().cloned().collect::<BTreeSet<_>>(),
        all_ids(30),
        "every test ran"
    );
    assert!(
        count.values().all(|&n| n == 1),
        "each test ran exactly once: {count:?}"
    );
    let st = status(dir, &url, "ci");
    assert_eq!(st["schema"], "rigor.queue/1");
    assert_eq!(
        (st["total"].as_u64(), st["done"].as_u64()),
        (Some(30), Some(30))
    );
    assert_eq!(st["failed"], 1);
    assert_eq!(st["finished"], true);
    let jobs = st["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    assert!(
        jobs.iter()
            .all(|j| j["finished"] == true && j["leased"] == 0)
    );
    let done: u64 = jobs.iter().map(|j| j["done"].as_u64().unwrap()).sum();
    assert_eq!(done, 30);

    // A new commit under the same queue name: a new queue with the new plan, run in full.
    write_tests(dir, &[10; 32], &[]);
    rigor_testkit::commit_all(dir, "second");
    let out = queue_job(dir, &url, "ci", &[]).wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("enqueued the plan (32 tests)"), "{err}");
    let got: BTreeSet<String> = ran(&out).into_iter().collect();
    assert_eq!(got, all_ids(32));
    let st = status(dir, &url, "ci");
    assert_eq!(
        (st["total"].as_u64(), st["failed"].as_u64()),
        (Some(32), Some(0))
    );
    assert_eq!(st["jobs"].as_array().unwrap().len(), 1);
}

#[test]
fn a_killed_job_loses_its_tests_to_the_others_after_the_lease_timeout() {
    let pg = PgCluster::start();
    let url = pg.database("queuekill");
    let t = project_with(&[700; 12], &[]);
    let dir = t.path();
    let lease = ["--lease-timeout", "2s"];
    let mut first = queue_job(dir, &url, "k", &lease);
    // Wait until the first job holds tests and finished some.
    let deadline = Instant::now() + Duration::from_secs(60);
    let held = loop {
        assert!(Instant::now() < deadline, "the first job never leased");
        std::thread::sleep(Duration::from_millis(100));
        let out = rigor(dir)
            .env("RIGOR_STORE_URL", &url)
            .args(["queue", "status", "k", "--format", "json"])
            .output()
            .unwrap();
        if !out.status.success() {
            continue; // not enqueued yet
        }
        let st = json_of(&out);
        let job = &st["jobs"][0];
        if job["leased"].as_u64() > Some(0) && job["done"].as_u64() > Some(0) {
            break job["leased"].as_u64().unwrap();
        }
    };
    // SIGKILL, mid-batch, to the job and its workers: no heartbeat, no goodbye.
    unsafe { libc::kill(-(first.id() as i32), libc::SIGKILL) };
    let _ = first.wait();
    let before = status(dir, &url, "k");
    let done_by_dead = before["jobs"][0]["done"].as_u64().unwrap();
    assert!(held > 0 && done_by_dead < 12, "{before:#}");
    let others: Vec<Child> = (0..2).map(|_| queue_job(dir, &url, "k", &lease)).collect();
    let mut ran_by_others = BTreeSet::new();
    for j in others {
        let out = j.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        for id in ran(&out) {
            assert!(ran_by_others.insert(id.clone()), "{id} ran twice");
        }
    }
    let st = status(dir, &url, "k");
    assert_eq!(st["done"], 12, "{st:#}");
    assert_eq!(st["finished"], true);
    assert_eq!(
        ran_by_others.len() as u64,
        12 - st["jobs"][0]["done"].as_u64().unwrap(),
        "the others ran everything the killed job did not finish: {st:#}"
    );
    assert!(
        ran_by_others.len() as u64 >= held,
        "its held tests included"
    );
    let dead = &st["jobs"][0];
    assert_eq!(
        (dead["live"].as_bool(), dead["finished"].as_bool()),
        (Some(false), Some(false))
    );
}

#[test]
fn queue_mode_on_sqlite_is_a_clear_usage_error() {
    let t = project_with(&[1; 3], &[]);
    let out = rigor(t.path())
        .env("RIGOR_STORE_URL", "sqlite://.rigor/history.db")
        .args(["run", "--queue", "ci"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("queue mode needs a shared PostgreSQL store"),
        "{err}"
    );
    assert!(
        !t.path().join(".rigor/history.db").exists(),
        "nothing written"
    );
    let out = rigor(t.path())
        .args(["run", "--queue", "ci", "--shard", "1/2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
