//! The selector language:
//!
//! ```text
//! expr    := or
//! or      := and ( ("|" | "or") and )*
//! and     := unary ( ("&" | "and") unary )*
//! unary   := ("not" | "!") unary | "(" expr ")" | call
//! call    := all() | none() | suite(NAME) | test(TEXT) | test(/REGEX/) | path(GLOB)
//!          | marker(NAME) | slower(DURATION) | faster(DURATION) | failed() | new()
//! ```
//!
//! Arguments are bare words or quoted strings. `test(text)` matches a substring of the test id;
//! `path(glob)` matches the test's file; `slower`/`faster` compare the expected duration from
//! history; `failed()` = failed in the last run on this branch; `new()` = not in the history.

use globset::{Glob, GlobMatcher};
use regex::Regex;
use rigor_model::TestCase;
use rigor_model::duration::parse_duration;
use std::fmt;
use thiserror::Error;

/// What a selector may ask of the history about a test.
pub trait Facts {
    /// Expected duration in seconds, if the test has history.
    fn estimate(&self, test: &TestCase) -> Option<f64>;
    /// Failed in the last run on this branch.
    fn failed_last(&self, test: &TestCase) -> bool;
    /// Not in the history.
    fn is_new(&self, test: &TestCase) -> bool;
}

/// Facts of an empty history (every test is new).
pub struct NoHistory;

impl Facts for NoHistory {
    fn estimate(&self, _: &TestCase) -> Option<f64> {
        None
    }
    fn failed_last(&self, _: &TestCase) -> bool {
        false
    }
    fn is_new(&self, _: &TestCase) -> bool {
        true
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
#[error("{message} at column {column}\n  {source_text}\n  {caret}\n  hint: {hint}")]
pub struct ParseError {
    pub message: String,
    /// 1-based column in the expression.
    pub column: usize,
    pub hint: String,
    pub source_text: String,
    caret: String,
}

impl ParseError {
    fn new(text: &str, pos: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        let column = text[..pos.min(text.len())].chars().count() + 1;
        ParseError {
            message: message.into(),
            column,
            hint: hint.into(),
            source_text: text.to_string(),
            caret: format!("{}^", " ".repeat(column - 1)),
        }
    }
}

/// A parsed selector.
#[derive(Debug, Clone)]
pub enum Selector {
    All,
    None,
    Suite(String),
    TestText(String),
    TestRegex(Regex),
    Path(String, GlobMatcher),
    Marker(String),
    Slower(f64),
    Faster(f64),
    Failed,
    New,
    Not(Box<Selector>),
    And(Box<Selector>, Box<Selector>),
    Or(Box<Selector>, Box<Selector>),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::All => write!(f, "all()"),
            Selector::None => write!(f, "none()"),
            Selector::Suite(s) => write!(f, "suite({})", quote(s)),
            Selector::TestText(s) => write!(f, "test({})", quote(s)),
            Selector::TestRegex(r) => write!(f, "test(/{}/)", r.as_str()),
            Selector::Path(g, _) => write!(f, "path({})", quote(g)),
            Selector::Marker(m) => write!(f, "marker({})", quote(m)),
            Selector::Slower(s) => write!(f, "slower({s}s)"),
            Selector::Faster(s) => write!(f, "faster({s}s)"),
            Selector::Failed => write!(f, "failed()"),
            Selector::New => write!(f, "new()"),
            Selector::Not(e) => write!(f, "not {e}"),
            Selector::And(a, b) => write!(f, "({a} & {b})"),
            Selector::Or(a, b) => write!(f, "({a} | {b})"),
        }
    }
}

