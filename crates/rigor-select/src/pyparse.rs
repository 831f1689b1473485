//! What one Python file imports and defines, extracted with tree-sitter-python.
//!
//! For speed, only the statements that can import are handed to the parser: every line that
//! mentions `import`, `import_module`, `__import__` or `pytest_plugins`, extended over open
//! brackets and backslash continuations and dedented. Imports nested in functions, `try`,
//! `if TYPE_CHECKING:` all count (flattened). A docstring line that looks like an import may add a
//! spurious dependency, which only over-selects. Top-level names (for `from pkg import name`
//! through re-exports and `*`) come from column-0 definitions. tree-sitter is tolerant: a file
//! with syntax errors still yields the imports that parse.

use regex::Regex;
use std::collections::BTreeSet;
use std::sync::OnceLock;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Parser, Query, QueryCursor};

/// One import found in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Import {
    /// `import a.b.c` / `import a.b as x` / `importlib.import_module("a.b")` / `pytest_plugins`.
    #[serde(rename = "M")]
    Module {
        /// Dots before the name (relative `import_module(".x", pkg)`), usually 0.
        #[serde(rename = "v", default, skip_serializing_if = "is_zero")]
        level: u32,
        #[serde(rename = "d")]
        dotted: String,
        /// The local name bound when the import is `import X as Y` or `import X` (no dots);
        /// its attribute uses in the file are listed in `attrs`.
        #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
        binding: Option<String>,
        #[serde(rename = "a", default, skip_serializing_if = "BTreeSet::is_empty")]
        attrs: BTreeSet<String>,
        #[serde(rename = "l")]
        line: u32,
    },
    /// `from .mod import a, b as c` / `from pkg import *`.
    #[serde(rename = "F")]
    From {
        #[serde(rename = "v", default, skip_serializing_if = "is_zero")]
        level: u32,
        #[serde(rename = "m")]
        module: String,
        /// (name in the source module, local binding)
        #[serde(rename = "n", default, skip_serializing_if = "Vec::is_empty")]
        names: Vec<(String, String)>,
        #[serde(rename = "s", default, skip_serializing_if = "is_false")]
        star: bool,
        #[serde(rename = "l")]
        line: u32,
    },
}

impl Import {
    pub fn line(&self) -> u32 {
        match self {
            Import::Module { line, .. } | Import::From { line, .. } => *line,
        }
    }
}

/// The facts selection needs about one Python file.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PyFacts {
    #[serde(rename = "i", default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<Import>,
    /// Names defined at the top level (def, class, assignment).
    #[serde(rename = "d", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub defined: BTreeSet<String>,
    /// Base names of data files named in string literals (`"data/table.json"` → `table.json`).
    #[serde(rename = "r", default, skip_serializing_if = "BTreeSet::is_empty")]
    pub data_refs: BTreeSet<String>,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn import_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\bimport\b|import_module|__import__|pytest_plugins").unwrap())
}

/// Names defined at column 0: `def f`, `async def f`, `class C`, `NAME =`, `NAME: T =`.
fn top_level_names(text: &str, out: &mut BTreeSet<String>) {
    for line in text.lines() {
        let b = line.as_bytes();
        if b.is_empty() || !(b[0].is_ascii_alphabetic() || b[0] == b'_') {
            continue;
        }
        let rest = line
            .strip_prefix("async ")
            .map(str::trim_start)
            .unwrap_or(line);
        let (name_part, is_def) = if let Some(r) = rest
            .strip_prefix("def ")
            .or_else(|| rest.strip_prefix("class "))
        {
            (r.trim_start(), true)
        } else {
            (rest, false)
        };
        let end = name_part
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map(|(i, _)| i)
            .unwrap_or(name_part.len());
        if end == 0 {
            continue;
        }
        let name = &name_part[..end];
        if is_def {
            out.insert(name.to_string());
            continue;
        }
        if matches!(
            name,
            "if" | "for"
                | "while"
                | "with"
                | "try"
                | "import"
                | "from"
                | "return"
                | "del"
                | "assert"
                | "raise"
                | "global"
                | "elif"
                | "else"
                | "except"
                | "finally"
                | "match"
                | "case"
                | "pass"
        ) {
            continue;
        }
        let after = name_part[end..].trim_start();
        let is_assign = (after.starts_with('=') && !after.starts_with("=="))
            || (after.starts_with(':') && after.contains('=') && !after.contains("=="));
        if is_assign {
            out.insert(name.to_string());
        }
    }
}

