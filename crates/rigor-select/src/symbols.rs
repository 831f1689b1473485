//! What each top-level definition of a Python file names (parsed with tree-sitter-python), for
//! the definition-level impact in [`scope`].
//!
//! Per function, class and method: the free names of its code (resolved in its file), the
//! attribute names, identifier-like strings and fixture parameters (matched by name), the calls
//! made at import (decorators, bases, defaults, class bodies) and, when its code cannot be
//! resolved statically (`getattr` with a computed name, `exec`, monkeypatching), why. Per file:
//! module-level statements with the names they bind and call, every import binding (function
//! bodies included), star imports and a module-level `__getattr__`. [`changed_defs`] names the
//! definitions whose bodies a change touches, or says that the change runs at import.

use std::collections::{BTreeSet, HashMap, HashSet};

pub mod scope;
use tree_sitter::{Node, Parser};

/// What a definition's code names, split by how a name can be resolved.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    /// Free identifiers: resolved in the definition's own file (its definitions and imports).
    pub bare: HashSet<String>,
    /// Attribute names (`obj.name`), identifier-like string literals (`getattr(m, "name")`,
    /// `usefixtures("db")`) and fixture parameters: matched by name against every file.
    pub global: HashSet<String>,
    /// Why the code cannot be resolved statically (`getattr` with a computed name, `exec`,
    /// monkeypatching): the definition then counts as reaching whatever its module reaches.
    pub dynamic: Option<Dynamic>,
    /// Names used only inside nested functions, classes or lambdas: they run when those run,
    /// not when this definition is called.
    pub nested_only: HashSet<String>,
}

/// What an import binds a local name to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The imported name (last part).
    pub orig: String,
    /// The module it would be if it is one, as a path without extension (`import a.b as c` →
    /// `a/b`; `from a import b` → `a/b`; `from . import b` → `b`).
    pub module: String,
    /// Certainly a module (`import a.b`, `import a.b as c`).
    pub is_module: bool,
}

/// Code that cannot be resolved statically, and what it can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dynamic {
    /// What defeats resolution (`` `getattr` with a computed name ``).
    pub why: String,
    /// The object looked into: `self`/`cls` (its own class), an imported name (that module),
    /// or `None` (anything the file imports).
    pub on: Option<String>,
}

