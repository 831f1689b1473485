//! `rigor run` on real pytest, in a venv made by scripts/test.sh.

mod common;

use common::*;
use std::time::{Duration, Instant};

#[test]
fn counts_match_native_pytest() {
    let (_t, dir) = project("pyproj");
    let native = native_pytest_counts(&dir, &["--continue-on-collection-errors"]);
    let (code, summary) = run_json(&dir, &["-j", "2"]);
    assert_eq!(code, 1, "failures exit 1");
    assert_eq!(rigor_counts(&summary), native, "{summary:#}");
    assert_eq!(summary["status"], "failed");
    assert_eq!(outcome_of(&summary, "test_fail"), "failed");
    assert_eq!(outcome_of(&summary, "test_fixture_error"), "error");
    assert_eq!(outcome_of(&summary, "test_xfail"), "xfailed");
    assert_eq!(outcome_of(&summary, "test_param[2-3-5]"), "passed");
    let broken = outcome_of(&summary, "tests/test_broken.py");
    assert_eq!(
        broken, "error",
        "collection errors are reported as errors with their file"
    );
}

#[test]
fn failures_carry_the_assertion_and_output() {
    let (_t, dir) = project("pyproj");
    let (_, summary) = run_json(&dir, &[]);
    let fail = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_str().unwrap().ends_with("::test_fail"))
        .unwrap();
    let excerpt = fail["excerpt"].as_str().unwrap();
    assert!(
        excerpt.contains("AssertionError: arithmetic is broken"),
        "{excerpt}"
    );
    assert!(excerpt.contains("tests/test_basic.py:11"), "{excerpt}");
    assert_eq!(fail["file"], "tests/test_basic.py");
    assert_eq!(fail["line"], 9);
    let broken = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "tests/test_broken.py")
        .unwrap();
    assert!(
        broken["excerpt"]
            .as_str()
            .unwrap()
            .contains("No module named 'does_not_exist'")
    );
}

