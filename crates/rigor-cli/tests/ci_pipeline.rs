//! `rigor ci` end to end: selection, tiers, then the gates — with the perf gate fed by the
//! benchmarks ingested for the commit.

mod common;

use common::*;
use rigor_testkit::git;
use std::path::Path;

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

fn rev(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", rev])
}

/// On a feature branch of two commits whose main has moved on since, `rigor ci` detects the
/// change once: selection and the changed-lines gate both measure from the merge-base with main
/// (not HEAD~1, not main's tip), and the output names that one base.
#[test]
fn ci_on_a_feature_branch_selects_and_gates_against_the_same_merge_base() {
    let (_t, dir) = project("pysel");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\ncoverage/\n").unwrap();
    std::fs::write(
        dir.join("rigor.toml"),
        "[gates]\ncoverage = { min = 0, changed_lines_min = 50 }\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let fork = rev(&dir, "HEAD");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return s.upper() + \"!\"\n\n\ndef whisper(s):\n    return s.lower()\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "whisper"]);
    let parent = rev(&dir, "HEAD");
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return (s + \"!\").upper()\n\n\ndef whisper(s):\n    return s.lower()\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "shout differently"]);
    git(&dir, &["checkout", "-q", "main"]);
    std::fs::write(dir.join("pkg/a.py"), "def double(x):\n    return x + x\n").unwrap();
    git(&dir, &["commit", "-q", "-am", "main moves on"]);
    let main_tip = rev(&dir, "HEAD");
    git(&dir, &["checkout", "-q", "feature"]);
    // Coverage of the feature's code: lines 1, 2, 5 run, line 6 (whisper's body) does not.
    std::fs::create_dir_all(dir.join("coverage")).unwrap();
    std::fs::write(
        dir.join("coverage/lcov.info"),
        "SF:pkg/b.py\nDA:1,1\nDA:2,1\nDA:5,1\nDA:6,0\nend_of_record\nSF:pkg/a.py\nDA:1,1\nDA:2,1\nend_of_record\n",
    )
    .unwrap();

    let out = rigor(&dir).arg("ci").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The plan names the merge-base with main …
    assert!(
        stderr.contains(&format!("base {} — merge-base with main", &fork[..10])),
        "{stderr}"
    );
    // … and the gate measured the same change: the feature's changed lines 2, 5 and 6 are
    // measured (3), 6 is missing; from HEAD~1 only line 2 would count, from main's tip a.py too.
    assert!(
        stderr.contains(
            "66.67% of changed lines covered (2/3; 1 missing; base: merge-base with main)"
        ),
        "{stderr}"
    );
    for other in [&parent, &main_tip] {
        assert!(
            !stderr.contains(&other[..10]),
            "{other} named in:\n{stderr}"
        );
    }
}
