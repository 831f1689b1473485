use super::*;
use crate::symbols::{changed_defs, file_symbols};
use proptest::prelude::*;

/// A scope from (path, source, direct imports by path).
fn scope(files: &[(&str, &str, &[&str])]) -> Vec<ScopeFile> {
    files
        .iter()
        .map(|(path, src, deps)| ScopeFile {
            path: path.to_string(),
            fs: file_symbols(src),
            deps: deps
                .iter()
                .map(|d| files.iter().position(|f| f.0 == *d).expect("dep in scope"))
                .collect(),
        })
        .collect()
}

/// The tests of scope file `tf` that observe a change of `changed` in file `seed`.
fn observed(files: &[ScopeFile], seed: usize, changed: &[&str], tf: usize) -> Vec<String> {
    let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
    let im = Impact::propagate(files, seed, &changed);
    let imported: Vec<usize> = (0..files.len()).filter(|&i| i != tf).collect();
    let mut out: Vec<String> = files[tf]
        .fs
        .symbols
        .iter()
        .filter(|s| s.name.starts_with("test") || s.name.starts_with("Test"))
        .filter(|s| im.observe(files, tf, &[], &imported, &s.name).is_some())
        .map(|s| s.name.clone())
        .collect();
    out.sort();
    out
}

const B: &str = "def f():\n    return 1\n\ndef g():\n    return 2\n";

#[test]
fn an_import_inside_a_function_counts_only_when_the_function_is_reached() {
    let a =
        "def lazy():\n    from pkg import b\n    return b.f()\n\ndef plain(x):\n    return x + 1\n";
    let t = "from pkg.a import plain, lazy\n\ndef test_plain():\n    assert plain(1) == 2\n\ndef test_lazy():\n    assert lazy() == 1\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/a.py", a, &["pkg/b.py"]),
        ("tests/test_a.py", t, &["pkg/a.py"]),
    ]);
    assert_eq!(observed(&files, 0, &["f"], 2), ["test_lazy"]);
    assert!(
        observed(&files, 0, &["g"], 2).is_empty(),
        "g is used by nobody"
    );
    let im = Impact::propagate(&files, 0, &["f".to_string()]);
    let why = im.chain(&files, &(2, "test_lazy".to_string()));
    assert_eq!(
        why,
        "`test_lazy` → `lazy` (pkg/a.py) → `f` (pkg/b.py) (changed)"
    );
}

#[test]
fn bare_names_resolve_through_the_files_own_imports_not_by_name_alone() {
    // Two modules define `f`; the test imports the one that did not change.
    let c = "def f():\n    return 3\n";
    let t = "from pkg.c import f\n\ndef test_c():\n    assert f() == 3\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/c.py", c, &["pkg/b.py"]),
        ("tests/test_c.py", t, &["pkg/c.py"]),
    ]);
    assert!(observed(&files, 0, &["f"], 2).is_empty());
}

#[test]
fn dunder_methods_propagate_through_their_class_only() {
    let b = "class Rule:\n    def __init__(self):\n        self.x = 1\n\n    def other(self):\n        return 2\n";
    let c = "class Zone:\n    def __init__(self):\n        super().__init__()\n";
    let t = "from pkg.b import Rule\nfrom pkg.c import Zone\n\ndef test_rule():\n    Rule()\n\ndef test_zone():\n    Zone()\n";
    let files = scope(&[
        ("pkg/b.py", b, &[]),
        ("pkg/c.py", c, &["pkg/b.py"]),
        ("tests/test_x.py", t, &["pkg/b.py", "pkg/c.py"]),
    ]);
    assert_eq!(observed(&files, 0, &["Rule.__init__"], 2), ["test_rule"]);
}

