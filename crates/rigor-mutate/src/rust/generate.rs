//! Rust mutants from syn syntax trees: operator swaps, unary deletions, constants, return
//! values, negated conditions and deleted calls, inside function bodies only.
//!
//! Skipped: `#[cfg(test)]` and `#[test]` items (and `#[mutants::skip]`), `const`/`static`
//! initialisers, `const fn`s and `unsafe` code, macro invocations (their tokens are opaque:
//! `println!`, `debug!`, `assert!` …), patterns, types and attributes, `let` chains, and
//! obvious equivalents (a return value equal to the body, negating a `!c` condition).

use super::span::LineIndex;
use crate::error::{MutateError, Result};
use crate::model::{Mutant, Operator};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ReturnType, Type, UnOp};

/// Every mutant of one Rust file, in source order (ids are 0; the caller numbers them).
pub fn mutants(file: &str, source: &str) -> Result<Vec<Mutant>> {
    let ast = syn::parse_file(source).map_err(|e| MutateError::Syntax {
        path: file.to_string(),
        line: e.span().start().line as u32,
        message: e.to_string(),
    })?;
    let ix = LineIndex::new(source);
    let mut g = Gen {
        ix: &ix,
        src: source,
        file,
        out: Vec::new(),
        names: Vec::new(),
        in_body: 0,
    };
    g.visit_file(&ast);
    let mut out = g.out;
    out.sort_by_key(|m| (m.start, m.end, m.replacement.clone()));
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.replacement == b.replacement);
    Ok(out)
}

/// The binary operator replacements (original → replacements, kind).
pub fn binary_replacements(op: &str) -> (&'static [&'static str], Operator) {
    use Operator::*;
    match op {
        "<" => (&["<=", "=="], Comparison),
        "<=" => (&["<", ">"], Comparison),
        ">" => (&[">=", "=="], Comparison),
        ">=" => (&[">", "<"], Comparison),
        "==" => (&["!="], Comparison),
        "!=" => (&["=="], Comparison),
        "+" => (&["-", "*"], Arithmetic),
        "-" => (&["+", "/"], Arithmetic),
        "*" => (&["+", "/"], Arithmetic),
        "/" => (&["*", "%"], Arithmetic),
        "%" => (&["/", "+"], Arithmetic),
        "<<" => (&[">>"], Arithmetic),
        ">>" => (&["<<"], Arithmetic),
        "&" => (&["|", "^"], Arithmetic),
        "|" => (&["&", "^"], Arithmetic),
        "^" => (&["|", "&"], Arithmetic),
        "+=" => (&["-=", "*="], Arithmetic),
        "-=" => (&["+=", "/="], Arithmetic),
        "*=" => (&["+=", "/="], Arithmetic),
        "/=" => (&["*=", "%="], Arithmetic),
        "%=" => (&["/=", "+="], Arithmetic),
        "<<=" => (&[">>="], Arithmetic),
        ">>=" => (&["<<="], Arithmetic),
        "&=" => (&["|=", "^="], Arithmetic),
        "|=" => (&["&=", "^="], Arithmetic),
        "^=" => (&["|=", "&="], Arithmetic),
        "&&" => (&["||"], Boolean),
        "||" => (&["&&"], Boolean),
        _ => (&[], Comparison),
    }
}

/// Values a function returning `ty` may return instead of its body (empty: none).
pub fn return_values(ty: &ReturnType) -> Vec<String> {
    let ty = match ty {
        ReturnType::Default => return vec!["()".into()],
        ReturnType::Type(_, ty) => ty.as_ref(),
    };
    let v: &[&str] = match ty {
        Type::Tuple(t) if t.elems.is_empty() => &["()"],
        Type::Reference(r) => match r.elem.as_ref() {
            Type::Path(p) if p.path.is_ident("str") => &["\"\""],
            _ => &[],
        },
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return Vec::new();
            };
            match last.ident.to_string().as_str() {
                "bool" => &["true", "false"],
                "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => &["0", "1"],
                "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => &["0", "1", "-1"],
                "f32" | "f64" => &["0.0", "1.0"],
                "String" => &["String::new()", "\"xyzzy\".into()"],
                "Option" => &["None"],
                "Result" => &["Ok(Default::default())"],
                "Vec" => &["Vec::new()"],
                _ => &["Default::default()"],
            }
        }
        _ => &[],
    };
    v.iter().map(|s| s.to_string()).collect()
}

