//! Charts of the dashboard. The bar, trend, verdict-grid, run and timeline charts are the HTML
//! report's (rigor-gate) and the series chart is the perf report's (rigor-perf); only the
//! outcome strip of a test is drawn here.

use crate::queries::runs::RunRow;
use crate::queries::tests::HistoryRow;
use rigor_gate::html::style::outcome_color;
use rigor_gate::model::Verdict;
use rigor_model::Outcome;
use rigor_model::escape::html as esc;
use rigor_store::{RunRecord, RunStatus};
use std::fmt::Write as _;

pub use rigor_gate::html::charts::{bars_svg, runs_svg, trend_svg, verdict_grid_svg};
pub use rigor_gate::html::timeline::timeline_svg;
pub use rigor_perf::render::svg::chart as series_svg;

/// A test's results as a strip of cells, oldest left; each cell links to its run.
pub fn outcome_strip(history: &[HistoryRow]) -> String {
    let (cell, gap) = (12.0, 2.0);
    let w = (history.len() as f64 * (cell + gap)).max(cell) + 4.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="outcome history" viewBox="0 0 {w} 20" width="{w}" height="20">"#
    );
    for (i, h) in history.iter().rev().enumerate() {
        let o = Outcome::parse(&h.outcome).unwrap_or(Outcome::Error);
        let _ = write!(
            s,
            r#"<a href="/runs/{run}"><rect x="{x:.1}" y="2" width="{cell}" height="16" rx="2" fill="{color}"><title>run {run}: {outcome} in {d:.3} s</title></rect></a>"#,
            run = h.run_id,
            x = 2.0 + i as f64 * (cell + gap),
            color = outcome_color(o),
            outcome = esc(&h.outcome),
            d = h.duration_s,
        );
    }
    s.push_str("</svg>");
    s
}

/// A verdict for a result, to colour trend points: failures red, flaky amber, else green.
fn verdict_of(outcome: &str) -> Verdict {
    match Outcome::parse(outcome) {
        Some(o) if o.is_failure() => Verdict::Fail,
        Some(Outcome::Flaky) => Verdict::Warn,
        Some(Outcome::Skipped) => Verdict::Skip,
        _ => Verdict::Pass,
    }
}

/// A test's duration over its results (oldest left), points coloured by outcome.
pub fn duration_trend(history: &[HistoryRow]) -> String {
    let points: Vec<(Option<f64>, Option<f64>, Verdict)> = history
        .iter()
        .rev()
        .map(|h| (Some(h.duration_s), None, verdict_of(&h.outcome)))
        .collect();
    trend_svg("duration (s)", &points)
}

/// Pass rate (%) of runs, oldest left.
pub fn pass_rate_trend(runs: &[RunRow]) -> String {
    let points: Vec<_> = runs
        .iter()
        .rev()
        .map(|r| (r.pass_rate.map(|p| p * 100.0), None, run_verdict(r)))
        .collect();
    trend_svg("pass rate (%)", &points)
}

/// Wall time (s) of runs, oldest left.
pub fn wall_time_trend(runs: &[RunRow]) -> String {
    let points: Vec<_> = runs
        .iter()
        .rev()
        .map(|r| (r.wall_s, None, run_verdict(r)))
        .collect();
    trend_svg("wall time (s)", &points)
}

fn run_verdict(r: &RunRow) -> Verdict {
    match r.status.as_str() {
        "passed" => Verdict::Pass,
        "failed" | "error" => Verdict::Fail,
        _ => Verdict::Warn,
    }
}

/// Outcome bars of runs (the report's chart; it takes the store's run records).
pub fn runs_chart(runs: &[RunRow]) -> String {
    let records: Vec<RunRecord> = runs
        .iter()
        .map(|r| RunRecord {
            id: r.id,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: match r.status.as_str() {
                "passed" => RunStatus::Passed,
                "failed" => RunStatus::Failed,
                "interrupted" => RunStatus::Interrupted,
                "error" => RunStatus::Error,
                _ => RunStatus::Running,
            },
            commit: r.commit.clone(),
            branch: r.branch.clone(),
            trigger: r.trigger.clone(),
            shard: r.shard.clone(),
            counts: r.counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        })
        .collect();
    runs_svg(&records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(run_id: i64, outcome: &str) -> HistoryRow {
        HistoryRow {
            run_id,
            started_at: 0.0,
            branch: None,
            commit: None,
            outcome: outcome.into(),
            duration_s: 0.5,
            attempts: 1,
            excerpt: None,
        }
    }

    #[test]
    fn the_strip_has_a_linked_cell_per_result_oldest_first() {
        let s = outcome_strip(&[h(3, "failed"), h(2, "passed")]);
        assert_eq!(s.matches("<rect").count(), 2);
        let (a, b) = (s.find("/runs/2").unwrap(), s.find("/runs/3").unwrap());
        assert!(a < b, "oldest left: {s}");
        assert!(s.contains(outcome_color(Outcome::Failed)));
    }
}
