//! Coverage maps: a real coverage.py data file with per-test contexts, imported and used.
//!
//! The Python interpreter is `$RIGOR_TEST_PYTHON` (which has coverage.py), else the bench venv,
//! else `python3`; it must be able to `import coverage`.

mod common;

use common::{commit_all, git, repo, write};
use rigor_model::{SuiteKind, TestCase};
use rigor_select::coverage::numbits_to_lines;
use rigor_select::covstore::from_hex;
use rigor_select::{
    ChangeSet, CoverageMapMode, History, SelectConfig, SelectInput, Selection, SuiteSpec,
    import_coverage_map, refresh_coverage_map, select,
};
use rigor_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> PathBuf {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("RIGOR_TEST_PYTHON") {
        candidates.push(PathBuf::from(p));
    }
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/work/selection/venv/bin/python"),
    );
    candidates.push(PathBuf::from("python3"));
    for c in candidates {
        let ok = Command::new(&c)
            .args(["-c", "import coverage"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return c;
        }
    }
    panic!(
        "no Python with coverage.py: set RIGOR_TEST_PYTHON to an interpreter that has coverage installed"
    );
}

const MODULE: &str =
    "LIMIT = 10\n\ndef f(x):\n    y = x + 1\n    return y\n\ndef g(x):\n    return x * LIMIT\n";

