//! One JUnit XML file for the run, in the shape GitLab, Jenkins and GitHub test reporters read.

use crate::outcome::RunReport;
use rigor_model::escape::xml;
use rigor_model::{Outcome, TestResult};
use std::collections::BTreeMap;
use std::fmt::Write;

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
            xml(suite),
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
                xml(&name),
                xml(&class),
                r.duration_s
            );
            if let Some(f) = &r.file {
                let _ = write!(attrs, r#" file="{}""#, xml(f));
            }
            if let Some(l) = r.line {
                let _ = write!(attrs, r#" line="{l}""#);
            }
            let text = r.excerpt.as_deref().unwrap_or("");
            let body = match r.outcome {
                Outcome::Passed | Outcome::Xpassed => String::new(),
                Outcome::Flaky => format!(
                    r#"<flakyFailure message="{}" type="flaky">{}</flakyFailure>"#,
                    xml(&first_line(text)),
                    xml(text)
                ),
                Outcome::Failed => format!(
                    r#"<failure message="{}" type="failure">{}</failure>"#,
                    xml(&first_line(text)),
                    xml(text)
                ),
                Outcome::Timeout => format!(
                    r#"<failure message="{}" type="timeout">{}</failure>"#,
                    xml(&first_line(text)),
                    xml(text)
                ),
                Outcome::Error => format!(
                    r#"<error message="{}" type="error">{}</error>"#,
                    xml(&first_line(text)),
                    xml(text)
                ),
                Outcome::Skipped | Outcome::Xfailed => {
                    format!(r#"<skipped message="{}"/>"#, xml(&first_line(text)))
                }
            };
            let out = r
                .output
                .as_deref()
                .map(|o| format!("<system-out>{}</system-out>", xml(o)))
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
    fn names_and_texts_are_escaped_for_xml() {
        let mut r = TestResult::new(
            TestKey::new("s<1>", "t.py::test_x[a&b]"),
            Outcome::Failed,
            0.5,
        );
        r.excerpt = Some("\u{1b}[31massert 'a' < \"b\"\u{1b}[0m\u{0}".into());
        let report = crate::outcome::RunReport {
            run_id: 1,
            status: rigor_store::RunStatus::Failed,
            results: vec![r],
            suites: vec![],
            tiers: vec![],
            stopped_at_tier: None,
            quarantined: Default::default(),
            wall_s: 1.0,
            prepare_s: 0.0,
            commit: None,
            branch: None,
            trigger: "local".into(),
            jobs: 1,
            workers: 1,
        };
        let x = render(&report);
        assert!(x.contains(r#"<testsuite name="s&lt;1&gt;""#), "{x}");
        assert!(
            x.contains(r#"<testcase name="test_x[a&amp;b]" classname="t""#),
            "{x}"
        );
        assert!(
            x.contains(r#"<failure message="assert &apos;a&apos; &lt; &quot;b&quot;" type="failure">assert &apos;a&apos; &lt; &quot;b&quot;</failure>"#),
            "{x}"
        );
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