/// Extensions treated as data files when named in a string literal.
pub const DATA_EXTENSIONS: &[&str] = &[
    "json", "yaml", "yml", "toml", "txt", "csv", "tsv", "ini", "cfg", "xml", "html", "htm", "dat",
    "bin", "pkl", "pickle", "npy", "npz", "gz", "bz2", "xz", "zip", "tar", "png", "jpg", "jpeg",
    "gif", "svg", "pem", "crt", "key", "sql", "db", "sqlite", "parquet", "wav", "pdf", "md", "rst",
    "j2", "jinja", "tmpl", "template", "in", "out", "expected", "golden", "proto",
];

fn data_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let exts = DATA_EXTENSIONS.join("|");
        Regex::new(&format!(r#"\.(?:{exts})["']"#)).unwrap()
    })
}

/// Base names of data files named in string literals: find `.ext"` then walk back to the quote.
fn data_refs(text: &str, out: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    for m in data_re().find_iter(text) {
        let quote = bytes[m.end() - 1];
        let mut start = m.start();
        while start > 0 {
            let c = bytes[start - 1];
            if c == quote {
                break;
            }
            if c.is_ascii_whitespace() || c == b'\\' {
                start = 0;
                break;
            }
            start -= 1;
        }
        if start == 0 {
            continue;
        }
        let lit = &text[start..m.end() - 1];
        let base = lit.rsplit('/').next().unwrap_or(lit);
        let stem_ok = base.len() > m.end() - 1 - m.start()
            && base
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c));
        if stem_ok {
            out.insert(base.to_string());
        }
    }
}

fn language() -> tree_sitter::Language {
    tree_sitter_python::LANGUAGE.into()
}

/// A reusable extractor (one tree-sitter parser per thread).
pub struct Extractor {
    parser: Parser,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    pub fn new() -> Extractor {
        let mut parser = Parser::new();
        parser
            .set_language(&language())
            .expect("tree-sitter-python matches the tree-sitter ABI");
        Extractor { parser }
    }

    /// Extract the facts of one file's source text.
    pub fn extract(&mut self, text: &str) -> PyFacts {
        let mut facts = PyFacts::default();
        top_level_names(text, &mut facts.defined);
        data_refs(text, &mut facts.data_refs);
        let (reduced, line_map) = reduce(text, &mut facts.imports);
        if !reduced.is_empty()
            && let Some(tree) = self.parser.parse(&reduced, None)
        {
            let src = reduced.as_bytes();
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                let line = line_map
                    .get(node.start_position().row)
                    .copied()
                    .unwrap_or(1);
                match node.kind() {
                    "import_statement" => module_imports(node, src, line, &mut facts.imports),
                    "import_from_statement" => from_import(node, src, line, &mut facts.imports),
                    "call" => call_import(node, src, line, &mut facts.imports),
                    "assignment" => plugins(node, src, line, &mut facts.imports),
                    _ => {
                        let mut cur = node.walk();
                        for child in node.named_children(&mut cur) {
                            stack.push(child);
                        }
                    }
                }
            }
        }
        facts.imports.sort_by_key(Import::line);
        // Attribute uses of bare module bindings (`import pkg as p` … `p.name`).
        for imp in &mut facts.imports {
            if let Import::Module {
                binding: Some(b),
                attrs,
                ..
            } = imp
            {
                *attrs = attribute_uses(text, b);
            }
        }
        facts
    }
}

/// The import-bearing statements of `text`, dedented, with the original line of each row.
/// The import-bearing statements of `text` that need the parser, dedented, with the original
/// line of each row; simple one-line `import a.b as c` / `from .x import a, b as c` statements
/// are read directly into `simple` (exactly what the parser would give, without its per-call cost).
fn reduce(text: &str, simple: &mut Vec<Import>) -> (String, Vec<u32>) {
    let re = import_re();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut map = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if !re.is_match(line) {
            i += 1;
            continue;
        }
        if let Some(imp) = simple_import(line, i as u32 + 1) {
            simple.push(imp);
            i += 1;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let mut depth: i32 = 0;
        let mut j = i;
        loop {
            let l = lines[j];
            let strip = (l.len() - l.trim_start().len()).min(indent);
            out.push_str(&l[strip..]);
            out.push('\n');
            map.push(j as u32 + 1);
            depth += bracket_delta(l);
            let cont = l.trim_end().ends_with('\\');
            j += 1;
            if j >= lines.len() || (depth <= 0 && !cont) || j - i > 200 {
                break;
            }
        }
        i = j;
    }
    (out, map)
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn is_dotted(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_ident)
}

