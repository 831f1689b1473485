//! `rigor chaos serve` driven by a real Toxiproxy client library (toxiproxy-python, pinned in
//! scripts/test-requirements.txt): every route, JSON shape and status code the client uses.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `rigor chaos serve` on a free port, killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(["chaos", "serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no API address in {line:?}"))
        .to_string();
    Served { child, addr }
}

#[test]
fn the_toxiproxy_python_client_works_unchanged() {
    let py = python();
    let has_client = Command::new(&py)
        .args(["-c", "import toxiproxy"])
        .status()
        .unwrap()
        .success();
    assert!(
        has_client,
        "toxiproxy-python is missing from {py}: run scripts/test.sh (installs scripts/test-requirements.txt)"
    );
    let s = serve();
    let (host, port) = s.addr.rsplit_once(':').unwrap();
    let out = Command::new(&py)
        .arg(fixture_dir("chaos").join("toxiproxy_client.py"))
        .args([host, port])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.lines().filter(|l| l.starts_with("ok ")).count() >= 30);
}

#[test]
fn a_taken_address_is_a_usage_error_with_a_hint() {
    let s = serve();
    let out = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(["chaos", "serve", "--addr", &s.addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot listen on") && err.contains("hint"),
        "{err}"
    );
}
