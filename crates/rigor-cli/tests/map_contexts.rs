//! What the coverage map records besides each test's lines, through the binary, on
//! `fixtures/mapctx`: tests that ran with the recorder on and entered no project code (a
//! `skipif`-skipped test, tests that only read attributes of objects built at import) are in
//! the map with an explicit empty entry, so the map decides for them; the setup of a fixture of
//! a wider scope (module, class) counts for every test that used its value, not only for the
//! first one.

mod common;

use common::*;
use rigor_testkit::git;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const IDLE: [&str; 3] = [
    "tests/test_idle.py::test_skipped",
    "tests/test_idle.py::test_reads_attribute[opt0]",
    "tests/test_idle.py::test_reads_attribute[opt1]",
];

/// Tests whose project code runs in a child process (started by the test, or by the setup of
/// a module-scoped fixture it uses): never read as "ran no project code".
const SPAWN: [&str; 2] = [
    "tests/test_spawn.py::test_child_runs_project_code",
    "tests/test_spawn.py::test_reads_child_output",
];

const USES_MAKE: [&str; 5] = [
    "tests/test_fixture.py::test_first",
    "tests/test_fixture.py::test_second",
    "tests/test_fixture.py::test_third",
    "tests/test_session.py::TestGrouped::test_one",
    "tests/test_session.py::TestGrouped::test_two",
];

fn setup() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (t, dir) = project("mapctx");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    let base = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    (t, dir, base)
}

/// Replace `from` by `to` in `file`, commit, and plan against `base`: selected id → reasons.
fn plan_after(
    dir: &Path,
    base: &str,
    file: &str,
    from: &str,
    to: &str,
) -> BTreeMap<String, String> {
    git(dir, &["reset", "-q", "--hard", base]);
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
    git(dir, &["commit", "-q", "-am", "edit"]);
    let out = rigor(dir)
        .args(["plan", "--base", base, "--format", "json"])
        .output()
        .unwrap();
    let plan = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{plan}");
    plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["reasons"].to_string(),
            )
        })
        .collect()
}

fn ids(sel: &BTreeMap<String, String>) -> BTreeSet<&str> {
    sel.keys().map(String::as_str).collect()
}

#[test]
fn tests_that_ran_no_project_code_are_decided_by_the_map() {
    let (_t, dir, base) = setup();
    let err = record_map(&dir, "probes");
    assert!(
        err.contains("(3 of the tests ran no project code)"),
        "{err}"
    );

    // A function body none of them calls: only the tests that ran it, and the tests that
    // started a child process (outside the map: the graph reaches them).
    let sel = plan_after(&dir, &base, "pkg/core.py", "x * 3", "x * 4");
    let mut want = BTreeSet::from([
        "tests/test_calls.py::test_untouched",
        "tests/test_fixture.py::test_third",
    ]);
    want.extend(SPAWN);
    assert_eq!(ids(&sel), want, "{sel:?}");
    for id in SPAWN {
        assert!(
            sel[id].contains("(not in the coverage map)"),
            "{id}: {}",
            sel[id]
        );
    }

    // Code their module's import runs (the body of `setting`, called at import): they run.
    let sel = plan_after(&dir, &base, "pkg/core.py", "\"fast\"", "\"slow\"");
    for id in IDLE {
        let why = sel.get(id).unwrap_or_else(|| panic!("{id} not in {sel:?}"));
        assert!(
            why.contains("importing pkg/core.py runs changed lines"),
            "{id}: {why}"
        );
    }

    // Their own test file: they run, and the reason says so.
    let sel = plan_after(
        &dir,
        &base,
        "tests/test_idle.py",
        "never runs here",
        "never runs on this machine",
    );
    assert_eq!(ids(&sel), BTreeSet::from(IDLE), "{sel:?}");
    for id in IDLE {
        assert!(
            sel[id].contains("its own file tests/test_idle.py changed"),
            "{sel:?}"
        );
    }
}

#[test]
fn a_wider_scoped_fixture_setup_counts_for_every_test_that_used_it() {
    let (_t, dir, base) = setup();
    for recorder in ["probes", "coverage"] {
        git(&dir, &["reset", "-q", "--hard", &base]);
        record_map(&dir, recorder);
        // `make` runs only in the setups of a module-scoped and a class-scoped fixture.
        let sel = plan_after(&dir, &base, "pkg/core.py", "[n] * 2", "[n, n]");
        let mut want = BTreeSet::from(USES_MAKE);
        if recorder == "coverage" {
            // Not in a coverage.py map (see below): the graph reaches it.
            want.insert(IDLE[0]);
        } else {
            want.extend(SPAWN);
        }
        assert_eq!(ids(&sel), want, "{recorder}: {sel:?}");
        for id in USES_MAKE {
            assert!(
                sel[id].contains("covers changed lines"),
                "{recorder}: {id}: {}",
                sel[id]
            );
        }
    }
}

#[test]
fn coverage_py_maps_keep_idle_tests_to_the_graph() {
    // coverage.py's files prove nothing about a context without lines (no empty entries): a
    // test that ran no line the tracer saw stays outside the map, and the graph decides for
    // it. The attribute readers have rows there (their own lines in the test file).
    let (_t, dir, base) = setup();
    let err = record_map(&dir, "coverage");
    assert!(!err.contains("ran no project code"), "{err}");
    let sel = plan_after(&dir, &base, "pkg/core.py", "x * 3", "x * 4");
    // The spawning tests have rows here (their own lines in the test file), and the map holds
    // no line their child ran: left out, as before (a gap of both recorders, documented).
    assert_eq!(
        ids(&sel),
        BTreeSet::from([
            "tests/test_calls.py::test_untouched",
            "tests/test_fixture.py::test_third",
            IDLE[0]
        ]),
        "{sel:?}"
    );
    assert!(
        sel[IDLE[0]].contains("(not in the coverage map)"),
        "{}",
        sel[IDLE[0]]
    );
}
