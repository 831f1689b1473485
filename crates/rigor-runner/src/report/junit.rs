//! One JUnit XML file for the run, in the shape GitLab, Jenkins and GitHub test reporters read.

use crate::run::RunReport;
use rigor_model::{Outcome, TestResult};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escape text for XML 1.0: markup characters, and characters XML cannot hold (control
/// characters, including terminal colour escapes) are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{1b}' => {
                // ESC [ ... letter: a terminal escape sequence.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            }
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `(classname, name)` for a test, following each runner's own JUnit convention.
pub fn names(r: &TestResult) -> (String, String) {
    let id = &r.key.id;
    if let Some((path, rest)) = id.split_once("::")
        && path.ends_with(".py")
    {
        // pytest: tests/test_a.py::TestC::test_x[1] → ("tests.test_a.TestC", "test_x[1]")
        let module = path.trim_end_matches(".py").replace('/', ".");
        let mut parts: Vec<&str> = rest.split("::").collect();
        let name = parts.pop().unwrap_or(rest).to_string();
        let mut class = module;
        for p in parts {
            class.push('.');
            class.push_str(p);
        }
        return (class, name);
    }
    if let Some((binary, name)) = id.split_once(' ') {
        return (binary.to_string(), name.to_string());
    }
    (r.key.suite.clone(), id.clone())
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

pub fn render(report: &RunReport) -> String {
    let mut by_suite: BTreeMap<&str, Vec<&TestResult>> = BTreeMap::new();
    for r in &report.results {
        by_suite.entry(r.key.suite.as_str()).or_default().push(r);
    }
    let count = |rs: &[&TestResult], f: &dyn Fn(Outcome) -> bool| {
        rs.iter().filter(|r| f(r.outcome)).count()
    };
    let is_fail = |o| o == Outcome::Failed || o == Outcome::Timeout;
    let is_err = |o| o == Outcome::Error;
    let is_skip = |o| o == Outcome::Skipped || o == Outcome::Xfailed;
    let all: Vec<&TestResult> = report.results.iter().collect();
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<testsuites name="rigor" tests="{}" failures="{}" errors="{}" skipped="{}" time="{:.3}">"#,
        all.len(),
        count(&all, &is_fail),
        count(&all, &is_err),
        count(&all, &is_skip),
        report.wall_s
    );
    for (suite, rs) in by_suite {
        let time: f64 = rs.iter().map(|r| r.duration_s).sum();
        let _ = writeln!(
            x,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="{:.3}">"#,
            escape(suite),
            rs.len(),
            count(&rs, &is_fail),
            count(&rs, &is_err),
            count(&rs, &is_skip),
            time
        );
        for r in rs {
            let (class, name) = names(r);
            let mut attrs = format!(
                r#"name="{}" classname="{}" time="{:.3}""#,
                escape(&name),
                escape(&class),
                r.duration_s
            );
            if let Some(f) = &r.file {
                let _ = write!(attrs, r#" file="{}""#, escape(f));
            }
            if let Some(l) = r.line {
                let _ = write!(attrs, r#" line="{l}""#);
            }
            let text = r.excerpt.as_deref().unwrap_or("");
            let body = match r.outcome {
                Outcome::Passed | Outcome::Xpassed => String::new(),
                Outcome::Flaky => format!(
                    r#"<flakyFailure message="{}" type="flaky">{}</flakyFailure>"#,
                    escape(&first_line(text)),
                    escape(text)
                ),
                Outcome::Failed => format!(
                    r#"<failure message="{}" type="failure">{}</failure>"#,
                    escape(&first_line(text)),
                    escape(text)
                ),
                Outcome::Timeout => format!(
                    r#"<failure message="{}" type="timeout">{}</failure>"#,
                    escape(&first_line(text)),
                    escape(text)
                ),
                Outcome::Error => format!(
                    r#"<error message="{}" type="error">{}</error>"#,
                    escape(&first_line(text)),
                    escape(text)
                ),
                Outcome::Skipped | Outcome::Xfailed => {
                    format!(r#"<skipped message="{}"/>"#, escape(&first_line(text)))
                }
            };
            let out = r
                .output
                .as_deref()
                .map(|o| format!("<system-out>{}</system-out>", escape(o)))
                .unwrap_or_default();
            if body.is_empty() && out.is_empty() {
                let _ = writeln!(x, "    <testcase {attrs}/>");
            } else {
                let _ = writeln!(x, "    <testcase {attrs}>{body}{out}</testcase>");
            }
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    let _ = writeln!(x, "</testsuites>");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::TestKey;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("\u{1b}[31mred\u{1b}[0m\u{0}"), "red");
        assert_eq!(escape("line\nnext\ttab"), "line\nnext\ttab");
    }

    #[test]
    fn names_follow_each_runner() {
        let r = |id: &str| TestResult::new(TestKey::new("s", id), Outcome::Passed, 0.0);
        assert_eq!(
            names(&r("tests/test_a.py::TestC::test_x[1]")),
            ("tests.test_a.TestC".into(), "test_x[1]".into())
        );
        assert_eq!(
            names(&r("tests/test_a.py::test_y")),
            ("tests.test_a".into(), "test_y".into())
        );
        assert_eq!(
            names(&r("demo::it tests::a")),
            ("demo::it".into(), "tests::a".into())
        );
        assert_eq!(names(&r("ruff")), ("s".into(), "ruff".into()));
    }
}
