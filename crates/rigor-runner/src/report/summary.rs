//! The final human summary: counts, wall time, slowest tests, failures with excerpts.

use crate::outcome::RunReport;
use crate::scheduler::Ending;
use rigor_model::duration::human;
use rigor_model::{Outcome, TestResult};
use std::fmt::Write;

/// How many lines of each failure excerpt the summary shows.
const EXCERPT_LINES: usize = 25;

/// "3 passed, 1 failed, 2 skipped" in a fixed order, zero counts left out.
pub fn counts_line(report: &RunReport) -> String {
    let parts: Vec<String> = Outcome::ALL
        .iter()
        .filter_map(|o| {
            let n = report.count(*o);
            (n > 0).then(|| format!("{n} {o}"))
        })
        .collect();
    if parts.is_empty() {
        "no tests".into()
    } else {
        parts.join(", ")
    }
}

/// Failure groups shown with their excerpt; the rest get one line each.
const DETAILED_GROUPS: usize = 10;
/// Failure lines at most (beyond, a pointer to where every failure is).
const LISTED_FAILURES: usize = 50;
/// Tests named for a group of identical failures.
const NAMED_IN_GROUP: usize = 5;

pub fn render(report: &RunReport) -> String {
    let mut s = String::new();
    failures_section(report, &mut s);
    let quarantined: Vec<_> = report.quarantined_failures().collect();
    if !quarantined.is_empty() {
        let _ = writeln!(
            s,
            "\nQuarantined failures (reported, not failing the build):"
        );
        for r in quarantined {
            let why = report
                .quarantined
                .get(&r.key)
                .map(String::as_str)
                .unwrap_or("");
            let first = r
                .excerpt
                .as_deref()
                .and_then(|e| e.lines().find(|l| !l.trim().is_empty()))
                .unwrap_or("");
            let _ = writeln!(
                s,
                "  {} {} — quarantined: {why}\n      {first}",
                r.outcome.as_str().to_uppercase(),
                r.key
            );
        }
    }
    let flaky: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Flaky)
        .collect();
    if !flaky.is_empty() {
        let _ = writeln!(s, "\nFlaky (failed, then passed on retry):");
        for r in flaky {
            let _ = writeln!(s, "  {} (attempts: {})", r.key, r.attempts);
        }
    }
    let mut slow: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.duration_s > 0.0)
        .collect();
    slow.sort_by(|a, b| b.duration_s.total_cmp(&a.duration_s));
    if !slow.is_empty() {
        let _ = writeln!(s, "\nSlowest (this run, each test's own time):");
        for r in slow.iter().take(10) {
            let _ = writeln!(s, "  {:>8}  {}", human(r.duration_s), r.key);
        }
    }
    for suite in &report.suites {
        let note = match suite.ending {
            Ending::FailFast => Some("stopped at the first failure (--fail-fast)"),
            Ending::Interrupted => Some("interrupted"),
            Ending::Aborted => Some("could not run (see its error above)"),
            Ending::Completed => None,
        };
        if let Some(n) = note {
            let _ = writeln!(s, "\nsuite {}: {n}", suite.name);
        }
    }
    if !report.tiers.is_empty() {
        let _ = writeln!(
            s,
            "\nTiers (wall time from entering the tier to its last result, worker start-up included):"
        );
        for t in &report.tiers {
            let _ = writeln!(
                s,
                "  {:<14} {:>5} tests  {:>8}  {}",
                t.name,
                t.planned,
                human(t.wall_s),
                if t.failed > 0 {
                    format!("{} failed", t.failed)
                } else {
                    "passed".to_string()
                }
            );
        }
        if let Some(t) = &report.stopped_at_tier {
            let _ = writeln!(
                s,
                "  stopped after tier `{t}`, which failed; later tiers did not run"
            );
        }
    }
    let verdict = match report.status {
        rigor_store::RunStatus::Passed => "PASSED",
        rigor_store::RunStatus::Failed => "FAILED",
        rigor_store::RunStatus::Interrupted => "INTERRUPTED",
        rigor_store::RunStatus::Error => "NO TESTS",
        rigor_store::RunStatus::Running => "UNFINISHED",
    };
    let _ = writeln!(
        s,
        "\n{verdict}: {} in {} on {} worker{} (run #{})",
        counts_line(report),
        wall_line(report),
        report.workers,
        if report.workers == 1 { "" } else { "s" },
        report.run_id
    );
    s
}

