//! Which test files' *collection* a change can alter — for the runner's discovery cache.
//!
//! pytest builds a test file's items (ids, parametrizations, inherited test methods) from the
//! code that runs when the file is imported: module-level statements, decorators, default
//! values, class bases and class bodies, and `pytest_*` hooks. A change to a project module can
//! change a test file's items only through names that code uses; a change inside the body of a
//! function the file calls only from its tests cannot. So a cached collection of a file stays
//! valid unless the file itself changed, or its import-time code names something it imports
//! from the project. Everything else errs towards collecting again: a changed `conftest.py`, a
//! changed project module that defines pytest hooks (a plugin), a star import from the project.

use rigor_model::hash::fnv1a;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use tree_sitter::{Node, Parser};

/// What must be collected again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recollect {
    /// The whole suite, and why.
    All(String),
    /// Only these test files (node-id paths); empty: the cached collection holds.
    Files(BTreeSet<String>),
}

/// The cached collection's view of a suite: its test files and the project modules imported
/// while collecting (module name → file), all paths relative to `root` (pytest's rootdir).
pub struct CollectionView<'a> {
    pub root: &'a Path,
    pub test_files: &'a BTreeSet<String>,
    pub modules: &'a BTreeMap<String, String>,
    /// The directory where each test file's verdict is kept between runs (keyed by its
    /// content; one file per suite root), so an unchanged file is not parsed again; `None`:
    /// parse every file.
    pub memo: Option<&'a Path>,
}

/// Each test file's "does its import-time code use the project?" verdict, by content hash,
/// for one set of project packages (a different set invalidates every verdict).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Memo {
    project: u64,
    verdicts: BTreeMap<String, (u64, bool)>,
    #[serde(skip)]
    dirty: bool,
}

impl Memo {
    fn load(path: Option<&Path>, project: u64) -> Memo {
        let read = path.and_then(|p| std::fs::read(p).ok());
        match read.and_then(|b| serde_json::from_slice::<Memo>(&b).ok()) {
            Some(m) if m.project == project => m,
            _ => Memo {
                project,
                ..Memo::default()
            },
        }
    }

    /// The verdict for `file` with content `src`, computed when not known for this content.
    fn uses_project(&mut self, file: &str, src: &str, project: &HashSet<&str>) -> bool {
        let h = fnv1a(src.as_bytes());
        if let Some((seen, v)) = self.verdicts.get(file)
            && *seen == h
        {
            return *v;
        }
        let v = import_time_uses_project(src, project);
        self.verdicts.insert(file.to_string(), (h, v));
        self.dirty = true;
        v
    }

