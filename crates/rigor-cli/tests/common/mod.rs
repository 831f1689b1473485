//! Shared helpers for the integration tests: fixture copies, the real binary, the test Python.

#![allow(dead_code)]

pub mod advisories;
pub mod stores;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The Python with pytest that the test command (scripts/test.sh) prepared.
pub fn python() -> String {
    std::env::var("RIGOR_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "RIGOR_TEST_PYTHON is not set: run the tests with scripts/test.sh, which creates a venv with pinned pytest"
        )
    })
}

pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "target" || name == ".rigor" || name == "__pycache__" || name == ".pytest_cache"
        {
            continue;
        }
        let dest = to.join(&name);
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A fresh copy of a fixture project in a temp dir (the TempDir must be kept alive).
pub fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&fixture_dir(name), &dir);
    (tmp, dir)
}

/// The real rigor binary, run in `dir`, with the test Python and no CI variables.
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
    ] {
        c.env_remove(v);
    }
    c
}

/// A command's JSON on stdout; a panic shows both streams when it is not JSON.
pub fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Run rigor and parse its `--format json` summary.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = rigor(dir)
        .arg("run")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON on stdout ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

pub fn outcome_of<'a>(summary: &'a serde_json::Value, id_suffix: &str) -> &'a str {
    summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"].as_str().unwrap().ends_with(id_suffix))
        .unwrap_or_else(|| panic!("no test ending with {id_suffix} in {summary}"))["outcome"]
        .as_str()
        .unwrap()
}

/// pytest's own closing counts, e.g. {"passed": 6, "failed": 1, "errors": 2}.
pub fn native_pytest_counts(dir: &Path, extra: &[&str]) -> std::collections::BTreeMap<String, u64> {
    let out = std::process::Command::new(python())
        .current_dir(dir)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text
        .lines()
        .rev()
        .find(|l| {
            l.contains(" in ")
                && (l.contains("passed") || l.contains("failed") || l.contains("error"))
        })
        .unwrap_or("");
    let mut counts = std::collections::BTreeMap::new();
    for part in last
        .trim_matches('=')
        .trim()
        .split(" in ")
        .next()
        .unwrap_or("")
        .split(", ")
    {
        let mut it = part.split_whitespace();
        if let (Some(n), Some(k)) = (it.next(), it.next())
            && let Ok(n) = n.parse::<u64>()
        {
            let k = match k {
                "error" | "errors" => "error".to_string(),
                other => other.to_string(),
            };
            counts.insert(k, n);
        }
    }
    counts
}

/// rigor's counts in pytest's vocabulary (zero counts left out).
pub fn rigor_counts(summary: &serde_json::Value) -> std::collections::BTreeMap<String, u64> {
    summary["counts"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| {
            let n = v.as_u64().unwrap();
            (n > 0).then(|| (k.clone(), n))
        })
        .collect()
}

/// The processes whose command line holds `marker` a moment after the run (killed, so that a
/// failing test leaves nothing behind), as pgrep lists them.
pub fn kill_left_over(marker: &str) -> String {
    std::thread::sleep(std::time::Duration::from_millis(300));
    let left = std::process::Command::new("pgrep")
        .args(["-f", marker])
        .output()
        .unwrap();
    let left = String::from_utf8_lossy(&left.stdout).into_owned();
    for pid in left.split_whitespace() {
        let _ = std::process::Command::new("kill")
            .args(["-9", pid])
            .status();
    }
    left
}

/// A full `rigor run` in `dir` recording the coverage map with `recorder` (`probes` or
/// `coverage`); its stderr, once it said it recorded the map.
pub fn record_map(dir: &Path, recorder: &str) -> String {
    let out = rigor(dir)
        .arg("run")
        .env("RIGOR_SELECT_MAP_RECORDER", recorder)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("coverage map of suite"), "{err}");
    err
}
