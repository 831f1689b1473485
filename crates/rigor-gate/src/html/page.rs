//! The page: its sections in order, each from the report data.

use super::charts::{bars_svg, runs_svg, trend_svg, verdict_grid_svg};
use super::data::ReportData;
use super::style::{STYLE, fmt_time};
use super::timeline::timeline_svg;
use crate::eval::text::ranges_text;
use crate::model::{ComponentCoverage, CoverageSummary, GateReport, Verdict};
use rigor_model::Outcome;
use rigor_model::escape;
use rigor_store::{FailureRate, StoredResult};
use std::fmt::Write as _;

/// The latest evaluation's gates as a table, failing first.
fn gate_table(r: &GateReport) -> String {
    let mut s = String::from(
        "<table><tr><th>verdict</th><th>gate</th><th>value</th><th>threshold</th><th>summary</th></tr>",
    );
    for g in r.sorted_gates() {
        let v = g.verdict.as_str();
        let val = match g.value {
            None => "-".into(),
            Some(x) if g.unit.is_empty() && x.fract() == 0.0 => format!("{x}"),
            Some(x) => format!("{x:.2}{}", g.unit),
        };
        let thr = g
            .threshold
            .map(|x| format!("{} {x}{}", escape::html(&g.op), g.unit))
            .unwrap_or_else(|| "-".into());
        let _ = write!(
            s,
            "<tr><td class=\"{v}\">{v}</td><td><code>{}</code>{}</td><td>{val}</td><td>{thr}</td><td>{}</td></tr>",
            escape::html(&g.gate),
            if g.blocking {
                ""
            } else {
                " <span class=\"muted\">(advisory)</span>"
            },
            escape::html(&g.summary)
        );
    }
    s.push_str("</table>");
    s
}

/// Render the page.
pub fn render(d: &ReportData) -> String {
    render_with(d, &[])
}

/// Render the page with `sections` (HTML from other areas, e.g. the rollouts) at its end.
pub fn render_with(d: &ReportData, sections: &[String]) -> String {
    let mut b = String::new();
    b.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>rigor report</title>\n<style>");
    b.push_str(STYLE);
    b.push_str("</style>\n</head>\n<body>\n<h1>rigor report</h1>\n");
    let _ = writeln!(
        b,
        "<p class=\"muted\">generated {}</p>",
        fmt_time(d.generated_at)
    );
    last_run(&mut b, d);
    slowest(&mut b, d);
    if !d.recent_runs.is_empty() {
        b.push_str("<h2>Recent runs</h2>\n");
        b.push_str(&runs_svg(&d.recent_runs));
        b.push('\n');
    }
    gates(&mut b, d);
    if let Some(cov) = d
        .evaluations
        .first()
        .and_then(|e| e.report.coverage.as_ref())
    {
        coverage(&mut b, cov);
    }
    flaky(&mut b, &d.failure_rates);
    for section in sections {
        b.push_str(section);
    }
    b.push_str("</body>\n</html>\n");
    b
}

/// The last run: its line, its timeline and its failures.
fn last_run(b: &mut String, d: &ReportData) {
    b.push_str("<h2>Last run</h2>\n");
    let Some(run) = &d.run else {
        b.push_str("<p class=\"muted\">No finished run in the history.</p>\n");
        return;
    };
    let counts: Vec<String> = Outcome::ALL
        .iter()
        .filter_map(|o| run.counts.get(o.as_str()).map(|c| format!("{c} {o}")))
        .collect();
    if d.shards.len() > 1 {
        let list: Vec<String> = d
            .shards
            .iter()
            .map(|(id, sh)| {
                format!(
                    "#{id} (shard {})",
                    escape::html(sh.as_deref().unwrap_or("?"))
                )
            })
            .collect();
        let _ = writeln!(b, "<p>Shards of this commit: {}</p>", list.join(", "));
    }
    let _ = writeln!(
        b,
        "<p>Run #{} · <b>{}</b> · {} · started {}{}{}{}</p>",
        run.id,
        escape::html(run.status.as_str()),
        escape::html(&counts.join(", ")),
        fmt_time(run.started_at),
        run.finished_at
            .map(|f| format!(" · {:.1}s", f - run.started_at))
            .unwrap_or_default(),
        run.branch
            .as_deref()
            .map(|x| format!(" · branch {}", escape::html(x)))
            .unwrap_or_default(),
        run.commit
            .as_deref()
            .map(|x| format!(
                " · commit <code>{}</code>",
                escape::html(x.get(..12).unwrap_or(x))
            ))
            .unwrap_or_default(),
    );
    if !d.results.is_empty() {
        b.push_str("<h3>Timeline by tier, shard and worker</h3>\n");
        b.push_str(&timeline_svg(&d.results, &d.result_shards));
        b.push('\n');
    }
    failures(b, &d.results);
}

