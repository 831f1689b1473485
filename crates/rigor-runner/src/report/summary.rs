//! The final human summary: counts, wall time, slowest tests, failures with excerpts.

use crate::outcome::RunReport;
use crate::scheduler::Ending;
use rigor_model::Outcome;
use rigor_model::duration::human;
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

pub fn render(report: &RunReport) -> String {
    let mut s = String::new();
    let mut failures: Vec<_> = report.failures().collect();
    failures.sort_by(|a, b| a.key.cmp(&b.key));
    if !failures.is_empty() {
        let _ = writeln!(s, "\nFailures:");
        for r in &failures {
            let place = match (&r.file, r.line) {
                (Some(f), Some(l)) => format!(" ({f}:{l})"),
                (Some(f), None) => format!(" ({f})"),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "\n  {} {}{place}",
                r.outcome.as_str().to_uppercase(),
                r.key
            );
            if let Some(text) = &r.excerpt {
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
        }
    }
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
    use rigor_model::{TestKey, TestResult};
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
}
