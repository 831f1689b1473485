//! Symbol-level refinement of the static graph (no coverage map needed).
//!
//! When a change touches only the bodies of top-level functions and classes of a module, the
//! tests that can observe it are those whose code reaches one of those names. Names are
//! propagated, by name, over the files that depend on the changed module: a top-level function
//! or class whose body mentions an affected name (as an identifier or an attribute, so
//! `mi.chunked`, `obj.method` and fixture parameters all count) becomes affected; so do the
//! targets of module-level statements that mention one, and import aliases of one. A test is
//! kept when its function or class is affected, when module-level code of its file is, when an
//! affected fixture is `autouse`, or when its symbol cannot be found. Any change outside a
//! function or class body (module-level code, imports, decorators of a top-level definition are
//! inside it) disables the refinement for that file: the file-level graph decides.
//!
//! Matching by name over-approximates (a name used elsewhere selects more); dynamic access by
//! computed strings (`getattr(mod, name)`) is not seen — the mutation bench measures the effect.

use std::collections::{HashMap, HashSet};
use tree_sitter::{Node, Parser};

#[derive(Debug, Clone, Default)]
pub struct Method {
    pub name: String,
    pub refs: HashSet<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Symbol {
    pub name: String,
    /// 1-based inclusive line range (decorators included).
    pub start: u32,
    pub end: u32,
    pub refs: HashSet<String>,
    pub methods: Vec<(Method, u32, u32)>,
    pub autouse: bool,
}

/// Top-level structure of one Python file.
#[derive(Debug, Clone, Default)]
pub struct FileSymbols {
    pub symbols: Vec<Symbol>,
    /// Module-level statements other than imports and definitions: (assigned names, mentioned names, lines).
    pub statements: Vec<(HashSet<String>, HashSet<String>, u32, u32)>,
    /// `from m import a as b` / `import a as b`: (original last name, binding).
    pub aliases: Vec<(String, String)>,
}

/// A string literal that is an identifier (`usefixtures("db")`, `getattr(m, "name")`) counts as
/// a mention of that name.
fn string_name(n: Node, src: &[u8]) -> Option<String> {
    if n.kind() != "string_content" {
        return None;
    }
    let t = n.utf8_text(src).ok()?;
    let mut chars = t.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    ok.then(|| t.to_string())
}

fn idents(node: Node, src: &[u8], out: &mut HashSet<String>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(name) = string_name(n, src) {
            out.insert(name);
            continue;
        }
        if n.kind() == "identifier" {
            if let Ok(t) = n.utf8_text(src) {
                out.insert(t.to_string());
            }
            continue;
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
}

const SCOPES: &[&str] = &[
    "function_definition",
    "class_definition",
    "lambda",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
];

/// Names bound by a binding target (`a`, `a, b`, `[a, *b]`; not `x.a` or `x[a]`).
fn targets(node: Node, src: &[u8], out: &mut HashSet<String>) {
    match node.kind() {
        "identifier" => {
            if let Ok(t) = node.utf8_text(src) {
                out.insert(t.to_string());
            }
        }
        "attribute" | "subscript" => {}
        _ => {
            let mut cur = node.walk();
            for c in node.named_children(&mut cur) {
                targets(c, src, out);
            }
        }
    }
}

/// Names bound in the scope of `scope` (a function, or a class body), not looking into nested
/// scopes (whose own names stay references: over-approximation is safe), minus `global` names.
fn local_bindings(scope: Node, src: &[u8]) -> HashSet<String> {
    let mut bound = HashSet::new();
    let mut globals = HashSet::new();
    if let Some(params) = scope.child_by_field_name("parameters") {
        let mut cur = params.walk();
        for p in params.named_children(&mut cur) {
            match p.kind() {
                "identifier" => targets(p, src, &mut bound),
                "default_parameter" | "typed_default_parameter" => {
                    if let Some(n) = p.child_by_field_name("name") {
                        targets(n, src, &mut bound);
                    }
                }
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    if let Some(n) = p.named_child(0) {
                        targets(n, src, &mut bound);
                    }
                }
                _ => {}
            }
        }
    }
    let Some(body) = scope.child_by_field_name("body") else {
        return bound;
    };
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "function_definition" | "class_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    targets(name, src, &mut bound);
                }
                continue;
            }
            k if SCOPES.contains(&k) => continue,
            "assignment" | "augmented_assignment" | "for_statement" => {
                if let Some(l) = n.child_by_field_name("left") {
                    targets(l, src, &mut bound);
                }
            }
            "named_expression" => {
                if let Some(l) = n.child_by_field_name("name") {
                    targets(l, src, &mut bound);
                }
            }
            "as_pattern_target" => targets(n, src, &mut bound),
            "global_statement" | "nonlocal_statement" => {
                let mut cur = n.walk();
                for c in n.named_children(&mut cur) {
                    targets(c, src, &mut globals);
                }
            }
            _ => {}
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
    bound.retain(|b| !globals.contains(b));
    bound
}

