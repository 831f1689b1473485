//! `[chaos]` scenarios: rigor starts the proxies of rigor.toml for the chaos-marked tests,
//! hands them the addresses through the environment, and tears them down afterwards.

mod common;

use common::*;
use rigor_testkit::git;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;

/// A TCP echo service for the proxy's upstream; lives as long as the test process.
fn echo() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut c = c;
                let mut buf = [0u8; 4096];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 || c.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

fn configure(dir: &Path, upstream: &str) {
    std::fs::write(
        dir.join("rigor.toml"),
        format!(
            r#"[[suite]]
name = "python"
kind = "pytest"

[[chaos.proxy]]
name = "echo"
upstream = "{upstream}"
toxics = [{{ type = "latency", stream = "downstream", attributes = {{ latency = 200 }} }}]
"#
        ),
    )
    .unwrap();
}

#[test]
fn chaos_marked_tests_talk_through_the_configured_proxy_which_is_torn_down_after() {
    let (_t, dir) = project("pychaos");
    configure(&dir, &echo());
    let seen = dir.join("seen.txt");
    let out = rigor(&dir)
        .args(["run", "--format", "json"])
        .env("CHAOS_SEEN_FILE", &seen)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["counts"]["passed"], 3, "{v}");
    assert!(stderr.contains("chaos scenario up"), "{stderr}");
    let addr = std::fs::read_to_string(&seen).unwrap();
    assert!(
        TcpStream::connect(addr.trim()).is_err(),
        "the proxy at {addr} still listens after the run"
    );
}

#[test]
fn ci_runs_the_chaos_tier_with_the_scenario_and_skips_it_when_no_chaos_test_is_planned() {
    let (_t, dir) = project("pychaos");
    configure(&dir, &echo());
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\nseen.txt\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let out = rigor(&dir)
        .args(["ci", "--format", "json"])
        .env("CHAOS_SEEN_FILE", dir.join("seen.txt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.contains("chaos scenario up"), "{stderr}");
    let out = rigor(&dir)
        .args(["run", "-E", "not marker(chaos)"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("chaos scenario up"), "{stderr}");
}

#[test]
fn a_bad_scenario_is_a_configuration_error_before_any_test_runs() {
    let (_t, dir) = project("pychaos");
    std::fs::write(
        dir.join("rigor.toml"),
        "[[chaos.proxy]]\nname = \"echo\"\nupstream = \"127.0.0.1:1\"\ntoxics = [{ type = \"lag\" }]\n",
    )
    .unwrap();
    let out = rigor(&dir).arg("run").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("proxy `echo`") && stderr.contains("invalid toxic type `lag`"),
        "{stderr}"
    );
    assert!(!stderr.contains("passed"), "tests ran: {stderr}");
}