/// Attributes that take an item out of mutation: tests, test-only code, `mutants::skip`.
fn skipped(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        let last = path.segments.last().map(|s| s.ident.to_string());
        if last.as_deref() == Some("test") {
            return true;
        }
        if path.segments.len() == 2 && last.as_deref() == Some("skip") {
            return true;
        }
        if let (true, syn::Meta::List(l)) = (path.is_ident("cfg"), &a.meta) {
            return l.tokens.to_string().trim() == "test";
        }
        false
    })
}

/// Does a condition hold a `let` (an `if let` or a let chain)? Its operators cannot change.
fn has_let(e: &Expr) -> bool {
    match e {
        Expr::Let(_) => true,
        Expr::Binary(b) => has_let(&b.left) || has_let(&b.right),
        Expr::Paren(p) => has_let(&p.expr),
        _ => false,
    }
}

struct Gen<'a> {
    ix: &'a LineIndex<'a>,
    src: &'a str,
    file: &'a str,
    out: Vec<Mutant>,
    /// Enclosing impl/trait types and functions, for `Type::method` names.
    names: Vec<String>,
    /// Depth of mutable function bodies we are in.
    in_body: usize,
}

impl Gen<'_> {
    fn function(&self) -> String {
        self.names.join("::")
    }

    /// Record a mutant of the bytes `start..end` inside the switched expression
    /// `expr_start..expr_end`.
    fn push(&mut self, op: Operator, range: (usize, usize), expr: (usize, usize), repl: &str) {
        let (start, end) = range;
        if start > end || end > self.src.len() || expr.0 > start || expr.1 < end {
            return;
        }
        let (line, column) = self.ix.line_col(start);
        let (end_line, end_column) = self.ix.line_col(end);
        self.out.push(Mutant {
            id: 0,
            file: self.file.to_string(),
            line,
            column,
            end_line,
            end_column,
            start,
            end,
            expr_start: expr.0,
            expr_end: expr.1,
            operator: op,
            original: self.src[start..end].to_string(),
            replacement: repl.to_string(),
            function: self.function(),
        });
    }

    /// A function body: return-value mutants, then the mutants inside it.
    fn body(&mut self, name: String, sig: &syn::Signature, block: &syn::Block) {
        if sig.constness.is_some() || matches!(sig.safety, syn::Safety::Unsafe(_)) {
            return;
        }
        self.names.push(name);
        let open = self.ix.offset(block.brace_token.span.open().end());
        let close = self.ix.offset(block.brace_token.span.close().start());
        let inner = self.src.get(open..close).unwrap_or("").trim();
        let has_inner_attrs = inner.starts_with("#!");
        if sig.asyncness.is_none() && !block.stmts.is_empty() && !has_inner_attrs {
            for v in return_values(&sig.output) {
                if inner != v {
                    self.push(Operator::ReturnValue, (open, close), (open, close), &v);
                }
            }
        }
        self.in_body += 1;
        visit::visit_block(self, block);
        self.in_body -= 1;
        self.names.pop();
    }

    fn binary(&mut self, b: &syn::ExprBinary) {
        if has_let(&b.left) || has_let(&b.right) {
            return;
        }
        let (es, ee) = self.ix.range(b.span());
        let (os, oe) = self.ix.range(b.op.span());
        let Some(op) = self.src.get(os..oe) else {
            return;
        };
        let (repls, kind) = binary_replacements(op);
        for r in repls {
            self.push(kind, (os, oe), (es, ee), r);
        }
    }

    fn literal(&mut self, l: &syn::ExprLit) {
        let (s, e) = self.ix.range(l.span());
        match &l.lit {
            syn::Lit::Bool(b) => {
                let r = if b.value { "false" } else { "true" };
                self.push(Operator::Constant, (s, e), (s, e), r);
            }
            syn::Lit::Int(i) => {
                let digits = i.base10_digits();
                let text = &self.src[s..e];
                if !text.starts_with(digits) {
                    return; // hexadecimal, octal, binary or `_`-separated spellings
                }
                let Ok(n) = digits.parse::<u64>() else {
                    return;
                };
                let Some(n1) = n.checked_add(1) else {
                    return;
                };
                let r = format!("{n1}{}", i.suffix());
                self.push(Operator::Constant, (s, e), (s, e), &r);
            }
            _ => {}
        }
    }

    fn condition(&mut self, cond: &Expr) {
        if has_let(cond) || matches!(cond, Expr::Unary(u) if matches!(u.op, UnOp::Not(_))) {
            return;
        }
        let (s, e) = self.ix.range(cond.span());
        let r = format!("!({})", &self.src[s..e]);
        self.push(Operator::Condition, (s, e), (s, e), &r);
    }
}