    /// Keep the verdicts (best effort: a memo that cannot be written only costs parsing).
    fn save(&self, path: Option<&Path>) {
        let Some(path) = path.filter(|_| self.dirty) else {
            return;
        };
        let Ok(text) = serde_json::to_vec(self) else {
            return;
        };
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// The test files whose collection `changed` (files whose content differs from what the cache
/// saw) can alter.
pub fn recollect(view: &CollectionView, changed: &BTreeSet<String>) -> Recollect {
    let read = |rel: &str| std::fs::read_to_string(view.root.join(rel));
    for c in changed {
        let name = Path::new(c)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        if name == "conftest.py" {
            return Recollect::All(format!("{c} changed"));
        }
        if view.test_files.contains(c) {
            continue;
        }
        match read(c) {
            Ok(src) if defines_hooks(&src) => {
                return Recollect::All(format!("{c} defines pytest hooks and changed"));
            }
            _ => {}
        }
    }
    let project: HashSet<&str> = view
        .modules
        .keys()
        .map(|m| m.split('.').next().unwrap_or(m))
        .collect();
    let conftests = view.modules.values().filter(|f| f.ends_with("conftest.py"));
    for f in conftests {
        if let Ok(src) = read(f)
            && import_time_uses_project(&src, &project)
        {
            return Recollect::All(format!(
                "{f} uses project code while collecting, and project files changed"
            ));
        }
    }
    // Modules whose names a `from … import name` could find missing now.
    let changed_modules: HashSet<&str> = view
        .modules
        .iter()
        .filter(|(_, f)| changed.contains(*f))
        .map(|(m, _)| m.as_str())
        .collect();
    let mut sorted: Vec<&str> = project.iter().copied().collect();
    sorted.sort_unstable();
    let memo_file = view.memo.map(|d| {
        let root = view.root.to_string_lossy();
        d.join(format!(
            "collection-verdicts-{:016x}.json",
            fnv1a(root.as_bytes())
        ))
    });
    let memo_file = memo_file.as_deref();
    let mut memo = Memo::load(memo_file, fnv1a(sorted.join("\n").as_bytes()));
    let mut out = BTreeSet::new();
    for f in view.test_files {
        let stale = changed.contains(f)
            || match read(f) {
                Ok(src) => {
                    memo.uses_project(f, &src, &project)
                        || imports_names_from(&src, &changed_modules)
                }
                Err(_) => true,
            };
        if stale {
            out.insert(f.clone());
        }
    }
    memo.save(memo_file);
    Recollect::Files(out)
}

/// Does the file import names from one of `modules` (`from m import name`), or import names
/// relatively (`from .x import name`) while any module changed? Such an import fails at
/// collection when the name is gone.
fn imports_names_from(src: &str, modules: &HashSet<&str>) -> bool {
    if modules.is_empty() {
        return false;
    }
    src.lines().any(|line| {
        let Some(rest) = line.strip_prefix("from ") else {
            return false;
        };
        let module = rest.split_whitespace().next().unwrap_or("");
        module.starts_with('.') || modules.contains(module)
    })
}

/// Does the file define a pytest hook (`def pytest_…`) — is it a plugin?
fn defines_hooks(src: &str) -> bool {
    src.lines()
        .any(|l| l.trim_start().starts_with("def pytest_") || l.contains(" def pytest_"))
}

/// Does the code that runs when `src` is imported (and collected) name something imported from
/// a project module (one whose top-level package is in `project`, or a relative import)?
pub fn import_time_uses_project(src: &str, project: &HashSet<&str>) -> bool {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return true;
    }
    let Some(tree) = parser.parse(src, None) else {
        return true;
    };
    let b = src.as_bytes();
    let root = tree.root_node();
    let mut imports = Imports::default();
    imports.read(root, b, project);
    if imports.star_from_project {
        return true;
    }
    let names = import_time_names(root, b);
    names.iter().any(|n| imports.project.contains(n))
}

/// The file's import bindings that come from project modules.
#[derive(Default)]
struct Imports {
    project: HashSet<String>,
    star_from_project: bool,
}

impl Imports {
    fn read(&mut self, root: Node, src: &[u8], project: &HashSet<&str>) {
        let text = |n: Node| n.utf8_text(src).unwrap_or("").to_string();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let from = n.kind() == "import_from_statement";
            if !from && n.kind() != "import_statement" {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
                continue;
            }
            let module = n.child_by_field_name("module_name").map(text);
            let from_project = module.as_deref().is_some_and(|m| {
                m.starts_with('.') || project.contains(m.split('.').next().unwrap_or(m))
            });
            let mut c = n.walk();
            if from
                && from_project
                && n.named_children(&mut c)
                    .any(|ch| ch.kind() == "wildcard_import")
            {
                self.star_from_project = true;
            }
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                let (dotted, local) = match name.kind() {
                    "aliased_import" => (
                        name.child_by_field_name("name")
                            .map(text)
                            .unwrap_or_default(),
                        name.child_by_field_name("alias")
                            .map(text)
                            .unwrap_or_default(),
                    ),
                    _ => {
                        let t = text(name);
                        let local = t.split('.').next().unwrap_or("").to_string();
                        (t, local)
                    }
                };
                let is_project = if from {
                    from_project
                } else {
                    project.contains(dotted.split('.').next().unwrap_or(""))
                };
                if is_project && !local.is_empty() {
                    self.project.insert(local);
                }
            }
        }
    }
}