/// The names a function or class mentions that can refer to something outside it: every
/// attribute name, and every other identifier not bound locally (a local of the same name
/// shadows the global one for the whole function).
fn references(node: Node, src: &[u8]) -> HashSet<String> {
    let def = definition(node);
    // pytest injects fixtures by parameter name: in tests and fixtures, parameters are references.
    let name = def
        .child_by_field_name("name")
        .and_then(|n| n.utf8_text(src).ok())
        .unwrap_or("");
    let fixture_like = name.starts_with("test")
        || (node.kind() == "decorated_definition"
            && node
                .utf8_text(src)
                .is_ok_and(|t| t[..t.find("def ").unwrap_or(t.len())].contains("fixture")));
    let mut bound = if def.kind() == "function_definition" {
        local_bindings(def, src)
    } else {
        HashSet::new()
    };
    if fixture_like && let Some(params) = def.child_by_field_name("parameters") {
        let mut names = HashSet::new();
        targets(params, src, &mut names);
        bound.retain(|b| !names.contains(b));
    }
    let own_name = def.child_by_field_name("name");
    let mut out = HashSet::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(name) = string_name(n, src) {
            out.insert(name);
            continue;
        }
        if n.kind() == "identifier" {
            let Ok(t) = n.utf8_text(src) else { continue };
            if Some(n) == own_name {
                continue;
            }
            let parent = n.parent();
            let is_attr = parent.is_some_and(|p| {
                p.kind() == "attribute" && p.child_by_field_name("attribute") == Some(n)
            });
            let is_kwarg = parent.is_some_and(|p| {
                p.kind() == "keyword_argument" && p.child_by_field_name("name") == Some(n)
            });
            // Decorators and defaults are evaluated outside the function's scope.
            let in_own_scope = !n.byte_range().is_empty()
                && def
                    .child_by_field_name("body")
                    .is_some_and(|b| b.byte_range().contains(&n.start_byte()));
            let is_param = parent.is_some_and(|p| match p.kind() {
                "parameters"
                | "lambda_parameters"
                | "typed_parameter"
                | "list_splat_pattern"
                | "dictionary_splat_pattern" => true,
                "default_parameter" | "typed_default_parameter" => {
                    p.child_by_field_name("name") == Some(n)
                }
                _ => false,
            });
            let binds_here = (is_param && !fixture_like) || (in_own_scope && bound.contains(t));
            if is_attr || (!is_kwarg && !binds_here) {
                out.insert(t.to_string());
            }
            continue;
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
    out
}

fn definition(node: Node) -> Node {
    if node.kind() == "decorated_definition" {
        node.child_by_field_name("definition").unwrap_or(node)
    } else {
        node
    }
}

fn assigned(node: Node, src: &[u8], out: &mut HashSet<String>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "assignment" | "augmented_assignment" => {
                if let Some(l) = n.child_by_field_name("left") {
                    idents(l, src, out);
                }
                if let Some(r) = n.child_by_field_name("right") {
                    stack.push(r);
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = n
                    .child_by_field_name("name")
                    .and_then(|x| x.utf8_text(src).ok())
                {
                    out.insert(name.to_string());
                }
            }
            _ => {
                let mut cur = n.walk();
                for c in n.named_children(&mut cur) {
                    stack.push(c);
                }
            }
        }
    }
}

fn rows(n: Node) -> (u32, u32) {
    (
        n.start_position().row as u32 + 1,
        n.end_position().row as u32 + 1,
    )
}