/// What identifies a failure for grouping: pytest's first `E` line (the exception and its
/// message), else the excerpt's last non-empty line (a panic message, a command's last words),
/// else the outcome.
fn signature(r: &TestResult) -> String {
    let Some(e) = r.excerpt.as_deref() else {
        return r.outcome.as_str().to_string();
    };
    e.lines()
        .map(str::trim)
        .find(|l| l.starts_with("E ") && l.len() > 2)
        .or_else(|| e.lines().map(str::trim).rev().find(|l| !l.is_empty()))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| r.outcome.as_str().to_string())
}

/// Failures grouped by [`signature`], in the order of their first test (by key).
fn failure_groups(report: &RunReport) -> Vec<(String, Vec<&TestResult>)> {
    let mut failures: Vec<&TestResult> = report.failures().collect();
    failures.sort_by(|a, b| a.key.cmp(&b.key));
    let mut groups: Vec<(String, Vec<&TestResult>)> = Vec::new();
    for r in failures {
        let sig = signature(r);
        match groups.iter_mut().find(|(g, _)| *g == sig) {
            Some((_, members)) => members.push(r),
            None => groups.push((sig, vec![r])),
        }
    }
    groups
}

fn place(r: &TestResult) -> String {
    match (&r.file, r.line) {
        (Some(f), Some(l)) => format!(" ({f}:{l})"),
        (Some(f), None) => format!(" ({f})"),
        _ => String::new(),
    }
}

/// The failures: the first groups with the excerpt of their first test (identical failures
/// named after it), later groups one line each, and past a cap a pointer to the full list — a
/// red run of hundreds of failures stays readable.
fn failures_section(report: &RunReport, s: &mut String) {
    let groups = failure_groups(report);
    if groups.is_empty() {
        return;
    }
    let total: usize = groups.iter().map(|g| g.1.len()).sum();
    let _ = writeln!(s, "\nFailures ({total}, {} kinds):", groups.len());
    let mut listed = 0;
    for (i, (sig, members)) in groups.iter().enumerate() {
        if listed >= LISTED_FAILURES {
            let _ = writeln!(
                s,
                "\n  [{} more failures not shown: `rigor history --run {}` lists them all; --junit writes every excerpt]",
                total - listed,
                report.run_id
            );
            break;
        }
        let first = members[0];
        let head = format!(
            "{} {}{}",
            first.outcome.as_str().to_uppercase(),
            first.key,
            place(first)
        );
        if i < DETAILED_GROUPS {
            let _ = writeln!(s, "\n  {head}");
            excerpt(report, first, s);
        } else {
            let _ = writeln!(s, "  {head} — {sig}");
        }
        listed += 1;
        if members.len() > 1 {
            same_way(&members[1..], s);
            listed += members.len() - 1;
        }
    }
}

/// One line naming the other tests of a group.
fn same_way(rest: &[&TestResult], s: &mut String) {
    let names: Vec<String> = rest
        .iter()
        .take(NAMED_IN_GROUP)
        .map(|r| r.key.to_string())
        .collect();
    let more = rest.len().saturating_sub(NAMED_IN_GROUP);
    let _ = writeln!(
        s,
        "      … and {} more failing the same way: {}{}",
        rest.len(),
        names.join(", "),
        if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        }
    );
}

/// The last lines of a failure's excerpt.
fn excerpt(report: &RunReport, r: &TestResult, s: &mut String) {
    let Some(text) = &r.excerpt else { return };
    let lines: Vec<&str> = text.lines().collect();
    let shown = lines.len().min(EXCERPT_LINES);
    for l in &lines[lines.len() - shown..] {
        let _ = writeln!(s, "      {l}");
    }
    if lines.len() > shown {
        let _ = writeln!(
            s,
            "      [{} earlier lines in the history: rigor history --run {}]",
            lines.len() - shown,
            report.run_id
        );
    }
}