/// `name` or `name as alias`, split on whitespace.
fn name_as(part: &str) -> Option<(String, Option<String>)> {
    let words: Vec<&str> = part.split_whitespace().collect();
    match words.as_slice() {
        [n] if is_dotted(n) => Some((n.to_string(), None)),
        [n, "as", a] if is_dotted(n) && is_ident(a) => Some((n.to_string(), Some(a.to_string()))),
        _ => None,
    }
}

/// A one-line `import …` or `from … import …` without brackets, continuations or `;`.
fn simple_import(line: &str, lineno: u32) -> Option<Import> {
    let code = match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    };
    let code = code.trim();
    if code.contains(['(', ')', '\\', ';', '"', '\'']) {
        return None;
    }
    if let Some(rest) = code.strip_prefix("import ") {
        let mut out = Vec::new();
        for part in rest.split(',') {
            out.push(name_as(part)?);
        }
        if out.len() != 1 {
            return None; // several names: the parser path keeps one Import per name
        }
        let (dotted, alias) = out.pop()?;
        let binding = alias.or_else(|| (!dotted.contains('.')).then(|| dotted.clone()));
        return Some(Import::Module {
            level: 0,
            dotted,
            binding,
            attrs: BTreeSet::new(),
            line: lineno,
        });
    }
    let rest = code.strip_prefix("from ")?;
    let (module_part, names_part) = rest.split_once(" import ")?;
    let module_part = module_part.trim();
    let level = module_part.chars().take_while(|c| *c == '.').count() as u32;
    let module = module_part[level as usize..].trim().to_string();
    let relative_only = module.is_empty() && level > 0;
    if !relative_only && !is_dotted(&module) {
        return None;
    }
    if module == "__future__" {
        return None;
    }
    let names_part = names_part.trim();
    if names_part == "*" {
        return Some(Import::From {
            level,
            module,
            names: Vec::new(),
            star: true,
            line: lineno,
        });
    }
    let mut names = Vec::new();
    for part in names_part.split(',') {
        if part.trim().is_empty() {
            continue; // trailing comma
        }
        let (n, a) = name_as(part)?;
        if n.contains('.') {
            return None;
        }
        names.push((n.clone(), a.unwrap_or(n)));
    }
    if names.is_empty() {
        return None;
    }
    Some(Import::From {
        level,
        module,
        names,
        star: false,
        line: lineno,
    })
}

/// Net open brackets on a line, ignoring those in simple string literals and comments.
fn bracket_delta(line: &str) -> i32 {
    let mut d = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '#' => break,
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => d += 1,
            ')' | ']' | '}' => d -= 1,
            _ => {}
        }
    }
    d
}

fn text<'a>(node: Node, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

fn dotted(node: Node, src: &[u8]) -> String {
    text(node, src).split_whitespace().collect::<String>()
}

fn module_imports(node: Node, src: &[u8], line: u32, out: &mut Vec<Import>) {
    let mut cur = node.walk();
    for name in node.children_by_field_name("name", &mut cur) {
        let (d, binding) = match name.kind() {
            "aliased_import" => {
                let d = name
                    .child_by_field_name("name")
                    .map(|n| dotted(n, src))
                    .unwrap_or_default();
                let alias = name
                    .child_by_field_name("alias")
                    .map(|n| text(n, src).to_string());
                (d, alias)
            }
            _ => {
                let d = dotted(name, src);
                let b = (!d.contains('.')).then(|| d.clone());
                (d, b)
            }
        };
        if !d.is_empty() {
            out.push(Import::Module {
                level: 0,
                dotted: d,
                binding,
                attrs: BTreeSet::new(),
                line,
            });
        }
    }
}

