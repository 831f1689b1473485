//! JUnit XML: pytest (xunit1 with file/line, xunit2 without), cargo nextest (with
//! `flakyFailure`/`rerunFailure` elements), and other writers that follow the Ant/Surefire shape.

use super::{Element, XmlCtx, parse_xml};
use crate::error::Result;
use rigor_model::Outcome;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JunitCase {
    /// The enclosing `<testsuite name>`.
    pub suite: String,
    pub classname: Option<String>,
    pub name: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub time_s: f64,
    pub outcome: Outcome,
    /// 1 + retries seen (nextest `flaky*` / `rerun*` elements).
    pub attempts: u32,
    /// Failure or error message and text (trimmed excerpt).
    pub message: Option<String>,
}

impl JunitCase {
    /// `classname::name` (or the name alone).
    pub fn id(&self) -> String {
        match &self.classname {
            Some(c) if !c.is_empty() => format!("{c}::{}", self.name),
            _ => self.name.clone(),
        }
    }
}

const HINT: &str = "expected JUnit XML: <testsuites><testsuite name=…><testcase name=… classname=… time=…>[<failure>|<error>|<skipped>]";

pub fn read_junit(file: &str, text: &str) -> Result<Vec<JunitCase>> {
    let root = parse_xml(file, text, "JUnit XML", HINT)?;
    let ctx = XmlCtx {
        file,
        format: "JUnit XML",
        hint: HINT,
    };
    let suites: Vec<&Element> = match root.name.as_str() {
        "testsuites" => {
            let mut v = Vec::new();
            root.descendants("testsuite", &mut v);
            v
        }
        "testsuite" => {
            let mut v = vec![&root];
            root.descendants("testsuite", &mut v);
            v
        }
        other => {
            return Err(ctx.err(
                root.pos,
                format!("the root element is <{other}>, expected <testsuites> or <testsuite>"),
            ));
        }
    };
    let mut out = Vec::new();
    for suite in suites {
        let suite_name = suite.attr("name").unwrap_or("").to_string();
        for tc in suite.children_named("testcase") {
            out.push(case(&ctx, &suite_name, tc)?);
        }
    }
    Ok(out)
}

fn case(ctx: &XmlCtx, suite: &str, tc: &Element) -> Result<JunitCase> {
    let name = ctx.req(tc, "name")?.to_string();
    let time_s = ctx.num::<f64>(tc, "time")?.unwrap_or(0.0);
    let line = ctx.num::<u32>(tc, "line")?;
    let has = |n: &str| tc.child(n);
    let count = |names: &[&str]| {
        tc.children
            .iter()
            .filter(|c| names.contains(&c.name.as_str()))
            .count() as u32
    };
    let reruns = count(&["rerunFailure", "rerunError"]);
    let flakies = count(&["flakyFailure", "flakyError"]);
    let (outcome, detail) = if let Some(f) = has("failure") {
        (Outcome::Failed, Some(f))
    } else if let Some(e) = has("error") {
        (Outcome::Error, Some(e))
    } else if let Some(s) = has("skipped") {
        let xfail = s.attr("type") == Some("pytest.xfail");
        (
            if xfail {
                Outcome::Xfailed
            } else {
                Outcome::Skipped
            },
            Some(s),
        )
    } else if flakies > 0 {
        (
            Outcome::Flaky,
            tc.children.iter().find(|c| c.name.starts_with("flaky")),
        )
    } else {
        (Outcome::Passed, None)
    };
    let message = detail.map(|d| {
        let mut m = d.attr("message").unwrap_or("").trim().to_string();
        let body = d.text.trim();
        if !body.is_empty() {
            if !m.is_empty() {
                m.push('\n');
            }
            m.push_str(&excerpt(body, 40));
        }
        m
    });
    Ok(JunitCase {
        suite: suite.to_string(),
        classname: tc.attr("classname").map(str::to_string),
        name,
        file: tc.attr("file").map(str::to_string),
        line,
        time_s,
        outcome,
        attempts: 1 + reruns + flakies,
        message: message.filter(|m| !m.is_empty()),
    })
}

/// The last `max_lines` lines of a failure text (where the assertion usually is).
pub fn excerpt(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(max_lines);
    lines[start..].join("\n")
}
