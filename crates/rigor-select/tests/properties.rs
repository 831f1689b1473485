//! Properties of selection over random Python projects:
//! monotone in the change, unrelated changes select only the always-included tests, and
//! full-run triggers select everything.

use proptest::prelude::*;
use rigor_model::{SuiteKind, TestCase, TestKey};
use rigor_select::{ChangeSet, History, SelectConfig, SelectInput, Selection, SuiteSpec, select};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone)]
struct Project {
    /// For each module, the lower-numbered modules it imports (and how).
    modules: Vec<Vec<(usize, u8)>>,
    /// For each test file, the modules it imports.
    tests: Vec<Vec<(usize, u8)>>,
    last_failed: BTreeSet<usize>,
    new: BTreeSet<usize>,
}

fn project() -> impl Strategy<Value = Project> {
    (2usize..10, 2usize..8).prop_flat_map(|(nm, nt)| {
        let modules = (0..nm)
            .map(|i| {
                proptest::collection::vec((0..i.max(1), 0u8..3), 0..3.min(i + 1))
                    .prop_map(move |v| v.into_iter().filter(|(j, _)| *j < i).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>();
        let tests = proptest::collection::vec(proptest::collection::vec((0..nm, 0u8..3), 0..3), nt);
        (
            modules,
            tests,
            proptest::collection::btree_set(0..nt, 0..2),
            proptest::collection::btree_set(0..nt, 0..2),
        )
            .prop_map(|(modules, tests, last_failed, new)| Project {
                modules,
                tests,
                last_failed,
                new,
            })
    })
}

fn import_line(module: usize, how: u8) -> String {
    match how {
        0 => format!("from pkg.m{module} import f{module}\n"),
        1 => format!("import pkg.m{module}\n"),
        _ => format!("from pkg import f{module}\n"),
    }
}

fn materialize(p: &Project, dir: &Path) -> Vec<TestCase> {
    let w = |rel: &str, text: String| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let mut init = String::new();
    for (i, deps) in p.modules.iter().enumerate() {
        let mut text: String = deps.iter().map(|(j, how)| import_line(*j, *how)).collect();
        text.push_str(&format!("def f{i}():\n    return {i}\n"));
        w(&format!("pkg/m{i}.py"), text);
        init.push_str(&format!("from .m{i} import f{i}\n"));
    }
    w("pkg/__init__.py", init);
    w("pkg/unrelated.py", "def lonely():\n    return 0\n".into());
    w("pyproject.toml", "[project]\nname = \"p\"\n".into());
    let mut cases = Vec::new();
    for (t, deps) in p.tests.iter().enumerate() {
        let text: String = deps
            .iter()
            .map(|(j, how)| import_line(*j, *how))
            .collect::<String>()
            + "def test_it():\n    pass\n";
        w(&format!("tests/test_{t}.py"), text);
        let mut c = TestCase::new("py", &format!("tests/test_{t}.py::test_it"));
        c.file = Some(format!("tests/test_{t}.py"));
        cases.push(c);
    }
    cases
}

fn history(p: &Project, tests: &[TestCase]) -> History {
    let mut h = History {
        has_runs: true,
        ..History::default()
    };
    for (i, t) in tests.iter().enumerate() {
        if !p.new.contains(&i) {
            h.known.insert(t.key.clone());
        }
        if p.last_failed.contains(&i) {
            h.last_failed.insert(t.key.clone());
        }
    }
    h
}

fn run(dir: &Path, h: &History, tests: &[TestCase], paths: &[String]) -> Selection {
    let suites = [SuiteSpec::new("py", SuiteKind::Pytest, ".")];
    let cfg = SelectConfig::default();
    select(
        &SelectInput {
            root: dir,
            config: &cfg,
            suites: &suites,
            history: h,
        },
        &ChangeSet::from_paths(paths),
        tests,
    )
    .unwrap()
}

fn keys(s: &Selection) -> BTreeSet<TestKey> {
    s.selected.iter().map(|t| t.key.clone()).collect()
}

fn paths(p: &Project, picks: &[usize]) -> Vec<String> {
    let n = p.modules.len() + p.tests.len() + 1;
    let mut v: Vec<String> = picks
        .iter()
        .map(|k| k % n)
        .map(|k| {
            if k < p.modules.len() {
                format!("pkg/m{k}.py")
            } else if k < p.modules.len() + p.tests.len() {
                format!("tests/test_{}.py", k - p.modules.len())
            } else {
                "pkg/__init__.py".into()
            }
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn selection_is_monotone_in_the_change(p in project(), a in proptest::collection::vec(0usize..64, 0..4), b in proptest::collection::vec(0usize..64, 0..4)) {
        let dir = tempfile::tempdir().unwrap();
        let tests = materialize(&p, dir.path());
        let h = history(&p, &tests);
        let small = paths(&p, &a);
        let mut large = small.clone();
        large.extend(paths(&p, &b));
        large.sort();
        large.dedup();
        let s = keys(&run(dir.path(), &h, &tests, &small));
        let l = keys(&run(dir.path(), &h, &tests, &large));
        prop_assert!(s.is_subset(&l), "small {:?} selected {:?}, large {:?} selected {:?}", small, s, large, l);
    }

    #[test]
    fn an_unrelated_change_selects_only_the_always_included(p in project()) {
        let dir = tempfile::tempdir().unwrap();
        let tests = materialize(&p, dir.path());
        let h = history(&p, &tests);
        let s = run(dir.path(), &h, &tests, &["pkg/unrelated.py".to_string()]);
        let always: BTreeSet<TestKey> = tests
            .iter()
            .filter(|t| h.last_failed.contains(&t.key) || !h.known.contains(&t.key))
            .map(|t| t.key.clone())
            .collect();
        prop_assert_eq!(s.full_run.clone(), None);
        prop_assert_eq!(keys(&s), always);
    }

    #[test]
    fn full_run_triggers_select_everything(p in project(), a in proptest::collection::vec(0usize..64, 0..4)) {
        let dir = tempfile::tempdir().unwrap();
        let tests = materialize(&p, dir.path());
        let h = history(&p, &tests);
        let mut change = paths(&p, &a);
        change.push("pyproject.toml".into());
        let s = run(dir.path(), &h, &tests, &change);
        prop_assert!(s.full_run.is_some());
        prop_assert_eq!(s.selected.len(), tests.len());
        prop_assert!(s.skipped.is_empty());
    }
}