fn from_import(node: Node, src: &[u8], line: u32, out: &mut Vec<Import>) {
    let Some(m) = node.child_by_field_name("module_name") else {
        return;
    };
    let (level, module) = if m.kind() == "relative_import" {
        let mut level = 0;
        let mut module = String::new();
        let mut cur = m.walk();
        for c in m.named_children(&mut cur) {
            match c.kind() {
                "import_prefix" => {
                    level = text(c, src).chars().filter(|c| *c == '.').count() as u32
                }
                "dotted_name" => module = dotted(c, src),
                _ => {}
            }
        }
        (level, module)
    } else {
        (0, dotted(m, src))
    };
    let mut names = Vec::new();
    let mut cur = node.walk();
    for n in node.children_by_field_name("name", &mut cur) {
        match n.kind() {
            "aliased_import" => {
                let orig = n
                    .child_by_field_name("name")
                    .map(|x| dotted(x, src))
                    .unwrap_or_default();
                let alias = n
                    .child_by_field_name("alias")
                    .map(|x| text(x, src).to_string())
                    .unwrap_or_default();
                names.push((orig, alias));
            }
            _ => {
                let d = dotted(n, src);
                names.push((d.clone(), d));
            }
        }
    }
    let mut cur = node.walk();
    let star = node
        .named_children(&mut cur)
        .any(|c| c.kind() == "wildcard_import");
    out.push(Import::From {
        level,
        module,
        names,
        star,
        line,
    });
}

