//! The overview: latest run per branch, pass-rate and wall-time trends, what selection saved,
//! open perf alerts and failing gates.

use crate::app::AppState;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries::{self, runs::RunRow, runs::Selection};
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{charts, esc, pct, secs, short, url, when};
use axum::extract::{Query, State};
use axum::response::Html;
use rigor_gate::history::Evaluation;
use rigor_perf::store::Alert;
use std::fmt::Write as _;

/// Runs the trends and the selection estimate look at.
const TREND_RUNS: usize = 50;

struct Data {
    branches: Vec<String>,
    latest: Vec<RunRow>,
    recent: Vec<RunRow>,
    selection: Selection,
    alerts: Vec<Alert>,
    gates: Vec<Evaluation>,
}

pub async fn page(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let q = f.clone();
    let d = st
        .db
        .with(move |s| {
            let now = now();
            let recent = queries::runs::runs(s, &q, now, TREND_RUNS, None)?;
            Ok(Data {
                branches: queries::runs::branches(s)?,
                latest: queries::runs::latest_per_branch(s, &q, now)?,
                selection: queries::runs::selection(s, &recent)?,
                recent,
                alerts: queries::perf::alerts(s, Some("open"))?,
                gates: queries::gates::latest_per_branch(s)?,
            })
        })
        .await?;
    Ok(Html(shell(
        "Overview",
        Section::Overview,
        &f,
        &d.branches,
        &body(&d, &f),
    )))
}

fn body(d: &Data, f: &Filter) -> String {
    let mut s = String::new();
    cards(&mut s, d, f);
    s.push_str("<h2>Latest run per branch</h2>");
    if d.latest.is_empty() {
        s.push_str(&empty("No runs recorded yet: `rigor run` or `rigor ci` records them, `POST /api/v1/runs` imports them."));
    } else {
        s.push_str(&run_table(&d.latest));
    }
    if !d.recent.is_empty() {
        let _ = write!(
            s,
            "<h2>Trends (last {} runs)</h2><div class=\"trends\">{}{}</div>{}",
            d.recent.len(),
            charts::pass_rate_trend(&d.recent),
            charts::wall_time_trend(&d.recent),
            charts::runs_chart(&d.recent)
        );
    }
    alerts(&mut s, &d.alerts);
    failing_gates(&mut s, &d.gates, f);
    s
}

fn cards(s: &mut String, d: &Data, f: &Filter) {
    let sel = &d.selection;
    let pass = d.recent.iter().filter(|r| r.status == "passed").count();
    let _ = write!(
        s,
        "<div class=\"cards\"><div class=\"card\">runs passed<b>{pass} / {}</b></div>\
<div class=\"card\">CI time saved by selection<b>{}</b><span class=\"muted\">{} of {} runs selective; full suite ≈ {} ({} tests)</span></div>\
<div class=\"card\">selection ratio<b>{}</b></div>\
<div class=\"card\"><a href=\"{}\">open perf alerts</a><b>{}</b></div></div>",
        d.recent.len(),
        secs(sel.saved_s),
        sel.selective_runs,
        sel.runs,
        secs(sel.full_suite_s),
        sel.suite_tests,
        pct(sel.selection_ratio),
        esc(&url::with_filter("/perf", "", f)),
        d.alerts.len()
    );
}

/// A table of runs, linking each to its page.
pub fn run_table(runs: &[RunRow]) -> String {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                link(&url::run(r.id), &format!("#{}", r.id)),
                esc(r.branch.as_deref().unwrap_or("–")),
                esc(&short(r.commit.as_deref())),
                word(&r.status),
                format!("{}", r.tests),
                r.counts
                    .iter()
                    .map(|(k, v)| format!("{v} {}", word(k)))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.pass_rate.map(pct).unwrap_or_else(|| "–".into()),
                r.wall_s.map(secs).unwrap_or_else(|| "unfinished".into()),
                esc(&when(r.started_at)),
                esc(&r.trigger),
            ]
        })
        .collect();
    table(
        &[
            "run",
            "branch",
            "commit",
            "status",
            "tests",
            "outcomes",
            "pass rate",
            "wall time",
            "started",
            "trigger",
        ],
        &rows,
    )
}

fn alerts(s: &mut String, alerts: &[Alert]) {
    s.push_str("<h2>Open performance alerts</h2>");
    if alerts.is_empty() {
        s.push_str(&empty("No open alerts."));
        return;
    }
    s.push_str(&super::perf::alert_table(alerts, false));
}

fn failing_gates(s: &mut String, evals: &[Evaluation], f: &Filter) {
    s.push_str("<h2>Failing gates (latest evaluation per branch)</h2>");
    let rows: Vec<Vec<String>> = evals
        .iter()
        .flat_map(|e| {
            e.report.gates.iter().filter(|g| g.failed()).map(move |g| {
                vec![
                    esc(e.branch.as_deref().unwrap_or("–")),
                    link(&url::with_filter("/gates", "", f), &g.gate),
                    word(g.verdict.as_str()),
                    esc(&g.summary),
                    esc(&when(e.time)),
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        s.push_str(&empty("No failing gates."));
    } else {
        s.push_str(&table(
            &["branch", "gate", "verdict", "summary", "evaluated"],
            &rows,
        ));
    }
}
