//! Selection end to end: real git repositories, a Python project, a Rust workspace.

mod common;

use common::{commit_all, git, repo, write};
use rigor_model::{SuiteKind, TestCase, TestKey};
use rigor_select::{
    ChangeSet, History, OrderItem, PathRule, SelectConfig, SelectInput, Selection, SuiteSpec,
    order_by_risk, select,
};
use std::collections::BTreeMap;
use std::path::Path;

const PROJECT: &[(&str, &str)] = &[
    ("pyproject.toml", "[project]\nname = \"shop\"\n"),
    ("README.md", "# shop\n"),
    (
        "src/shop/__init__.py",
        "from .prices import total\nfrom .text import slug\n",
    ),
    (
        "src/shop/prices.py",
        "from .money import cents\n\ndef total(xs):\n    return sum(cents(x) for x in xs)\n",
    ),
    (
        "src/shop/money.py",
        "def cents(x):\n    return round(x * 100)\n",
    ),
    (
        "src/shop/text.py",
        "def slug(s):\n    return s.lower().replace(' ', '-')\n",
    ),
    ("src/shop/data/rates.json", "{\"eur\": 1}\n"),
    (
        "src/shop/rates.py",
        "import json, pathlib\nRATES = json.loads((pathlib.Path(__file__).parent / 'data' / 'rates.json').read_text())\n",
    ),
    ("tests/conftest.py", ""),
    (
        "tests/test_prices.py",
        "from shop import total\n\ndef test_total():\n    assert total([1]) == 100\n",
    ),
    (
        "tests/test_text.py",
        "from shop import slug\n\ndef test_slug():\n    assert slug('A b') == 'a-b'\n",
    ),
    (
        "tests/test_rates.py",
        "from shop.rates import RATES\n\ndef test_rates():\n    assert RATES\n",
    ),
    ("tests/fixtures/golden.txt", "golden\n"),
];

fn tests() -> Vec<TestCase> {
    [
        "tests/test_prices.py::test_total",
        "tests/test_text.py::test_slug",
        "tests/test_rates.py::test_rates",
    ]
    .iter()
    .map(|id| {
        let mut t = TestCase::new("py", id);
        t.file = Some(id.split("::").next().unwrap().to_string());
        t
    })
    .collect()
}

fn suites() -> Vec<SuiteSpec> {
    vec![SuiteSpec::new("py", SuiteKind::Pytest, ".")]
}

fn run(root: &Path, config: &SelectConfig, history: &History) -> Selection {
    let change =
        ChangeSet::detect_with_env(root, None, &BTreeMap::<String, String>::new()).unwrap();
    let suites = suites();
    select(
        &SelectInput {
            root,
            config,
            suites: &suites,
            history,
        },
        &change,
        &tests(),
    )
    .unwrap()
}

fn ids(s: &Selection) -> Vec<String> {
    s.selected.iter().map(|t| t.key.id.clone()).collect()
}

fn key(id: &str) -> TestKey {
    TestKey::new("py", id)
}

#[test]
fn a_module_level_change_is_explained_as_file_level() {
    // Outside every definition: no symbol can be blamed, and the reason says so plainly.
    let d = repo(PROJECT);
    write(
        d.path(),
        "src/shop/money.py",
        "SCALE = 100\n\ndef cents(x):\n    return round(x * SCALE)\n",
    );
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    let reasons = &s.selected[0].reasons;
    assert!(
        reasons.iter().any(
            |r| r.starts_with("file-level: via files tests/test_prices.py → ")
                && !r.contains("symbols:")
        ),
        "{reasons:?}"
    );
}

