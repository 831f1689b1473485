//! Change-aware selection through the CLI: `rigor plan`, `rigor run --changed`, `rigor ci`.

mod common;

use common::*;
use rigor_testkit::git;
use std::path::Path;

/// The fixture as a git repository with one recorded full run.
fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = project("pysel");
    std::fs::write(
        dir.join(".gitignore"),
        ".rigor/\n__pycache__/\n.pytest_cache/\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let (code, _) = run_json(&dir, &[]);
    assert_eq!(code, 0);
    (t, dir)
}

fn plan(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = rigor(dir)
        .args(["plan", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn ids(plan: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_change_selects_the_tests_that_import_it_with_reasons() {
    let (_t, dir) = repo();
    std::fs::write(dir.join("pkg/a.py"), "def double(x):\n    return x + x\n").unwrap();
    let p = plan(&dir, &[]);
    assert_eq!(p["changed_files"], serde_json::json!(["pkg/a.py"]));
    assert!(p["full_run"].is_null());
    assert_eq!(
        ids(&p),
        [
            "tests/test_a.py::test_double",
            "tests/test_a.py::test_double_zero"
        ]
    );
    let reasons = p["tests"][0]["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("pkg/a.py")),
        "{reasons:?}"
    );
    assert!(p["tests"][0]["risk"].is_number() && p["tests"][0]["estimated_s"].is_number());
    assert_eq!(p["base"].as_str().unwrap().len(), 40);
    // A skipped test can be asked about.
    let out = rigor(&dir)
        .args(["plan", "--why", "tests/test_b.py::test_shout"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("is skipped"), "{text}");
    // run --changed runs just those.
    let (code, s) = run_json(&dir, &["--changed"]);
    assert_eq!(code, 0);
    assert_eq!(s["total"], 2);
}

#[test]
fn unanalysable_changes_run_everything_with_the_reason() {
    let (_t, dir) = repo();
    let mut text = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    text.push_str("# touched\n");
    std::fs::write(dir.join("pyproject.toml"), text).unwrap();
    let p = plan(&dir, &[]);
    assert!(
        p["full_run"].as_str().unwrap().contains("pyproject.toml"),
        "{p:#}"
    );
    assert_eq!(ids(&p).len(), 3);
}

#[test]
fn a_clean_tree_against_head_selects_nothing_but_failures_and_new_tests() {
    let (_t, dir) = repo();
    let p = plan(&dir, &["--base", "HEAD"]);
    assert!(p["full_run"].is_null());
    assert!(ids(&p).is_empty(), "{p:#}");
    // A new test file is always included.
    std::fs::write(dir.join("tests/test_new.py"), "def test_new():\n    pass\n").unwrap();
    let p = plan(&dir, &["--base", "HEAD"]);
    assert_eq!(ids(&p), ["tests/test_new.py::test_new"]);
    // --all plans every test.
    assert_eq!(ids(&plan(&dir, &["--all"])).len(), 4);
}

#[test]
fn outside_git_everything_runs_and_the_plan_says_why() {
    let (_t, dir) = project("pysel");
    let p = plan(&dir, &[]);
    assert!(
        p["full_run"]
            .as_str()
            .unwrap()
            .starts_with("no change to select by"),
        "{p:#}"
    );
    assert_eq!(ids(&p).len(), 3);
}

#[test]
fn ci_with_a_change_no_test_can_see_runs_no_tests_but_the_gates() {
    let (_t, dir) = repo();
    std::fs::write(dir.join("NOTES.md"), "# notes\n").unwrap();
    let out = rigor(&dir).arg("ci").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("selects no tests"), "{stderr}");
    assert!(stderr.contains("gates evaluated"), "{stderr}");
}

/// Issue 17, item 1: the README's quick start followed on a fresh git project — `rigor init`,
/// a run with a JUnit report, the HTML report, coverage data — leaves nothing that makes a
/// change-aware run select everything; `rigor init` adds `.rigor/` to `.gitignore` and says so.
#[test]
fn the_quick_start_leaves_nothing_that_makes_a_full_run() {
    let (_t, dir) = project("pysel");
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let out = rigor(&dir).arg("init").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("added `.rigor/` to"), "{err}");
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert_eq!(ignore, ".rigor/\n");

    let out = rigor(&dir)
        .args(["run", "--junit", "out/junit.xml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = rigor(&dir)
        .args(["report", "--html", "report.html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.join(".coverage"), "sqlite").unwrap();
    std::fs::write(dir.join("coverage.json"), "{}").unwrap();
    std::fs::write(dir.join("notes.txt"), "todo").unwrap();

    let p = plan(&dir, &[]);
    assert!(p["full_run"].is_null(), "{p}");
    assert_eq!(ids(&p), Vec::<String>::new(), "{p}");
    let notes = p["notes"].to_string();
    for f in [
        "rigor.toml",
        "out/junit.xml",
        "report.html",
        ".coverage",
        "coverage.json",
        "notes.txt",
    ] {
        assert!(notes.contains(&format!("{f}: ignored (")), "{f}: {notes}");
    }

    // A second init (forced) finds the entry and leaves .gitignore alone.
    let out = rigor(&dir).args(["init", "--force"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(".gitignore"));
    assert_eq!(
        std::fs::read_to_string(dir.join(".gitignore")).unwrap(),
        ".rigor/\n"
    );
}

/// Issue 17, item 3: a change-aware run of a few tests starts one worker, and that worker
/// collects only the files of the tests it runs — a test file that records its imports is
/// imported by discovery alone.
#[test]
fn a_small_selection_runs_on_one_worker_that_collects_only_its_files() {
    let (_t, dir) = project("pysel");
    std::fs::write(
        dir.join(".gitignore"),
        ".rigor/\n__pycache__/\n.pytest_cache/\nimports.log\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/test_marker.py"),
        "import os\nwith open(os.path.join(os.path.dirname(__file__), '..', 'imports.log'), 'a') as f:\n    f.write('imported\\n')\n\ndef test_marker():\n    pass\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let (code, _) = run_json(&dir, &[]);
    assert_eq!(code, 0);
    std::fs::remove_file(dir.join("imports.log")).unwrap();

    std::fs::write(dir.join("pkg/a.py"), "def double(x):\n    return x + x\n").unwrap();
    let out = rigor(&dir)
        .args(["run", "--changed", "-j", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 tests on 1 worker,"), "{err}");
    let imports = std::fs::read_to_string(dir.join("imports.log")).unwrap();
    assert_eq!(
        imports, "imported\n",
        "discovery imports it; the worker does not"
    );
}