#[test]
fn decorators_and_class_bodies_keep_module_level_reach() {
    let a = "from pkg.b import f\n\n@f\ndef decorated():\n    pass\n\ndef plain():\n    return 1\n";
    let k = "from pkg.b import g\n\nclass K:\n    X = g()\n\ndef plain():\n    return 1\n";
    let t = "from pkg.a import plain\n\ndef test_plain():\n    assert plain() == 1\n";
    let u = "from pkg.k import plain\n\ndef test_k():\n    assert plain() == 1\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/a.py", a, &["pkg/b.py"]),
        ("pkg/k.py", k, &["pkg/b.py"]),
        ("tests/test_a.py", t, &["pkg/a.py"]),
        ("tests/test_k.py", u, &["pkg/k.py"]),
    ]);
    let im = Impact::propagate(&files, 0, &["f".to_string()]);
    assert_eq!(im.import_time.get(&1), Some(&(0, "f".to_string())));
    assert!(!im.import_time.contains_key(&2), "k.py calls g, not f");
    assert_eq!(
        im.observe(&files, 3, &[], &[1], "test_plain"),
        Some(Observation::ImportTime {
            file: 1,
            def: (0, "f".to_string())
        })
    );
    let im = Impact::propagate(&files, 0, &["g".to_string()]);
    assert!(
        im.import_time.contains_key(&2),
        "a class body runs at import"
    );
    assert!(im.observe(&files, 4, &[], &[2], "test_k").is_some());
    // A change on a decorator line, a default or a class-body line is not a body change.
    let fs = file_symbols(
        "@deco\ndef f(x=g()):\n    return x\n\nclass K:\n    X = 1\n\n    def m(self):\n        return 2\n",
    );
    assert!(changed_defs(&fs, &[(1, 1)]).is_none());
    assert!(
        changed_defs(&fs, &[(2, 2)]).is_none(),
        "a default calls g()"
    );
    assert!(changed_defs(&fs, &[(6, 6)]).is_none());
    assert_eq!(
        changed_defs(&fs, &[(3, 3), (9, 9)])
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["K.m", "f"]
    );
    // A signature without calls is part of the definition: a rename or a constant default.
    let fs = file_symbols(
        "def f(x=1):\n    return x\n\nclass K:\n    def m(self, y=2):\n        return y\n",
    );
    assert_eq!(
        changed_defs(&fs, &[(1, 1)])
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["f"]
    );
    assert_eq!(
        changed_defs(&fs, &[(5, 5)])
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["K.m"]
    );
}

#[test]
fn a_computed_getattr_falls_back_to_module_level_reach_and_says_so() {
    let a = "import pkg.b as b\n\ndef dyn(name):\n    return getattr(b, name)()\n\ndef lit():\n    return getattr(b, \"g\")()\n";
    let t = "from pkg.a import dyn, lit\n\ndef test_dyn():\n    assert dyn(\"f\") == 1\n\ndef test_lit():\n    assert lit() == 2\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/a.py", a, &["pkg/b.py"]),
        ("tests/test_a.py", t, &["pkg/a.py"]),
    ]);
    assert_eq!(observed(&files, 0, &["f"], 2), ["test_dyn"]);
    let im = Impact::propagate(&files, 0, &["f".to_string()]);
    assert_eq!(
        im.chain(&files, &(2, "test_dyn".to_string())),
        "`test_dyn` → `dyn` (pkg/a.py) (`getattr` with a computed name on `b`: module-level reach)"
    );
    // A literal name is resolved: `lit` uses `g`.
    assert_eq!(observed(&files, 0, &["g"], 2), ["test_dyn", "test_lit"]);
}

#[test]
fn a_module_getattr_makes_the_names_it_provides_dynamic() {
    let init = "def __getattr__(name):\n    import importlib\n    return importlib.import_module('.' + name, __name__)\n";
    let t = "from pkg import lazything\n\ndef test_lazy():\n    lazything.run()\n\ndef test_none():\n    pass\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/__init__.py", init, &["pkg/b.py"]),
        ("tests/test_p.py", t, &["pkg/__init__.py"]),
    ]);
    assert_eq!(observed(&files, 0, &["f"], 2), ["test_lazy"]);
}

