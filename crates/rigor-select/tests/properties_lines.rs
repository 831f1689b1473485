//! Monotonicity with line-level changes in real git repositories, where the symbol refinement
//! (and its fallback to the file graph for module-level edits) is active.

mod common;

use common::{git, write};
use proptest::prelude::*;
use rigor_model::{SuiteKind, TestCase, TestKey};
use rigor_select::{ChangeSet, History, SelectConfig, SelectInput, SuiteSpec, select};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone)]
struct Project {
    /// For each module, the lower-numbered modules whose function it calls.
    modules: Vec<Vec<usize>>,
    /// For each test file, the modules whose function it calls.
    tests: Vec<Vec<usize>>,
}

fn project() -> impl Strategy<Value = Project> {
    (2usize..7, 1usize..5).prop_flat_map(|(nm, nt)| {
        let modules = (0..nm)
            .map(|i| {
                proptest::collection::vec(0..i.max(1), 0..2.min(i + 1))
                    .prop_map(move |v| v.into_iter().filter(|j| *j < i).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>();
        let tests = proptest::collection::vec(proptest::collection::vec(0..nm, 0..3), nt);
        (modules, tests).prop_map(|(modules, tests)| Project { modules, tests })
    })
}

/// Module i: imports, a module-level constant (line `LIMIT = …`), a function calling its deps.
fn module_text(p: &Project, i: usize, body_edit: bool, module_edit: bool) -> String {
    let mut t: String = p.modules[i]
        .iter()
        .map(|j| format!("from pkg.m{j} import f{j}\n"))
        .collect();
    t.push_str(&format!("LIMIT = {}\n\n", if module_edit { 2 } else { 1 }));
    t.push_str(&format!(
        "def f{i}():\n    total = {}\n",
        if body_edit { 11 } else { 10 }
    ));
    for j in &p.modules[i] {
        t.push_str(&format!("    total += f{j}()\n"));
    }
    t.push_str("    return total\n");
    t
}

fn materialize(p: &Project, dir: &Path) -> Vec<TestCase> {
    write(dir, "pkg/__init__.py", "");
    for i in 0..p.modules.len() {
        write(
            dir,
            &format!("pkg/m{i}.py"),
            &module_text(p, i, false, false),
        );
    }
    let mut cases = Vec::new();
    for (t, deps) in p.tests.iter().enumerate() {
        let mut text: String = deps
            .iter()
            .map(|j| format!("from pkg.m{j} import f{j}\n"))
            .collect();
        for (k, j) in deps.iter().enumerate() {
            text.push_str(&format!("\ndef test_{k}():\n    assert f{j}()\n"));
            let mut c = TestCase::new("py", &format!("tests/test_{t}.py::test_{k}"));
            c.file = Some(format!("tests/test_{t}.py"));
            cases.push(c);
        }
        text.push_str("\ndef test_alone():\n    pass\n");
        let mut c = TestCase::new("py", &format!("tests/test_{t}.py::test_alone"));
        c.file = Some(format!("tests/test_{t}.py"));
        cases.push(c);
        write(dir, &format!("tests/test_{t}.py"), &text);
    }
    cases
}

/// An edit: (module, edit the function body?, edit the module-level constant?).
fn apply(p: &Project, dir: &Path, edits: &BTreeSet<(usize, bool)>) {
    for i in 0..p.modules.len() {
        let body = edits.contains(&(i, false));
        let module = edits.contains(&(i, true));
        write(
            dir,
            &format!("pkg/m{i}.py"),
            &module_text(p, i, body, module),
        );
    }
}

fn selected(dir: &Path, tests: &[TestCase]) -> BTreeSet<TestKey> {
    let change = ChangeSet::detect_with_env(dir, None, &BTreeMap::<String, String>::new()).unwrap();
    let suites = [SuiteSpec::new("py", SuiteKind::Pytest, ".")];
    let cfg = SelectConfig::default();
    let h = History::default();
    select(
        &SelectInput {
            root: dir,
            config: &cfg,
            suites: &suites,
            history: &h,
        },
        &change,
        tests,
    )
    .unwrap()
    .selected
    .into_iter()
    .map(|t| t.key)
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_larger_line_change_never_selects_fewer_tests(
        p in project(),
        a in proptest::collection::btree_set((0usize..7, any::<bool>()), 1..3),
        b in proptest::collection::btree_set((0usize..7, any::<bool>()), 0..3),
    ) {
        let n = p.modules.len();
        let a: BTreeSet<(usize, bool)> = a.into_iter().map(|(i, m)| (i % n, m)).collect();
        let mut ab = a.clone();
        ab.extend(b.into_iter().map(|(i, m)| (i % n, m)));
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        let tests = materialize(&p, dir.path());
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "base"]);
        apply(&p, dir.path(), &a);
        let small = selected(dir.path(), &tests);
        apply(&p, dir.path(), &ab);
        let large = selected(dir.path(), &tests);
        prop_assert!(small.is_subset(&large), "{:?} selected {:?}; {:?} selected {:?}", a, small, ab, large);
        // A body edit of a module selects at least the tests that call its function directly.
        for &(i, _) in &a {
            for (t, deps) in p.tests.iter().enumerate() {
                for (k, j) in deps.iter().enumerate() {
                    if *j == i {
                        let key = TestKey::new("py", format!("tests/test_{t}.py::test_{k}"));
                        prop_assert!(small.contains(&key), "{key} calls f{i}, changed by {:?}", a);
                    }
                }
            }
        }
        // `test_alone` calls nothing: only a module-level edit (file graph) can select it.
        if a.iter().all(|(_, module)| !module) {
            for t in 0..p.tests.len() {
                let key = TestKey::new("py", format!("tests/test_{t}.py::test_alone"));
                prop_assert!(!small.contains(&key), "{key} selected by body-only edits {:?}", a);
            }
        }
    }
}
