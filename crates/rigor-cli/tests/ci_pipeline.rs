//! `rigor ci` end to end: selection, tiers, then the gates — with the perf gate fed by the
//! benchmarks ingested for the commit.

mod common;

use common::*;
use std::path::Path;

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn metrics(dir: &Path, name: &str, base_ms: f64) -> std::path::PathBuf {
    let samples: Vec<String> = (0..12)
        .map(|i| format!("{:.2}", base_ms + (i % 4) as f64 * 0.5))
        .collect();
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            r#"{{"metrics": [{{"name": "api/latency", "unit": "ms", "direction": "lower_is_better", "samples": [{}]}}]}}"#,
            samples.join(", ")
        ),
    )
    .unwrap();
    path
}

#[test]
fn ci_runs_the_selected_tiers_then_fails_on_a_perf_regression() {
    let (_t, dir) = project("pysel");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n*.json\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let base = metrics(&dir, "base.json", 100.0);
    let out = rigor(&dir)
        .args(["perf", "ingest"])
        .arg(&base)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, _) = run_json(&dir, &[]);
    assert_eq!(code, 0);

    // A change to pkg/b.py, and benchmarks 30 % slower at the new commit.
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return (s + \"!\").upper()\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "shout differently"]);
    let slow = metrics(&dir, "slow.json", 130.0);
    assert!(
        rigor(&dir)
            .args(["perf", "ingest"])
            .arg(&slow)
            .output()
            .unwrap()
            .status
            .success()
    );

    let out = rigor(&dir)
        .args(["ci", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Only the test of the changed module ran, and it passed.
    let ids: Vec<&str> = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["tests/test_b.py::test_shout"], "{stderr}");
    assert_eq!(s["status"], "passed");
    assert!(stderr.contains("selection: 1 of 3 tests"), "{stderr}");
    // The perf gate failed the build.
    assert!(
        stderr.contains("perf: 1 benchmarks compared, 1 regressions"),
        "{stderr}"
    );
    let perf_line = stderr
        .lines()
        .find(|l| l.contains("perf") && l.starts_with("FAIL"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        perf_line.contains("api/latency") || stderr.contains("api/latency"),
        "{stderr}"
    );
}