/// Every identifier the import of the module evaluates: module-level statements, decorators,
/// defaults, annotations and class bases, class bodies (not method bodies), the bodies of
/// `pytest_*` hooks, and — transitively — the bodies of the module's functions that code names.
fn import_time_names(root: Node, src: &[u8]) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut bodies: BTreeMap<String, Node> = BTreeMap::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let def = match n.kind() {
            "decorated_definition" => {
                let mut c = n.walk();
                for d in n.named_children(&mut c).filter(|d| d.kind() == "decorator") {
                    identifiers(d, src, &mut names);
                }
                match n.child_by_field_name("definition") {
                    Some(d) => d,
                    None => continue,
                }
            }
            _ => n,
        };
        match def.kind() {
            "function_definition" => {
                for field in ["parameters", "return_type"] {
                    if let Some(p) = def.child_by_field_name(field) {
                        identifiers(p, src, &mut names);
                    }
                }
                let name = def
                    .child_by_field_name("name")
                    .and_then(|x| x.utf8_text(src).ok())
                    .unwrap_or("");
                if let Some(body) = def.child_by_field_name("body") {
                    if name.starts_with("pytest_") {
                        identifiers(body, src, &mut names);
                    } else if n.parent().is_some_and(|p| p.id() == root.id()) {
                        bodies.insert(name.to_string(), body);
                    }
                }
            }
            "class_definition" => {
                if let Some(s) = def.child_by_field_name("superclasses") {
                    identifiers(s, src, &mut names);
                }
                if let Some(body) = def.child_by_field_name("body") {
                    let mut c = body.walk();
                    stack.extend(body.named_children(&mut c));
                }
            }
            "import_statement" | "import_from_statement" | "future_import_statement" => {}
            _ if def.id() == root.id() => {
                let mut c = root.walk();
                stack.extend(root.named_children(&mut c));
            }
            _ => identifiers(def, src, &mut names),
        }
    }
    // Module-level functions that import-time code calls run at import too.
    loop {
        let called: Vec<String> = bodies
            .keys()
            .filter(|name| names.contains(*name))
            .cloned()
            .collect();
        if called.is_empty() {
            break;
        }
        for name in called {
            if let Some(body) = bodies.remove(&name) {
                identifiers(body, src, &mut names);
            }
        }
    }
    names
}

