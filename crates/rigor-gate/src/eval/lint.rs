//! The lint gate: errors (and optionally warnings) from linter and compiler SARIF, plus failing
//! tests of the configured lint suites (command suites such as `ruff check .`).

use super::inputs::{Inputs, TestOutcome};
use super::text::headline;
use super::verdict::Results;
use crate::config::LintGate;
use crate::model::Violation;
use crate::readers::audit::Finding;

/// Evaluate `lint` over the non-security findings and the lint suites' results.
pub fn evaluate(l: &LintGate, inputs: &Inputs, out: &mut Results) {
    if !l.enabled {
        return;
    }
    let in_suites = |r: &&TestOutcome| l.suites.iter().any(|s| r.id.starts_with(&format!("{s}::")));
    let results = inputs.tests.results();
    let suites_ran = results.iter().any(|r| in_suites(&r));
    let suite_failures: Vec<&TestOutcome> = results
        .iter()
        .filter(in_suites)
        .filter(|r| r.outcome.is_failure())
        .collect();
    if !inputs.lint_read && !suites_ran {
        out.skip(
            "lint",
            l.blocking,
            "no SARIF from a linter or compiler, and no lint suite in the run",
        );
        return;
    }
    let lint: Vec<&Finding> = inputs
        .findings
        .iter()
        .flatten()
        .filter(|f| !f.security)
        .collect();
    let errors: Vec<&&Finding> = lint
        .iter()
        .filter(|f| f.level.as_deref() == Some("error"))
        .collect();
    let warnings = lint
        .iter()
        .filter(|f| f.level.as_deref() == Some("warning"))
        .count() as u64;
    let n_errors = (errors.len() + suite_failures.len()) as u64;
    let mut ok = n_errors <= l.max_errors;
    if let Some(mw) = l.max_warnings {
        ok &= warnings <= mw;
    }
    let mut violations: Vec<Violation> = lint
        .iter()
        .filter(|f| matches!(f.level.as_deref(), Some("error") | Some("warning")))
        .map(|f| Violation {
            rule: format!("{}/{}", f.tool, f.id),
            message: f.message.clone(),
            level: f.level.clone().unwrap_or_else(|| "warning".into()),
            file: f.file.clone(),
            line: f.line,
            end_line: None,
        })
        .collect();
    let mut details: Vec<String> = errors
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}/{}: {}",
                f.file.as_deref().unwrap_or("?"),
                f.line.unwrap_or(0),
                f.tool,
                f.id,
                f.message
            )
        })
        .collect();
    for r in &suite_failures {
        let first = r.excerpt.as_deref().map(headline).unwrap_or_default();
        details.push(format!("{} {}: {}", r.outcome, r.id, first.trim()));
        violations.push(Violation {
            rule: "lint".into(),
            message: format!("{} {}", r.id, r.outcome),
            level: "error".into(),
            file: r.file.clone(),
            line: r.line,
            end_line: None,
        });
    }
    let mut summary = format!("{n_errors} errors, {warnings} warnings");
    if !suite_failures.is_empty() {
        summary.push_str(&format!(" ({} from lint suites)", suite_failures.len()));
    }
    out.push(
        "lint",
        l.blocking,
        ok,
        Some(n_errors as f64),
        Some(l.max_errors as f64),
        "<=",
        "",
        summary,
        details,
        violations,
    );
}