/// The value of a plain string literal node (no interpolation), without quotes or prefixes.
fn string_value(node: Node, src: &[u8]) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut cur = node.walk();
    let mut s = String::new();
    for c in node.named_children(&mut cur) {
        match c.kind() {
            "string_content" => s.push_str(text(c, src)),
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(s)
}

fn call_import(node: Node, src: &[u8], line: u32, out: &mut Vec<Import>) {
    let f = node
        .child_by_field_name("function")
        .map(|f| text(f, src))
        .unwrap_or("");
    let is_import = f == "__import__" || f == "import_module" || f.ends_with(".import_module");
    if let Some(args) = node.child_by_field_name("arguments") {
        let mut cur = args.walk();
        let vals: Vec<Option<String>> = args
            .named_children(&mut cur)
            .map(|a| string_value(a, src))
            .collect();
        if is_import && let Some(Some(name)) = vals.first() {
            let level = name.chars().take_while(|c| *c == '.').count() as u32;
            let rest = name.trim_start_matches('.').to_string();
            if level > 0 {
                // import_module(".x", "pkg") → pkg.x
                if let Some(Some(pkg)) = vals.get(1) {
                    let parts: Vec<&str> = pkg.split('.').collect();
                    let keep = parts.len().saturating_sub(level as usize - 1);
                    let mut d = parts[..keep].join(".");
                    if !rest.is_empty() {
                        d = if d.is_empty() {
                            rest
                        } else {
                            format!("{d}.{rest}")
                        };
                    }
                    out.push(Import::Module {
                        level: 0,
                        dotted: d,
                        binding: None,
                        attrs: BTreeSet::new(),
                        line,
                    });
                }
            } else if !rest.is_empty() {
                out.push(Import::Module {
                    level: 0,
                    dotted: rest,
                    binding: None,
                    attrs: BTreeSet::new(),
                    line,
                });
            }
        }
        // Nested calls in arguments (rare) are still visited.
        let mut cur = args.walk();
        for a in args.named_children(&mut cur) {
            visit_calls(a, src, line, out);
        }
    }
}

fn visit_calls(node: Node, src: &[u8], line: u32, out: &mut Vec<Import>) {
    if node.kind() == "call" {
        call_import(node, src, line, out);
        return;
    }
    let mut cur = node.walk();
    for c in node.named_children(&mut cur) {
        visit_calls(c, src, line, out);
    }
}

fn plugins(node: Node, src: &[u8], line: u32, out: &mut Vec<Import>) {
    let left = node
        .child_by_field_name("left")
        .map(|n| text(n, src))
        .unwrap_or("");
    let Some(right) = node.child_by_field_name("right") else {
        return;
    };
    if left != "pytest_plugins" {
        visit_calls(right, src, line, out);
        return;
    }
    let mut strings = Vec::new();
    if let Some(s) = string_value(right, src) {
        strings.push(s);
    } else {
        let mut cur = right.walk();
        for c in right.named_children(&mut cur) {
            if let Some(s) = string_value(c, src) {
                strings.push(s);
            }
        }
    }
    for s in strings {
        out.push(Import::Module {
            level: 0,
            dotted: s,
            binding: None,
            attrs: BTreeSet::new(),
            line,
        });
    }
}

/// Names `x` used as `binding.x` in `text` (not preceded by a word character or a dot).
pub fn attribute_uses(text: &str, binding: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let pat = format!("{binding}.");
    let mut start = 0;
    while let Some(pos) = text[start..].find(&pat) {
        let at = start + pos;
        start = at + pat.len();
        if at > 0 {
            let prev = bytes[at - 1];
            if prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'.' {
                continue;
            }
        }
        let rest = &text[start..];
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if end > 0 {
            out.insert(rest[..end].to_string());
        }
    }
    out
}

/// The line ranges of the statements that enclose `lines` in `source` (1-based, inclusive):
/// a change inside a multi-line statement counts for the whole statement, so a coverage map
/// that records only the statement's first line still sees it.
pub fn enclosing_statements(source: &str, lines: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut parser = Parser::new();
    if parser.set_language(&language()).is_err() {
        return lines.to_vec();
    }
    let Some(tree) = parser.parse(source, None) else {
        return lines.to_vec();
    };
    let query = statement_query();
    let mut cursor = QueryCursor::new();
    let mut out = lines.to_vec();
    let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
    while let Some(m) = matches.next() {
        for cap in m.captures() {
            let n = cap.node;
            let (s, e) = (
                n.start_position().row as u32 + 1,
                n.end_position().row as u32 + 1,
            );
            if e == s {
                continue;
            }
            // Compound statements: only their header (up to the body) counts; a decorated
            // definition's header runs from its first decorator to its `def`/`class` line.
            let inner = match n.kind() {
                "decorated_definition" => n.child_by_field_name("definition").unwrap_or(n),
                _ => n,
            };
            let e = match inner
                .child_by_field_name("body")
                .or_else(|| inner.child_by_field_name("consequence"))
            {
                Some(body) => (body.start_position().row as u32 + 1)
                    .saturating_sub(1)
                    .max(s),
                None => e,
            };
            if lines.iter().any(|&(a, b)| a <= e && s <= b) {
                out.push((s, e));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Names of the functions and classes that enclose `lines` (1-based, inclusive) in `source`.
pub fn enclosing_names(source: &str, lines: &[(u32, u32)]) -> Vec<String> {
    let mut parser = Parser::new();
    if parser.set_language(&language()).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(source, None) else {
        return Vec::new();
    };
    let src = source.as_bytes();
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let (s, e) = (
            n.start_position().row as u32 + 1,
            n.end_position().row as u32 + 1,
        );
        if !lines.iter().any(|&(a, b)| a <= e && s <= b) {
            continue;
        }
        if matches!(n.kind(), "function_definition" | "class_definition")
            && let Some(name) = n.child_by_field_name("name")
        {
            out.push(text(name, src).to_string());
        }
        let mut cur = n.walk();
        for c in n.named_children(&mut cur) {
            stack.push(c);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn statement_query() -> &'static Query {
    static Q: OnceLock<Query> = OnceLock::new();
    Q.get_or_init(|| {
        Query::new(
            &language(),
            "[(expression_statement) (return_statement) (assert_statement) (raise_statement) (delete_statement)
              (if_statement) (elif_clause) (while_statement) (for_statement) (with_statement)
              (function_definition) (class_definition) (decorated_definition) (match_statement)] @s",
        )
        .expect("valid statement query")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str) -> PyFacts {
        Extractor::new().extract(src)
    }

    fn modules(f: &PyFacts) -> Vec<String> {
        f.imports
            .iter()
            .map(|i| match i {
                Import::Module { level, dotted, .. } => {
                    format!("{}{dotted}", ".".repeat(*level as usize))
                }
                Import::From {
                    level,
                    module,
                    names,
                    star,
                    ..
                } => format!(
                    "{}{module}:{}{}",
                    ".".repeat(*level as usize),
                    names
                        .iter()
                        .map(|(a, b)| if a == b {
                            a.clone()
                        } else {
                            format!("{a} as {b}")
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    if *star { "*" } else { "" }
                ),
            })
            .collect()
    }

    #[test]
    fn finds_imports_everywhere_with_lines() {
        let src = r#"""Docstring."""
import os, sys as system
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from pkg.types import (
        Alpha,
        Beta as B,
    )
try:
    import ujson as json
except ImportError:
    import json

def f():
    from . import sibling
    from ..up.mod import thing
    return importlib.import_module("pkg.plugins.x")

mod = __import__("legacy")
rel = import_module(".sub", "pkg.inner")
pytest_plugins = ["pkg.fixtures", "pkg.more"]
from star import *
"#;
        let f = facts(src);
        assert_eq!(
            modules(&f),
            vec![
                "os",
                "sys",
                "typing:TYPE_CHECKING",
                "pkg.types:Alpha,Beta as B",
                "ujson",
                "json",
                ".:sibling",
                "..up.mod:thing",
                "pkg.plugins.x",
                "legacy",
                "pkg.inner.sub",
                "pkg.fixtures",
                "pkg.more",
                "star:*"
            ]
        );
        assert_eq!(f.imports[3].line(), 5);
        assert!(
            f.defined.contains("f")
                && f.defined.contains("mod")
                && f.defined.contains("pytest_plugins")
        );
    }

    #[test]
    fn the_simple_line_reader_agrees_with_tree_sitter() {
        let lines = [
            "import os",
            "import a.b.c",
            "import a.b as c",
            "    import json  # noqa",
            "from . import x",
            "from .. import x as y, z",
            "from ..pkg.mod import a, b as c,",
            "from pkg import *",
            "from pkg.sub import name",
            "from   pkg   import   name   as   other",
        ];
        for line in lines {
            let simple = simple_import(line, 1).unwrap_or_else(|| panic!("simple: {line}"));
            // The parser's view of the same statement (dedented, as `reduce` would pass it).
            let mut parser = Parser::new();
            parser.set_language(&language()).unwrap();
            let src = format!("{}\n", line.trim_start());
            let tree = parser.parse(&src, None).unwrap();
            let mut out = Vec::new();
            let root = tree.root_node();
            let node = root.named_child(0).unwrap();
            match node.kind() {
                "import_statement" => module_imports(node, src.as_bytes(), 1, &mut out),
                "import_from_statement" => from_import(node, src.as_bytes(), 1, &mut out),
                k => panic!("{k}"),
            }
            assert_eq!(out, vec![simple], "{line}");
        }
        for not_simple in [
            "import os, sys",
            "from x import (a,",
            "x = 'import'",
            "from __future__ import annotations",
            "import a; import b",
        ] {
            assert_eq!(simple_import(not_simple, 1), None, "{not_simple}");
        }
    }

    #[test]
    fn broken_files_still_yield_their_imports() {
        let f = facts("import good\ndef broken(:\n    pass\nfrom other import thing\n");
        assert_eq!(modules(&f), vec!["good", "other:thing"]);
    }

    #[test]
    fn attribute_uses_of_bindings() {
        let f = facts(
            "import more_itertools as mi\nx = mi.chunked([1], 2)\ny = mi.first(x)\nz = notmi.other\n",
        );
        match &f.imports[0] {
            Import::Module { attrs, .. } => assert_eq!(
                attrs.iter().cloned().collect::<Vec<_>>(),
                vec!["chunked", "first"]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn data_file_references() {
        let f = facts(
            "P = Path(__file__).parent / 'data' / \"table.json\"\nQ = open('fixtures/x.csv')\nR = 'no.ext'\n",
        );
        assert_eq!(
            f.data_refs.iter().cloned().collect::<Vec<_>>(),
            vec!["table.json", "x.csv"]
        );
    }

    #[test]
    fn enclosing_statement_of_a_continuation_line() {
        let src = "def f(a):\n    x = g(\n        a,\n        2,\n    )\n    return x\n";
        let r = enclosing_statements(src, &[(4, 4)]);
        assert!(r.contains(&(2, 5)), "{r:?}");
        assert!(
            !r.contains(&(1, 1)),
            "a body change does not widen to the def header: {r:?}"
        );
    }

    #[test]
    fn a_body_change_of_a_decorated_function_does_not_widen_to_its_decorators() {
        let src = "@deco\n@other(1)\ndef f(a):\n    if a:\n        y = 1\n    return y\n";
        let r = enclosing_statements(src, &[(5, 5)]);
        assert!(r.contains(&(5, 5)), "{r:?}");
        assert!(
            r.iter().all(|&(s, _)| s >= 4),
            "only the if and its body: {r:?}"
        );
        // A decorator change is the header: decorators through the def line.
        let r = enclosing_statements(src, &[(2, 2)]);
        assert!(r.contains(&(1, 3)), "{r:?}");
    }
}