/// Record a map the way rigor's pytest plugin does: one dynamic context per test node id.
fn record_map(root: &Path) -> PathBuf {
    let dir = root.join(".rigor/coverage-map");
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        r#"
import sys, coverage
sys.path.insert(0, {root:?})
cov = coverage.Coverage(data_file={data:?}, source=[{root:?}])
cov.start()
import pkg.mod as m
cov.switch_context("tests/test_mod.py::test_f")
assert m.f(1) == 2
cov.switch_context("tests/test_mod.py::test_g|run")
assert m.g(2) == 20
cov.switch_context("tests/test_dyn.py::test_dyn")
assert m.f(3) == 4
cov.switch_context("")
cov.stop()
cov.save()
"#,
        root = root.display().to_string(),
        data = dir.join(".coverage").display().to_string()
    );
    let out = Command::new(python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn tests() -> Vec<TestCase> {
    [
        "tests/test_mod.py::test_f",
        "tests/test_mod.py::test_g",
        "tests/test_other.py::test_new",
        "tests/test_dyn.py::test_dyn",
    ]
    .iter()
    .map(|id| {
        let mut t = TestCase::new("py", id);
        t.file = Some(id.split("::").next().unwrap().into());
        t
    })
    .collect()
}

fn plan(root: &Path, store: &mut Store, coverage: bool, symbols: bool) -> Selection {
    let change =
        ChangeSet::detect_with_env(root, None, &BTreeMap::<String, String>::new()).unwrap();
    let mut h = History::load(store, Some("main"), 50).unwrap();
    let spec = SuiteSpec::new("py", SuiteKind::Pytest, ".");
    let s2 = spec.clone();
    h.load_coverage(store, "py", &change, &move |p| s2.local(p))
        .unwrap();
    let cfg = SelectConfig {
        coverage_map: if coverage {
            CoverageMapMode::Auto
        } else {
            CoverageMapMode::Off
        },
        symbols,
        ..SelectConfig::default()
    };
    let suites = [spec];
    select(
        &SelectInput {
            root,
            config: &cfg,
            suites: &suites,
            history: &h,
        },
        &change,
        &tests(),
    )
    .unwrap()
}

fn ids(s: &Selection) -> Vec<&str> {
    s.selected.iter().map(|t| t.key.id.as_str()).collect()
}

fn project() -> (tempfile::TempDir, String, Store) {
    let d = repo(&[
        ("pkg/__init__.py", ""),
        ("pkg/mod.py", MODULE),
        (
            "tests/test_mod.py",
            "from pkg.mod import f, g\n\ndef test_f():\n    assert f(1) == 2\n\ndef test_g():\n    assert g(2) == 20\n",
        ),
        ("tests/test_other.py", "def test_new():\n    pass\n"),
        // Imports the module by a computed name: invisible to the static graph.
        (
            "tests/test_dyn.py",
            "import importlib\nNAME = 'pkg.' + 'mod'\n\ndef test_dyn():\n    assert importlib.import_module(NAME).f(3) == 4\n",
        ),
        (".gitignore", ".rigor/\n__pycache__/\n"),
    ]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    let dir = record_map(d.path());
    let mut store = Store::in_memory().unwrap();
    let imp = import_coverage_map(&mut store, &dir, "py", &base, d.path()).unwrap();
    assert_eq!((imp.data_files, imp.tests), (1, 3), "{imp:?}");
    (d, base, store)
}

#[test]
fn importer_reads_real_coverage_py_data() {
    let (_d, _base, store) = project();
    let rows: Vec<(String, String, String)> = store
        .conn()
        .prepare("SELECT file, context, numbits FROM select_cov_rows ORDER BY file, context")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let lines: BTreeMap<(String, String), Vec<u32>> = rows
        .into_iter()
        .map(|(f, t, b): (String, String, String)| ((f, t), numbits_to_lines(&from_hex(&b))))
        .collect();
    // Import time: the module's top-level statements (LIMIT, def f, def g).
    assert_eq!(lines[&("pkg/mod.py".into(), "".into())], vec![1, 3, 7]);
    assert_eq!(
        lines[&("pkg/mod.py".into(), "tests/test_mod.py::test_f".into())],
        vec![4, 5]
    );
    // pytest-cov's `|run` suffix is dropped.
    assert_eq!(
        lines[&("pkg/mod.py".into(), "tests/test_mod.py::test_g".into())],
        vec![8]
    );
}

#[test]
fn a_fresh_map_narrows_the_static_selection() {
    let (d, base, mut store) = project();
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE.replace("y = x + 1", "y = x + 2"),
    );
    commit_all(d.path(), "change f");
    let precise = plan(d.path(), &mut store, true, false);
    assert_eq!(precise.base, base);
    // The map also finds the test that imports the module by a computed name.
    assert_eq!(
        ids(&precise),
        vec!["tests/test_mod.py::test_f", "tests/test_dyn.py::test_dyn"]
    );
    assert!(
        precise.selected[0].reasons[0].starts_with("covers changed lines 4 of pkg/mod.py"),
        "{:?}",
        precise.selected[0].reasons
    );
    assert!(precise.selected[0].factors.covers_change);
    let why = precise.explain(&rigor_model::TestKey::new(
        "py",
        "tests/test_mod.py::test_g",
    ));
    assert!(why.contains("not selected"), "{why}");
    // Without the map, the symbol refinement also sees that only `f` changed…
    let symbolic = plan(d.path(), &mut store, false, true);
    assert_eq!(ids(&symbolic), vec!["tests/test_mod.py::test_f"]);
    assert!(
        symbolic.selected[0].reasons[0].ends_with("symbols: `test_f` → `f` (pkg/mod.py) (changed)"),
        "{:?}",
        symbolic.selected[0].reasons
    );
    let why = symbolic.explain(&rigor_model::TestKey::new(
        "py",
        "tests/test_mod.py::test_g",
    ));
    assert!(
        why.contains("`test_g` reaches none of the changed definitions (f)"),
        "{why}"
    );
    // …and the file-level graph selects every importer of the module.
    let fallback = plan(d.path(), &mut store, false, false);
    assert_eq!(
        ids(&fallback),
        vec!["tests/test_mod.py::test_f", "tests/test_mod.py::test_g"]
    );
}

#[test]
fn import_time_changes_and_stale_maps_fall_back_to_the_graph() {
    let (d, _base, mut store) = project();
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE.replace("LIMIT = 10", "LIMIT = 11"),
    );
    commit_all(d.path(), "change a constant");
    let s = plan(d.path(), &mut store, true, false);
    assert_eq!(
        ids(&s),
        vec!["tests/test_mod.py::test_f", "tests/test_mod.py::test_g"]
    );
    assert!(
        s.selected[0]
            .reasons
            .iter()
            .any(|r| r.contains("run outside tests and module imports")),
        "{:?}",
        s.selected[0].reasons
    );

    // An import-time change together with a body change: the graph, plus what ran the lines.
    let (d, _base, mut store) = project();
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE
            .replace("LIMIT = 10", "LIMIT = 11")
            .replace("y = x + 1", "y = x + 2"),
    );
    commit_all(d.path(), "change a constant and f");
    let s = plan(d.path(), &mut store, true, false);
    assert_eq!(
        ids(&s),
        vec![
            "tests/test_mod.py::test_f",
            "tests/test_mod.py::test_g",
            "tests/test_dyn.py::test_dyn"
        ]
    );

    // A map recorded before the file's last change is not used for it.
    let (d, _base, mut store) = project();
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE.replace("return y", "return  y"),
    );
    commit_all(d.path(), "unrelated edit after the map");
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE
            .replace("return y", "return  y")
            .replace("y = x + 1", "y = x + 2"),
    );
    commit_all(d.path(), "the change under test");
    let s = plan(d.path(), &mut store, true, false);
    assert_eq!(
        ids(&s),
        vec!["tests/test_mod.py::test_f", "tests/test_mod.py::test_g"]
    );
    assert!(
        s.selected[1]
            .reasons
            .iter()
            .any(|r| r.contains("recorded against other content than at the base")),
        "{:?}",
        s.selected[1].reasons
    );
}