impl Refs {
    fn all(&self) -> HashSet<String> {
        self.bare.union(&self.global).cloned().collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Method {
    pub name: String,
    pub refs: HashSet<String>,
    pub split: Refs,
    /// Lines of its body (what runs when it is called, not at import).
    pub body: (u32, u32),
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
    /// A class (else a function).
    pub class: bool,
    /// Function: its body's references. Class: what its bases, decorators and body statements
    /// (not its methods) name.
    pub split: Refs,
    /// Names called while the module is imported: decorators, bases, calls in defaults and in
    /// class bodies.
    pub import_time: HashSet<String>,
    /// A function's body lines; `None` for a class.
    pub body: Option<(u32, u32)>,
}

/// Top-level structure of one Python file.
#[derive(Debug, Clone, Default)]
pub struct FileSymbols {
    pub symbols: Vec<Symbol>,
    /// Module-level statements other than imports and definitions: (assigned names, mentioned names, lines).
    pub statements: Vec<(HashSet<String>, HashSet<String>, u32, u32)>,
    /// `from m import a as b` / `import a as b`: (original last name, binding).
    pub aliases: Vec<(String, String)>,
    /// Per statement (same order as `statements`): its names split by resolution, and the
    /// names it calls while the module is imported.
    pub statement_refs: Vec<(Refs, HashSet<String>)>,
    /// Every import binding of the file, at any depth (function bodies included):
    /// local name → the imported name (`from m import a as b` → `b` → `a`; `import a.b` → `a`).
    pub bindings: HashMap<String, Binding>,
    /// `from m import *` somewhere in the file.
    pub star: bool,
    /// A module-level `__getattr__`: attributes the module does not define are computed.
    pub module_getattr: bool,
}

/// A string literal that is an identifier (`usefixtures("db")`, `getattr(m, "name")`) or a
/// dotted path (`patch("pkg.mod.name")`) counts as a mention of that (last) name.
fn string_name(n: Node, src: &[u8]) -> Option<String> {
    if n.kind() != "string_content" {
        return None;
    }
    let t = n.utf8_text(src).ok()?;
    // A dotted target (`patch("pkg.mod.f")`, `setattr("pkg.mod.f", …)`) names its last part.
    let t = match t.rsplit_once('.') {
        Some((head, last)) if !head.is_empty() && !head.contains([' ', '/']) => last,
        _ => t,
    };
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
fn references(node: Node, src: &[u8]) -> Refs {
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
    let mut out = Refs::default();
    let (mut direct, mut nested) = (HashSet::new(), HashSet::new());
    // Each node with its parent and whether it is inside a scope nested in `def` (carried down
    // the walk: tree-sitter's `parent()` searches from the root, which is slow on big files).
    let mut stack = vec![(node, node.parent(), nested_scope(node, def))];
    while let Some((n, parent, in_nested)) = stack.pop() {
        if let Some(name) = string_name(n, src) {
            out.global.insert(name);
            continue;
        }
        if n.kind() == "call" && out.dynamic.is_none() {
            out.dynamic = dynamic_call(n, src);
        }
        if n.kind() == "identifier" {
            let Ok(t) = n.utf8_text(src) else { continue };
            if Some(n) == own_name {
                continue;
            }
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
            let used = (is_attr || (is_param && fixture_like)) || (!is_kwarg && !binds_here);
            if is_attr || (is_param && fixture_like) {
                out.global.insert(t.to_string());
            } else if !is_kwarg && !binds_here {
                out.bare.insert(t.to_string());
            }
            if used {
                if in_nested {
                    nested.insert(t.to_string());
                } else {
                    direct.insert(t.to_string());
                }
            }
            continue;
        }
        let child_nested = n != def
            && (in_nested
                || matches!(
                    n.kind(),
                    "function_definition" | "class_definition" | "lambda"
                ));
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push((c, Some(n), child_nested));
        }
    }
    out.nested_only = nested.difference(&direct).cloned().collect();
    out
}

/// Is `n` inside a function, class or lambda nested in `def`'s body?
fn nested_scope(n: Node, def: Node) -> bool {
    let mut at = n.parent();
    while let Some(p) = at {
        if p == def {
            return false;
        }
        if matches!(
            p.kind(),
            "function_definition" | "class_definition" | "lambda"
        ) {
            return true;
        }
        at = p.parent();
    }
    false
}

/// Why a call defeats static resolution, if it does: `getattr(x, name)` with a computed name,
/// `exec`/`eval`, `importlib.import_module(name)`/`__import__(name)` with a computed name.
/// Monkeypatching names its target (`setattr(m, "f", …)`, `patch("pkg.mod.f")`): the name
/// counts as a reference by name (see [`string_name`]).
fn dynamic_call(call: Node, src: &[u8]) -> Option<Dynamic> {
    let func = call.child_by_field_name("function")?;
    let text = func.utf8_text(src).ok()?;
    let last = text.rsplit('.').next().unwrap_or(text);
    let args = call.child_by_field_name("arguments");
    let arg = |i: usize| {
        args.and_then(|a| {
            let mut c = a.walk();
            a.named_children(&mut c).nth(i)
        })
    };
    let literal = |n: Option<Node>| n.is_some_and(|n| n.kind() == "string");
    let dynamic = |why: String, on: Option<String>| Some(Dynamic { why, on });
    match last {
        "getattr" | "hasattr" if func.kind() == "identifier" && !literal(arg(1)) => {
            let on = arg(0)
                .and_then(|a| a.utf8_text(src).ok())
                .map(str::to_string);
            dynamic(format!("`{last}` with a computed name"), on)
        }
        "exec" | "eval" if func.kind() == "identifier" => dynamic(format!("`{last}`"), None),
        "import_module" | "__import__" if !literal(arg(0)) => {
            dynamic(format!("`{last}` with a computed name"), None)
        }
        _ => None,
    }
}

/// Free names of `node` split by resolution (as [`references`] for code outside any scope),
/// and the names it calls.
fn split_idents(node: Node, src: &[u8], refs: &mut Refs, calls: &mut HashSet<String>) {
    let mut stack = vec![(node, node.parent())];
    while let Some((n, parent)) = stack.pop() {
        if let Some(name) = string_name(n, src) {
            refs.global.insert(name);
            continue;
        }
        match n.kind() {
            "identifier" => {
                let Ok(t) = n.utf8_text(src) else { continue };
                let is_attr = parent.is_some_and(|p| {
                    p.kind() == "attribute" && p.child_by_field_name("attribute") == Some(n)
                });
                let is_kwarg = parent.is_some_and(|p| {
                    p.kind() == "keyword_argument" && p.child_by_field_name("name") == Some(n)
                });
                if is_attr {
                    refs.global.insert(t.to_string());
                } else if !is_kwarg {
                    refs.bare.insert(t.to_string());
                }
                continue;
            }
            "call" => {
                if refs.dynamic.is_none() {
                    refs.dynamic = dynamic_call(n, src);
                }
                if let Some(f) = n.child_by_field_name("function") {
                    let f = if f.kind() == "attribute" {
                        f.child_by_field_name("attribute").unwrap_or(f)
                    } else {
                        f
                    };
                    if let Ok(t) = f.utf8_text(src) {
                        calls.insert(t.to_string());
                    }
                }
            }
            // A nested scope's code does not run at import; its names still count as references.
            "lambda" => {
                let mut ignored = HashSet::new();
                let mut r = Refs::default();
                split_idents_no_calls(n, src, &mut r, &mut ignored);
                refs.bare.extend(r.bare);
                refs.global.extend(r.global);
                continue;
            }
            _ => {}
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push((c, Some(n)));
        }
    }
}

fn split_idents_no_calls(node: Node, src: &[u8], refs: &mut Refs, _calls: &mut HashSet<String>) {
    let mut cur = node.walk();
    for c in node.named_children(&mut cur) {
        let mut calls = HashSet::new();
        split_idents(c, src, refs, &mut calls);
    }
}

/// Names called while a definition is created at import: its decorators (all names), calls in
/// a class's base list and in parameter defaults.
fn definition_time_calls(node: Node, src: &[u8], out: &mut HashSet<String>) {
    let def = definition(node);
    let mut r = Refs::default();
    let mut dc = node.walk();
    for d in node
        .named_children(&mut dc)
        .filter(|d| d.kind() == "decorator")
    {
        // The decorator itself is called: every identifier of it counts, string arguments
        // (`usefixtures("db")`) do not.
        let mut stack = vec![d];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier"
                && let Ok(t) = n.utf8_text(src)
            {
                out.insert(t.to_string());
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }
    if let Some(sup) = def.child_by_field_name("superclasses") {
        // Bases are not called (only a metaclass or `__init_subclass__` would run), but calls
        // in the base list are (`class K(make_base()):`).
        split_idents(sup, src, &mut r, out);
    }
    if let Some(params) = def.child_by_field_name("parameters") {
        let mut pc = params.walk();
        for p in params.named_children(&mut pc) {
            if let Some(v) = p.child_by_field_name("value") {
                split_idents(v, src, &mut Refs::default(), out);
            }
        }
    }
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
    bindings(root, src, &mut out);
    let mut cur = root.walk();
    for node in root.named_children(&mut cur) {
        let def = definition(node);
        match def.kind() {
            "function_definition" | "class_definition" => {
                let sym = symbol(node, src);
                out.module_getattr |= sym.name == "__getattr__" && !sym.class;
                out.symbols.push(sym);
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
                let mut split = Refs::default();
                let mut calls = HashSet::new();
                split_idents(node, src, &mut split, &mut calls);
                let (s, e) = rows(node);
                out.statements.push((targets, split.all(), s, e));
                out.statement_refs.push((split, calls));
            }
        }
    }
    out
}

/// One top-level function or class.
fn symbol(node: Node, src: &[u8]) -> Symbol {
    let def = definition(node);
    let name = def
        .child_by_field_name("name")
        .and_then(|n| n.utf8_text(src).ok())
        .unwrap_or("")
        .to_string();
    let (start, end) = rows(node);
    let class = def.kind() == "class_definition";
    let mut import_time = HashSet::new();
    definition_time_calls(node, src, &mut import_time);
    let mut split = if class {
        Refs::default()
    } else {
        references(node, src)
    };
    let mut refs = split.all();
    let mut methods = Vec::new();
    if class && let Some(body) = def.child_by_field_name("body") {
        // A class mentions what its methods mention (each with its own locals), what its other
        // body statements, bases and decorators mention.
        let mut calls = HashSet::new();
        if let Some(sup) = def.child_by_field_name("superclasses") {
            split_idents(sup, src, &mut split, &mut calls);
        }
        let mut dc = node.walk();
        for d in node
            .named_children(&mut dc)
            .filter(|d| d.kind() == "decorator")
        {
            split_idents(d, src, &mut split, &mut calls);
        }
        let mut bc = body.walk();
        for m in body.named_children(&mut bc) {
            let md = definition(m);
            if md.kind() != "function_definition" {
                // Class-body statements run when the class is created, at import.
                split_idents(m, src, &mut split, &mut import_time);
                continue;
            }
            definition_time_calls(m, src, &mut import_time);
            let mname = md
                .child_by_field_name("name")
                .and_then(|n| n.utf8_text(src).ok())
                .unwrap_or("")
                .to_string();
            let msplit = references(m, src);
            let (ms, me) = rows(m);
            methods.push((
                Method {
                    name: mname,
                    refs: msplit.all(),
                    split: msplit,
                    body: called_range(md).unwrap_or((0, 0)),
                },
                ms,
                me,
            ));
        }
        refs = split.all();
        for (m, _, _) in &methods {
            refs.extend(m.refs.iter().cloned());
        }
    }
    let autouse = node.kind() == "decorated_definition"
        && node.utf8_text(src).is_ok_and(|t| {
            let head = &t[..t.find("def ").unwrap_or(t.len())];
            let compact: String = head.split_whitespace().collect();
            compact.contains("autouse=True") || compact.contains("autouse=1")
        });
    Symbol {
        name,
        start,
        end,
        refs,
        methods,
        autouse,
        class,
        split,
        import_time,
        body: (!class).then(|| called_range(def)).flatten(),
    }
}

/// The lines of a function whose change only matters when it is called: its body, and its
/// `def` line and signature unless a default calls something (defaults run at import).
/// Decorators are never part of it.
fn called_range(def: Node) -> Option<(u32, u32)> {
    let body = def.child_by_field_name("body")?;
    let mut calls_in_defaults = false;
    if let Some(params) = def.child_by_field_name("parameters") {
        let mut stack = vec![params];
        while let Some(n) = stack.pop() {
            calls_in_defaults |= n.kind() == "call";
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }
    let start = if calls_in_defaults { body } else { def };
    Some((rows(start).0, rows(body).1))
}

/// Every import binding of the file, at any depth, and whether it star-imports.
fn bindings(root: Node, src: &[u8], out: &mut FileSymbols) {
    let text = |n: Node| n.utf8_text(src).unwrap_or("").to_string();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_statement" | "import_from_statement" => {
                let from = n.kind() == "import_from_statement";
                let base = n
                    .child_by_field_name("module_name")
                    .map(|m| text(m).trim_start_matches('.').replace('.', "/"))
                    .unwrap_or_default();
                let mut c = n.walk();
                for child in n.named_children(&mut c) {
                    if child.kind() == "wildcard_import" {
                        out.star = true;
                    }
                }
                let mut c2 = n.walk();
                for name in n.children_by_field_name("name", &mut c2) {
                    let (dotted, local) = match name.kind() {
                        "aliased_import" => {
                            let (Some(a), Some(b)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) else {
                                continue;
                            };
                            (text(a), text(b))
                        }
                        _ => {
                            let t = text(name);
                            let local = if from {
                                t.rsplit('.').next().unwrap_or("").to_string()
                            } else {
                                t.split('.').next().unwrap_or("").to_string()
                            };
                            (t, local)
                        }
                    };
                    let aliased = name.kind() == "aliased_import";
                    let (orig, module) = if from {
                        let path = dotted.replace('.', "/");
                        let module = if base.is_empty() {
                            path
                        } else {
                            format!("{base}/{path}")
                        };
                        (dotted.rsplit('.').next().unwrap_or("").to_string(), module)
                    } else if aliased {
                        (
                            dotted.rsplit('.').next().unwrap_or("").to_string(),
                            dotted.replace('.', "/"),
                        )
                    } else {
                        (local.clone(), local.clone())
                    };
                    let binding = Binding {
                        orig,
                        module,
                        is_module: !from,
                    };
                    out.bindings.insert(local, binding);
                }
                continue;
            }
            _ => {}
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
}

/// The definitions a change touches, qualified (`f`, `Cls`, `Cls.m`), when every changed line
/// is inside a function or method body; `None` when a line runs at import (module-level code,
/// a decorator, a signature with its defaults, a class body outside its methods) or is in a
/// definition called implicitly (a `pytest_*` hook, a module-level dunder such as `__getattr__`).
pub fn changed_defs(fs: &FileSymbols, lines: &[(u32, u32)]) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let inside = |(a, b): (u32, u32), line: u32| a <= line && line <= b && a > 0;
    for &(a, b) in lines {
        for line in a..=b {
            let sym = fs
                .symbols
                .iter()
                .find(|s| s.start <= line && line <= s.end)?;
            if sym.name.starts_with("pytest_")
                || (sym.name.starts_with("__") && sym.name.ends_with("__"))
            {
                return None;
            }
            if let Some(body) = sym.body {
                if !inside(body, line) {
                    return None;
                }
                out.insert(sym.name.clone());
                continue;
            }
            let m = sym.methods.iter().find(|(m, _, _)| inside(m.body, line))?;
            out.insert(format!("{}.{}", sym.name, m.0.name));
        }
    }
    Some(out)
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