fn quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_alphanumeric() || "_-./*:".contains(c))
        && !s.is_empty()
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, ParseError> {
        let mut p = Parser {
            text,
            pos: 0,
            depth: 0,
            operators: 0,
        };
        p.skip_ws();
        if p.pos >= text.len() {
            return Err(ParseError::new(
                text,
                0,
                "empty selector",
                "write e.g. `all()` or `not marker(slow)`",
            ));
        }
        let e = p.or()?;
        p.skip_ws();
        if p.pos < text.len() {
            return Err(ParseError::new(
                text,
                p.pos,
                format!(
                    "unexpected `{}`",
                    &text[p.pos..].chars().next().unwrap_or(' ')
                ),
                "combine selectors with `|`, `&` and `not`, and close every parenthesis",
            ));
        }
        Ok(e)
    }

    pub fn matches(&self, t: &TestCase, facts: &dyn Facts) -> bool {
        match self {
            Selector::All => true,
            Selector::None => false,
            Selector::Suite(s) => &t.key.suite == s,
            Selector::TestText(s) => t.key.id.contains(s.as_str()),
            Selector::TestRegex(r) => r.is_match(&t.key.id),
            Selector::Path(_, g) => {
                let file = t
                    .file
                    .as_deref()
                    .unwrap_or_else(|| t.key.id.split("::").next().unwrap_or(""));
                g.is_match(file)
            }
            Selector::Marker(m) => t.markers.iter().any(|x| x == m),
            Selector::Slower(s) => facts.estimate(t).is_some_and(|e| e > *s),
            Selector::Faster(s) => facts.estimate(t).is_some_and(|e| e < *s),
            Selector::Failed => facts.failed_last(t),
            Selector::New => facts.is_new(t),
            Selector::Not(e) => !e.matches(t, facts),
            Selector::And(a, b) => a.matches(t, facts) && b.matches(t, facts),
            Selector::Or(a, b) => a.matches(t, facts) || b.matches(t, facts),
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// Open parentheses and `not`s around the current position.
    depth: usize,
    /// `not`, `&` and `|` read so far.
    operators: usize,
}

/// The deepest nesting of parentheses and `not` a selector may have. Parsing and matching
/// recurse, so a bound keeps a hostile selector from overflowing the stack.
pub const MAX_DEPTH: usize = 100;

/// The most operators (`not`, `&`, `|`) a selector may have: each adds a level to the tree that
/// matching walks.
pub const MAX_OPERATORS: usize = 1000;

const FUNCTIONS: &str = "all(), none(), suite(NAME), test(TEXT|/REGEX/), path(GLOB), marker(NAME), slower(DUR), faster(DUR), failed(), new()";

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }
    fn skip_ws(&mut self) {
        while let Some(c) = self.rest().chars().next() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }
    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(token) {
            let is_word = token.chars().all(|c| c.is_ascii_alphabetic());
            let next = self.rest()[token.len()..].chars().next();
            if is_word && next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '(') {
                return false;
            }
            self.pos += token.len();
            return true;
        }
        false
    }
    /// One more level of nesting (a parenthesis or `not` just read), within [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                self.text,
                self.pos,
                format!(
                    "selector nested too deeply (more than {MAX_DEPTH} levels of parentheses and `not`)"
                ),
                "simplify the selector: `not not X` is X, and parentheses around a single term can go",
            ));
        }
        Ok(())
    }
    /// One more operator (just read), within [`MAX_OPERATORS`].
    fn operator(&mut self) -> Result<(), ParseError> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(ParseError::new(
                self.text,
                self.pos,
                format!("selector has too many operators (more than {MAX_OPERATORS})"),
                "select by path(GLOB), marker(NAME) or test(/REGEX/) instead of listing tests one by one",
            ));
        }
        Ok(())
    }
    fn or(&mut self) -> Result<Selector, ParseError> {
        let mut left = self.and()?;
        while self.eat("|") || self.eat("or") {
            self.operator()?;
            let right = self.and()?;
            left = Selector::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Selector, ParseError> {
        let mut left = self.unary()?;
        while self.eat("&") || self.eat("and") {
            self.operator()?;
            let right = self.unary()?;
            left = Selector::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Selector, ParseError> {
        if self.eat("not") || self.eat("!") {
            self.operator()?;
            self.enter()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Selector::Not(Box::new(e)));
        }
        if self.eat("(") {
            self.enter()?;
            let e = self.or()?;
            self.depth -= 1;
            if !self.eat(")") {
                return Err(ParseError::new(
                    self.text,
                    self.pos,
                    "expected `)`",
                    "close the parenthesis opened before",
                ));
            }
            return Ok(e);
        }
        self.call()
    }
    fn call(&mut self) -> Result<Selector, ParseError> {
        self.skip_ws();
        let start = self.pos;
        let name: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            let found = self
                .rest()
                .chars()
                .next()
                .map(|c| format!("`{c}`"))
                .unwrap_or_else(|| "the end".into());
            return Err(ParseError::new(
                self.text,
                self.pos,
                format!("expected a selector, found {found}"),
                format!("selectors are {FUNCTIONS}"),
            ));
        }
        self.pos += name.len();
        self.skip_ws();
        if !self.rest().starts_with('(') {
            return Err(ParseError::new(
                self.text,
                self.pos,
                format!("expected `(` after `{name}`"),
                format!("selectors are called like functions: {FUNCTIONS}"),
            ));
        }
        self.pos += 1;
        let arg_pos = self.pos;
        let arg = self.argument()?;
        if !self.eat(")") {
            return Err(ParseError::new(
                self.text,
                self.pos,
                format!("expected `)` to close `{name}(`"),
                "quote arguments with spaces or parentheses: test(\"a b\")",
            ));
        }
        let need =
            |arg: Option<(String, bool)>, what: &str| -> Result<(String, bool), ParseError> {
                arg.filter(|(a, _)| !a.is_empty()).ok_or_else(|| {
                    ParseError::new(
                        self.text,
                        arg_pos,
                        format!("`{name}` needs {what}"),
                        format!("e.g. {name}({})", example(&name)),
                    )
                })
            };
        let none = |arg: &Option<(String, bool)>| -> Result<(), ParseError> {
            match arg {
                Some((a, _)) if !a.is_empty() => Err(ParseError::new(
                    self.text,
                    arg_pos,
                    format!("`{name}()` takes no argument"),
                    format!("write `{name}()`"),
                )),
                _ => Ok(()),
            }
        };
        let dur = |text: String| -> Result<f64, ParseError> {
            parse_duration(&text).map(|d| d.as_secs_f64()).map_err(|m| {
                ParseError::new(self.text, arg_pos, m, "e.g. slower(5s) or faster(500ms)")
            })
        };
        Ok(match name.as_str() {
            "all" => {
                none(&arg)?;
                Selector::All
            }
            "none" => {
                none(&arg)?;
                Selector::None
            }
            "failed" => {
                none(&arg)?;
                Selector::Failed
            }
            "new" => {
                none(&arg)?;
                Selector::New
            }
            "suite" => Selector::Suite(need(arg, "a suite name")?.0),
            "marker" => Selector::Marker(need(arg, "a marker name")?.0),
            "test" => {
                let (a, quoted) = need(arg, "a text or /regex/")?;
                if !quoted && a.len() >= 2 && a.starts_with('/') && a.ends_with('/') {
                    let re = Regex::new(&a[1..a.len() - 1]).map_err(|e| {
                        ParseError::new(
                            self.text,
                            arg_pos,
                            format!("invalid regex: {e}"),
                            "test(/pattern/) takes a Rust regex",
                        )
                    })?;
                    Selector::TestRegex(re)
                } else {
                    Selector::TestText(a)
                }
            }
            "path" => {
                let (g, _) = need(arg, "a glob")?;
                let m = Glob::new(&g)
                    .map_err(|e| {
                        ParseError::new(
                            self.text,
                            arg_pos,
                            format!("invalid glob: {e}"),
                            "e.g. path(tests/unit/**)",
                        )
                    })?
                    .compile_matcher();
                Selector::Path(g, m)
            }
            "slower" => Selector::Slower(dur(need(arg, "a duration")?.0)?),
            "faster" => Selector::Faster(dur(need(arg, "a duration")?.0)?),
            other => {
                return Err(ParseError::new(
                    self.text,
                    start,
                    format!("unknown selector `{other}`"),
                    format!("selectors are {FUNCTIONS}"),
                ));
            }
        })
    }
    /// A bare word (up to the matching `)`) or a quoted string. Returns (text, was_quoted).
    fn argument(&mut self) -> Result<Option<(String, bool)>, ParseError> {
        self.skip_ws();
        if self.rest().starts_with(')') {
            return Ok(None);
        }
        if self.rest().starts_with('"') || self.rest().starts_with('\'') {
            let q = self.rest().chars().next().unwrap();
            let start = self.pos;
            self.pos += 1;
            let mut out = String::new();
            loop {
                let Some(c) = self.rest().chars().next() else {
                    return Err(ParseError::new(
                        self.text,
                        start,
                        "unterminated string",
                        format!("close it with {q}"),
                    ));
                };
                self.pos += c.len_utf8();
                if c == '\\' {
                    if let Some(n) = self.rest().chars().next() {
                        self.pos += n.len_utf8();
                        out.push(n);
                    }
                } else if c == q {
                    break;
                } else {
                    out.push(c);
                }
            }
            self.skip_ws();
            return Ok(Some((out, true)));
        }
        // Bare: up to the `)` that closes the call (nested parentheses allowed, e.g. test params).
        let mut depth = 0usize;
        let mut out = String::new();
        let regex = self.rest().starts_with('/');
        while let Some(c) = self.rest().chars().next() {
            if regex && c == '/' && out.len() > 1 && !out.ends_with('\\') {
                out.push(c);
                self.pos += 1;
                break;
            }
            if c == '(' {
                depth += 1;
            } else if c == ')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            out.push(c);
            self.pos += c.len_utf8();
        }
        Ok(Some((out.trim().to_string(), false)))
    }
}

fn example(name: &str) -> &'static str {
    match name {
        "suite" => "python",
        "marker" => "slow",
        "test" => "test_login",
        "path" => "tests/unit/**",
        "slower" => "5s",
        "faster" => "1s",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    struct H(HashMap<String, f64>, Vec<String>);
    impl Facts for H {
        fn estimate(&self, t: &TestCase) -> Option<f64> {
            self.0.get(&t.key.id).copied()
        }
        fn failed_last(&self, t: &TestCase) -> bool {
            self.1.contains(&t.key.id)
        }
        fn is_new(&self, t: &TestCase) -> bool {
            !self.0.contains_key(&t.key.id)
        }
    }

    fn case(suite: &str, id: &str, markers: &[&str]) -> TestCase {
        let mut t = TestCase::new(suite, id);
        t.file = Some(id.split("::").next().unwrap().to_string());
        t.markers = markers.iter().map(|m| m.to_string()).collect();
        t
    }

    fn sel(text: &str, t: &TestCase) -> bool {
        let h = H(
            HashMap::from([
                ("tests/test_a.py::test_slow".to_string(), 9.0),
                ("tests/test_a.py::test_x".to_string(), 0.1),
            ]),
            vec!["tests/test_a.py::test_x".into()],
        );
        Selector::parse(text).unwrap().matches(t, &h)
    }

    #[test]
    fn each_function_matches() {
        let slow = case("py", "tests/test_a.py::test_slow", &["slow"]);
        let x = case("py", "tests/test_a.py::test_x", &[]);
        let fresh = case("rs", "crate::it test_new", &[]);
        assert!(sel("all()", &x) && !sel("none()", &x));
        assert!(sel("suite(py)", &x) && !sel("suite(rs)", &x));
        assert!(sel("test(test_x)", &x) && !sel("test(test_x)", &slow));
        assert!(sel("test(/_s.ow$/)", &slow) && !sel("test(/^x/)", &slow));
        assert!(sel("path(tests/**)", &x) && !sel("path(src/**)", &x));
        assert!(sel("marker(slow)", &slow) && !sel("marker(slow)", &x));
        assert!(sel("slower(5s)", &slow) && !sel("slower(5s)", &x) && !sel("slower(5s)", &fresh));
        assert!(sel("faster(1s)", &x) && !sel("faster(1s)", &slow));
        assert!(sel("failed()", &x) && !sel("failed()", &slow));
        assert!(sel("new()", &fresh) && !sel("new()", &x));
    }

    #[test]
    fn operators_and_precedence() {
        let slow = case("py", "tests/test_a.py::test_slow", &["slow"]);
        assert!(sel("not marker(fast)", &slow));
        assert!(sel("marker(slow) & suite(py)", &slow));
        assert!(sel("marker(nope) | suite(py)", &slow));
        // & binds tighter than |
        assert!(sel("suite(py) | none() & none()", &slow));
        assert!(!sel("(suite(py) | none()) & none()", &slow));
        assert!(sel("marker(slow) and not failed() or none()", &slow));
        assert!(sel("test(\"test_a.py::test_slow\")", &slow));
        assert!(sel("test(test_param[1-1-2]) | all()", &slow));
    }

    #[test]
    fn errors_point_at_the_column_with_a_hint() {
        let e = Selector::parse("marker(slow) & bogus()").unwrap_err();
        assert_eq!(e.column, 16);
        assert!(e.message.contains("unknown selector `bogus`"));
        assert!(e.hint.contains("marker(NAME)"));
        let e = Selector::parse("(all()").unwrap_err();
        assert_eq!(e.column, 7);
        let e = Selector::parse("all() all()").unwrap_err();
        assert_eq!(e.column, 7);
        let e = Selector::parse("slower(fast)").unwrap_err();
        assert_eq!(e.column, 8);
        let e = Selector::parse("marker()").unwrap_err();
        assert!(e.message.contains("needs a marker name"));
        let e = Selector::parse("all(x)").unwrap_err();
        assert!(e.message.contains("takes no argument"));
        let e = Selector::parse("").unwrap_err();
        assert!(e.hint.contains("all()"));
        assert!(
            Selector::parse("test(/(/)")
                .unwrap_err()
                .message
                .contains("invalid regex")
        );
        let shown = Selector::parse("all() &").unwrap_err().to_string();
        assert!(
            shown.contains("at column 8") && shown.contains("        ^"),
            "{shown}"
        );
    }

    fn arb_selector() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("all()".to_string()),
            Just("none()".to_string()),
            Just("marker(slow)".to_string()),
            Just("suite(py)".to_string()),
            Just("test(x)".to_string()),
            Just("failed()".to_string()),
            Just("slower(1s)".to_string()),
        ];
        leaf.prop_recursive(4, 32, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|a| format!("not {a}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} | {b})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("({a} & {b})")),
            ]
        })
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let cases = [
            format!("{}all(){}", "(".repeat(10_000), ")".repeat(10_000)),
            format!("{}all()", "!".repeat(60_000)),
            format!("{}all()", "not ".repeat(60_000)),
            format!("{}all()", "!(".repeat(5_000)),
        ];
        for text in &cases {
            let err = Selector::parse(text).unwrap_err();
            assert!(
                err.message
                    .contains("nested too deeply (more than 100 levels"),
                "{}",
                err.message
            );
        }
        let chain = vec!["all()"; 100_000].join(" | ");
        let err = Selector::parse(&chain).unwrap_err();
        assert!(
            err.message.contains("too many operators"),
            "{}",
            err.message
        );
        // At the limits, it parses and matches.
        let deep = format!("{}all(){}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(sel(&deep, &case("py", "t", &[])));
        let nots = format!("{}all()", "!".repeat(MAX_DEPTH));
        assert!(sel(&nots, &case("py", "t", &[])), "an even number of nots");
        let chain = vec!["none()"; MAX_OPERATORS + 1].join(" | ");
        assert!(!sel(&chain, &case("py", "t", &[])));
    }

    proptest! {
        /// Printing a parsed selector and parsing it again selects the same tests.
        #[test]
        fn display_round_trips(text in arb_selector()) {
            let a = Selector::parse(&text).unwrap();
            let b = Selector::parse(&a.to_string()).unwrap();
            let tests = [case("py", "tests/test_a.py::test_x", &["slow"]), case("rs", "c x", &[]), case("py", "tests/test_a.py::test_slow", &[])];
            for t in &tests {
                prop_assert_eq!(sel(&text, t), b.matches(t, &H(HashMap::from([("tests/test_a.py::test_slow".to_string(), 9.0), ("tests/test_a.py::test_x".to_string(), 0.1)]), vec!["tests/test_a.py::test_x".into()])));
            }
        }

        /// De Morgan: not (a | b) == not a & not b.
        #[test]
        fn de_morgan(a in arb_selector(), b in arb_selector()) {
            let t = case("py", "tests/test_a.py::test_x", &["slow"]);
            prop_assert_eq!(sel(&format!("not ({a} | {b})"), &t), sel(&format!("not ({a}) & not ({b})"), &t));
        }

        /// Arbitrary input never panics: it parses or gives a column inside the text (+1).
        #[test]
        fn never_panics(text in ".{0,40}") {
            if let Err(e) = Selector::parse(&text) {
                prop_assert!(e.column <= text.chars().count() + 1);
            }
        }
    }
}
