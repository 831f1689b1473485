//! `rigor perf …` through the real binary: ingest, compare (JSON contract), alerts and their
//! states, detect on history and on an Otava CSV, baselines, malformed input, report, webhook.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rigor(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rigor"));
    cmd.arg("-C").arg(dir).args(args).current_dir(dir);
    for v in [
        "GITHUB_SHA",
        "GITHUB_HEAD_REF",
        "GITHUB_REF_NAME",
        "GITHUB_BASE_REF",
        "CI_COMMIT_SHA",
        "CI_COMMIT_REF_NAME",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    ] {
        cmd.env_remove(v);
    }
    cmd.output().expect("run rigor")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rigor.toml"), config).unwrap();
    dir
}

/// Deterministic noisy samples around `mean` (relative noise `cv`, Irwin–Hall ≈ normal),
/// from a SplitMix64 stream.
fn samples(mean: f64, n: usize, cv: f64, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let u: f64 = (0..12).map(|_| next()).sum();
            mean * (1.0 + cv * (u - 6.0))
        })
        .collect()
}

fn metrics_file(dir: &Path, name: &str, metrics: &[(&str, &str, Vec<f64>)]) -> PathBuf {
    let items: Vec<serde_json::Value> = metrics
        .iter()
        .map(|(n, d, s)| serde_json::json!({"name": n, "unit": "ms", "direction": d, "samples": s}))
        .collect();
    let p = dir.join(name);
    std::fs::write(
        &p,
        serde_json::to_string(&serde_json::json!({ "metrics": items })).unwrap(),
    )
    .unwrap();
    p
}

