//! The tests gate: no failing test (quarantined ones left out), the critical-path tier within its
//! budget and the whole run within its optional cap.

use super::inputs::{TestOutcome, TestsEvidence, TestsInput};
use super::text::headline;
use super::verdict::Results;
use crate::config::{TestsGate, parse_seconds};
use crate::model::Violation;
use rigor_model::Outcome;
use std::collections::HashSet;

/// The summary of the tests gate when the change selected no tests.
pub const NONE_SELECTED: &str = "no tests selected for this change";

/// Evaluate `tests`, `tests.critical_tier` and `tests.duration`.
pub fn evaluate(
    t: &TestsGate,
    evidence: &TestsEvidence,
    quarantine: &HashSet<String>,
    out: &mut Results,
) {
    if !t.enabled {
        return;
    }
    let ti = match evidence {
        TestsEvidence::Missing => {
            out.skip(
                "tests",
                t.blocking,
                "no finished run in the history and no JUnit file",
            );
            return;
        }
        TestsEvidence::NoneSelected => {
            // an explicit verdict on this change: nothing it touches is tested, nothing failed
            out.push(
                "tests",
                t.blocking,
                true,
                Some(0.0),
                Some(0.0),
                "<=",
                "",
                NONE_SELECTED.into(),
                Vec::new(),
                Vec::new(),
            );
            return;
        }
        TestsEvidence::Results(ti) => ti,
    };
    let considered: Vec<&TestOutcome> = ti
        .results
        .iter()
        .filter(|r| !quarantine.contains(&r.id))
        .collect();
    let excluded = ti.results.len() - considered.len();
    failing_tests(t, ti, &considered, excluded, out);
    critical_tier(t, &considered, out);
    if let (Some(max), Some(wall)) = (t.max_duration.as_deref().and_then(parse_seconds), ti.wall_s)
    {
        out.push(
            "tests.duration",
            t.blocking,
            wall <= max,
            Some(wall),
            Some(max),
            "<=",
            "s",
            format!("the run took {wall:.1}s (max {max:.0}s)"),
            Vec::new(),
            Vec::new(),
        );
    }
}

/// `tests`: no failing test among those considered.
fn failing_tests(
    t: &TestsGate,
    ti: &TestsInput,
    considered: &[&TestOutcome],
    excluded: usize,
    out: &mut Results,
) {
    if considered.is_empty() {
        out.skip(
            "tests",
            t.blocking,
            &format!("no test results in {}", ti.source),
        );
        return;
    }
    let failing: Vec<&&TestOutcome> = considered
        .iter()
        .filter(|r| r.outcome.is_failure())
        .collect();
    let count = |o: Outcome| considered.iter().filter(|r| r.outcome == o).count();
    let mut summary = format!(
        "{} failing of {} ({} passed, {} flaky, {} skipped) in {}",
        failing.len(),
        considered.len(),
        count(Outcome::Passed),
        count(Outcome::Flaky),
        count(Outcome::Skipped),
        ti.source
    );
    if excluded > 0 {
        summary.push_str(&format!("; {excluded} quarantined left out"));
    }
    let details = failing
        .iter()
        .map(|r| {
            let first = r.excerpt.as_deref().map(headline).unwrap_or_default();
            format!("{} {}: {}", r.outcome, r.id, first.trim())
        })
        .collect();
    let violations = failing
        .iter()
        .map(|r| Violation {
            rule: "tests".into(),
            message: format!("test {} {}", r.id, r.outcome),
            level: "error".into(),
            file: r.file.clone(),
            line: r.line,
            end_line: None,
        })
        .collect();
    out.push(
        "tests",
        t.blocking,
        failing.is_empty(),
        Some(failing.len() as f64),
        Some(0.0),
        "<=",
        "",
        summary,
        details,
        violations,
    );
}

/// `tests.critical_tier`: the critical-path tier's wall time under its budget.
fn critical_tier(t: &TestsGate, considered: &[&TestOutcome], out: &mut Results) {
    let tier: Vec<&&TestOutcome> = considered
        .iter()
        .filter(|r| r.tier.as_deref() == Some(t.critical_tier.as_str()))
        .collect();
    let Some(budget) = t.critical_budget.as_deref().and_then(parse_seconds) else {
        return;
    };
    if tier.is_empty() {
        return;
    }
    let wall = if tier.iter().all(|r| r.start_s.is_some()) {
        let start = tier
            .iter()
            .filter_map(|r| r.start_s)
            .fold(f64::INFINITY, f64::min);
        let end = tier
            .iter()
            .map(|r| r.start_s.unwrap_or(0.0) + r.duration_s)
            .fold(0.0, f64::max);
        end - start
    } else {
        tier.iter().map(|r| r.duration_s).sum()
    };
    out.push(
        "tests.critical_tier",
        t.blocking,
        wall <= budget,
        Some(wall),
        Some(budget),
        "<=",
        "s",
        format!(
            "tier `{}`: its tests ran for {wall:.1}s, first start to last end, worker start-up excluded (budget {budget:.0}s, {} tests)",
            t.critical_tier,
            tier.len()
        ),
        Vec::new(),
        Vec::new(),
    );
}

#[cfg(test)]
mod unit_tests {
    use super::*;
    use crate::model::Verdict;

    #[test]
    fn no_tests_selected_is_an_explicit_pass_that_says_so() {
        let mut out = Results::default();
        evaluate(
            &TestsGate::default(),
            &TestsEvidence::NoneSelected,
            &HashSet::new(),
            &mut out,
        );
        assert_eq!(
            out.gates.len(),
            1,
            "no tier or duration verdict without a run"
        );
        let g = &out.gates[0];
        assert_eq!((g.gate.as_str(), g.verdict), ("tests", Verdict::Pass));
        assert_eq!(g.summary, NONE_SELECTED);
    }

    #[test]
    fn missing_results_skip_the_gate() {
        let mut out = Results::default();
        evaluate(
            &TestsGate::default(),
            &TestsEvidence::Missing,
            &HashSet::new(),
            &mut out,
        );
        assert_eq!(out.gates[0].verdict, Verdict::Skip);
    }
}