#[test]
fn fixtures_strings_autouse_and_locals() {
    let conf = "import pytest\nfrom pkg.b import f\n\n@pytest.fixture\ndef db():\n    return f()\n\n@pytest.fixture(autouse=True)\ndef env():\n    pass\n";
    let t = "import pytest\n\n@pytest.mark.usefixtures(\"db\")\ndef test_uses():\n    pass\n\ndef test_param(db):\n    assert db\n\ndef test_local():\n    f = 1\n    assert f\n\ndef test_other():\n    pass\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("tests/conftest.py", conf, &["pkg/b.py"]),
        ("tests/test_f.py", t, &[]),
    ]);
    let im = Impact::propagate(&files, 0, &["f".to_string()]);
    let obs = |s: &str| im.observe(&files, 2, &[1], &[], s).is_some();
    assert!(obs("test_uses") && obs("test_param"));
    assert!(!obs("test_local") && !obs("test_other"));
    assert!(obs("test_unknown"), "a symbol not in the file is kept");
    let conf2 = conf.replace("def env():\n    pass", "def env():\n    f()");
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("tests/conftest.py", &conf2, &["pkg/b.py"]),
        ("tests/test_f.py", t, &[]),
    ]);
    let im = Impact::propagate(&files, 0, &["f".to_string()]);
    assert!(matches!(
        im.observe(&files, 2, &[1], &[], "test_other"),
        Some(Observation::Autouse { .. })
    ));
}

// ------------------------------------------------------------------ properties

/// A generated package: modules `m0..`, each defining functions `f{m}_{k}` whose bodies call
/// functions of earlier modules (imported by name, at the top or lazily inside the function)
/// or earlier functions of their own; one test file whose tests call some of them.
#[derive(Debug, Clone)]
struct Gen {
    /// Per module, per function: the functions it calls as (module, index).
    modules: Vec<Vec<Vec<(usize, usize)>>>,
    /// Per test: the functions it calls.
    tests: Vec<Vec<(usize, usize)>>,
    /// Per module: it imports its callees inside the calling function.
    lazy: Vec<bool>,
}

fn gen_strategy() -> impl Strategy<Value = Gen> {
    (2usize..5, 1usize..4)
        .prop_flat_map(|(m, k)| {
            let calls = prop::collection::vec(
                prop::collection::vec(prop::collection::vec((0..m, 0..k), 0..3), k),
                m,
            );
            let tests = prop::collection::vec(prop::collection::vec((0..m, 0..k), 0..3), 1..5);
            (calls, tests, prop::collection::vec(any::<bool>(), m))
        })
        .prop_map(|(mut modules, tests, lazy)| {
            for (mi, fns) in modules.iter_mut().enumerate() {
                for (fi, calls) in fns.iter_mut().enumerate() {
                    calls.retain(|&(cm, cf)| cm < mi || (cm == mi && cf < fi));
                }
            }
            Gen {
                modules,
                tests,
                lazy,
            }
        })
}

impl Gen {
    fn sources(&self, extra: Option<(usize, &str)>, test_prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (mi, fns) in self.modules.iter().enumerate() {
            let imports = |calls: &[(usize, usize)], indent: &str| {
                calls
                    .iter()
                    .filter(|&&(cm, _)| cm != mi)
                    .map(|&(cm, cf)| format!("{indent}from pkg.m{cm} import f{cm}_{cf}\n"))
                    .collect::<String>()
            };
            let mut src = String::new();
            if !self.lazy[mi] {
                for calls in fns {
                    src.push_str(&imports(calls, ""));
                }
            }
            for (fi, calls) in fns.iter().enumerate() {
                src.push_str(&format!("\ndef f{mi}_{fi}(x):\n"));
                if self.lazy[mi] {
                    src.push_str(&imports(calls, "    "));
                }
                for &(cm, cf) in calls {
                    src.push_str(&format!("    x = f{cm}_{cf}(x)\n"));
                }
                src.push_str("    return x + 1\n");
            }
            if let Some((m, text)) = extra
                && m == mi
            {
                src.push_str(text);
            }
            out.push((format!("pkg/m{mi}.py"), src));
        }
        let mut t = String::new();
        for calls in &self.tests {
            for &(m, f) in calls {
                t.push_str(&format!("from pkg.m{m} import f{m}_{f}\n"));
            }
        }
        for (ti, calls) in self.tests.iter().enumerate() {
            t.push_str(&format!("\ndef {test_prefix}{ti}():\n    x = 0\n"));
            for &(m, f) in calls {
                t.push_str(&format!("    x = f{m}_{f}(x)\n"));
            }
            t.push_str("    assert x\n");
        }
        out.push(("tests/test_gen.py".to_string(), t));
        out
    }

    /// Scope files: every module imports every earlier one (as the graph over-approximates).
    fn scope(&self, extra: Option<(usize, &str)>, test_prefix: &str) -> Vec<ScopeFile> {
        let n = self.modules.len();
        self.sources(extra, test_prefix)
            .into_iter()
            .enumerate()
            .map(|(i, (path, src))| ScopeFile {
                path,
                fs: file_symbols(&src),
                deps: (0..i.min(n)).collect(),
            })
            .collect()
    }