/// The command's wall time with its phases: `11.0s wall (discovery and planning 6.8s, tests
/// 4.2s)` — the tests' phase includes starting the workers and their collection.
pub fn wall_line(report: &RunReport) -> String {
    format!(
        "{} wall (discovery and planning {}, tests {})",
        human(report.wall_s),
        human(report.prepare_s),
        human((report.wall_s - report.prepare_s).max(0.0))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::TestKey;
    use std::collections::HashMap;

    /// Issue 17, item 4: the total includes discovery and planning, shown as their own phase;
    /// each duration says what it measures.
    #[test]
    fn the_total_counts_discovery_and_planning_as_a_phase() {
        let report = RunReport {
            run_id: 3,
            status: rigor_store::RunStatus::Passed,
            results: vec![TestResult::new(
                TestKey::new("py", "t.py::a"),
                Outcome::Passed,
                0.5,
            )],
            suites: vec![],
            tiers: vec![crate::outcome::TierRun {
                name: "smoke".into(),
                planned: 1,
                estimated_s: 0.4,
                wall_s: 4.2,
                failed: 0,
                ran: true,
            }],
            stopped_at_tier: None,
            quarantined: HashMap::new(),
            wall_s: 11.0,
            prepare_s: 6.8,
            commit: None,
            branch: None,
            trigger: "local".into(),
            jobs: 2,
            workers: 1,
        };
        let text = render(&report);
        assert!(
            text.contains(
                "PASSED: 1 passed in 11.0s wall (discovery and planning 6.8s, tests 4.2s) on 1 worker (run #3)"
            ),
            "{text}"
        );
        assert!(
            text.contains("Slowest (this run, each test's own time):"),
            "{text}"
        );
        assert!(
            text.contains("Tiers (wall time from entering the tier"),
            "{text}"
        );
    }

    fn report_with(results: Vec<TestResult>) -> RunReport {
        RunReport {
            run_id: 9,
            status: rigor_store::RunStatus::Failed,
            results,
            suites: vec![],
            tiers: vec![],
            stopped_at_tier: None,
            quarantined: HashMap::new(),
            wall_s: 1.0,
            prepare_s: 0.1,
            commit: None,
            branch: None,
            trigger: "local".into(),
            jobs: 1,
            workers: 1,
        }
    }

    fn failure(id: &str, message: &str) -> TestResult {
        let mut r = TestResult::new(TestKey::new("py", id), Outcome::Failed, 0.0);
        r.excerpt = Some(format!(
            "def test():\n>   check()\nE   {message}\n\n{}:12: Error\n",
            id.split("::").next().unwrap_or(id)
        ));
        r
    }

    /// Issue 17, item 5: 157 failures, most of them the same, make a summary a person can read:
    /// identical failures are one entry naming the others, the first kinds show their excerpt,
    /// and past a cap the summary points to where every failure is.
    #[test]
    fn many_failures_are_grouped_and_capped() {
        let mut results: Vec<TestResult> = (0..150)
            .map(|i| failure(&format!("t.py::same_{i:03}"), "AssertionError: db is down"))
            .collect();
        results.extend(
            (0..7).map(|i| failure(&format!("u.py::own_{i}"), &format!("ValueError: {i}"))),
        );
        let text = render(&report_with(results));
        assert!(text.contains("Failures (157, 8 kinds):"), "{text}");
        assert!(
            text.contains("… and 149 more failing the same way: py::t.py::same_001"),
            "{text}"
        );
        assert_eq!(
            text.matches("AssertionError: db is down").count(),
            1,
            "{text}"
        );
        assert!(
            text.lines().count() < 80,
            "{} lines:\n{text}",
            text.lines().count()
        );

        let distinct: Vec<TestResult> = (0..120)
            .map(|i| failure(&format!("v.py::t_{i:03}"), &format!("KeyError: {i}")))
            .collect();
        let text = render(&report_with(distinct));
        assert!(text.contains("Failures (120, 120 kinds):"), "{text}");
        assert!(
            text.contains("[70 more failures not shown: `rigor history --run 9` lists them all"),
            "{text}"
        );
        assert!(
            text.contains("FAILED py::v.py::t_010 — E KeyError: 10"),
            "{text}"
        );
        assert!(text.lines().count() < 150, "{} lines", text.lines().count());
    }
}
