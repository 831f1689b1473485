//! `[select] coverage_map = "auto"` through the binary: the first full run records the per-test
//! coverage map without being asked, change plans use it (tests covering the changed lines,
//! import-time code → the files importing its module), and a map recorded against another
//! content of a file is not trusted for it.

mod common;

use common::*;
use rigor_testkit::git;
use std::path::Path;

const CORE: &str = "SCALE = 2\n\n\ndef f(x):\n    return x + 1\n\n\ndef g(x):\n    return x * SCALE\n\n\ndef table():\n    return [g(i) for i in range(3)]\n\n\nTABLE = table()\n";

/// The setting, spelled out (it is also the default: the first test runs without it).
const AUTO: &str = "[select]\ncoverage_map = \"auto\"\n";

fn project(extra_toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("auto");
    let files: &[(&str, &str)] = &[
        (
            "pyproject.toml",
            "[project]\nname = \"auto\"\nversion = \"0.1\"\n\n[tool.pytest.ini_options]\npythonpath = [\".\"]\n",
        ),
        (".gitignore", ".rigor/\n__pycache__/\n.pytest_cache/\n"),
        ("pkg/__init__.py", ""),
        ("pkg/core.py", CORE),
        (
            "pkg/other.py",
            "from pkg.core import TABLE\n\n\ndef h():\n    return len(TABLE)\n",
        ),
        (
            "tests/test_f.py",
            "from pkg.core import f\n\n\ndef test_f():\n    assert f(1) == 2\n",
        ),
        (
            "tests/test_g.py",
            "from pkg.core import g\n\n\ndef test_g():\n    assert g(2) == 4\n",
        ),
        (
            "tests/test_h.py",
            "from pkg.other import h\n\n\ndef test_h():\n    assert h() == 3\n",
        ),
        (
            "tests/test_plain.py",
            "def test_plain():\n    assert True\n",
        ),
    ];
    for (p, text) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    if !extra_toml.is_empty() {
        std::fs::write(dir.join("rigor.toml"), extra_toml).unwrap();
    }
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    (t, dir)
}

fn full_run(dir: &Path) -> String {
    let out = rigor(dir).arg("run").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

fn edit_commit(dir: &Path, from: &str, to: &str) -> String {
    let p = dir.join("pkg/core.py");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {text}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    git(dir, &["commit", "-q", "-am", "edit"]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// (sorted ids, every reason) of `rigor plan --base BASE --format json`.
fn plan(dir: &Path, base: &str) -> (Vec<String>, Vec<String>) {
    let out = rigor(dir)
        .args(["plan", "--base", base, "--format", "json"])
        .output()
        .unwrap();
    let p: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut ids = Vec::new();
    let mut reasons = Vec::new();
    for t in p["tests"].as_array().unwrap() {
        ids.push(t["id"].as_str().unwrap().to_string());
        for r in t["reasons"].as_array().unwrap() {
            reasons.push(r.as_str().unwrap().to_string());
        }
    }
    ids.sort();
    (ids, reasons)
}

#[test]
fn the_first_full_run_records_the_map_and_plans_use_it() {
    let (_t, dir) = project("");
    let err = full_run(&dir);
    // test_plain runs no project code: no probe fires, and it is in the map with an empty
    // entry (the map decides for it too).
    assert!(
        err.contains("coverage map of suite")
            && err.contains("recorded 4 tests")
            && err.contains("(1 of the tests ran no project code)"),
        "{err}"
    );
    let base = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();

    // A function only test_f runs: just test_f (the static graph alone would keep it too, but
    // the reason says the map decided).
    edit_commit(&dir, "return x + 1", "return x + 2");
    let (ids, reasons) = plan(&dir, &base);
    assert_eq!(ids, ["tests/test_f.py::test_f"]);
    assert!(
        reasons[0].starts_with("covers changed lines 5 of pkg/core.py"),
        "{reasons:?}"
    );
    git(&dir, &["reset", "-q", "--hard", &base]);

    // Import-time code of a package module: the test files importing it (directly or through
    // pkg/other.py), not test_plain.py.
    edit_commit(&dir, "SCALE = 2", "SCALE = 3");
    let (ids, reasons) = plan(&dir, &base);
    assert_eq!(
        ids,
        [
            "tests/test_f.py::test_f",
            "tests/test_g.py::test_g",
            "tests/test_h.py::test_h"
        ]
    );
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with("importing pkg/core.py runs changed lines 1 of pkg/core.py")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("tests/test_h.py → pkg/other.py → pkg/core.py")),
        "{reasons:?}"
    );
}

#[test]
fn a_stale_map_entry_is_ignored_and_off_records_nothing() {
    let (_t, dir) = project(AUTO);
    full_run(&dir);
    // core.py changes after the map was recorded; a change on top of that is planned against
    // the newer base: the map's rows of core.py describe other content, so the graph decides.
    let c1 = edit_commit(&dir, "return x + 1", "return x + 1  # edited");
    edit_commit(&dir, "return x + 1  # edited", "return x + 3  # edited");
    let (ids, reasons) = plan(&dir, &c1);
    assert!(
        ids.contains(&"tests/test_f.py::test_f".to_string()),
        "{ids:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("recorded against other content than at the base")),
        "{reasons:?}"
    );
    assert!(
        !reasons
            .iter()
            .any(|r| r.starts_with("covers changed lines"))
    );

    let (_t2, dir) = project("[select]\ncoverage_map = \"off\"\n");
    let err = full_run(&dir);
    assert!(!err.contains("coverage map"), "{err}");
    assert!(!dir.join(".rigor/coverage-map").exists());
}