#[test]
fn a_malformed_data_file_is_a_located_error() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(".coverage"), "not sqlite").unwrap();
    let mut store = Store::in_memory().unwrap();
    let e = import_coverage_map(&mut store, d.path(), "py", "abc", d.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains(".coverage") && e.contains("hint"), "{e}");
}

/// Record a map the way the plugin does with module contexts: the import of `pkg.mod` runs in
/// `import:pkg/mod.py`, each test in its node id. `tests` limits which tests run (a refresh).
fn record_with_imports(root: &Path, dir: &Path, tests: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let mut body = String::new();
    for t in tests {
        let call = if t.ends_with("test_f") {
            "m.f(1)"
        } else {
            "m.g(2)"
        };
        body.push_str(&format!("cov.switch_context({t:?})\n{call}\n"));
    }
    let script = format!(
        "import sys, coverage\nsys.path.insert(0, {root:?})\ncov = coverage.Coverage(data_file={data:?}, source=[{root:?}])\ncov.start()\ncov.switch_context('import:pkg/mod.py')\nimport pkg.mod as m\n{body}cov.switch_context('')\ncov.stop()\ncov.save()\n",
        root = root.display().to_string(),
        data = dir.join(".coverage").display().to_string()
    );
    let out = Command::new(python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn import_contexts_select_the_importers_and_refreshes_keep_other_rows() {
    let d = repo(&[
        ("pkg/__init__.py", ""),
        ("pkg/mod.py", MODULE),
        (
            "tests/test_mod.py",
            "from pkg.mod import f, g\n\ndef test_f():\n    assert f(1) == 2\n\ndef test_g():\n    assert g(2) == 20\n",
        ),
        ("tests/test_other.py", "def test_new():\n    pass\n"),
        ("tests/test_dyn.py", "def test_dyn():\n    pass\n"),
        (".gitignore", ".rigor/\n__pycache__/\n"),
    ]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    let dir = d.path().join(".rigor/coverage-map");
    record_with_imports(
        d.path(),
        &dir,
        &["tests/test_mod.py::test_f", "tests/test_mod.py::test_g"],
    );
    let mut store = Store::in_memory().unwrap();
    import_coverage_map(&mut store, &dir, "py", &base, d.path()).unwrap();
    // A module constant: run by the module's import, so every file importing it is selected —
    // test_mod.py through the graph, not test_other.py.
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE.replace("LIMIT = 10", "LIMIT = 11"),
    );
    commit_all(d.path(), "constant");
    let s = plan(d.path(), &mut store, true, false);
    assert_eq!(
        ids(&s),
        vec!["tests/test_mod.py::test_f", "tests/test_mod.py::test_g"]
    );
    assert!(
        s.selected[0].reasons[0]
            .starts_with("importing pkg/mod.py runs changed lines 1 of pkg/mod.py"),
        "{:?}",
        s.selected[0].reasons
    );
    // A refresh of one test at another content of the file: the other test's rows stay, and the
    // file's rows now disagree about its content, so the map is not trusted for it.
    let head = git(d.path(), &["rev-parse", "HEAD"]);
    record_with_imports(d.path(), &dir, &["tests/test_mod.py::test_f"]);
    let imp = refresh_coverage_map(&mut store, &dir, "py", &head, d.path()).unwrap();
    assert!(imp.refreshed && imp.tests == 1, "{imp:?}");
    let contexts: Vec<String> = store
        .conn()
        .prepare(
            "SELECT DISTINCT context FROM select_cov_rows WHERE file = 'pkg/mod.py' ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        contexts,
        vec![
            "import:pkg/mod.py",
            "tests/test_mod.py::test_f",
            "tests/test_mod.py::test_g"
        ]
    );
    write(
        d.path(),
        "pkg/mod.py",
        &MODULE
            .replace("LIMIT = 10", "LIMIT = 11")
            .replace("y = x + 1", "y = x + 2"),
    );
    commit_all(d.path(), "f");
    let s = plan(d.path(), &mut store, true, false);
    assert!(
        s.selected
            .iter()
            .all(|t| t.reasons.iter().any(|r| r.contains("other content"))),
        "{:?}",
        s.selected
    );
}