/// Parse a file's top-level symbols.
pub fn file_symbols(source: &str) -> FileSymbols {
    let mut out = FileSymbols::default();
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return out;
    }
    let Some(tree) = parser.parse(source, None) else {
        return out;
    };
    let src = source.as_bytes();
    let root = tree.root_node();
    let mut cur = root.walk();
    for node in root.named_children(&mut cur) {
        let def = definition(node);
        match def.kind() {
            "function_definition" | "class_definition" => {
                let name = def
                    .child_by_field_name("name")
                    .and_then(|n| n.utf8_text(src).ok())
                    .unwrap_or("")
                    .to_string();
                let (start, end) = rows(node);
                let mut refs = references(node, src);
                let mut methods = Vec::new();
                if def.kind() == "class_definition"
                    && let Some(body) = def.child_by_field_name("body")
                {
                    // A class mentions what its methods mention (each with its own locals), what
                    // its other body statements, bases and decorators mention.
                    let mut class_refs = HashSet::new();
                    if let Some(sup) = def.child_by_field_name("superclasses") {
                        idents(sup, src, &mut class_refs);
                    }
                    let mut dc = node.walk();
                    for d in node
                        .named_children(&mut dc)
                        .filter(|d| d.kind() == "decorator")
                    {
                        idents(d, src, &mut class_refs);
                    }
                    let mut bc = body.walk();
                    for m in body.named_children(&mut bc) {
                        let md = definition(m);
                        if md.kind() != "function_definition" {
                            idents(m, src, &mut class_refs);
                        }
                        if md.kind() == "function_definition" {
                            let mname = md
                                .child_by_field_name("name")
                                .and_then(|n| n.utf8_text(src).ok())
                                .unwrap_or("")
                                .to_string();
                            let mrefs = references(m, src);
                            class_refs.extend(mrefs.iter().cloned());
                            let (ms, me) = rows(m);
                            methods.push((
                                Method {
                                    name: mname,
                                    refs: mrefs,
                                },
                                ms,
                                me,
                            ));
                        }
                    }
                    refs = class_refs;
                }
                let autouse = node.kind() == "decorated_definition"
                    && node.utf8_text(src).is_ok_and(|t| {
                        let head = &t[..t.find("def ").unwrap_or(t.len())];
                        let compact: String = head.split_whitespace().collect();
                        compact.contains("autouse=True") || compact.contains("autouse=1")
                    });
                out.symbols.push(Symbol {
                    name,
                    start,
                    end,
                    refs,
                    methods,
                    autouse,
                });
            }
            "import_statement" | "import_from_statement" => {
                let mut c2 = node.walk();
                for n in node.children_by_field_name("name", &mut c2) {
                    if n.kind() == "aliased_import"
                        && let (Some(a), Some(b)) = (
                            n.child_by_field_name("name"),
                            n.child_by_field_name("alias"),
                        )
                    {
                        let orig = a
                            .utf8_text(src)
                            .unwrap_or("")
                            .rsplit('.')
                            .next()
                            .unwrap_or("")
                            .to_string();
                        out.aliases
                            .push((orig, b.utf8_text(src).unwrap_or("").to_string()));
                    }
                }
            }
            "future_import_statement" | "comment" => {}
            _ => {
                let mut targets = HashSet::new();
                assigned(node, src, &mut targets);
                let mut refs = HashSet::new();
                idents(node, src, &mut refs);
                let (s, e) = rows(node);
                out.statements.push((targets, refs, s, e));
            }
        }
    }
    out
}

/// The names a change defines: for each changed line, the enclosing top-level function or
/// class (and method). `None` when a changed line is outside every top-level definition, or in
/// one that is called implicitly (a `pytest_*` hook, a module-level dunder such as `__getattr__`).
pub fn changed_symbols(fs: &FileSymbols, lines: &[(u32, u32)]) -> Option<HashSet<String>> {
    let mut out = HashSet::new();
    for &(a, b) in lines {
        for line in a..=b {
            let sym = fs
                .symbols
                .iter()
                .find(|s| s.start <= line && line <= s.end)?;
            // Called by name from outside the code: pytest hooks, module `__getattr__`/`__dir__`.
            if sym.name.starts_with("pytest_")
                || (sym.name.starts_with("__") && sym.name.ends_with("__"))
            {
                return None;
            }
            out.insert(sym.name.clone());
            for (m, ms, me) in &sym.methods {
                if *ms <= line && line <= *me {
                    out.insert(m.name.clone());
                }
            }
        }
    }
    Some(out)
}

/// Propagate affected names over `files` until nothing changes.
pub fn propagate(files: &[&FileSymbols], affected: &mut HashSet<String>) {
    propagate_explained(files, affected, &mut HashMap::new());
}