/// Failures shown unfolded at the top; the rest are folded (a red run of many failures stays a
/// page one can scroll).
const OPEN_FAILURES: usize = 3;
/// Excerpt lines kept per failure in the page (the last ones: where it failed).
const EXCERPT_LINES: usize = 60;

/// The failing tests of the last run, each a `<details>` element (no script needed) with its
/// excerpt's last lines.
fn failures(b: &mut String, results: &[StoredResult]) {
    let failures: Vec<&StoredResult> = results.iter().filter(|r| r.outcome.is_failure()).collect();
    let _ = writeln!(b, "<h2>Failures ({})</h2>", failures.len());
    if failures.is_empty() {
        b.push_str("<p class=\"pass\">No failing test.</p>\n");
    }
    for (i, f) in failures.iter().enumerate() {
        let place = f
            .file
            .as_deref()
            .map(|x| {
                format!(
                    " <span class=\"muted\">{}:{}</span>",
                    escape::html(x),
                    f.line.unwrap_or(0)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "<details{}><summary><span class=\"fail\">{}</span> <code>{}::{}</code>{place}</summary>\n<pre>{}</pre></details>",
            if i < OPEN_FAILURES { " open" } else { "" },
            f.outcome,
            escape::html(&f.suite),
            escape::html(&f.id),
            escape::html(&last_lines(f.excerpt.as_deref()))
        );
    }
}

/// The last [`EXCERPT_LINES`] lines of an excerpt, saying how many were left out.
fn last_lines(excerpt: Option<&str>) -> String {
    let Some(text) = excerpt else {
        return "(no excerpt recorded)".into();
    };
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= EXCERPT_LINES {
        return text.to_string();
    }
    format!(
        "[{} earlier lines: rigor history --run shows them]\n{}",
        lines.len() - EXCERPT_LINES,
        lines[lines.len() - EXCERPT_LINES..].join("\n")
    )
}

/// The slowest tests by median duration over the recent runs (said in the heading: the terminal
/// shows one run's times).
fn slowest(b: &mut String, d: &ReportData) {
    b.push_str("<h2>Slowest tests</h2>\n");
    b.push_str(
        "<p class=\"muted\">Median duration of each test's passing results over the last 20 runs \
         (not one run's times).</p>\n",
    );
    if d.slowest.is_empty() {
        b.push_str("<p class=\"muted\">No passing test recorded yet.</p>\n");
        return;
    }
    let rows: Vec<(String, f64, &str)> = d
        .slowest
        .iter()
        .map(|s| (format!("{}::{}", s.suite, s.id), s.median_s, "#3867d6"))
        .collect();
    b.push_str(&bars_svg(
        "slowest tests (median seconds)",
        &rows,
        "s",
        None,
    ));
    b.push('\n');
}

/// The latest gate evaluation, the verdicts over recent ones and a trend per valued gate.
fn gates(b: &mut String, d: &ReportData) {
    b.push_str("<h2>Quality gates</h2>\n");
    match d.evaluations.first() {
        None => b.push_str(
            "<p class=\"muted\">No gate evaluation recorded: run <code>rigor gate</code>.</p>\n",
        ),
        Some(e) => {
            let _ = writeln!(
                b,
                "<p>Latest evaluation #{} at {}{}: <b class=\"{}\">{}</b></p>",
                e.id,
                fmt_time(e.time),
                e.commit
                    .as_deref()
                    .map(|c| format!(
                        " on <code>{}</code>",
                        escape::html(c.get(..12).unwrap_or(c))
                    ))
                    .unwrap_or_default(),
                if e.report.passed { "pass" } else { "fail" },
                if e.report.passed { "passed" } else { "failed" }
            );
            b.push_str(&gate_table(&e.report));
            b.push('\n');
        }
    }
    if d.evaluations.len() <= 1 {
        return;
    }
    b.push_str("<h3>Verdicts over recent evaluations</h3>\n");
    b.push_str(&verdict_grid_svg(&d.evaluations));
    b.push('\n');
    b.push_str("<h3>Trend over recent evaluations</h3>\n<div class=\"trends\">\n");
    let mut gates: Vec<String> = Vec::new();
    for e in d.evaluations.iter().rev() {
        for g in &e.report.gates {
            if g.value.is_some() && !gates.contains(&g.gate) {
                gates.push(g.gate.clone());
            }
        }
    }
    for gate in &gates {
        let points: Vec<(Option<f64>, Option<f64>, Verdict)> = d
            .evaluations
            .iter()
            .rev()
            .map(|e| match e.report.gate(gate) {
                Some(g) => (g.value, g.threshold, g.verdict),
                None => (None, None, Verdict::Skip),
            })
            .collect();
        b.push_str(&trend_svg(gate, &points));
        b.push('\n');
    }
    b.push_str("</div>\n");
}

fn percent(v: Option<f64>, none: &str) -> String {
    v.map(|p| format!("{p:.2}%")).unwrap_or_else(|| none.into())
}

/// Coverage of the latest evaluation: overall, changed lines, components and changed files.
fn coverage(b: &mut String, cov: &CoverageSummary) {
    b.push_str("<h2>Coverage</h2>\n");
    let _ = writeln!(
        b,
        "<p>Overall {} ({} of {} lines in {} files).</p>",
        percent(cov.percent, "n/a"),
        cov.covered,
        cov.measured,
        cov.files
    );
    if let Some(ch) = &cov.changed {
        let _ = writeln!(
            b,
            "<p>Changed lines (base {}): {} ({} of {} measured; {} changed lines in the diff).</p>",
            escape::html(&ch.base),
            percent(ch.percent, "n/a"),
            ch.covered,
            ch.measured,
            ch.changed_lines
        );
    }
    if !cov.components.is_empty() {
        components(b, &cov.components);
    }
    if let Some(ch) = cov.changed.as_ref().filter(|c| !c.files.is_empty()) {
        b.push_str("<h3>Changed files</h3>\n<table><tr><th>file</th><th>covered</th><th>missing lines</th></tr>");
        for f in &ch.files {
            let _ = write!(
                b,
                "<tr><td><code>{}</code></td><td>{}/{}</td><td>{}</td></tr>",
                escape::html(&f.path),
                f.covered,
                f.measured,
                escape::html(&ranges_text(&f.uncovered_lines))
            );
        }
        b.push_str("</table>\n");
    }
}

/// Coverage by component: bars and a table with changed lines and mutation scores.
fn components(b: &mut String, components: &[ComponentCoverage]) {
    b.push_str("<h3>By component</h3>\n");
    let rows: Vec<(String, f64, &str)> = components
        .iter()
        .filter_map(|c| {
            c.percent
                .map(|p| (format!("{} ({})", c.name, c.criticality), p, "#2e9d5b"))
        })
        .collect();
    b.push_str(&bars_svg(
        "coverage by component (percent)",
        &rows,
        "%",
        Some(100.0),
    ));
    b.push_str("\n<table><tr><th>component</th><th>criticality</th><th>coverage</th><th>changed lines</th><th>mutation score</th></tr>");
    for c in components {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{} ({}/{})</td><td>{} ({}/{})</td><td>{}</td></tr>",
            escape::html(&c.name),
            escape::html(&c.criticality),
            percent(c.percent, "-"),
            c.covered,
            c.measured,
            percent(c.changed_percent, "-"),
            c.changed_covered,
            c.changed_measured,
            percent(c.mutation_score, "-")
        );
    }
    b.push_str("</table>\n");
}

/// Tests that passed on retry in the recent runs.
fn flaky(b: &mut String, rates: &[FailureRate]) {
    let flaky: Vec<&FailureRate> = rates.iter().filter(|f| f.flaky > 0).collect();
    let _ = writeln!(b, "<h2>Flaky tests ({})</h2>", flaky.len());
    if flaky.is_empty() {
        b.push_str("<p class=\"muted\">No test passed on retry in the recent runs.</p>\n");
        return;
    }
    b.push_str("<table><tr><th>test</th><th>runs</th><th>flaky</th><th>failed</th><th>rate</th><th>last</th></tr>");
    for f in flaky {
        let _ = write!(
            b,
            "<tr><td><code>{}::{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{}</td></tr>",
            escape::html(&f.suite),
            escape::html(&f.id),
            f.runs,
            f.flaky,
            f.failures,
            f.rate * 100.0,
            f.last_outcome
        );
    }
    b.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rigor_model::Outcome;

    fn failed(id: &str, excerpt: String) -> StoredResult {
        StoredResult {
            suite: "py".into(),
            id: id.into(),
            file: None,
            line: None,
            outcome: Outcome::Failed,
            duration_s: 0.1,
            attempts: 1,
            excerpt: Some(excerpt),
            start_s: None,
            worker: None,
            tier: None,
        }
    }

    /// Issue 17, item 5: a red run of many failures folds all but the first few, and long
    /// excerpts keep their last lines.
    #[test]
    fn failures_are_folded_past_the_first_few_and_excerpts_are_bounded() {
        let long: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let results: Vec<StoredResult> = (0..82)
            .map(|i| failed(&format!("t.py::test_{i}"), long.clone()))
            .collect();
        let mut b = String::new();
        failures(&mut b, &results);
        assert_eq!(b.matches("<details open>").count(), OPEN_FAILURES);
        assert_eq!(b.matches("<details>").count(), 82 - OPEN_FAILURES);
        assert!(b.contains("[40 earlier lines: rigor history --run shows them]"));
        assert!(!b.contains("line 40\n") && b.contains("line 41\n") && b.contains("line 100"));
    }
}
