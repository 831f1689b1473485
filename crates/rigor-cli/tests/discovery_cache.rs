//! The discovery cache of change-aware runs (issue 17, item 3): a change re-collects only the
//! test files it can alter, never misses a test the change adds, and workers build only the
//! items of the tests they run.

mod common;

use common::*;
use rigor_testkit::git;
use std::path::Path;

/// `rigor run --changed --format json`: exit code, stderr and the ids that ran.
fn changed_run(dir: &Path) -> (i32, String, Vec<String>) {
    let out = rigor(dir)
        .args(["run", "--changed", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}); stderr:\n{err}"));
    let mut ids: Vec<String> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    (out.status.code().unwrap_or(-1), err, ids)
}

fn discovery_line(err: &str) -> &str {
    err.lines()
        .find(|l| l.starts_with("discovery: "))
        .unwrap_or_else(|| panic!("no discovery line in:\n{err}"))
}

/// The pysel fixture plus a test file parametrized by a project constant and one whose second
/// class logs when pytest builds its items; committed, with one recorded full run.
fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = project("pysel");
    std::fs::write(
        dir.join(".gitignore"),
        ".rigor/\n__pycache__/\n.pytest_cache/\nbuilt.log\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("pkg/cases.py"),
        "CASES = [1, 2]\n\ndef check(n):\n    return n > 0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/test_cases.py"),
        "import pytest\nfrom pkg import cases\n\n\n@pytest.mark.parametrize('n', cases.CASES)\ndef test_case(n):\n    assert cases.check(n)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/test_two.py"),
        "import os\nimport pytest\nfrom pkg.a import double\n\n\ndef logged(v):\n    with open(os.path.join(os.path.dirname(__file__), '..', 'built.log'), 'a') as f:\n        f.write('built\\n')\n    return str(v)\n\n\nclass TestOne:\n    def test_one(self):\n        assert double(1) == 2\n\n\nclass TestTwo:\n    @pytest.mark.parametrize('v', [1], ids=logged)\n    def test_two(self, v):\n        assert v\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let (code, _) = run_json(&dir, &[]);
    assert_eq!(code, 0);
    (t, dir)
}

#[test]
fn change_aware_runs_reuse_the_collection_and_recollect_what_the_change_can_alter() {
    let (_t, dir) = repo();
    // A body change: the first change-aware run collects in full and keeps the collection…
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return s.upper() + '!' * 1\n",
    )
    .unwrap();
    let (code, err, ids) = changed_run(&dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        discovery_line(&err),
        "discovery: suite `python`: full collection (no discovery cache yet)"
    );
    assert_eq!(ids, ["tests/test_b.py::test_shout"]);
    // …the next one reuses it: test_a.py and test_two.py, which use the project only inside
    // tests and import nothing from b.py, are not collected again; test_b.py imports a name
    // from b.py (gone names fail at collection) and test_cases.py's parametrization reads the
    // project: those two are.
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return s.upper() + '!' * 2\n",
    )
    .unwrap();
    let (code, err, ids) = changed_run(&dir);
    assert_eq!(code, 1, "the changed shout fails its test: {err}");
    assert_eq!(
        discovery_line(&err),
        "discovery: suite `python`: cached collection of 4 files, 2 collected again"
    );
    // Nothing changed since: nothing is collected.
    let (_, err, _) = changed_run(&dir);
    assert_eq!(
        discovery_line(&err),
        "discovery: suite `python`: cached collection of 4 files"
    );
    assert_eq!(ids, ["tests/test_b.py::test_shout"]);

    // A change to what a test file's parametrization reads: that file is collected again and
    // the test the change adds runs.
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return s.upper() + \"!\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("pkg/cases.py"),
        "CASES = [1, 2, 3]\n\ndef check(n):\n    return n > 0\n",
    )
    .unwrap();
    let (code, err, ids) = changed_run(&dir);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        discovery_line(&err),
        "discovery: suite `python`: cached collection of 4 files, 2 collected again"
    );
    assert_eq!(
        ids,
        [
            "tests/test_b.py::test_shout", // failed last time
            "tests/test_cases.py::test_case[1]",
            "tests/test_cases.py::test_case[2]",
            "tests/test_cases.py::test_case[3]",
        ]
    );

    // A new test file: the directory changed, everything is collected and the file's test runs.
    std::fs::write(dir.join("tests/test_new.py"), "def test_new():\n    pass\n").unwrap();
    let (code, err, ids) = changed_run(&dir);
    assert_eq!(code, 0, "{err}");
    assert!(
        discovery_line(&err).starts_with(
            "discovery: suite `python`: full collection (files were added or removed in "
        ),
        "{err}"
    );
    assert!(
        ids.contains(&"tests/test_new.py::test_new".to_string()),
        "{ids:?}"
    );
}

#[test]
fn a_changed_conftest_or_a_removed_name_is_collected_again() {
    let (_t, dir) = repo();
    std::fs::write(dir.join("pkg/a.py"), "def double(x):\n    return x * 2\n").unwrap();
    let (code, err, _) = changed_run(&dir);
    assert_eq!(code, 0, "{err}");
    // A conftest.py appears: a new file — and then changes: everything is collected again.
    std::fs::write(dir.join("tests/conftest.py"), "X = 1\n").unwrap();
    let (_, err, _) = changed_run(&dir);
    assert!(discovery_line(&err).contains("full collection"), "{err}");
    std::fs::write(dir.join("tests/conftest.py"), "X = 2\n").unwrap();
    let (_, err, _) = changed_run(&dir);
    assert_eq!(
        discovery_line(&err),
        "discovery: suite `python`: full collection (tests/conftest.py changed)"
    );
    // A name a test file imports is gone: that file is collected again and its error reported.
    std::fs::write(dir.join("pkg/a.py"), "def triple(x):\n    return x * 3\n").unwrap();
    std::fs::write(dir.join("pkg/__init__.py"), "from .b import shout\n").unwrap();
    let (code, err, _) = changed_run(&dir);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ImportError") || err.contains("cannot import name"),
        "{err}"
    );
}

#[test]
fn workers_build_only_the_items_of_the_classes_they_run() {
    let (_t, dir) = repo();
    let _ = std::fs::remove_file(dir.join("built.log"));
    // Discovery (a full collection) builds TestTwo's items once; the worker running only
    // TestOne::test_one does not build them.
    std::fs::write(
        dir.join("tests/test_two.py"),
        std::fs::read_to_string(dir.join("tests/test_two.py"))
            .unwrap()
            .replace("assert double(1) == 2", "assert double(1) == 2, 'one'"),
    )
    .unwrap();
    let out = rigor(&dir)
        .args(["run", "--changed", "-E", "test(test_one)"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("1 test on 1 worker") || err.contains("1 tests on 1 worker"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("built.log")).unwrap(),
        "built\n",
        "built by discovery only"
    );
}
