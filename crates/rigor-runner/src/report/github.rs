//! GitHub Actions: workflow-command annotations, the job summary (Markdown) and step outputs.

use crate::outcome::RunReport;
use rigor_model::escape::{github_data, github_property};
use rigor_model::{Outcome, TestResult};
use std::collections::HashMap;
use std::fmt::Write;

/// GitHub shows at most 10 error annotations per step; the rest are summarised in one line.
pub const MAX_ANNOTATIONS: usize = 10;

/// `::error` lines for the failures (file and line where known). `prefix` maps a suite to its
/// root relative to the repository (e.g. "python/"), so paths point at repository files.
pub fn annotations(report: &RunReport, prefix: &HashMap<String, String>) -> String {
    let failures: Vec<&TestResult> = report.failures().collect();
    let mut out = String::new();
    for r in failures.iter().take(MAX_ANNOTATIONS) {
        let mut props = Vec::new();
        if let Some(f) = &r.file {
            let p = prefix.get(&r.key.suite).map(String::as_str).unwrap_or("");
            props.push(format!("file={}", github_property(&format!("{p}{f}"))));
            if let Some(l) = r.line {
                props.push(format!("line={l}"));
            }
        }
        props.push(format!(
            "title={}",
            github_property(&format!("{} {}", r.outcome, r.key))
        ));
        let text: String = r
            .excerpt
            .as_deref()
            .unwrap_or("")
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n");
        let _ = writeln!(out, "::error {}::{}", props.join(","), github_data(&text));
    }
    if failures.len() > MAX_ANNOTATIONS {
        let _ = writeln!(
            out,
            "::error::{} more failures are not annotated (GitHub shows {MAX_ANNOTATIONS} per step); see the job summary",
            failures.len() - MAX_ANNOTATIONS
        );
    }
    for r in report.quarantined_failures() {
        let _ = writeln!(
            out,
            "::warning title={}::quarantined test failed (not failing the build)",
            github_property(&r.key.to_string())
        );
    }
    out
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: verdict and counts first, failures folded.
pub fn step_summary(report: &RunReport) -> String {
    let mut s = String::new();
    let verdict = if report.failures().next().is_some() {
        "❌ failed"
    } else {
        "✅ passed"
    };
    let _ = writeln!(
        s,
        "### rigor: {verdict} — {}\n",
        super::summary::counts_line(report)
    );
    let _ = writeln!(
        s,
        "| passed | failed | errors | timeouts | flaky | skipped | wall (with discovery and planning) |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    let c = |o| report.count(o);
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        c(Outcome::Passed) + c(Outcome::Xpassed),
        c(Outcome::Failed),
        c(Outcome::Error),
        c(Outcome::Timeout),
        c(Outcome::Flaky),
        c(Outcome::Skipped) + c(Outcome::Xfailed),
        rigor_model::duration::human(report.wall_s)
    );
    if !report.tiers.is_empty() {
        let _ = writeln!(
            s,
            "| tier | tests | wall (with worker start-up) | result |\n|---|---:|---:|---|"
        );
        for t in &report.tiers {
            let res = if t.failed > 0 {
                format!("❌ {} failed", t.failed)
            } else {
                "✅".into()
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {res} |",
                t.name,
                t.planned,
                rigor_model::duration::human(t.wall_s)
            );
        }
        if let Some(t) = &report.stopped_at_tier {
            let _ = writeln!(s, "\nStopped after tier **{t}**, which failed.");
        }
        s.push('\n');
    }
    let failures: Vec<_> = report.failures().collect();
    if !failures.is_empty() {
        let _ = writeln!(
            s,
            "<details><summary>{} failures</summary>\n",
            failures.len()
        );
        for r in failures.iter().take(50) {
            let _ = writeln!(
                s,
                "**{}** `{}`\n\n```\n{}\n```\n",
                r.outcome,
                r.key,
                r.excerpt
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .take(25)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        let _ = writeln!(s, "</details>\n");
    }
    let flaky: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Flaky)
        .collect();
    if !flaky.is_empty() {
        let _ = writeln!(
            s,
            "**Flaky** (passed on retry): {}\n",
            flaky
                .iter()
                .map(|r| format!("`{}`", r.key))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let q: Vec<_> = report.quarantined_failures().collect();
    if !q.is_empty() {
        let _ = writeln!(
            s,
            "**Quarantined failures** (not failing the build): {}\n",
            q.iter()
                .map(|r| format!("`{}`", r.key))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

/// `key=value` lines for `$GITHUB_OUTPUT`.
pub fn outputs(report: &RunReport) -> String {
    let failed = report.failures().count();
    format!(
        "status={}\nrun_id={}\ntotal={}\npassed={}\nfailed={}\nflaky={}\nquarantined_failures={}\n",
        report.status.as_str(),
        report.run_id,
        report.results.len(),
        report.count(Outcome::Passed) + report.count(Outcome::Xpassed),
        failed,
        report.count(Outcome::Flaky),
        report.quarantined_failures().count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::TestKey;
    use rigor_store::RunStatus;

    fn report(n_fail: usize) -> RunReport {
        let mut results = Vec::new();
        for i in 0..n_fail {
            let mut r = TestResult::new(
                TestKey::new("py", format!("tests/t.py::test_{i}")),
                Outcome::Failed,
                0.1,
            );
            r.file = Some("tests/t.py".into());
            r.line = Some(i as u32 + 1);
            r.excerpt = Some("assert 1 == 2\nE   100% wrong, really".into());
            results.push(r);
        }
        results.push(TestResult::new(
            TestKey::new("py", "tests/t.py::ok"),
            Outcome::Passed,
            0.1,
        ));
        RunReport {
            run_id: 1,
            status: RunStatus::Failed,
            results,
            suites: vec![],
            tiers: vec![],
            stopped_at_tier: None,
            quarantined: HashMap::new(),
            wall_s: 1.0,
            prepare_s: 0.0,
            commit: None,
            branch: None,
            trigger: "github".into(),
            jobs: 2,
            workers: 2,
        }
    }

    #[test]
    fn at_most_ten_annotations_then_a_summary_line() {
        let text = annotations(
            &report(13),
            &HashMap::from([("py".to_string(), "sub/".to_string())]),
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 11);
        assert!(lines[0].starts_with("::error file=sub/tests/t.py,line=1,title=failed py%3A%3Atests/t.py%3A%3Atest_0::assert 1 == 2%0AE   100%25 wrong"), "{}", lines[0]);
        assert!(lines[10].starts_with("::error::3 more failures"));
    }

    #[test]
    fn summary_and_outputs_carry_the_counts() {
        let r = report(2);
        let md = step_summary(&r);
        assert!(md.contains("❌ failed") && md.contains("<details><summary>2 failures</summary>"));
        assert!(outputs(&r).contains("failed=2\n") && outputs(&r).contains("passed=1\n"));
    }
}