fn ingest(dir: &Path, file: &Path, commit: &str, branch: &str) {
    let o = rigor(
        dir,
        &[
            "perf",
            "ingest",
            file.to_str().unwrap(),
            "--commit",
            commit,
            "--branch",
            branch,
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn compare_json_contract_alerts_dedup_and_states() {
    let p = project("[gates]\nperf = { max_regression = \"15%\", warn = \"10%\" }\n");
    let d = p.path();
    let base = metrics_file(
        d,
        "base.json",
        &[
            (
                "api/latency",
                "lower_is_better",
                samples(100.0, 20, 0.02, 1),
            ),
            (
                "api/throughput",
                "higher_is_better",
                samples(500.0, 20, 0.02, 2),
            ),
            ("db/query", "lower_is_better", samples(40.0, 20, 0.02, 3)),
        ],
    );
    let cur = metrics_file(
        d,
        "cur.json",
        &[
            (
                "api/latency",
                "lower_is_better",
                samples(125.0, 20, 0.02, 4),
            ),
            (
                "api/throughput",
                "higher_is_better",
                samples(560.0, 20, 0.02, 5),
            ),
            ("db/query", "lower_is_better", samples(40.0, 20, 0.02, 6)),
        ],
    );
    ingest(d, &base, "aaaa1111", "main");
    ingest(d, &cur, "bbbb2222", "feature/x");
    let out = d.join("out/perf.json");
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--commit",
            "bbbb2222",
            "--branch",
            "feature/x",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code(&o),
        1,
        "a regression fails the comparison: {}",
        stderr(&o)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["baseline"]["source"], "base-branch");
    assert_eq!(v["baseline"]["commit"], "aaaa1111");
    assert_eq!(v["regressions"], 1);
    let benches = v["benchmarks"].as_array().unwrap();
    assert_eq!(benches.len(), 3);
    for b in benches {
        for key in [
            "name",
            "unit",
            "direction",
            "baseline",
            "current",
            "change_pct",
            "ci_low_pct",
            "ci_high_pct",
            "p_value",
            "verdict",
            "threshold_pct",
        ] {
            assert!(b.get(key).is_some(), "{key} missing in {b}");
        }
    }
    let by = |n: &str| benches.iter().find(|b| b["name"] == n).unwrap();
    let lat = by("api/latency");
    assert_eq!(lat["verdict"], "regressed");
    assert_eq!(lat["direction"], "lower_is_better");
    assert_eq!(lat["threshold_pct"], 15.0);
    let change = lat["change_pct"].as_f64().unwrap();
    assert!((20.0..30.0).contains(&change), "{change}");
    assert!(
        lat["ci_low_pct"].as_f64().unwrap() <= change
            && change <= lat["ci_high_pct"].as_f64().unwrap()
    );
    assert!(lat["p_value"].as_f64().unwrap() < 0.005);
    assert_eq!(
        by("api/throughput")["verdict"],
        "improved",
        "higher is better"
    );
    assert!(matches!(
        by("db/query")["verdict"].as_str().unwrap(),
        "unchanged" | "within_noise"
    ));

    // the alert carries context, and a second run does not duplicate it
    let o = rigor(d, &["perf", "alerts", "--format", "json"]);
    let a: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let alerts = a["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{a}");
    assert_eq!(alerts[0]["benchmark"], "api/latency");
    assert_eq!(alerts[0]["state"], "open");
    assert_eq!(alerts[0]["range_from"], "aaaa1111");
    assert_eq!(alerts[0]["range_to"], "bbbb2222");
    assert!(
        alerts[0]["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["benchmark"] == "api/throughput")
    );
    let _ = rigor(
        d,
        &[
            "perf",
            "compare",
            "--commit",
            "bbbb2222",
            "--branch",
            "feature/x",
            "--format",
            "json",
        ],
    );
    let a: serde_json::Value =
        serde_json::from_str(&stdout(&rigor(d, &["perf", "alerts", "--format", "json"]))).unwrap();
    assert_eq!(a["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(a["alerts"][0]["occurrences"], 2);
    let id = a["alerts"][0]["id"].as_i64().unwrap().to_string();

    let o = rigor(d, &["perf", "alerts", "ack", &id, "--note", "looking"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&rigor(d, &["perf", "alerts"])).contains("0 alert(s)"),
        "no longer open"
    );
    let md = stdout(&rigor(
        d,
        &[
            "perf",
            "alerts",
            "--state",
            "acknowledged",
            "--format",
            "markdown",
        ],
    ));
    assert!(md.contains("| acknowledged | `api/latency`"), "{md}");
    assert_eq!(code(&rigor(d, &["perf", "alerts", "resolve", &id])), 0);
    let all: serde_json::Value = serde_json::from_str(&stdout(&rigor(
        d,
        &["perf", "alerts", "--state", "all", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(all["alerts"][0]["state"], "resolved");
    assert_eq!(code(&rigor(d, &["perf", "alerts", "ack", "999"])), 2);

    // markdown for PR comments
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--commit",
            "bbbb2222",
            "--branch",
            "feature/x",
            "--format",
            "markdown",
            "--no-alerts",
        ],
    );
    assert!(stdout(&o).contains("| `api/latency` |"), "{}", stdout(&o));
}

#[test]
fn per_benchmark_overrides_and_pinned_baselines() {
    let p = project("[perf.benchmarks.\"db/*\"]\nmax_regression = \"5%\"\nwarn = \"3%\"\n");
    let d = p.path();
    let v1 = metrics_file(
        d,
        "v1.json",
        &[("db/query", "lower_is_better", samples(40.0, 20, 0.01, 1))],
    );
    let v2 = metrics_file(
        d,
        "v2.json",
        &[("db/query", "lower_is_better", samples(44.0, 20, 0.01, 2))],
    );
    let v3 = metrics_file(
        d,
        "v3.json",
        &[("db/query", "lower_is_better", samples(44.0, 20, 0.01, 3))],
    );
    ingest(d, &v1, "c1", "main");
    ingest(d, &v2, "c2", "main");
    ingest(d, &v3, "c3", "main");
    // previous commit on the same branch: c2 → c3 unchanged
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--commit",
            "c3",
            "--branch",
            "main",
            "--format",
            "json",
            "--no-alerts",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["baseline"]["source"], "previous");
    assert_eq!(v["baseline"]["commit"], "c2");
    // pin the baseline to c1: now a 10 % regression, over the 5 % override
    let o = rigor(
        d,
        &[
            "perf", "baseline", "set", "--branch", "main", "--commit", "c1",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&rigor(
        d,
        &["perf", "baseline", "show", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(shown["baselines"][0]["commit"], "c1");
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--commit",
            "c3",
            "--branch",
            "main",
            "--format",
            "json",
            "--no-alerts",
        ],
    );
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["baseline"]["source"], "pinned");
    assert_eq!(v["benchmarks"][0]["threshold_pct"], 5.0);
    assert_eq!(v["benchmarks"][0]["verdict"], "regressed");
    // history shows the series
    let o = rigor(d, &["perf", "history", "db/query", "--format", "json"]);
    let h: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(h["series"][0]["points"].as_array().unwrap().len(), 3);
}

#[test]
fn malformed_input_exits_3_and_stores_nothing() {
    let p = project("");
    let d = p.path();
    let good = metrics_file(
        d,
        "good.json",
        &[("a", "lower_is_better", vec![1.0, 2.0, 3.0])],
    );
    let text = std::fs::read_to_string(&good).unwrap();
    let truncated = d.join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() - 9]).unwrap();
    let wrong = d.join("wrong.json");
    std::fs::write(&wrong, r#"{"metrics": [{"name": "a", "unit": "ms", "direction": "lower_is_better", "value": "12"}]}"#).unwrap();
    let empty = d.join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let bad_csv = d.join("bad.csv");
    std::fs::write(
        &bad_csv,
        "time,commit,lat\n2026-01-01,a,1.0\n2026-01-02,b,1.x\n",
    )
    .unwrap();

    let o = rigor(
        d,
        &[
            "perf",
            "ingest",
            good.to_str().unwrap(),
            truncated.to_str().unwrap(),
            "--commit",
            "c1",
            "--branch",
            "main",
        ],
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("truncated.json: line 1, column") && e.contains("hint:"),
        "{e}"
    );
    let o = rigor(
        d,
        &["perf", "ingest", wrong.to_str().unwrap(), "--commit", "c1"],
    );
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("wrong.json: at $.metrics[0].value: expected a number, found a string"),
        "{}",
        stderr(&o)
    );
    let o = rigor(
        d,
        &["perf", "ingest", empty.to_str().unwrap(), "--commit", "c1"],
    );
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("empty.json: line 1, column 1: the file is empty"),
        "{}",
        stderr(&o)
    );
    let o = rigor(
        d,
        &[
            "perf",
            "ingest",
            bad_csv.to_str().unwrap(),
            "--commit",
            "c1",
        ],
    );
    assert_eq!(code(&o), 3);
    assert!(
        stderr(&o).contains("bad.csv: line 3, column 14"),
        "{}",
        stderr(&o)
    );
    let o = rigor(d, &["perf", "detect", "--input", bad_csv.to_str().unwrap()]);
    assert_eq!(code(&o), 3);

    // nothing was stored, not even the good file given with the truncated one
    let o = rigor(d, &["perf", "history", "*"]);
    assert_eq!(code(&o), 4, "{}{}", stdout(&o), stderr(&o));
    let o = rigor(
        d,
        &["perf", "compare", "--commit", "c1", "--branch", "main"],
    );
    assert_eq!(code(&o), 4);
    // and a missing file is a usage error
    assert_eq!(
        code(&rigor(
            d,
            &["perf", "ingest", "nope.json", "--commit", "c1"]
        )),
        2
    );
}

fn step_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("time,commit,throughput,latency\n");
    let noise = samples(1.0, 120, 0.02, 9);
    for (i, e) in noise.iter().enumerate() {
        let lat = if i < 70 { 10.0 } else { 12.0 } * e;
        let thr = 1000.0 * (2.0 - e);
        text.push_str(&format!(
            "2026-10-{:02} {:02}:00:00+00:00,c{i:03},{thr:.2},{lat:.4}\n",
            1 + i / 24,
            i % 24
        ));
    }
    let p = dir.join("otava.csv");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn detect_reads_otava_csv_directly() {
    let p = project("");
    let d = p.path();
    let csv = step_csv(d);
    let o = rigor(
        d,
        &[
            "perf",
            "detect",
            "--input",
            csv.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let series = v["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    let lat = series.iter().find(|s| s["metric"] == "latency").unwrap();
    let cps = lat["change_points"].as_array().unwrap();
    assert_eq!(cps.len(), 1, "{lat}");
    let c = &cps[0];
    assert_eq!(c["index"], 70);
    assert_eq!(c["commit"], "c070");
    assert_eq!(c["time"], "2026-10-03 22:00:00+00:00");
    assert!(
        (c["change_pct"].as_f64().unwrap() - 20.0).abs() < 3.0,
        "{c}"
    );
    assert!(c["mean_before"].as_f64().unwrap() < c["mean_after"].as_f64().unwrap());
    assert!(c["p_value"].as_f64().unwrap() < 0.001);
    let thr = series.iter().find(|s| s["metric"] == "throughput").unwrap();
    assert!(
        thr["change_points"].as_array().unwrap().is_empty(),
        "pure noise: {thr}"
    );
    // no history was created
    assert!(!d.join(".rigor/history.db").exists());
    let o = rigor(d, &["perf", "detect", "--input", csv.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("latency (120 points): 1 change points"),
        "{}",
        stdout(&o)
    );
}

/// Loopback webhook receiver; returns the URL and a handle yielding the first request body.
fn hook_server() -> (String, std::thread::JoinHandle<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let h = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut data = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = s.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
            let t = String::from_utf8_lossy(&data).to_string();
            if let Some(i) = t.find("\r\n\r\n") {
                let len: usize = t
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= i + 4 + len {
                    break;
                }
            }
        }
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .unwrap();
        String::from_utf8_lossy(&data).to_string()
    });
    (url, h)
}

#[test]
fn detect_over_history_raises_alerts_with_related_benchmarks_and_webhook() {
    let (url, server) = hook_server();
    let p = project(&format!("[perf]\nwebhook = \"{url}\"\n"));
    let d = p.path();
    // 40 commits; both benchmarks step up 15 % at commit 25
    for i in 0..40 {
        let f = if i < 25 { 1.0 } else { 1.15 };
        let e = samples(1.0, 2, 0.01, 100 + i as u64);
        let file = d.join(format!("r{i}.json"));
        std::fs::write(
            &file,
            serde_json::json!({"metrics": [
                {"name": "parse", "unit": "ms", "direction": "lower_is_better", "value": 50.0 * f * e[0]},
                {"name": "render", "unit": "ms", "direction": "lower_is_better", "value": 80.0 * f * e[1]}
            ]})
            .to_string(),
        )
        .unwrap();
        ingest(d, &file, &format!("commit{i:02}"), "main");
    }
    let o = rigor(
        d,
        &["perf", "detect", "--branch", "main", "--format", "json"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for s in v["series"].as_array().unwrap() {
        let cps = s["change_points"].as_array().unwrap();
        assert_eq!(cps.len(), 1, "{s}");
        assert_eq!(cps[0]["index"], 25);
        assert_eq!(cps[0]["commit"], "commit25");
        assert_eq!(cps[0]["kind"], "regression");
    }
    let body = server.join().unwrap();
    assert!(body.starts_with("POST /hook HTTP/1.1"), "{body}");
    let json_start = body.find("\r\n\r\n").unwrap() + 4;
    let payload: serde_json::Value = serde_json::from_str(&body[json_start..]).unwrap();
    assert!(
        payload["text"]
            .as_str()
            .unwrap()
            .contains("new performance alert"),
        "{payload}"
    );
    let a: serde_json::Value =
        serde_json::from_str(&stdout(&rigor(d, &["perf", "alerts", "--format", "json"]))).unwrap();
    let alerts = a["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 2);
    let parse = alerts.iter().find(|x| x["benchmark"] == "parse").unwrap();
    assert_eq!(parse["kind"], "change_point");
    assert_eq!(parse["range_from"], "commit24");
    assert_eq!(parse["range_to"], "commit25");
    let render = alerts.iter().find(|x| x["benchmark"] == "render").unwrap();
    assert_eq!(render["related"][0]["benchmark"], "parse", "{render}");
    // running detection again does not duplicate the alerts (and posts nothing new)
    let _ = rigor(d, &["perf", "detect", "--branch", "main"]);
    let a: serde_json::Value =
        serde_json::from_str(&stdout(&rigor(d, &["perf", "alerts", "--format", "json"]))).unwrap();
    assert_eq!(a["alerts"].as_array().unwrap().len(), 2);

    // the HTML report is self-contained
    let html = d.join("perf.html");
    let o = rigor(
        d,
        &[
            "perf",
            "report",
            "--html",
            html.to_str().unwrap(),
            "--branch",
            "main",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<svg").count(), 2);
    assert!(
        page.contains("class=\"change-point\"")
            && page.contains("class=\"baseline-band\"")
            && page.contains("class=\"rolling-median\"")
    );
    assert!(page.contains("commit25"));
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("<script"),
        "no network resources"
    );
}

#[test]
fn file_to_file_comparison_with_real_hyperfine_output() {
    let p = project("");
    let d = p.path();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rigor-perf/tests/fixtures/hyperfine.json");
    // the same file on both sides: nothing moved
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--baseline-file",
            fixture.to_str().unwrap(),
            "--current-file",
            fixture.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["regressions"], 0);
    for b in v["benchmarks"].as_array().unwrap() {
        assert_eq!(b["verdict"], "unchanged");
        assert_eq!(b["change_pct"], 0.0);
    }
    // a slowed-down copy regresses
    let mut slow: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    for r in slow["results"].as_array_mut().unwrap() {
        for t in r["times"].as_array_mut().unwrap() {
            *t = serde_json::json!(t.as_f64().unwrap() * 1.5);
        }
        r["median"] = serde_json::json!(r["median"].as_f64().unwrap() * 1.5);
    }
    let slow_path = d.join("slow.json");
    std::fs::write(&slow_path, slow.to_string()).unwrap();
    let o = rigor(
        d,
        &[
            "perf",
            "compare",
            "--baseline-file",
            fixture.to_str().unwrap(),
            "--current-file",
            slow_path.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("2 regressed"), "{}", stdout(&o));
    assert!(
        !d.join(".rigor").exists(),
        "file-to-file comparisons need no history"
    );
}
