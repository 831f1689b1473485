//! The pipeline below the command line: options resolved once, then plan → run → record →
//! reports → gates, against real git repositories, real pytest (the test venv) and a real
//! SQLite history.

use rigor_model::Config;
use rigor_model::exit::{self, HasExitCode};
use rigor_pipeline::{Flags, Mode, Options};
use rigor_runner::report::LineReporter;
use rigor_store::Store;
use rigor_testkit::{git, write};
use std::path::Path;

fn python() -> String {
    std::env::var("RIGOR_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn config(dir: &Path) -> Config {
    Config::discover(dir, rigor_model::config::CORE_DEFAULTS).unwrap()
}

fn store(config: &Config) -> Store {
    Store::open(&config.sqlite_path().unwrap()).unwrap()
}

fn run(dir: &Path, mode: Mode, flags: Flags) -> rigor_pipeline::Result<i32> {
    let config = config(dir);
    let opts = Options::resolve(&config, mode, flags)?;
    let mut store = store(&config);
    let mut reporter = LineReporter::new(false);
    rigor_pipeline::run(config, &opts, &mut store, &mut reporter)
}

/// A pytest project committed on `main`: a package of two modules and their tests.
fn pytest_project() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "rigor.toml",
        &format!(
            "[python]\ninterpreter = \"{}\"\n\n[[suite]]\nname = \"py\"\nkind = \"pytest\"\n",
            python()
        ),
    );
    write(
        d,
        "pyproject.toml",
        "[tool.pytest.ini_options]\npythonpath = [\".\"]\n",
    );
    write(d, "pkg/__init__.py", "");
    write(d, "pkg/a.py", "def double(x):\n    return 2 * x\n");
    write(d, "pkg/b.py", "def shout(s):\n    return s.upper()\n");
    write(
        d,
        "tests/test_a.py",
        "from pkg.a import double\n\n\ndef test_double():\n    assert double(2) == 4\n",
    );
    write(
        d,
        "tests/test_b.py",
        "from pkg.b import shout\n\n\ndef test_shout():\n    assert shout('a') == 'A'\n",
    );
    write(d, "README.md", "# demo\n");
    write(d, ".gitignore", ".rigor/\n__pycache__/\n");
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "init"]);
    t
}

#[test]
fn run_mode_records_every_result_and_exits_by_the_outcome() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "rigor.toml",
        "[[suite]]\nname = \"checks\"\nkind = \"command\"\ncommands = { ok = \"true\", broken = \"exit 3\" }\n",
    );
    let junit = d.join("out/junit.xml");
    let code = run(
        d,
        Mode::Run,
        Flags {
            jobs: Some(2),
            junit: Some(junit.clone()),
            ..Flags::default()
        },
    )
    .unwrap();
    assert_eq!(code, exit::FAILED);
    let config = config(d);
    let store = store(&config);
    let runs = store.recent_runs(5).unwrap();
    assert_eq!(runs.len(), 1);
    let results = store.run_results(runs[0].id).unwrap();
    assert_eq!(results.len(), 2);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("broken") && xml.contains("<failure"), "{xml}");
}

#[test]
fn ci_with_a_change_no_test_can_see_gates_it_as_no_tests_selected() {
    let t = pytest_project();
    let d = t.path();
    assert_eq!(run(d, Mode::Run, Flags::default()).unwrap(), exit::OK);
    write(d, "README.md", "# demo\n\nMore words.\n");
    git(d, &["commit", "-q", "-am", "docs"]);
    let code = run(d, Mode::Ci, Flags::default()).unwrap();
    assert_eq!(code, exit::OK);
    let config = config(d);
    let mut store = store(&config);
    assert_eq!(
        store.recent_runs(5).unwrap().len(),
        1,
        "no tests ran for the docs change"
    );
    let evaluations = rigor_gate::history::recent(&mut store, 5).unwrap();
    assert_eq!(evaluations.len(), 1);
    let tests = evaluations[0].report.gate("tests").expect("the tests gate");
    assert_eq!(tests.summary, "no tests selected for this change");
    assert_eq!(
        evaluations[0].report.run_id, None,
        "no other run was judged"
    );
}

#[test]
fn ci_runs_what_the_change_reaches_and_records_the_base() {
    let t = pytest_project();
    let d = t.path();
    let fork = git(d, &["rev-parse", "HEAD"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(d, "pkg/b.py", "def shout(s):\n    return s.upper() + ''\n");
    git(d, &["commit", "-q", "-am", "b"]);
    let code = run(
        d,
        Mode::Ci,
        Flags {
            no_gates: true,
            ..Flags::default()
        },
    )
    .unwrap();
    assert_eq!(code, exit::OK);
    let config = config(d);
    let store = store(&config);
    let runs = store.recent_runs(5).unwrap();
    assert_eq!(runs.len(), 1);
    let base: Option<String> = store
        .conn()
        .query_row("SELECT base FROM runs WHERE id = ?1", [runs[0].id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        base.as_deref(),
        Some(fork.trim()),
        "the run records the change's base"
    );
    let ids: Vec<String> = store
        .run_results(runs[0].id)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        ids,
        ["tests/test_b.py::test_shout"],
        "only the test that reaches b.py"
    );
}

#[test]
fn an_unknown_base_is_a_usage_error_and_nothing_is_recorded() {
    let t = pytest_project();
    let d = t.path();
    let e = run(
        d,
        Mode::Run,
        Flags {
            base: Some("no-such-branch".into()),
            ..Flags::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), exit::USAGE);
    assert!(
        e.to_string().contains("no-such-branch") && e.to_string().contains("hint"),
        "{e}"
    );
    let config = config(d);
    assert!(store(&config).recent_runs(5).unwrap().is_empty());
}

/// A change that breaks a test module at import (found by the selection bench on boltons): its
/// tests cannot be discovered, so none is selected — the collection error must still be run and
/// reported, never "nothing to run".
#[test]
fn a_change_that_breaks_a_test_module_at_import_is_reported_not_skipped() {
    let t = pytest_project();
    let d = t.path();
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(
        d,
        "pkg/b.py",
        "raise RuntimeError('b is broken at import')\n",
    );
    git(d, &["commit", "-q", "-am", "break b"]);
    let code = run(
        d,
        Mode::Run,
        Flags {
            changed: true,
            ..Flags::default()
        },
    )
    .unwrap();
    assert_eq!(code, exit::FAILED, "the broken module fails the run");
    let config = config(d);
    let store = store(&config);
    let runs = store.recent_runs(5).unwrap();
    let results = store.run_results(runs[0].id).unwrap();
    assert!(
        results.iter().any(|r| r.id.contains("tests/test_b.py")
            && r.outcome == rigor_model::Outcome::Error
            && r.excerpt
                .as_deref()
                .is_some_and(|e| e.contains("b is broken at import"))),
        "{results:?}"
    );
}
