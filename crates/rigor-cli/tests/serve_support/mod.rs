//! Helpers for the `rigor serve` tests: a fixture history made by the real binary on a small
//! pytest project (in git, two branches, a flaky, a failing and a `<script>`-named test, a gate
//! evaluation, perf series with a step), the server started on a free loopback port, and a
//! minimal HTTP/1.1 client over a loopback socket.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SCRIPT_ID: &str = "tests/test_app.py::test_named[<script>alert(1)</script>]";
pub const FLAKY_ID: &str = "tests/test_app.py::test_every_other_attempt";
pub const FAILING_ID: &str = "tests/test_app.py::test_always_fails";
pub const SLOW_ID: &str = "tests/test_app.py::test_slow";

const TESTS: &str = r#"import os
import time

import pytest

STATE = os.path.join(os.path.dirname(__file__), "attempts.txt")


def test_stable():
    assert True


def test_slow():
    time.sleep(0.3)


def test_always_fails():
    assert 1 == 2, "expected failure: one is not two"


def test_every_other_attempt():
    n = int(open(STATE).read()) if os.path.exists(STATE) else 0
    with open(STATE, "w") as f:
        f.write(str(n + 1))
    assert n % 2 == 1, "attempt %d fails" % (n + 1)


@pytest.mark.parametrize("name", ["<script>alert(1)</script>"])
def test_named(name):
    assert name
"#;

pub fn python() -> String {
    std::env::var("RIGOR_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("RIGOR_TEST_PYTHON is not set: run the tests with scripts/test.sh, which creates a venv with pinned pytest")
    })
}

/// The real rigor binary in `dir`, with the test Python and no CI variables.
pub fn rigor(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rigor"));
    c.current_dir(dir);
    c.env("RIGOR_PYTHON_INTERPRETER", python());
    for v in [
        "CI",
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "GITHUB_REF_NAME",
        "GITHUB_HEAD_REF",
        "RIGOR_SERVE_TOKEN",
    ] {
        c.env_remove(v);
    }
    c
}

fn run_ok_or_fail(dir: &Path, args: &[&str]) {
    let out = rigor(dir).args(args).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "rigor {args:?} exited {code}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A project with a history: 3 runs on main (with retries: the flaky test flakes), one on
/// branch `feature`, a gate evaluation, the failing test quarantined, and 24 commits of two perf series stepping up 20 %
/// at commit 12 with detection run (change points and open alerts).
pub fn fixture_history() -> tempfile::TempDir {
    let dir = rigor_testkit::repo(&[
        ("tests/test_app.py", TESTS),
        ("pytest.ini", "[pytest]\n"),
        (".gitignore", ".rigor/\ntests/attempts.txt\n__pycache__/\n"),
    ]);
    let d = dir.path();
    for _ in 0..3 {
        run_ok_or_fail(d, &["run", "--retries", "1", "-j", "1"]);
    }
    rigor_testkit::git(d, &["checkout", "-q", "-b", "feature"]);
    rigor_testkit::write(d, "README", "feature\n");
    rigor_testkit::commit_all(d, "feature");
    run_ok_or_fail(d, &["run", "-j", "1"]);
    run_ok_or_fail(d, &["gate"]);
    run_ok_or_fail(
        d,
        &[
            "flaky",
            "quarantine",
            FAILING_ID,
            "--reason",
            "broken <b>upstream</b>",
            "--days",
            "7",
        ],
    );
    for i in 0..24 {
        let f = if i < 12 { 1.0 } else { 1.2 };
        let wiggle = 1.0 + 0.002 * ((i * 7 % 5) as f64 - 2.0);
        let file = d.join(format!("perf{i}.json"));
        std::fs::write(
            &file,
            serde_json::json!({"metrics": [
                {"name": "parse", "unit": "ms", "direction": "lower_is_better", "value": 50.0 * f * wiggle},
                {"name": "render", "unit": "ms", "direction": "lower_is_better", "value": 80.0 * f * wiggle}
            ]})
            .to_string(),
        )
        .unwrap();
        run_ok_or_fail(
            d,
            &[
                "perf",
                "ingest",
                file.to_str().unwrap(),
                "--commit",
                &format!("commit{i:02}"),
                "--branch",
                "main",
            ],
        );
    }
    run_ok_or_fail(d, &["perf", "detect", "--branch", "main"]);
    dir
}

/// A running `rigor serve`; stopped (SIGTERM to its own pid) when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut child = rigor(dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Mutex::new(String::new()));
        let mut addr = None;
        let mut line = String::new();
        while addr.is_none() {
            line.clear();
            if lines.read_line(&mut line).unwrap() == 0 {
                panic!(
                    "rigor serve ended before listening: {}",
                    log.lock().unwrap()
                );
            }
            log.lock().unwrap().push_str(&line);
            if let Some(rest) = line.split("listening on http://").nth(1) {
                addr = Some(rest.split('/').next().unwrap().to_string());
            }
        }
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Server {
            child,
            addr: addr.unwrap(),
            stderr: log,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        request(&self.addr, "GET", path, &[], b"")
    }

    /// Stop with SIGTERM and wait; the exit code.
    pub fn stop(mut self) -> Option<i32> {
        // SAFETY: a plain kill(2) of the server this helper started
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let code = self.child.wait().unwrap().code();
        std::mem::forget(self);
        code
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request over a fresh loopback connection (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // a server may answer (e.g. 413) before reading a large body: ignore a reset while sending
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Response {
        status,
        head: head.to_string(),
        body: if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n.min(rest.len())]);
        s = rest.get(n + 2..).unwrap_or("");
    }
    out
}

/// Percent-encode a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A directory under target/ for artifacts of the tests (screenshots).
pub fn artifacts_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts/serve");
    std::fs::create_dir_all(&d).unwrap();
    d
}