fn identifiers(node: Node, src: &[u8], out: &mut HashSet<String>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "identifier" {
            if let Ok(t) = n.utf8_text(src) {
                out.insert(t.to_string());
            }
            continue;
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn uses(src: &str) -> bool {
        let project: HashSet<&str> = ["pkg"].into_iter().collect();
        import_time_uses_project(src, &project)
    }

    #[test]
    fn names_used_only_inside_test_bodies_do_not_count() {
        let src = "import pkg\nfrom pkg.mod import f\nimport os\n\ndef test_a():\n    assert pkg.x() == f()\n\nclass TestB:\n    def test_b(self):\n        assert f()\n";
        assert!(!uses(src));
    }

    #[test]
    fn import_time_uses_count_wherever_they_are() {
        for src in [
            "from pkg import CASES\nimport pytest\n@pytest.mark.parametrize('c', CASES)\ndef test_a(c):\n    pass\n",
            "import pkg\nclass TestX(pkg.Base):\n    pass\n",
            "import pkg\nclass TestX:\n    values = pkg.values()\n    def test_a(self):\n        pass\n",
            "import pkg\ndef test_a(x=pkg.DEFAULT):\n    pass\n",
            "import pkg\nVALUES = list(pkg.all())\n",
            "from . import helpers\nN = helpers.N\n",
            "import pkg\ndef cases():\n    return pkg.CASES\n@pytest.mark.parametrize('c', cases())\ndef test_a(c):\n    pass\n",
            "import pkg\ndef pytest_generate_tests(metafunc):\n    metafunc.parametrize('x', pkg.X)\n",
            "from pkg.helpers import *\n",
            "import pkg.sub as s\nclass TestX:\n    class Inner(s.Base):\n        pass\n",
            "import pkg\nclass TestX:\n    @pkg.deco\n    def test_a(self):\n        pass\n",
        ] {
            assert!(uses(src), "{src}");
        }
    }

    #[test]
    fn third_party_and_stdlib_names_at_import_time_do_not_count() {
        let src = "import pytest\nfrom sys import version_info\nfrom unittest import skipIf, TestCase\n@skipIf(version_info < (3, 9), 'old')\nclass TestX(TestCase):\n    @pytest.mark.parametrize('a', [1, 2])\n    def test_a(self, a):\n        pass\n";
        assert!(!uses(src));
        // A star import from outside the project is not the project's.
        assert!(!uses("from os.path import *\n"));
    }

    fn view_in(dir: &Path, files: &[(&str, &str)]) -> (BTreeSet<String>, BTreeMap<String, String>) {
        let mut tests = BTreeSet::new();
        let mut modules = BTreeMap::new();
        for (rel, src) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, src).unwrap();
            if rel.starts_with("tests/test_") {
                tests.insert(rel.to_string());
            }
            let module = rel.trim_end_matches(".py").replace('/', ".");
            modules.insert(module, rel.to_string());
        }
        (tests, modules)
    }

    #[test]
    fn a_body_change_keeps_clean_files_and_recollects_the_changed_and_the_import_time_users() {
        let dir = tempfile::tempdir().unwrap();
        let (tests, modules) = view_in(
            dir.path(),
            &[
                ("pkg/__init__.py", "def f():\n    return 1\nCASES = [1]\n"),
                (
                    "tests/test_a.py",
                    "import pkg\ndef test_a():\n    assert pkg.f()\n",
                ),
                (
                    "tests/test_b.py",
                    "import pytest, pkg\n@pytest.mark.parametrize('c', pkg.CASES)\ndef test_b(c):\n    pass\n",
                ),
                ("tests/test_c.py", "def test_c():\n    pass\n"),
            ],
        );
        let view = CollectionView {
            root: dir.path(),
            test_files: &tests,
            modules: &modules,
            memo: None,
        };
        let changed: BTreeSet<String> = ["pkg/__init__.py".to_string(), "tests/test_c.py".into()]
            .into_iter()
            .collect();
        let want: BTreeSet<String> = ["tests/test_b.py".to_string(), "tests/test_c.py".into()]
            .into_iter()
            .collect();
        assert_eq!(recollect(&view, &changed), Recollect::Files(want));
    }

    #[test]
    fn verdicts_are_kept_per_file_content_between_runs() {
        let dir = tempfile::tempdir().unwrap();
        let (tests, modules) = view_in(
            dir.path(),
            &[
                ("pkg/__init__.py", "CASES = [1]\n"),
                (
                    "tests/test_b.py",
                    "import pytest, pkg\n@pytest.mark.parametrize('c', pkg.CASES)\ndef test_b(c):\n    pass\n",
                ),
                ("tests/test_c.py", "import pkg\ndef test_c():\n    pass\n"),
            ],
        );
        let cache = dir.path().join(".rigor/cache");
        let view = CollectionView {
            root: dir.path(),
            test_files: &tests,
            modules: &modules,
            memo: Some(&cache),
        };
        let changed: BTreeSet<String> = ["pkg/__init__.py".to_string()].into_iter().collect();
        let only_b = Recollect::Files(["tests/test_b.py".to_string()].into_iter().collect());
        assert_eq!(recollect(&view, &changed), only_b);
        let memo = std::fs::read_dir(&cache)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        // The next run reads the kept verdict of an unchanged file instead of parsing it: a
        // verdict planted for test_c's content is what decides.
        let mut m: Memo = serde_json::from_slice(&std::fs::read(&memo).unwrap()).unwrap();
        m.verdicts.get_mut("tests/test_c.py").unwrap().1 = true;
        std::fs::write(&memo, serde_json::to_vec(&m).unwrap()).unwrap();
        let both: BTreeSet<String> = ["tests/test_b.py".to_string(), "tests/test_c.py".into()]
            .into_iter()
            .collect();
        assert_eq!(recollect(&view, &changed), Recollect::Files(both));
        // New content of a file is judged again (the planted verdict no longer applies).
        std::fs::write(
            dir.path().join("tests/test_c.py"),
            "def test_c():\n    pass\n",
        )
        .unwrap();
        assert_eq!(recollect(&view, &changed), only_b);
    }

    #[test]
    fn importing_names_from_a_changed_module_recollects_the_importer() {
        let dir = tempfile::tempdir().unwrap();
        let (tests, modules) = view_in(
            dir.path(),
            &[
                ("pkg/core.py", "def f():\n    return 1\n"),
                ("pkg/other.py", "def g():\n    return 1\n"),
                (
                    "tests/test_a.py",
                    "from pkg.core import f\ndef test_a():\n    assert f()\n",
                ),
                (
                    "tests/test_b.py",
                    "from pkg.other import g\ndef test_b():\n    assert g()\n",
                ),
                (
                    "tests/test_c.py",
                    "import pkg.core\ndef test_c():\n    assert pkg.core.f()\n",
                ),
            ],
        );
        let view = CollectionView {
            root: dir.path(),
            test_files: &tests,
            modules: &modules,
            memo: None,
        };
        let changed: BTreeSet<String> = ["pkg/core.py".to_string()].into_iter().collect();
        let want: BTreeSet<String> = ["tests/test_a.py".to_string()].into_iter().collect();
        assert_eq!(recollect(&view, &changed), Recollect::Files(want));
    }

    #[test]
    fn conftests_and_plugins_recollect_everything() {
        let dir = tempfile::tempdir().unwrap();
        let (tests, modules) = view_in(
            dir.path(),
            &[
                (
                    "pkg/plugin.py",
                    "def pytest_collection_modifyitems(items):\n    pass\n",
                ),
                ("pkg/core.py", "def f():\n    return 1\n"),
                ("tests/conftest.py", "import pytest\n"),
                ("tests/test_a.py", "def test_a():\n    pass\n"),
            ],
        );
        let view = CollectionView {
            root: dir.path(),
            test_files: &tests,
            modules: &modules,
            memo: None,
        };
        let one = |f: &str| -> BTreeSet<String> { [f.to_string()].into_iter().collect() };
        assert!(
            matches!(recollect(&view, &one("pkg/plugin.py")), Recollect::All(r) if r.contains("hooks"))
        );
        assert!(matches!(
            recollect(&view, &one("tests/conftest.py")),
            Recollect::All(_)
        ));
        assert_eq!(
            recollect(&view, &one("pkg/core.py")),
            Recollect::Files(BTreeSet::new())
        );
        // A conftest whose collection-time code uses the project: any project change counts.
        std::fs::write(
            dir.path().join("tests/conftest.py"),
            "import pytest\nfrom pkg import core\n@pytest.fixture(params=core.f())\ndef x(request):\n    return request.param\n",
        )
        .unwrap();
        assert!(matches!(
            recollect(&view, &one("pkg/core.py")),
            Recollect::All(_)
        ));
    }

    proptest! {
        /// Metamorphic: adding statements inside a test function's body never makes a file's
        /// collection depend on the project; adding them at module level always does.
        #[test]
        fn only_import_time_code_counts(names in proptest::collection::vec("v[a-z]{0,5}", 1..5)) {
            let mut body = String::from("import pkg\nimport pytest\n\ndef test_x():\n");
            for n in &names {
                body.push_str(&format!("    {n} = pkg.{n}()\n"));
            }
            body.push_str("    assert True\n");
            prop_assert!(!uses(&body));
            let at_import = format!("{body}{} = pkg.value\n", names[0]);
            prop_assert!(uses(&at_import));
        }
    }
}