impl<'ast> Visit<'ast> for Gen<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !skipped(&f.attrs) {
            self.body(f.sig.ident.to_string(), &f.sig, &f.block);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !skipped(&f.attrs) {
            self.body(f.sig.ident.to_string(), &f.sig, &f.block);
        }
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let (false, Some(block)) = (skipped(&f.attrs), &f.default) {
            self.body(f.sig.ident.to_string(), &f.sig, block);
        }
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if skipped(&i.attrs) || i.unsafety.is_some() {
            return;
        }
        let name = match i.self_ty.as_ref() {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        self.names.push(name.unwrap_or_else(|| "impl".into()));
        let depth = std::mem::take(&mut self.in_body);
        visit::visit_item_impl(self, i);
        self.in_body = depth;
        self.names.pop();
    }
    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        if skipped(&t.attrs) || t.unsafety.is_some() {
            return;
        }
        self.names.push(t.ident.to_string());
        visit::visit_item_trait(self, t);
        self.names.pop();
    }
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !skipped(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_const(&mut self, _: &'ast syn::ItemConst) {}
    fn visit_item_static(&mut self, _: &'ast syn::ItemStatic) {}
    fn visit_impl_item_const(&mut self, _: &'ast syn::ImplItemConst) {}
    fn visit_trait_item_const(&mut self, _: &'ast syn::TraitItemConst) {}
    fn visit_expr_unsafe(&mut self, _: &'ast syn::ExprUnsafe) {}
    fn visit_expr_const(&mut self, _: &'ast syn::ExprConst) {}
    fn visit_pat(&mut self, _: &'ast syn::Pat) {}
    fn visit_type(&mut self, _: &'ast syn::Type) {}
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
    fn visit_macro(&mut self, _: &'ast syn::Macro) {}
    fn visit_generic_argument(&mut self, _: &'ast syn::GenericArgument) {}

    fn visit_expr_repeat(&mut self, r: &'ast syn::ExprRepeat) {
        self.visit_expr(&r.expr);
    }
    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if self.in_body > 0 {
            self.binary(b);
        }
        visit::visit_expr_binary(self, b);
    }
    fn visit_expr_unary(&mut self, u: &'ast syn::ExprUnary) {
        if self.in_body > 0 && matches!(u.op, UnOp::Not(_) | UnOp::Neg(_)) {
            let (es, ee) = self.ix.range(u.span());
            let (os, oe) = self.ix.range(u.op.span());
            self.push(Operator::Unary, (os, oe), (es, ee), "");
        }
        visit::visit_expr_unary(self, u);
    }
    fn visit_expr_lit(&mut self, l: &'ast syn::ExprLit) {
        if self.in_body > 0 {
            self.literal(l);
        }
    }
    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        if self.in_body > 0 {
            self.condition(&i.cond);
        }
        visit::visit_expr_if(self, i);
    }
    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        if self.in_body > 0 {
            self.condition(&w.cond);
        }
        visit::visit_expr_while(self, w);
    }
    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        if let (true, syn::Stmt::Expr(e @ (Expr::Call(_) | Expr::MethodCall(_)), Some(_))) =
            (self.in_body > 0, s)
        {
            let (a, b) = self.ix.range(e.span());
            self.push(Operator::CallDeletion, (a, b), (a, b), "()");
        }
        visit::visit_stmt(self, s);
    }
}