#[test]
fn junit_is_written_and_counts_agree() {
    let (_t, dir) = project("pyproj");
    let junit = dir.join("out/junit.xml");
    rigor(&dir)
        .args(["run", "--junit"])
        .arg(&junit)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(
        xml.contains(r#"<testsuites name="rigor" tests="11" failures="1" errors="2" skipped="2""#),
        "{xml}"
    );
    assert!(xml.contains(r#"classname="tests.test_basic.TestGroup""#));
    assert!(xml.contains("arithmetic is broken"));
}

#[test]
fn a_hanging_test_is_killed_with_its_process_group() {
    let (_t, dir) = project("pyhang");
    let marker = format!("rigor-hang-{}", std::process::id());
    let start = Instant::now();
    let out = rigor(&dir)
        .env("RIGOR_HANG_MARKER", &marker)
        .args(["run", "-j", "2", "--timeout", "2s", "--format", "json"])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome_of(&summary, "test_hangs_with_a_child"), "timeout");
    assert_eq!(
        outcome_of(&summary, "test_after"),
        "passed",
        "the run goes on after a timeout"
    );
    assert_eq!(outcome_of(&summary, "test_quick"), "passed");
    std::thread::sleep(Duration::from_millis(300));
    let left = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "orphan processes left: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

#[test]
fn a_test_passing_on_retry_is_flaky_not_hidden() {
    let (_t, dir) = project("pyflaky");
    let state = dir.join("state");
    let out = rigor(&dir)
        .env("FLAKY_STATE", &state)
        .args(["run", "--retries", "1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "flaky counts as a pass");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome_of(&summary, "test_every_other_attempt"), "flaky");
    assert_eq!(summary["counts"]["flaky"], 1);
    let t = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["outcome"] == "flaky")
        .unwrap();
    assert_eq!(t["attempts"], 2);
    assert!(t["excerpt"].as_str().unwrap().contains("attempt 1 fails"));
    // Without retries the same test fails.
    std::fs::remove_file(&state).unwrap();
    let (code, summary) = {
        let out = rigor(&dir)
            .env("FLAKY_STATE", &state)
            .args(["run", "--format", "json"])
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, Some(1));
    assert_eq!(outcome_of(&summary, "test_every_other_attempt"), "failed");
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let (_t, dir) = project("pyproj");
    let (code, summary) = run_json(&dir, &["-j", "1", "--fail-fast"]);
    assert_eq!(code, 1);
    let n = summary["tests"].as_array().unwrap().len();
    assert!(n < 11, "fail-fast ran everything: {n}");
    assert_eq!(summary["suites"][0]["ending"], "fail_fast");
}

#[test]
fn sigkill_mid_run_leaves_a_readable_history_with_an_unfinished_run() {
    let (_t, dir) = project("pyhang");
    let marker = format!("rigor-kill-{}", std::process::id());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(&dir)
        .env("RIGOR_PYTHON_INTERPRETER", python())
        .env("RIGOR_HANG_MARKER", &marker)
        .args(["run", "-j", "1", "--timeout", "5m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the hanging test runs (its child appears); test_quick has finished by then.
    let start = Instant::now();
    loop {
        let found = std::process::Command::new("pgrep")
            .args(["-f", &marker])
            .output()
            .unwrap();
        if !found.stdout.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the hanging test never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Wait until the finished test is committed (the recorder flushes within ~250 ms).
    let committed = Instant::now();
    loop {
        let out = rigor(&dir)
            .args(["history", "--format", "json"])
            .output()
            .unwrap();
        let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if runs[0]["counts"]["passed"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
        assert!(
            committed.elapsed() < Duration::from_secs(30),
            "the finished test was never committed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let out = rigor(&dir)
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(runs[0]["status"], "running");
    assert!(
        runs[0]["finished_at"].is_null(),
        "the run is marked unfinished"
    );
    assert!(
        runs[0]["counts"]["passed"].as_u64().unwrap() >= 1,
        "completed results are kept: {runs}"
    );
    let text = rigor(&dir).arg("history").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("unfinished"));
    // The workers died with rigor (no orphans).
    std::thread::sleep(Duration::from_millis(500));
    let left = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    let _ = std::process::Command::new("pkill")
        .args(["-f", &marker])
        .status();
    assert!(
        left.stdout.is_empty(),
        "processes outlived rigor: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

#[test]
fn sigterm_interrupts_records_and_exits_130() {
    let (_t, dir) = project("pyhang");
    let marker = format!("rigor-term-{}", std::process::id());
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(&dir)
        .env("RIGOR_PYTHON_INTERPRETER", python())
        .env("RIGOR_HANG_MARKER", &marker)
        .args(["run", "-j", "1", "--timeout", "5m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap()
        .stdout
        .is_empty()
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the hanging test never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    unsafe_kill_term(child.id());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let h = rigor(&dir)
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    let runs: serde_json::Value = serde_json::from_slice(&h.stdout).unwrap();
    assert_eq!(runs[0]["status"], "interrupted");
    std::thread::sleep(Duration::from_millis(300));
    let left = std::process::Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "children outlived the interrupt");
}

fn unsafe_kill_term(pid: u32) {
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
}

#[test]
fn durations_from_history_order_the_next_run_longest_first() {
    let (_t, dir) = project("pyproj");
    run_json(&dir, &["-j", "1"]);
    let (_, second) = run_json(&dir, &["-j", "1"]);
    let tests = second["tests"].as_array().unwrap();
    // The collection error is reported first; the slow test is then the first to run.
    let first_run = tests
        .iter()
        .find(|t| t["outcome"] != "error" || t["id"] != "tests/test_broken.py")
        .unwrap();
    assert!(
        first_run["id"].as_str().unwrap().ends_with("test_slow"),
        "{second:#}"
    );
    let out = rigor(&dir).args(["list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("suite python (pytest): 10 tests"), "{text}");
    assert!(
        text.contains("1.0s  advanced       tests/test_slow.py::test_slow  [slow]"),
        "{text}"
    );
}

#[test]
fn history_shows_runs_slowest_and_failing() {
    let (_t, dir) = project("pyproj");
    run_json(&dir, &[]);
    run_json(&dir, &[]);
    let out = rigor(&dir).args(["history"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("#2") && text.contains("failed"), "{text}");
    let out = rigor(&dir)
        .args(["history", "--slowest", "-n", "1"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("test_slow"));
    let out = rigor(&dir)
        .args(["history", "--failing", "--format", "json"])
        .output()
        .unwrap();
    let rates: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rates
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"tests/test_basic.py::test_fail"), "{ids:?}");
    assert_eq!(rates[0]["rate"], 1.0);
}

#[test]
fn xdist_in_the_projects_addopts_does_not_fork_workers_of_its_own() {
    let (_t, dir) = project("pysel");
    // The project asks pytest-xdist (installed in the test venv) for 2 processes by default.
    std::fs::write(
        dir.join("pyproject.toml"),
        "[project]\nname = \"pysel\"\nversion = \"0.1\"\n\n[tool.pytest.ini_options]\npythonpath = [\".\"]\naddopts = \"-n 2\"\n",
    )
    .unwrap();
    let (code, s) = run_json(&dir, &["--timeout", "60s"]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["counts"]["passed"], 3);
}

#[test]
fn a_test_that_kills_its_worker_is_an_error_and_the_run_goes_on() {
    let (_t, dir) = project("pycrash");
    let (code, s) = run_json(&dir, &["-j", "1"]);
    assert_eq!(code, 1);
    assert_eq!(outcome_of(&s, "test_before"), "passed");
    assert_eq!(outcome_of(&s, "test_after"), "passed");
    assert_eq!(outcome_of(&s, "test_segfaults"), "error");
    assert_eq!(outcome_of(&s, "test_exits_the_interpreter"), "error");
    let seg = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_str().unwrap().ends_with("test_segfaults"))
        .unwrap();
    let text = seg["excerpt"].as_str().unwrap();
    assert!(
        text.contains("worker process killed by signal 11"),
        "{text}"
    );
}

#[test]
fn a_pytest_suite_that_collects_nothing_exits_4_not_as_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pytest.ini"), "[pytest]\n").unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/test_empty.py"), "# no tests yet\n").unwrap();
    let out = rigor(dir)
        .args(["run", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["total"], 0);
    assert_eq!(s["status"], "error");
}

/// A pytest project in a temp dir with `files` (path bytes, content) under it.
fn pytest_project(files: &[(&[u8], &str)]) -> tempfile::TempDir {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("pytest.ini"), "[pytest]\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("tests")).unwrap();
    for (path, text) in files {
        std::fs::write(tmp.path().join(std::ffi::OsStr::from_bytes(path)), text).unwrap();
    }
    tmp
}

/// `rigor run -j 1 --format json` bounded to a minute: (exit code, summary, seconds).
fn run_bounded(dir: &std::path::Path) -> (i32, serde_json::Value, f64) {
    let start = Instant::now();
    let out = rigor(dir)
        .args(["run", "-j", "1", "--timeout", "60s", "--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let s = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no summary ({e}; the run hung?): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        s,
        start.elapsed().as_secs_f64(),
    )
}

#[test]
fn a_failure_message_with_a_lone_surrogate_is_reported_and_the_run_goes_on() {
    let tmp = pytest_project(&[(
        b"tests/test_s.py",
        "def test_first():\n    assert False, 'bad \\udcff'\n\n\
         def test_after():\n    pass\n\n\
         def test_last():\n    assert False, 'bad \\udcff again'\n",
    )]);
    let (code, s, secs) = run_bounded(tmp.path());
    assert_eq!(code, 1, "{s:#}");
    assert!(secs < 30.0, "took {secs}s: a result was waited for");
    assert_eq!(s["total"], 3, "{s:#}");
    assert_eq!(outcome_of(&s, "test_first"), "failed");
    assert_eq!(outcome_of(&s, "test_after"), "passed");
    assert_eq!(outcome_of(&s, "test_last"), "failed", "not a timeout");
    let first = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_str().unwrap().ends_with("test_first"))
        .unwrap();
    let excerpt = first["excerpt"].as_str().unwrap();
    assert!(excerpt.contains(r"bad \udcff"), "{excerpt}");
}

#[test]
fn a_test_file_whose_name_is_not_utf8_runs_beside_the_others() {
    let test = "def test_it():\n    pass\n";
    let tmp = pytest_project(&[(b"tests/test_\xff.py", test), (b"tests/test_ok.py", test)]);
    let (code, s, secs) = run_bounded(tmp.path());
    assert_eq!(code, 0, "{s:#}");
    assert!(secs < 30.0, "took {secs}s");
    assert_eq!(s["counts"]["passed"], 2, "{s:#}");
    assert_eq!(outcome_of(&s, r"test_\udcff.py::test_it"), "passed");
    // Alone, it is still found and run (it was "NO TESTS", exit 4).
    let tmp = pytest_project(&[(b"tests/test_\xff.py", test)]);
    let (code, s, _) = run_bounded(tmp.path());
    assert_eq!((code, &s["counts"]["passed"]), (0, &1.into()), "{s:#}");
}

#[test]
fn a_test_that_deletes_the_history_makes_the_run_say_so_not_pass() {
    let tmp = pytest_project(&[(
        b"tests/test_rm.py",
        "import os\n\ndef test_removes_the_history():\n    os.remove('.rigor/history.db')\n",
    )]);
    // A first run creates the history; the second loses its records unless told.
    let _ = rigor(tmp.path())
        .args(["run", "-j", "1"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let out = rigor(tmp.path())
        .args(["run", "-j", "1"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("history.db was removed while rigor was using it"),
        "{stderr}"
    );
}

/// Issue 18, case 7 after a timeout: the test starts a daemon, then hangs past its timeout.
/// Killing the timed-out group must not orphan the daemon (the guard kills what it adopted
/// before the group is killed).
#[test]
fn a_daemon_of_a_test_that_times_out_does_not_outlive_the_run() {
    let marker = format!("rigor-timeout-daemon-{}", std::process::id());
    let tmp = pytest_project(&[(
        b"tests/test_daemon.py",
        "import os, sys, time\n\n\
         def test_daemon_then_hang():\n    \
             pid = os.fork()\n    \
             if pid == 0:\n        \
                 os.setsid()\n        \
                 if os.fork() == 0:\n            \
                     os.execvp(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)', os.environ['RIGOR_DAEMON_MARKER']])\n        \
                 os._exit(0)\n    \
             os.waitpid(pid, 0)\n    \
             time.sleep(120)\n",
    )]);
    let out = rigor(tmp.path())
        .env("RIGOR_DAEMON_MARKER", &marker)
        .args(["run", "-j", "1", "--timeout", "3s"])
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the hung test times out: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left = kill_left_over(&marker);
    assert!(
        left.is_empty(),
        "the daemon outlived the timed-out test: {left}"
    );
}

#[test]
fn a_daemon_a_test_leaves_behind_does_not_outlive_the_run() {
    let marker = format!("rigor-daemon-{}", std::process::id());
    let tmp = pytest_project(&[(
        b"tests/test_daemon.py",
        "import os, sys\n\n\
         def test_double_forks_a_daemon():\n    \
             pid = os.fork()\n    \
             if pid == 0:\n        \
                 os.setsid()\n        \
                 if os.fork() == 0:\n            \
                     os.execvp(sys.executable, [sys.executable, '-c', 'import time; time.sleep(300)', os.environ['RIGOR_DAEMON_MARKER']])\n        \
                 os._exit(0)\n    \
             os.waitpid(pid, 0)\n",
    )]);
    let out = rigor(tmp.path())
        .env("RIGOR_DAEMON_MARKER", &marker)
        .args(["run", "-j", "1"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left = kill_left_over(&marker);
    assert!(left.is_empty(), "the daemon outlived the run: {left}");
}
