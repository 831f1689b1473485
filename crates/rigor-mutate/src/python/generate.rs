//! Python mutants from tree-sitter-python syntax trees.
//!
//! Only code inside function bodies is mutated: module and class bodies, decorators and default
//! values run once at import, before any mutant can be switched on, so their mutants could
//! never be killed by the switch. Skipped as code that cannot matter: docstrings (bare string
//! statements), type annotations, parameters, `case` patterns, f-strings, implicitly
//! concatenated strings and logging calls (`logging.*`, `logger.*`, `log.*`, `warnings.warn`).

use crate::error::{MutateError, Result};
use crate::model::{Mutant, Operator};
use crate::operators;
use tree_sitter::{Node, Parser};

/// The tree-sitter Python grammar.
pub fn language() -> tree_sitter::Language {
    tree_sitter_python::LANGUAGE.into()
}

/// Parse Python source; `None` only if tree-sitter gives up (it normally returns a tree with
/// ERROR nodes instead).
pub fn parse(source: &str) -> Option<tree_sitter::Tree> {
    let mut p = Parser::new();
    p.set_language(&language()).ok()?;
    p.parse(source, None)
}

/// The first syntax error of `source` (1-based line), if any.
pub fn syntax_error(source: &str) -> Option<(u32, String)> {
    let Some(tree) = parse(source) else {
        return Some((1, "the parser gave up".into()));
    };
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            let what = if n.is_missing() {
                format!("missing `{}`", n.kind())
            } else {
                "invalid syntax".to_string()
            };
            return Some((n.start_position().row as u32 + 1, what));
        }
        for c in n
            .children(&mut cursor)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            if c.has_error() || c.is_missing() || c.is_error() {
                stack.push(c);
            }
        }
    }
    Some((1, "invalid syntax".into()))
}

/// Every mutant of one file (ids are 0; the caller numbers them run-wide).
pub fn mutants(path: &str, source: &str) -> Result<Vec<Mutant>> {
    if let Some((line, message)) = syntax_error(source) {
        return Err(MutateError::Syntax {
            path: path.to_string(),
            line,
            message,
        });
    }
    let tree = parse(source).ok_or_else(|| MutateError::Syntax {
        path: path.to_string(),
        line: 1,
        message: "the parser gave up".into(),
    })?;
    let mut g = Gen {
        path,
        src: source,
        out: Vec::new(),
        names: Vec::new(),
    };
    g.visit(tree.root_node(), false);
    g.out
        .sort_by_key(|m| (m.start, m.end, m.expr_start, m.replacement.clone()));
    Ok(g.out)
}

struct Gen<'a> {
    path: &'a str,
    src: &'a str,
    out: Vec<Mutant>,
    /// Enclosing class and function names.
    names: Vec<String>,
}

/// Node kinds whose subtree is never mutated.
const SKIP: &[&str] = &[
    "decorator",
    "parameters",
    "lambda_parameters",
    "type",
    "type_parameter",
    "case_pattern",
    "concatenated_string",
    "import_statement",
    "import_from_statement",
    "future_import_statement",
    "global_statement",
    "nonlocal_statement",
    "comment",
];

/// Receivers whose calls are logging.
const LOGGERS: &[&str] = &[
    "logging",
    "logger",
    "log",
    "_log",
    "_logger",
    "LOG",
    "LOGGER",
    "self.log",
    "self.logger",
    "self._log",
    "self._logger",
    "cls.logger",
];

