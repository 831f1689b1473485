//! Fault injection (issue 18): damaged histories, hostile artifacts and hostile tests. Each case
//! ends with a clear error or a correct result — never a panic (101), an abort (134), a hang, or
//! a history that was changed behind the user's back.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

/// A pytest project with the given test files.
fn pytest_project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("pytest.ini"), "[pytest]\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("tests")).unwrap();
    for (name, body) in files {
        std::fs::write(tmp.path().join("tests").join(name), body).unwrap();
    }
    tmp
}

fn one_test_project() -> tempfile::TempDir {
    pytest_project(&[("test_one.py", "def test_one():\n    pass\n")])
}

/// Run rigor in `dir`, bounded: (exit code, stdout, stderr).
fn rigor_out(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rigor(dir)
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_no_crash(code: i32, stderr: &str) {
    assert!(
        ![101, 134, -1].contains(&code),
        "crashed with {code}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn history(dir: &Path) -> std::path::PathBuf {
    dir.join(".rigor/history.db")
}

/// Run Python code with the test interpreter (sqlite3 is the independent reader of histories).
fn python_run(code: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_history_that_is_not_a_database_is_refused_and_left_as_it_was() {
    let tmp = one_test_project();
    std::fs::create_dir_all(tmp.path().join(".rigor")).unwrap();
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(history(tmp.path()), &garbage).unwrap();
    for args in [&["run"][..], &["history"], &["flaky"]] {
        let (code, _, err) = rigor_out(tmp.path(), args);
        assert_no_crash(code, &err);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("history.db"), "names the file: {err}");
        assert!(err.contains("hint"), "gives a hint: {err}");
    }
    assert_eq!(std::fs::read(history(tmp.path())).unwrap(), garbage);
}

#[test]
fn a_truncated_history_is_refused_and_left_as_it_was() {
    let tmp = one_test_project();
    let (code, _, err) = rigor_out(tmp.path(), &["run"]);
    assert_eq!(code, 0, "{err}");
    let full = std::fs::read(history(tmp.path())).unwrap();
    let cut = &full[..full.len() / 2];
    std::fs::write(history(tmp.path()), cut).unwrap();
    let _ = std::fs::remove_file(tmp.path().join(".rigor/history.db-wal"));
    let (code, _, err) = rigor_out(tmp.path(), &["run"]);
    assert_no_crash(code, &err);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("history.db"), "{err}");
    assert_eq!(std::fs::read(history(tmp.path())).unwrap(), cut);
}

#[test]
fn a_history_written_by_a_newer_rigor_is_refused_untouched() {
    let tmp = one_test_project();
    let (code, _, err) = rigor_out(tmp.path(), &["run"]);
    assert_eq!(code, 0, "{err}");
    let db = history(tmp.path());
    python_run(
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute(\"UPDATE schema_versions SET version = 999 WHERE area = 'core'\")\nc.commit()\nc.execute('PRAGMA wal_checkpoint(TRUNCATE)')\nc.close()",
        &[db.to_str().unwrap()],
    );
    let before = std::fs::read(&db).unwrap();
    let (code, _, err) = rigor_out(tmp.path(), &["run"]);
    assert_no_crash(code, &err);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("newer than this rigor knows"), "{err}");
    assert!(err.contains("hint: upgrade rigor"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing written");
}

#[test]
fn entity_expansion_and_external_entities_in_junit_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    let mut lol =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    lol.push_str(&format!(
        "<!ENTITY xxe SYSTEM \"file://{}\">\n",
        secret.display()
    ));
    let mut prev = "lol".to_string();
    for i in 1..=9 {
        let name = format!("lol{i}");
        lol.push_str(&format!(
            "<!ENTITY {name} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
        prev = name;
    }
    lol.push_str("]>\n<testsuite name=\"s\" tests=\"2\" failures=\"1\">\n");
    lol.push_str("<testcase classname=\"c\" name=\"ok\" time=\"0.1\"/>\n");
    lol.push_str(
        "<testcase classname=\"c\" name=\"bad\" time=\"0.1\"><failure message=\"&lol9; &xxe;\">&xxe;</failure></testcase>\n</testsuite>\n",
    );
    let file = tmp.path().join("junit.xml");
    std::fs::write(&file, lol).unwrap();
    let start = Instant::now();
    let (code, out, err) = rigor_out(
        tmp.path(),
        &[
            "gate",
            "--junit",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
    assert_no_crash(code, &err);
    assert!(
        !out.contains("TOP-SECRET") && !err.contains("TOP-SECRET"),
        "an external entity was read: {out}{err}"
    );
    assert!(
        out.len() + err.len() < 1_000_000,
        "entities were expanded: {} bytes of output",
        out.len() + err.len()
    );
    // Either a located malformed-input error or a reading that kept the entities unexpanded.
    assert!(code == 3 || code == 1 || code == 0, "{code}: {err}");
}

#[test]
fn deeply_nested_inputs_are_malformed_input_not_a_stack_overflow() {
    let tmp = tempfile::tempdir().unwrap();
    let depth = 200_000;
    let xml = format!(
        "<testsuite>{}{}</testsuite>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let junit = tmp.path().join("deep.xml");
    std::fs::write(&junit, xml).unwrap();
    let (code, _, err) = rigor_out(tmp.path(), &["gate", "--junit", junit.to_str().unwrap()]);
    assert_no_crash(code, &err);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("deep.xml:1:") && err.contains("nested more than"),
        "{err}"
    );
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let metrics = tmp.path().join("deep.json");
    std::fs::write(&metrics, json).unwrap();
    let (code, _, err) = rigor_out(
        tmp.path(),
        &[
            "perf",
            "ingest",
            metrics.to_str().unwrap(),
            "--commit",
            "c1",
        ],
    );
    assert_no_crash(code, &err);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("deep.json"), "names the file: {err}");
    assert!(
        !tmp.path().join(".rigor/history.db").exists()
            || python_run(
                "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nprint(c.execute(\"SELECT count(*) FROM sqlite_master WHERE name = 'perf_results'\").fetchone()[0] and c.execute('SELECT count(*) FROM perf_results').fetchone()[0])",
                &[tmp.path().join(".rigor/history.db").to_str().unwrap()],
            ) == "0",
        "nothing ingested"
    );
}

#[test]
fn a_test_that_prints_megabytes_is_recorded_with_bounded_output() {
    let tmp = pytest_project(&[(
        "test_loud.py",
        "import sys\n\ndef test_loud():\n    for _ in range(400):\n        sys.stdout.write('x' * 100_000 + '\\n')\n    assert False, 'loud and wrong'\n\ndef test_quiet():\n    pass\n",
    )]);
    let start = Instant::now();
    let (code, out, err) = rigor_out(tmp.path(), &["run", "--format", "json"]);
    assert!(start.elapsed() < Duration::from_secs(90));
    assert_no_crash(code, &err);
    assert_eq!(code, 1, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome_of(&summary, "test_loud"), "failed");
    assert_eq!(outcome_of(&summary, "test_quiet"), "passed");
    assert!(
        out.len() < 4_000_000,
        "the summary carries {} bytes for 40 MB of test output",
        out.len()
    );
    let db_size = std::fs::metadata(history(tmp.path())).unwrap().len();
    assert!(db_size < 8_000_000, "history grew to {db_size} bytes");
}

#[test]
fn a_test_that_ignores_sigterm_is_killed_at_its_timeout() {
    let marker = format!("rigor-stubborn-{}", std::process::id());
    let body = format!(
        "import signal, subprocess, time\n\ndef test_stubborn():\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    subprocess.Popen(['sh', '-c', 'trap \"\" TERM; exec sleep 300 # {marker}'])\n    while True:\n        time.sleep(1)\n\ndef test_after():\n    pass\n"
    );
    let tmp = pytest_project(&[("test_stubborn.py", &body)]);
    let start = Instant::now();
    let (code, out, err) = rigor_out(
        tmp.path(),
        &["run", "-j", "1", "--timeout", "2s", "--format", "json"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert_no_crash(code, &err);
    assert_eq!(code, 1, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome_of(&summary, "test_stubborn"), "timeout");
    assert_eq!(outcome_of(&summary, "test_after"), "passed");
    let left = kill_left_over(&marker);
    assert!(
        left.is_empty(),
        "a process ignoring SIGTERM outlived the run: {left}"
    );
}

#[test]
fn a_webhook_that_never_answers_does_not_hold_the_command() {
    // Accepts connections and reads, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            held.push(s);
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("rigor.toml"),
        format!("[perf]\nwebhook = \"{url}\"\n"),
    )
    .unwrap();
    for i in 0..30 {
        let v = if i < 20 { 100.0 } else { 160.0 } + (i % 3) as f64;
        let f = tmp.path().join(format!("m{i}.json"));
        let mut w = std::fs::File::create(&f).unwrap();
        write!(
            w,
            "{{\"metrics\":[{{\"name\":\"parse\",\"unit\":\"ms\",\"direction\":\"lower_is_better\",\"value\":{v}}}]}}"
        )
        .unwrap();
        let (code, _, err) = rigor_out(
            tmp.path(),
            &[
                "perf",
                "ingest",
                f.to_str().unwrap(),
                "--commit",
                &format!("c{i:02}"),
                "--branch",
                "main",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let start = Instant::now();
    let (code, _, err) = rigor_out(tmp.path(), &["perf", "detect", "--branch", "main"]);
    let took = start.elapsed();
    assert_no_crash(code, &err);
    assert!(
        took < Duration::from_secs(30),
        "detect waited {took:?} on the webhook"
    );
    assert!(
        err.to_lowercase().contains("webhook"),
        "says what happened to the webhook: {err}"
    );
    // The alert is kept even though its announcement was not delivered.
    let (_, out, _) = rigor_out(tmp.path(), &["perf", "alerts", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn workers_killed_at_timeouts_never_take_rigor_down_with_them() {
    // Many short tests after each hanging one: rigor keeps feeding the worker that the timeout
    // killed, and writing to its closed pipe must be an error it handles, not a SIGPIPE.
    let mut files = Vec::new();
    for f in 0..3 {
        let mut body = String::from("import time\n\ndef test_hangs():\n    time.sleep(300)\n");
        for i in 0..30 {
            body.push_str(&format!("\ndef test_quick_{i}():\n    pass\n"));
        }
        files.push((format!("test_hang_{f}.py"), body));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    let tmp = pytest_project(&refs);
    for _ in 0..3 {
        let (code, out, err) = rigor_out(
            tmp.path(),
            &["run", "-j", "2", "--timeout", "1s", "--format", "json"],
        );
        assert_no_crash(code, &err);
        assert_eq!(code, 1, "{err}");
        let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
        let tests = summary["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 93, "{summary}");
        let timeouts = tests.iter().filter(|t| t["outcome"] == "timeout").count();
        let passed = tests.iter().filter(|t| t["outcome"] == "passed").count();
        assert_eq!((timeouts, passed), (3, 90), "{summary}");
    }
}

#[test]
fn a_reader_that_goes_away_ends_rigor_quietly() {
    let tmp = one_test_project();
    let (code, _, err) = rigor_out(tmp.path(), &["run"]);
    assert_eq!(code, 0, "{err}");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' help run | head -c 1 >/dev/null; '{}' history --format json | head -c 1 >/dev/null; echo done",
            env!("CARGO_BIN_EXE_rigor"),
            env!("CARGO_BIN_EXE_rigor")
        ))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "done");
}
