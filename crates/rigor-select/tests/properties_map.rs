//! Metamorphic properties of selection with a fresh per-test coverage map:
//! - safety: a change to any covered line of a function body selects every test covering it;
//! - adding a file no test covers (to the repository and to the map's other files) never
//!   changes a selection.

mod common;

use common::{commit_all, git, repo, write};
use proptest::prelude::*;
use rigor_model::{SuiteKind, TestCase};
use rigor_select::{ChangeSet, CoverageMap, History, SelectConfig, SelectInput, SuiteSpec, select};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// `pkg/mod.py`: `n` functions of two body lines each; function `i` starts at line 1 + 4i
/// (`def` line), its body at 2 + 4i and 3 + 4i.
fn module(n: usize, changed: Option<usize>) -> String {
    let mut s = String::new();
    for i in 0..n {
        let k = if changed == Some(i) { 9 } else { 1 };
        s.push_str(&format!("def f{i}(x):\n    y = x + {k}\n    return y\n\n"));
    }
    s
}

fn numbits(lines: &[u32]) -> Vec<u8> {
    let mut b = Vec::new();
    for &l in lines {
        let (byte, bit) = ((l / 8) as usize, l % 8);
        if b.len() <= byte {
            b.resize(byte + 1, 0);
        }
        b[byte] |= 1 << bit;
    }
    b
}

#[derive(Debug, Clone)]
struct Case {
    functions: usize,
    /// For each test, the functions it runs.
    covers: Vec<BTreeSet<usize>>,
    changed: usize,
    /// Tests the map also records in the extra, uncovered file (metamorphic variant).
    extra_rows: BTreeSet<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..6, 1usize..7).prop_flat_map(|(nf, nt)| {
        (
            proptest::collection::vec(proptest::collection::btree_set(0..nf, 0..3), nt),
            0..nf,
            proptest::collection::btree_set(0..nt, 0..3),
        )
            .prop_map(move |(covers, changed, extra_rows)| Case {
                functions: nf,
                covers,
                changed,
                extra_rows,
            })
    })
}

/// Plan the change of function `changed` with a map built from `c` (plus rows in
/// `pkg/extra.py` when `extra`, which then exists in the repository, imported by nobody).
fn selected(c: &Case, extra: bool) -> BTreeSet<String> {
    let mut files = vec![
        ("pkg/__init__.py".to_string(), String::new()),
        ("pkg/mod.py".to_string(), module(c.functions, None)),
        (".gitignore".to_string(), ".rigor/\n".to_string()),
    ];
    let mut test_src = String::from("from pkg import mod\n\n");
    for t in 0..c.covers.len() {
        test_src.push_str(&format!("def test_{t}():\n    mod.f0(1)\n\n"));
    }
    files.push(("tests/test_mod.py".into(), test_src));
    if extra {
        files.push((
            "pkg/extra.py".into(),
            "def unused():\n    return 1\n".into(),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let d = repo(&refs);
    let root = d.path();
    let base = git(root, &["rev-parse", "HEAD"]).trim().to_string();
    let blob = |p: &str| {
        git(root, &["rev-parse", &format!("HEAD:{p}")])
            .trim()
            .to_string()
    };
    let mut map = CoverageMap {
        commit: base.clone(),
        ..CoverageMap::default()
    };
    let mut rows: HashMap<String, Vec<u8>> = HashMap::new();
    for (t, fs) in c.covers.iter().enumerate() {
        let id = format!("tests/test_mod.py::test_{t}");
        map.tests.insert(id.clone());
        let lines: Vec<u32> = fs
            .iter()
            .flat_map(|&i| [2 + 4 * i as u32, 3 + 4 * i as u32])
            .collect();
        if !lines.is_empty() {
            rows.insert(id, numbits(&lines));
        }
    }
    map.lines.insert("pkg/mod.py".into(), rows);
    map.contents
        .insert("pkg/mod.py".into(), BTreeSet::from([blob("pkg/mod.py")]));
    if extra {
        let extra_rows: HashMap<String, Vec<u8>> = c
            .extra_rows
            .iter()
            .map(|t| (format!("tests/test_mod.py::test_{t}"), numbits(&[1])))
            .collect();
        map.lines.insert("pkg/extra.py".into(), extra_rows);
        map.contents.insert(
            "pkg/extra.py".into(),
            BTreeSet::from([blob("pkg/extra.py")]),
        );
    }
    write(root, "pkg/mod.py", &module(c.functions, Some(c.changed)));
    commit_all(root, "change");
    let change =
        ChangeSet::detect_with_env(root, Some(&base), &BTreeMap::<String, String>::new()).unwrap();
    let history = History {
        has_runs: true,
        known: c
            .covers
            .iter()
            .enumerate()
            .map(|(t, _)| rigor_model::TestKey::new("py", format!("tests/test_mod.py::test_{t}")))
            .collect(),
        coverage: HashMap::from([("py".to_string(), map)]),
        ..History::default()
    };
    let tests: Vec<TestCase> = (0..c.covers.len())
        .map(|t| {
            let mut tc = TestCase::new("py", &format!("tests/test_mod.py::test_{t}"));
            tc.file = Some("tests/test_mod.py".into());
            tc
        })
        .collect();
    let suites = [SuiteSpec::new("py", SuiteKind::Pytest, ".")];
    // The map is opt-in (`coverage_map = "auto"`); these properties are about using it.
    let cfg = SelectConfig {
        coverage_map: rigor_select::CoverageMapMode::Auto,
        ..SelectConfig::default()
    };
    let sel = select(
        &SelectInput {
            root: Path::new(root),
            config: &cfg,
            suites: &suites,
            history: &history,
        },
        &change,
        &tests,
    )
    .unwrap();
    sel.selected.iter().map(|t| t.key.id.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_test_covering_a_changed_line_is_selected(c in case()) {
        let sel = selected(&c, false);
        for (t, fs) in c.covers.iter().enumerate() {
            if fs.contains(&c.changed) {
                let id = format!("tests/test_mod.py::test_{t}");
                prop_assert!(sel.contains(&id), "{id} covers f{} but {sel:?}", c.changed);
            }
        }
    }

    #[test]
    fn adding_an_uncovered_file_never_changes_the_selection(c in case()) {
        prop_assert_eq!(selected(&c, false), selected(&c, true));
    }
}