    /// The tests that transitively call `f{m}_{k}`.
    fn truth(&self, m: usize, k: usize) -> Vec<usize> {
        let reaches = |start: (usize, usize)| {
            let mut stack = vec![start];
            let mut seen = HashSet::new();
            while let Some(d) = stack.pop() {
                if d == (m, k) {
                    return true;
                }
                if seen.insert(d) {
                    stack.extend(self.modules[d.0][d.1].iter().copied());
                }
            }
            false
        };
        (0..self.tests.len())
            .filter(|&t| self.tests[t].iter().any(|&c| reaches(c)))
            .collect()
    }

    fn selected(&self, files: &[ScopeFile], m: usize, k: usize, prefix: &str) -> Vec<usize> {
        let tf = files.len() - 1;
        let im = Impact::propagate(files, m, &[format!("f{m}_{k}")]);
        let imported: Vec<usize> = (0..tf).collect();
        (0..self.tests.len())
            .filter(|t| {
                im.observe(files, tf, &[], &imported, &format!("{prefix}{t}"))
                    .is_some()
            })
            .collect()
    }

    fn defs(&self) -> Vec<(usize, usize)> {
        self.modules
            .iter()
            .enumerate()
            .flat_map(|(m, fns)| (0..fns.len()).map(move |k| (m, k)))
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Safety: a change to any definition a test transitively calls selects that test.
    #[test]
    fn every_test_that_transitively_calls_a_changed_definition_is_selected(
        g in gen_strategy(), pick in any::<prop::sample::Index>()
    ) {
        let (m, k) = *pick.get(&g.defs());
        let sel = g.selected(&g.scope(None, "test_"), m, k, "test_");
        for t in g.truth(m, k) {
            prop_assert!(sel.contains(&t), "test_{} calls f{}_{} but is not selected: {:?}", t, m, k, sel);
        }
    }

    /// Adding a function nobody calls, in any module, never changes a selection.
    #[test]
    fn adding_an_unrelated_function_changes_no_selection(
        g in gen_strategy(), pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>()
    ) {
        let (m, k) = *pick.get(&g.defs());
        let target = at.index(g.modules.len());
        let before = g.selected(&g.scope(None, "test_"), m, k, "test_");
        let extra = "\ndef unrelated_helper(y):\n    z = y * 2\n    return z\n";
        let after = g.selected(&g.scope(Some((target, extra)), "test_"), m, k, "test_");
        prop_assert_eq!(before, after);
    }

    /// Renaming the test functions never drops a test from its file's selection.
    #[test]
    fn renaming_tests_keeps_their_selection(
        g in gen_strategy(), pick in any::<prop::sample::Index>()
    ) {
        let (m, k) = *pick.get(&g.defs());
        let before = g.selected(&g.scope(None, "test_"), m, k, "test_");
        let after = g.selected(&g.scope(None, "test_renamed_"), m, k, "test_renamed_");
        prop_assert_eq!(before, after);
    }
}

#[test]
fn a_patched_definition_selects_the_tests_that_patch_it() {
    // The tests never call `f` themselves: they patch it, by attribute and by dotted target.
    let a = "from pkg import b\n\ndef run():\n    return 0\n";
    let t = "import pkg.a\nfrom unittest import mock\n\ndef test_setattr(monkeypatch):\n    monkeypatch.setattr(pkg.a.b, \"f\", lambda: 5)\n    assert pkg.a.run() == 0\n\n@mock.patch(\"pkg.b.f\")\ndef test_dotted(m):\n    assert pkg.a.run() == 0\n\ndef test_other():\n    assert pkg.a.run() == 0\n";
    let files = scope(&[
        ("pkg/b.py", B, &[]),
        ("pkg/a.py", a, &["pkg/b.py"]),
        ("tests/test_p.py", t, &["pkg/a.py"]),
    ]);
    assert_eq!(
        observed(&files, 0, &["f"], 2),
        ["test_dotted", "test_setattr"]
    );
    assert!(
        observed(&files, 0, &["g"], 2).is_empty(),
        "g is patched by nobody"
    );
}