#[test]
fn a_module_change_selects_its_importers_with_reasons() {
    let d = repo(PROJECT);
    write(
        d.path(),
        "src/shop/money.py",
        "def cents(x):\n    return int(x * 100)\n",
    );
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(s.full_run, None);
    assert_eq!(ids(&s), vec!["tests/test_prices.py::test_total"]);
    let reasons = &s.selected[0].reasons;
    assert!(
        reasons.iter().any(|r| r == "via files tests/test_prices.py → src/shop/prices.py → src/shop/money.py (the test file imports shop.total); symbols: `test_total` → `total` (src/shop/prices.py) → `cents` (src/shop/money.py) (changed)"),
        "{reasons:?}"
    );
    let why = s.explain(&key("tests/test_text.py::test_slug"));
    assert!(
        why.contains("not selected") && why.contains("src/shop/money.py"),
        "{why}"
    );
    // What the plan reports of the selection.
    assert_eq!(s.selected.len() + s.skipped.len(), 3);
    assert_eq!(
        s.base_source,
        "HEAD (uncommitted changes on the default branch)"
    );
    assert_eq!(s.selected[0].key.suite, "py");
    assert_eq!(s.changed_files, ["src/shop/money.py"]);
}

#[test]
fn full_run_triggers_unknown_files_and_ignores() {
    let d = repo(PROJECT);
    write(d.path(), "pyproject.toml", "[project]\nname = \"shop2\"\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert!(
        s.full_run.as_deref().unwrap().contains("pyproject.toml"),
        "{:?}",
        s.full_run
    );
    assert_eq!(s.selected.len(), 3);
    assert!(
        s.selected
            .iter()
            .all(|t| t.reasons[0].starts_with("full run: "))
    );

    let d = repo(PROJECT);
    write(d.path(), "Makefile", "all:\n");
    commit_all(d.path(), "a Makefile");
    write(d.path(), "Makefile", "all: test\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert!(
        s.full_run
            .as_deref()
            .unwrap()
            .contains("Makefile changed and rigor cannot analyse it"),
        "{:?}",
        s.full_run
    );
    // …unless configured.
    let cfg = SelectConfig {
        ignore: vec!["Makefile".into()],
        ..SelectConfig::default()
    };
    let s = run(d.path(), &cfg, &History::default());
    assert_eq!(s.full_run, None);
    assert!(s.selected.is_empty());
    assert!(s.notes[0].contains("ignored"), "{:?}", s.notes);

    let d = repo(PROJECT);
    write(d.path(), "README.md", "# shop, better\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(
        (s.full_run.clone(), s.selected.len()),
        (None, 0),
        "{:?}",
        s.notes
    );
}