impl<'a> Gen<'a> {
    fn text(&self, n: Node) -> &'a str {
        &self.src[n.byte_range()]
    }

    fn visit(&mut self, n: Node, in_fn: bool) {
        let kind = n.kind();
        if SKIP.contains(&kind) || self.is_docstring(n) || self.is_logging_call(n) {
            return;
        }
        if kind == "string" && self.has_interpolation(n) {
            return;
        }
        match kind {
            "function_definition" => return self.function(n),
            "class_definition" => return self.class(n, in_fn),
            _ => {}
        }
        if in_fn {
            self.here(n);
        }
        let mut cursor = n.walk();
        let kids: Vec<Node> = n.children(&mut cursor).collect();
        for c in kids {
            self.visit(c, in_fn);
        }
    }

    fn function(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .map(|c| self.text(c).to_string())
            .unwrap_or_default();
        self.names.push(name);
        if let Some(body) = n.child_by_field_name("body") {
            self.visit(body, true);
        }
        self.names.pop();
    }

    fn class(&mut self, n: Node, in_fn: bool) {
        let name = n
            .child_by_field_name("name")
            .map(|c| self.text(c).to_string())
            .unwrap_or_default();
        self.names.push(name);
        if let Some(body) = n.child_by_field_name("body") {
            self.visit(body, in_fn);
        }
        self.names.pop();
    }

    fn is_docstring(&self, n: Node) -> bool {
        n.kind() == "expression_statement"
            && n.named_child_count() == 1
            && n.named_child(0)
                .is_some_and(|c| matches!(c.kind(), "string" | "concatenated_string"))
    }

    fn is_logging_call(&self, n: Node) -> bool {
        if n.kind() != "call" {
            return false;
        }
        let Some(f) = n.child_by_field_name("function") else {
            return false;
        };
        let t = self.text(f);
        if t == "warnings.warn" {
            return true;
        }
        t.rsplit_once('.')
            .is_some_and(|(recv, _)| LOGGERS.contains(&recv))
    }

    fn has_interpolation(&self, n: Node) -> bool {
        let mut c = n.walk();
        let has = n.children(&mut c).any(|k| k.kind() == "interpolation");
        has || {
            let start = self
                .text(n)
                .trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let prefix = &self.text(n)[..self.text(n).len() - start.len()];
            prefix.contains(['f', 'F', 'b', 'B', 't', 'T'])
        }
    }

    /// Mutants of the node itself (its children are visited by the caller).
    fn here(&mut self, n: Node) {
        match n.kind() {
            "comparison_operator" => self.comparison(n),
            "binary_operator" | "boolean_operator" => self.binary(n),
            "not_operator" => {
                if let Some(arg) = n.child_by_field_name("argument") {
                    let r = self.text(arg).to_string();
                    self.push(n, n, Operator::Unary, r);
                }
            }
            "unary_operator" => {
                let op = n.child_by_field_name("operator").map(|o| self.text(o));
                if let (Some("-" | "~"), Some(arg)) = (op, n.child_by_field_name("argument")) {
                    let r = self.text(arg).to_string();
                    self.push(n, n, Operator::Unary, r);
                }
            }
            "integer" => {
                if let Some(r) = operators::integer(self.text(n)) {
                    self.push(n, n, Operator::Constant, r);
                }
            }
            "float" => {
                if let Some(r) = operators::float(self.text(n)) {
                    self.push(n, n, Operator::Constant, r);
                }
            }
            "true" => self.push(n, n, Operator::Constant, "False".into()),
            "false" => self.push(n, n, Operator::Constant, "True".into()),
            "string" => self.string(n),
            "return_statement" => self.return_value(n),
            "if_statement" | "elif_clause" | "while_statement" => {
                // Negating `not x` is the unary mutant `x` again: an obvious equivalent.
                if let Some(c) = n.child_by_field_name("condition")
                    && c.kind() != "not_operator"
                {
                    let r = format!("not ({})", self.text(c));
                    self.push(c, c, Operator::Condition, r);
                }
            }
            "expression_statement" => {
                if n.named_child_count() == 1
                    && let Some(c) = n.named_child(0)
                    && c.kind() == "call"
                    && !self.is_logging_call(c)
                    && !self.text(c).starts_with("super(")
                {
                    self.push(c, c, Operator::CallDeletion, "None".into());
                }
            }
            _ => {}
        }
    }

    fn comparison(&mut self, n: Node) {
        // Chains (`a < b < c`) are left alone: one operator per mutant keeps them readable.
        if n.named_child_count() != 2 {
            return;
        }
        let mut c = n.walk();
        let ops: Vec<Node> = n.children(&mut c).filter(|k| !k.is_named()).collect();
        let [op] = ops.as_slice() else { return };
        let norm = self
            .text(*op)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(r) = operators::comparison(&norm) {
            // `x == None` ↔ `x != None` … are real mutants; nothing is an obvious equivalent.
            self.push(*op, n, Operator::Comparison, r.into());
        }
    }

    fn binary(&mut self, n: Node) {
        let Some(op) = n.child_by_field_name("operator") else {
            return;
        };
        let t = self.text(op);
        let Some((kind, r)) = operators::kind_of_binary(t) else {
            return;
        };
        self.push(op, n, kind, r.into());
    }

    fn string(&mut self, n: Node) {
        let mut c = n.walk();
        let kids: Vec<Node> = n.children(&mut c).collect();
        let (Some(s), Some(e)) = (kids.first(), kids.last()) else {
            return;
        };
        if s.kind() != "string_start" || e.kind() != "string_end" {
            return;
        }
        let text = self.text(n);
        let open = &self.src[s.byte_range()];
        let body = &self.src[s.end_byte()..e.start_byte()];
        let close = &self.src[e.byte_range()];
        let r = format!("{open}XX{body}XX{close}");
        debug_assert!(text.len() + 4 == r.len());
        self.push(n, n, Operator::Constant, r);
    }

    fn return_value(&mut self, n: Node) {
        let Some(v) = n.named_child(0) else { return };
        if v.kind() == "none" || v.kind() == "comment" {
            return;
        }
        self.push(v, v, Operator::ReturnValue, "None".into());
    }

    fn push(&mut self, token: Node, expr: Node, operator: Operator, replacement: String) {
        let original = self.text(token).to_string();
        if original == replacement {
            return;
        }
        let (sp, ep) = (token.start_position(), token.end_position());
        self.out.push(Mutant {
            id: 0,
            file: self.path.to_string(),
            line: sp.row as u32 + 1,
            column: sp.column as u32 + 1,
            end_line: ep.row as u32 + 1,
            end_column: ep.column as u32 + 1,
            start: token.start_byte(),
            end: token.end_byte(),
            expr_start: expr.start_byte(),
            expr_end: expr.end_byte(),
            operator,
            original,
            replacement,
            function: self.names.join("."),
        });
    }
}
