//! `rigor rollout` end to end on loopback: real services started by rigor from commands,
//! traffic through the proxy, the judge's decision, the history, the control API, readiness.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn service_cmd(port: u16, error_rate: f64, delay_ms: u64) -> String {
    format!(
        "exec {} {} {port} {error_rate} {delay_ms}",
        python(),
        fixture_dir("rollout").join("service.py").display()
    )
}

/// One GET through the proxy; the status code, 0 when the request failed.
fn get(addr: &str) -> u16 {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return 0;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Requests in a loop until stopped: (sent, failed at the transport or with 502).
struct Load {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    broken: Arc<AtomicU64>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

fn load(addr: String) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let broken = Arc::new(AtomicU64::new(0));
    let threads = (0..4)
        .map(|_| {
            let (stop, sent, broken, addr) =
                (stop.clone(), sent.clone(), broken.clone(), addr.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let code = get(&addr);
                    if code != 0 {
                        sent.fetch_add(1, Ordering::Relaxed);
                        if code == 502 {
                            broken.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        })
        .collect();
    Load {
        stop,
        sent,
        broken,
        threads,
    }
}

impl Load {
    fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
        (
            self.sent.load(Ordering::Relaxed),
            self.broken.load(Ordering::Relaxed),
        )
    }
}

struct Ports {
    blue: u16,
    green: u16,
    listen: String,
    control: String,
}

fn ports() -> Ports {
    Ports {
        blue: free_port(),
        green: free_port(),
        listen: format!("127.0.0.1:{}", free_port()),
        control: format!("127.0.0.1:{}", free_port()),
    }
}

/// Start `rigor rollout --exit` in the background with load on its proxy; its output and the
/// load's counts.
fn rollout(
    dir: &Path,
    p: &Ports,
    green_errors: f64,
    green_delay: u64,
    step_time: &str,
    extra: &[&str],
) -> (std::process::Output, (u64, u64)) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"));
    cmd.current_dir(dir)
        .args([
            "rollout",
            "--exit",
            "--format",
            "json",
            "--listen",
            &p.listen,
            "--control",
            &p.control,
        ])
        .args([
            "--blue",
            &format!("127.0.0.1:{}", p.blue),
            "--blue-cmd",
            &service_cmd(p.blue, 0.0, 2),
        ])
        .args([
            "--green",
            &format!("127.0.0.1:{}", p.green),
            "--green-cmd",
            &service_cmd(p.green, green_errors, green_delay),
        ])
        .args([
            "--baseline-time",
            "2s",
            "--step-time",
            step_time,
            "--interval",
            "500ms",
            "--min-requests",
            "30",
        ])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Load starts once the proxy listens.
    for _ in 0..200 {
        if TcpStream::connect(&p.listen).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let l = load(p.listen.clone());
    let out = child.wait_with_output().unwrap();
    (out, l.finish())
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_healthy_green_is_promoted_and_recorded_and_a_failing_one_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = ports();
    // This test is about the flow; the machine's load makes small latency differences between
    // the baseline and the bake noisy, so the latency rule is loosened here (it has its own test).
    let (out, (sent, broken)) = rollout(
        dir.path(),
        &p,
        0.0,
        2,
        "3s",
        &["--max-latency-increase", "200"],
    );
    let v = json_of(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{v}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["decision"], "promoted");
    assert!(v["analyses"].as_array().unwrap().len() >= 2);
    assert!(sent > 100, "{sent} requests");
    assert_eq!(broken, 0, "requests failed by the switch");

    let p = ports();
    let (out, (_, broken)) = rollout(
        dir.path(),
        &p,
        0.3,
        2,
        "3s",
        &["--max-latency-increase", "200"],
    );
    let v = json_of(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["decision"], "rolled_back");
    assert!(v["reason"].as_str().unwrap().contains("error rate"), "{v}");
    assert!(v["green_exposure_s"].as_f64().unwrap() < 3.0, "{v}");
    assert_eq!(broken, 0);

    let h = rigor(dir.path())
        .args(["rollout", "history", "--format", "json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&h.stdout).unwrap();
    let decisions: Vec<&str> = rows["rollouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["rolled_back", "promoted"]);
    dashboard_shows_both(dir.path());
}

/// `rigor serve` over the same history lists both rollouts, on its page and in its API.
fn dashboard_shows_both(dir: &Path) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(dir)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut addr = None;
    let mut line = String::new();
    while addr.is_none() && lines.read_line(&mut line).unwrap() > 0 {
        addr = line
            .split("listening on http://")
            .nth(1)
            .map(|r| r.split('/').next().unwrap().to_string());
        line.clear();
    }
    let addr = addr.expect("rigor serve listens");
    let fetch = |path: &str| {
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let page = fetch("/rollouts");
    let api = fetch("/api/v1/rollouts");
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("2 rollouts, 1 promoted, 1 rolled back"),
        "{page}"
    );
    assert!(page.contains("error rate"), "{page}");
    assert!(
        page.contains("href=\"/rollouts\""),
        "the navigation links the page"
    );
    let body = &api[api.find("\r\n\r\n").unwrap() + 4..];
    let body = body
        .find('{')
        .map(|i| &body[i..body.rfind('}').unwrap() + 1])
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["api"], "rigor.serve/v1");
    let decisions: Vec<&str> = v["rollouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["rolled_back", "promoted"]);
}

#[test]
fn a_slower_green_is_rolled_back_on_latency() {
    let dir = tempfile::tempdir().unwrap();
    let p = ports();
    let (out, _) = rollout(
        dir.path(),
        &p,
        0.0,
        30,
        "3s",
        &["--max-latency-increase", "30"],
    );
    let v = json_of(&out);
    assert_eq!(v["decision"], "rolled_back", "{v}");
    assert!(v["reason"].as_str().unwrap().contains("latency"), "{v}");
}

#[test]
fn the_control_api_reports_status_and_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let p = ports();
    let control = p.control.clone();
    let watcher = std::thread::spawn(move || {
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..100 {
            let out = rigor(dir.path())
                .args([
                    "rollout",
                    "status",
                    "--format",
                    "json",
                    "--control",
                    &control,
                ])
                .output()
                .unwrap();
            if out.status.success() {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let abort = rigor(dir.path())
                    .args(["rollout", "abort", "--control", &control])
                    .output()
                    .unwrap();
                assert!(abort.status.success());
                return v;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the control API never answered");
    });
    let (out, _) = rollout(dir.path(), &p, 0.0, 2, "30s", &[]);
    let status = watcher.join().unwrap();
    assert_eq!(status["schema"], "rigor.rollout.status/1");
    let v = json_of(&out);
    assert_eq!(v["decision"], "rolled_back");
    assert_eq!(v["reason"], "aborted by hand");
    assert_eq!(v["manual"], true);
}

#[test]
fn a_status_without_a_rollout_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let out = rigor(dir.path())
        .args(["rollout", "status", "--control", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rollout answers"));
}

#[test]
fn bad_settings_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = rigor(dir.path())
        .args([
            "rollout",
            "--blue",
            "127.0.0.1:1",
            "--green",
            "127.0.0.1:2",
            "--steps",
            "50,20",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[rollout] steps") && err.contains("hint"),
        "{err}"
    );
    let out = rigor(dir.path())
        .args(["rollout", "--green", "127.0.0.1:2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no address for blue"));
}

#[test]
fn the_judge_answers_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("b.json");
    let canary = dir.path().join("c.json");
    let lat: Vec<String> = (0..100)
        .map(|i| format!("{}", 10.0 + (i % 7) as f64 * 0.1))
        .collect();
    std::fs::write(
        &base,
        format!(
            r#"{{"latencies_ms": [{}], "errors": 0, "requests": 100}}"#,
            lat.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        &canary,
        format!(
            r#"{{"latencies_ms": [{}], "errors": 40, "requests": 140}}"#,
            lat.join(",")
        ),
    )
    .unwrap();
    let out = rigor(dir.path())
        .args(["rollout", "judge", "--baseline"])
        .arg(&base)
        .arg("--canary")
        .arg(&canary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pass"], false);
    let out = rigor(dir.path())
        .args(["rollout", "judge", "--baseline"])
        .arg(&base)
        .arg("--canary")
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(&canary, "{\"errors\": 1}").unwrap();
    let out = rigor(dir.path())
        .args(["rollout", "judge", "--baseline"])
        .arg(&base)
        .arg("--canary")
        .arg(&canary)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git repository whose HEAD failed the coverage gate (recorded in its history).
fn failed_gates_repo() -> tempfile::TempDir {
    use rigor_testkit::git;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("a.py"), "x = 1\ny = 2\n").unwrap();
    std::fs::write(p.join(".gitignore"), ".rigor/\n*.info\n").unwrap();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    std::fs::write(
        p.join("rigor.toml"),
        "[gates]\ncoverage = { min = 90, blocking = true }\n",
    )
    .unwrap();
    std::fs::write(
        p.join("lcov.info"),
        "SF:a.py\nDA:1,1\nDA:2,0\nend_of_record\n",
    )
    .unwrap();
    let out = rigor(p)
        .args(["gate", "--coverage", "lcov.info"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    dir
}

#[test]
fn a_commit_whose_gates_failed_is_not_deployed_unless_forced() {
    let dir = failed_gates_repo();
    let p = ports();
    let out = rigor(dir.path())
        .args([
            "rollout",
            "--exit",
            "--blue",
            &format!("127.0.0.1:{}", p.blue),
            "--green",
            &format!("127.0.0.1:{}", p.green),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("not deploying") && err.contains("gates failed") && err.contains("--force"),
        "{err}"
    );

    let (out, _) = rollout(dir.path(), &p, 0.0, 2, "1s", &["--force"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("readiness: forced past: gates failed"),
        "{err}"
    );
    let h = rigor(dir.path())
        .args(["rollout", "history", "--format", "json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&h.stdout).unwrap();
    assert_eq!(rows["rollouts"][0]["forced"], true, "{rows}");
    assert!(
        rows["rollouts"][0]["readiness"]
            .as_str()
            .unwrap()
            .contains("coverage"),
        "{rows}"
    );
    let out = rigor(dir.path())
        .args(["report", "--html", "r.html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(
        page.contains("<h2>Rollouts</h2>") && page.contains("forced past: gates failed"),
        "no rollouts section"
    );
}

#[test]
fn the_judge_serves_argo_rollouts_web_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"))
        .current_dir(dir.path())
        .args(["rollout", "judge", "--serve", "--addr", &addr])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let post = |body: &str| -> String {
        for _ in 0..100 {
            if let Ok(mut s) = TcpStream::connect(&addr) {
                let req = format!(
                    "POST /judge HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(req.as_bytes()).unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).unwrap();
                return out;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the judge never listened on {addr}");
    };
    let lat: Vec<String> = (0..200)
        .map(|i| format!("{}", 10.0 + (i % 9) as f64 * 0.1))
        .collect();
    let slow: Vec<String> = (0..200)
        .map(|i| format!("{}", 14.0 + (i % 9) as f64 * 0.1))
        .collect();
    let ok = post(&format!(
        r#"{{"baseline": {{"latencies_ms": [{l}], "errors": 0, "requests": 200}}, "canary": {{"latencies_ms": [{l}], "errors": 0, "requests": 200}}}}"#,
        l = lat.join(",")
    ));
    let bad = post(&format!(
        r#"{{"baseline": {{"latencies_ms": [{}], "errors": 0, "requests": 200}}, "canary": {{"latencies_ms": [{}], "errors": 0, "requests": 200}}}}"#,
        lat.join(","),
        slow.join(",")
    ));
    let garbage = post("{\"baseline\": 1}");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains("\"pass\":true"),
        "{ok}"
    );
    assert!(
        bad.contains("\"pass\":false") && bad.contains("latency"),
        "{bad}"
    );
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");
}

#[test]
fn the_proxy_speaks_http2_with_prior_knowledge_and_http1() {
    let curl_ok = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("HTTP2"));
    assert!(
        curl_ok,
        "curl with HTTP/2 is needed: scripts/test.sh installs it (apt-get install curl)"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = ports();
    let listen = p.listen.clone();
    let control = p.control.clone();
    let client = std::thread::spawn(move || {
        for _ in 0..200 {
            if TcpStream::connect(&listen).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let fetch = |h2: bool| {
            let mut c = std::process::Command::new("curl");
            c.args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_version} %{http_code}",
            ]);
            if h2 {
                c.arg("--http2-prior-knowledge");
            }
            let out = c.arg(format!("http://{listen}/")).output().unwrap();
            String::from_utf8_lossy(&out.stdout).to_string()
        };
        let answers = (fetch(true), fetch(false));
        let dir = tempfile::tempdir().unwrap();
        rigor(dir.path())
            .args(["rollout", "abort", "--control", &control])
            .output()
            .unwrap();
        answers
    });
    let (out, _) = rollout(dir.path(), &p, 0.0, 2, "30s", &[]);
    let (h2, h1) = client.join().unwrap();
    assert_eq!(h2, "2 200");
    assert_eq!(h1, "1.1 200");
    assert_eq!(json_of(&out)["reason"], "aborted by hand");
}