/// [`propagate`], recording for each newly affected name the affected name it uses
/// (`because[name] = used`), so that a chain of names leads back to a changed definition.
pub fn propagate_explained(
    files: &[&FileSymbols],
    affected: &mut HashSet<String>,
    because: &mut HashMap<String, String>,
) {
    let mut mark = |affected: &mut HashSet<String>, name: &str, used: &str| {
        if affected.insert(name.to_string()) {
            because.insert(name.to_string(), used.to_string());
        }
    };
    loop {
        let before = affected.len();
        for fs in files {
            for s in &fs.symbols {
                for (m, _, _) in &s.methods {
                    if affected.contains(&m.name) {
                        continue;
                    }
                    if let Some(r) = m.refs.iter().find(|r| affected.contains(*r)).cloned() {
                        mark(affected, &m.name, &r);
                        mark(affected, &s.name, &m.name);
                    }
                }
                if !affected.contains(&s.name)
                    && let Some(r) = s
                        .refs
                        .iter()
                        .find(|r| *r != &s.name && affected.contains(*r))
                        .cloned()
                {
                    mark(affected, &s.name, &r);
                }
            }
            for (targets, refs, _, _) in &fs.statements {
                if let Some(r) = refs.iter().find(|r| affected.contains(*r)).cloned() {
                    for t in targets {
                        mark(affected, t, &r);
                    }
                }
            }
            for (orig, alias) in &fs.aliases {
                if affected.contains(orig) {
                    mark(affected, alias, orig);
                }
            }
        }
        if affected.len() == before {
            break;
        }
    }
}

/// How a test observes an affected name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// Module-level code of the test's file uses `name`.
    Statement { name: String },
    /// An autouse fixture (in the test's file or a conftest above it) is affected.
    Autouse { fixture: String },
    /// The test's own definition `symbol` is, or uses, the affected `name`.
    Test { symbol: String, name: String },
    /// The test's definition is not found in its file: any use of the module counts.
    Unresolved { symbol: String },
}

/// Does a test (its top-level symbol name in its file) observe the affected names?
pub fn test_observes(
    fs: &FileSymbols,
    conftests: &[&FileSymbols],
    symbol: &str,
    affected: &HashSet<String>,
) -> bool {
    test_observation(fs, conftests, symbol, affected).is_some()
}

/// How a test (its top-level symbol name in its file) observes the affected names, if it does.
pub fn test_observation(
    fs: &FileSymbols,
    conftests: &[&FileSymbols],
    symbol: &str,
    affected: &HashSet<String>,
) -> Option<Observation> {
    if let Some(name) = fs
        .statements
        .iter()
        .find_map(|(_, refs, _, _)| refs.iter().find(|r| affected.contains(*r)))
    {
        return Some(Observation::Statement { name: name.clone() });
    }
    let autouse_hit = |f: &FileSymbols| {
        f.symbols
            .iter()
            .find(|s| s.autouse && affected.contains(&s.name))
            .map(|s| s.name.clone())
    };
    if let Some(fixture) = autouse_hit(fs).or_else(|| conftests.iter().find_map(|c| autouse_hit(c)))
    {
        return Some(Observation::Autouse { fixture });
    }
    match fs.symbols.iter().find(|s| s.name == symbol) {
        None => Some(Observation::Unresolved {
            symbol: symbol.to_string(),
        }),
        Some(s) if affected.contains(&s.name) => Some(Observation::Test {
            symbol: s.name.clone(),
            name: s.name.clone(),
        }),
        Some(s) => s
            .refs
            .iter()
            .find(|r| affected.contains(*r))
            .map(|r| Observation::Test {
                symbol: s.name.clone(),
                name: r.clone(),
            }),
    }
}

/// Cache of parsed files (by suite-relative path).
#[derive(Default)]
pub struct SymbolCache {
    files: HashMap<String, FileSymbols>,
}

impl SymbolCache {
    /// A file parsed before, if any.
    pub fn peek(&self, rel: &str) -> Option<&FileSymbols> {
        self.files.get(rel)
    }

