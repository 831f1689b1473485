//! Gates: verdicts over recent evaluations, a trend per gate, grouped by component.

use crate::app::AppState;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries::{self, gates::split_component};
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{charts, esc, short, url, when};
use axum::extract::{Query, State};
use axum::response::Html;
use rigor_gate::history::Evaluation;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Evaluations shown.
pub const LIMIT: usize = 40;

pub async fn page(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let q = f.clone();
    let (branches, evals) = st
        .db
        .with(move |s| {
            Ok((
                queries::runs::branches(s)?,
                queries::gates::evaluations(s, &q, now(), LIMIT)?,
            ))
        })
        .await?;
    Ok(Html(shell(
        "Gates",
        Section::Gates,
        &f,
        &branches,
        &body(&evals),
    )))
}

fn body(evals: &[Evaluation]) -> String {
    if evals.is_empty() {
        return empty(
            "No gate evaluations in this filter: `rigor gate` and `rigor ci` record them.",
        );
    }
    let mut s = format!(
        "<h2>Verdicts (last {}, oldest left)</h2>{}",
        evals.len(),
        charts::verdict_grid_svg(evals)
    );
    // gate → component → values oldest first
    let mut by_gate: BTreeMap<String, BTreeMap<String, Vec<_>>> = BTreeMap::new();
    for e in evals.iter().rev() {
        for g in &e.report.gates {
            let (base, component) = split_component(&g.gate);
            by_gate
                .entry(base.to_string())
                .or_default()
                .entry(component.unwrap_or("").to_string())
                .or_default()
                .push((g.value, g.threshold, g.verdict));
        }
    }
    for (gate, components) in &by_gate {
        let _ = write!(s, "<h2>{}</h2><div class=\"trends\">", esc(gate));
        for (component, points) in components {
            let label = if component.is_empty() {
                gate.clone()
            } else {
                format!("{gate} [{component}]")
            };
            s.push_str(&charts::trend_svg(&label, points));
        }
        s.push_str("</div>");
    }
    s.push_str("<h2>Evaluations</h2>");
    let rows: Vec<Vec<String>> = evals
        .iter()
        .map(|e| {
            let failing: Vec<String> = e
                .report
                .gates
                .iter()
                .filter(|g| g.failed())
                .map(|g| esc(&g.gate))
                .collect();
            vec![
                format!("#{}", e.id),
                esc(&when(e.time)),
                esc(e.branch.as_deref().unwrap_or("–")),
                esc(&short(e.commit.as_deref())),
                e.report
                    .run_id
                    .map(|r| link(&url::run(r), &format!("#{r}")))
                    .unwrap_or_default(),
                word(if e.report.passed { "pass" } else { "fail" }),
                failing.join(", "),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "evaluation",
            "time",
            "branch",
            "commit",
            "run",
            "verdict",
            "failing gates",
        ],
        &rows,
    ));
    s
}

/// The gates of one evaluation.
pub fn gate_table(e: &Evaluation) -> String {
    let rows: Vec<Vec<String>> = e
        .report
        .gates
        .iter()
        .map(|g| {
            vec![
                esc(&g.gate),
                word(g.verdict.as_str()),
                g.value
                    .map(|v| format!("{v:.2}{}", esc(&g.unit)))
                    .unwrap_or_default(),
                g.threshold
                    .map(|t| format!("{} {t:.2}{}", esc(&g.op), esc(&g.unit)))
                    .unwrap_or_default(),
                if g.blocking {
                    "blocking".into()
                } else {
                    "advisory".into()
                },
                esc(&g.summary),
            ]
        })
        .collect();
    table(
        &["gate", "verdict", "value", "threshold", "kind", "summary"],
        &rows,
    )
}