/// Issue 17, item 1: what tools, editors, the README's own commands and rigor leave in a work
/// tree selects nothing, and an unknown untracked file outside the source and test roots is
/// listed as ignored with its reason; inside a root it still makes a full run.
#[test]
fn artifacts_and_untracked_files_outside_the_roots_make_no_full_run() {
    let d = repo(PROJECT);
    let artifacts = [
        ".coverage",
        ".coverage.host.1234.XyZ",
        "coverage.json",
        "coverage.xml",
        "lcov.info",
        "htmlcov/index.html",
        "report.html",
        "out/junit.xml",
        "results.sarif",
        "tests/.test_text.py.swp",
        "src/shop/money.py~",
        ".DS_Store",
        ".idea/workspace.xml",
        ".vscode/settings.json",
        "tests/__pycache__/test_text.cpython-311.pyc",
        ".rigor/history.db",
        "rigor.toml",
    ];
    for a in artifacts {
        write(d.path(), a, "x\n");
    }
    write(d.path(), "notes.txt", "todo\n");
    write(d.path(), "build/out.bin", "\0\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(s.full_run, None, "{:?}", s.notes);
    assert!(s.selected.is_empty(), "{:?}", ids(&s));
    for a in artifacts {
        assert!(
            s.notes
                .iter()
                .any(|n| n.starts_with(&format!("{a}: ignored (")) && n.contains("no test")),
            "{a}: {:?}",
            s.notes
        );
    }
    for f in ["notes.txt", "build/out.bin"] {
        assert!(
            s.notes.iter().any(|n| n
                == &format!("{f}: ignored (untracked, outside the source and test roots src/, tests/, named by no code)")),
            "{f}: {:?}",
            s.notes
        );
    }

    // Committed coverage data changing selects nothing either.
    let d = repo(PROJECT);
    write(d.path(), ".coverage", "1\n");
    commit_all(d.path(), "coverage data");
    write(d.path(), ".coverage", "2\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!((s.full_run.clone(), s.selected.len()), (None, 0));

    // Inside a source root, an unknown untracked file still runs everything.
    let d = repo(PROJECT);
    write(d.path(), "src/shop/extra.dat", "x\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert!(
        s.full_run
            .as_deref()
            .is_some_and(|r| r.contains("src/shop/extra.dat changed and rigor cannot analyse it")),
        "{:?}",
        s.full_run
    );

    // A file Python names as data is data, even with an artifact's name.
    let d = repo(PROJECT);
    write(
        d.path(),
        "tests/test_text.py",
        "from shop import slug\nGOLDEN = 'report.html'\n\ndef test_slug():\n    assert slug('A b') == 'a-b'\n",
    );
    commit_all(d.path(), "a test reading report.html");
    write(d.path(), "tests/report.html", "<p>\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert!(
        ids(&s).contains(&"tests/test_text.py::test_slug".to_string())
            && !s.notes.iter().any(|n| n.contains("report.html")),
        "{:?} {:?}",
        ids(&s),
        s.notes
    );

    // defaults = false: the built-in list is off.
    let d = repo(PROJECT);
    write(d.path(), "src/shop/.coverage", "x\n");
    let cfg = SelectConfig {
        defaults: false,
        ..SelectConfig::default()
    };
    assert!(run(d.path(), &cfg, &History::default()).full_run.is_some());
}

#[test]
fn user_full_run_on_and_rules() {
    let d = repo(PROJECT);
    write(d.path(), "tests/conftest.py", "# changed\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(
        s.selected.len(),
        3,
        "a conftest reaches the tests of its directory"
    );
    assert_eq!(s.full_run, None);
    let cfg = SelectConfig {
        full_run_on: vec!["**/conftest.py".into()],
        ..SelectConfig::default()
    };
    assert!(run(d.path(), &cfg, &History::default()).full_run.is_some());

    let d = repo(PROJECT);
    write(d.path(), "Makefile", "all:\n");
    let cfg = SelectConfig {
        rules: vec![
            PathRule {
                path: "Makefile".into(),
                select: "path(tests/test_text.py)".into(),
            },
            PathRule {
                path: "Makefile".into(),
                select: "not marker(slow)".into(),
            },
        ],
        ..SelectConfig::default()
    };
    let s = run(d.path(), &cfg, &History::default());
    assert_eq!(s.full_run, None);
    assert_eq!(ids(&s), vec!["tests/test_text.py::test_slug"]);
    assert_eq!(
        s.deferred_rules,
        vec![("Makefile".to_string(), "not marker(slow)".to_string())]
    );
}

#[test]
fn data_files_select_their_readers_and_neighbours() {
    let d = repo(PROJECT);
    write(d.path(), "src/shop/data/rates.json", "{\"eur\": 2}\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(s.full_run, None);
    assert_eq!(ids(&s), vec!["tests/test_rates.py::test_rates"]);
    assert!(
        s.selected[0].reasons[0].starts_with("reads data file src/shop/data/rates.json"),
        "{:?}",
        s.selected[0].reasons
    );

    let d = repo(PROJECT);
    write(d.path(), "tests/fixtures/golden.txt", "new\n");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(s.full_run, None);
    assert_eq!(
        s.selected.len(),
        3,
        "tests beside a fixtures directory: {:?}",
        s.notes
    );
}

#[test]
fn always_included_and_own_file() {
    let d = repo(PROJECT);
    write(
        d.path(),
        "tests/test_text.py",
        "from shop import slug\n\ndef test_slug():\n    assert slug('X') == 'x'\n",
    );
    let mut h = History {
        has_runs: true,
        ..History::default()
    };
    h.known.insert(key("tests/test_prices.py::test_total"));
    h.known.insert(key("tests/test_text.py::test_slug"));
    h.last_failed
        .insert(key("tests/test_prices.py::test_total"));
    let s = run(d.path(), &SelectConfig::default(), &h);
    let got: BTreeMap<String, Vec<String>> = s
        .selected
        .iter()
        .map(|t| (t.key.id.clone(), t.reasons.clone()))
        .collect();
    assert!(
        got["tests/test_prices.py::test_total"]
            .contains(&"failed in the last run on this branch".to_string())
    );
    assert!(
        got["tests/test_rates.py::test_rates"]
            .contains(&"new test (not in the history)".to_string())
    );
    assert!(
        got["tests/test_text.py::test_slug"]
            .iter()
            .any(|r| r.contains("its own file tests/test_text.py changed"))
    );
    // Failures first, in the run order the planner uses.
    let items: Vec<OrderItem> = s
        .selected
        .iter()
        .map(|t| OrderItem {
            suite_rank: 0,
            key: &t.key,
            risk: t.risk,
            estimated_s: 1.0,
        })
        .collect();
    let first = order_by_risk(&items)[0];
    assert_eq!(s.selected[first].key.id, "tests/test_prices.py::test_total");
}

#[test]
fn deleted_and_renamed_modules_reach_their_old_importers() {
    let d = repo(PROJECT);
    git(d.path(), &["rm", "-q", "src/shop/text.py"]);
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(ids(&s), vec!["tests/test_text.py::test_slug"]);
    let d = repo(PROJECT);
    git(d.path(), &["mv", "src/shop/text.py", "src/shop/words.py"]);
    commit_all(d.path(), "rename");
    let s = run(d.path(), &SelectConfig::default(), &History::default());
    assert_eq!(ids(&s), vec!["tests/test_text.py::test_slug"]);
}

#[test]
fn rust_workspace_through_cargo_metadata() {
    let d = repo(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"core\", \"app\", \"other\"]\nresolver = \"2\"\n",
        ),
        (
            "core/Cargo.toml",
            "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "core/src/lib.rs",
            "pub fn one() -> u32 { 1 }\n#[cfg(test)] mod tests { #[test] fn unit() {} }\n",
        ),
        (
            "core/tests/api.rs",
            "#[test] fn api() { assert_eq!(core::one(), 1); }\n",
        ),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\ncore = { path = \"../core\" }\n",
        ),
        (
            "app/src/lib.rs",
            "pub fn two() -> u32 { core::one() + 1 }\n",
        ),
        (
            "other/Cargo.toml",
            "[package]\nname = \"other\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        (
            "other/src/lib.rs",
            "#[cfg(test)] mod tests { #[test] fn alone() {} }\n",
        ),
    ]);
    let tests: Vec<TestCase> = [
        ("core tests::unit", "src/lib.rs"),
        ("core::api api", "tests/api.rs"),
        ("app tests::two", "src/lib.rs"),
        ("other tests::alone", "src/lib.rs"),
    ]
    .iter()
    .map(|(id, f)| {
        let mut t = TestCase::new("rust", id);
        t.file = Some(f.to_string());
        t
    })
    .collect();
    let suites = vec![SuiteSpec::new("rust", SuiteKind::Nextest, ".")];
    let sel = |d: &Path| {
        let change =
            ChangeSet::detect_with_env(d, None, &BTreeMap::<String, String>::new()).unwrap();
        let cfg = SelectConfig::default();
        let h = History::default();
        select(
            &SelectInput {
                root: d,
                config: &cfg,
                suites: &suites,
                history: &h,
            },
            &change,
            &tests,
        )
        .unwrap()
    };
    write(
        d.path(),
        "core/src/lib.rs",
        "pub fn one() -> u32 { 2 - 1 }\n#[cfg(test)] mod tests { #[test] fn unit() {} }\n",
    );
    let s = sel(d.path());
    assert_eq!(s.full_run, None, "{:?}", s.notes);
    assert_eq!(
        ids(&s),
        vec!["core tests::unit", "core::api api", "app tests::two"]
    );
    let app = s
        .selected
        .iter()
        .find(|t| t.key.id == "app tests::two")
        .unwrap();
    assert!(
        app.reasons[0].contains("app depends on core"),
        "{:?}",
        app.reasons
    );
    // Issue 17, item 7: a Rust test left out is explained in Rust's terms (no "conftest").
    let why = s.explain(&TestKey::new("rust", "other tests::alone"));
    assert_eq!(
        why,
        "rust::other tests::alone is not selected: test binary other is not built from any changed file \
         (core/src/lib.rs): none is in its package or a workspace package it depends on; it did not fail last \
         time and is not new"
    );

    git(d.path(), &["checkout", "-q", "--", "."]);
    write(
        d.path(),
        "core/tests/api.rs",
        "#[test] fn api() { assert!(core::one() == 1); }\n",
    );
    assert_eq!(ids(&sel(d.path())), vec!["core::api api"]);

    git(d.path(), &["checkout", "-q", "--", "."]);
    write(
        d.path(),
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"stable\"\n",
    );
    assert!(sel(d.path()).full_run.is_some());
}

#[test]
fn symbol_refinement_narrows_within_a_module_and_stays_monotone() {
    let lib = "def alpha(x):\n    return x + 1\n\ndef beta(x):\n    return x * 2\n\nLIMIT = 3\n";
    let files: Vec<(&str, &str)> = vec![
        ("pkg/__init__.py", ""),
        ("pkg/lib.py", lib),
        (
            "tests/test_lib.py",
            "from pkg.lib import alpha, beta\n\ndef test_alpha():\n    assert alpha(1) == 2\n\ndef test_beta():\n    assert beta(1) == 2\n",
        ),
    ];
    let tests: Vec<TestCase> = [
        "tests/test_lib.py::test_alpha",
        "tests/test_lib.py::test_beta",
    ]
    .iter()
    .map(|id| {
        let mut t = TestCase::new("py", id);
        t.file = Some("tests/test_lib.py".into());
        t
    })
    .collect();
    let plan_with = |edit: &dyn Fn(&str) -> String| {
        let d = repo(&files);
        write(d.path(), "pkg/lib.py", &edit(lib));
        let change =
            ChangeSet::detect_with_env(d.path(), None, &BTreeMap::<String, String>::new()).unwrap();
        let suites = suites();
        let cfg = SelectConfig::default();
        let h = History::default();
        let s = select(
            &SelectInput {
                root: d.path(),
                config: &cfg,
                suites: &suites,
                history: &h,
            },
            &change,
            &tests,
        )
        .unwrap();
        s.selected
            .iter()
            .map(|t| t.key.id.clone())
            .collect::<Vec<_>>()
    };
    let one = plan_with(&|s| s.replace("x + 1", "x + 2"));
    assert_eq!(one, vec!["tests/test_lib.py::test_alpha"]);
    let two = plan_with(&|s| s.replace("x + 1", "x + 2").replace("x * 2", "x * 3"));
    assert_eq!(
        two,
        vec![
            "tests/test_lib.py::test_alpha",
            "tests/test_lib.py::test_beta"
        ]
    );
    let module_level = plan_with(&|s| {
        s.replace("x + 1", "x + 2")
            .replace("LIMIT = 3", "LIMIT = 4")
    });
    assert_eq!(
        module_level,
        vec![
            "tests/test_lib.py::test_alpha",
            "tests/test_lib.py::test_beta"
        ]
    );
    // A renamed function is observed through its old name.
    let renamed = plan_with(&|s| s.replace("def beta", "def gamma"));
    assert_eq!(renamed, vec!["tests/test_lib.py::test_beta"]);
}