    pub fn get(&mut self, root: &std::path::Path, rel: &str) -> &FileSymbols {
        self.files.entry(rel.to_string()).or_insert_with(|| {
            std::fs::read_to_string(root.join(rel))
                .map(|s| file_symbols(&s))
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "import os\n\ndef chunked(xs, n):\n    return [xs[i:i + n] for i in range(0, len(xs), n)]\n\ndef first(xs):\n    return xs[0]\n\ndef pairs(xs):\n    return chunked(xs, 2)\n\nclass Box:\n    def __init__(self, v):\n        self.v = v\n\n    def get(self):\n        return self.v\n\nALIAS = pairs\nLIMIT = 3\n";

    #[test]
    fn changed_names_and_propagation() {
        let fs = file_symbols(LIB);
        assert_eq!(
            changed_symbols(&fs, &[(4, 4)]).unwrap(),
            HashSet::from(["chunked".to_string()])
        );
        assert_eq!(
            changed_symbols(&fs, &[(17, 17)]).unwrap(),
            HashSet::from(["Box".to_string(), "get".to_string()])
        );
        let hooks = file_symbols(
            "def pytest_configure(config):\n    config.x = 1\n\ndef __getattr__(name):\n    return 1\n",
        );
        assert!(
            changed_symbols(&hooks, &[(2, 2)]).is_none(),
            "pytest hooks run implicitly"
        );
        assert!(
            changed_symbols(&hooks, &[(5, 5)]).is_none(),
            "module __getattr__ runs implicitly"
        );
        assert!(
            changed_symbols(&fs, &[(20, 20)]).is_none(),
            "module-level change: no refinement"
        );
        let mut a = changed_symbols(&fs, &[(4, 4)]).unwrap();
        let tests = file_symbols(
            "from lib import pairs as p, first\nimport pytest\n\n@pytest.fixture(autouse=False)\ndef data():\n    return p([1, 2])\n\ndef test_first():\n    assert first([1]) == 1\n\ndef test_data(data):\n    assert data\n\nclass TestAlias:\n    def test_it(self):\n        assert ALIAS\n",
        );
        propagate(&[&fs, &tests], &mut a);
        for n in [
            "chunked",
            "pairs",
            "ALIAS",
            "p",
            "data",
            "test_data",
            "TestAlias",
        ] {
            assert!(a.contains(n), "{n} in {a:?}");
        }
        assert!(!a.contains("first") && !a.contains("test_first"));
        assert!(test_observes(&tests, &[], "test_data", &a));
        assert!(test_observes(&tests, &[], "TestAlias", &a));
        assert!(!test_observes(&tests, &[], "test_first", &a));
        assert!(
            test_observes(&tests, &[], "test_generated_elsewhere", &a),
            "unknown symbols are kept"
        );
    }

    #[test]
    fn locals_shadow_globals_but_attributes_and_nested_scopes_count() {
        let fs = file_symbols(
            "def bucket(x):\n    return x\n\ndef uses_local(items):\n    for bucket in items:\n        print(bucket)\n\ndef uses_param(bucket):\n    return bucket\n\ndef uses_global():\n    return bucket(1)\n\ndef uses_attr(o):\n    bucket = 1\n    return o.bucket\n\ndef nested(items):\n    def inner():\n        bucket = 2\n        return bucket\n    return bucket(inner())\n\ndef declared():\n    global bucket\n    bucket = 3\n\nclass K:\n    def m(self):\n        bucket = 1\n        return bucket\n    def n(self):\n        return bucket(2)\n",
        );
        let mut a = HashSet::from(["bucket".to_string()]);
        propagate(&[&fs], &mut a);
        for yes in ["uses_global", "uses_attr", "nested", "declared", "K", "n"] {
            assert!(a.contains(yes), "{yes} in {a:?}");
        }
        for no in ["uses_local", "uses_param", "m"] {
            assert!(!a.contains(no), "{no} not in {a:?}");
        }
    }

    #[test]
    fn fixtures_named_in_strings_count() {
        let mut a = HashSet::from(["db".to_string()]);
        let t = file_symbols(
            "import pytest\n\n@pytest.mark.usefixtures(\"db\")\ndef test_uses():\n    pass\n\ndef test_dyn(request):\n    request.getfixturevalue('db')\n\ndef test_other():\n    pass\n",
        );
        propagate(&[&t], &mut a);
        assert!(test_observes(&t, &[], "test_uses", &a));
        assert!(test_observes(&t, &[], "test_dyn", &a));
        assert!(!test_observes(&t, &[], "test_other", &a));
    }

    #[test]
    fn autouse_fixtures_and_module_level_uses_keep_every_test() {
        let mut a = HashSet::from(["helper".to_string()]);
        let conftest = file_symbols(
            "import pytest\n@pytest.fixture(autouse=True)\ndef env():\n    helper()\n",
        );
        let t = file_symbols("def test_x():\n    pass\n");
        propagate(&[&conftest, &t], &mut a);
        assert!(test_observes(&t, &[&conftest], "test_x", &a));
        let t2 = file_symbols("VALUE = helper()\n\ndef test_y():\n    pass\n");
        assert!(test_observes(&t2, &[], "test_y", &a));
    }
}
