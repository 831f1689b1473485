//! Runs: the list (paged) and one run — timeline by tier, shard and worker, failures with
//! their excerpts, gate results, every result.

use crate::app::AppState;
use crate::error::HttpError;
use crate::filter::{Filter, now};
use crate::pages::PageResult;
use crate::queries::{self, runs::RunRow};
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{charts, esc, secs, short, url};
use axum::extract::{Path, Query, State};
use axum::response::Html;
use rigor_gate::history::Evaluation;
use rigor_store::StoredResult;
use serde::Deserialize;
use std::fmt::Write as _;

/// Runs per page of the list.
const PAGE: usize = 50;
/// Results listed on a run's page (all are in the API).
const MAX_RESULTS: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub before: Option<i64>,
    #[serde(flatten)]
    pub filter: Filter,
}

pub async fn list(State(st): State<AppState>, Query(q): Query<ListQuery>) -> PageResult {
    let f = q.filter.clone();
    let before = q.before;
    let (branches, runs) = st
        .db
        .with(move |s| {
            Ok((
                queries::runs::branches(s)?,
                queries::runs::runs(s, &f, now(), PAGE, before)?,
            ))
        })
        .await?;
    let mut body = if runs.is_empty() {
        empty("No runs in this filter.")
    } else {
        super::overview::run_table(&runs)
    };
    if let (Some(last), true) = (runs.last(), runs.len() == PAGE) {
        body.push_str(&link(
            &url::with_filter("/runs", &format!("before={}", last.id), &q.filter),
            "older runs →",
        ));
    }
    Ok(Html(shell(
        "Runs",
        Section::Runs,
        &q.filter,
        &branches,
        &body,
    )))
}

pub async fn page(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(f): Query<Filter>,
) -> PageResult {
    let (branches, run, results, gates) = st
        .db
        .with(move |s| {
            let run = queries::runs::run(s, id)?
                .ok_or_else(|| HttpError::not_found(format!("there is no run #{id}")))?;
            Ok((
                queries::runs::branches(s)?,
                run,
                queries::runs::results(s, id)?,
                queries::gates::for_run(s, id)?,
            ))
        })
        .await?;
    let body = body(&run, &results, gates.as_ref(), &f);
    Ok(Html(shell(
        &format!("Run #{id}"),
        Section::Runs,
        &f,
        &branches,
        &body,
    )))
}

fn body(run: &RunRow, results: &[StoredResult], gates: Option<&Evaluation>, f: &Filter) -> String {
    let mut s = super::overview::run_table(std::slice::from_ref(run));
    if !results.is_empty() {
        let shards = vec![run.shard.clone(); results.len()];
        let _ = write!(
            s,
            "<h2>Timeline</h2>{}",
            charts::timeline_svg(results, &shards)
        );
    }
    failures(&mut s, results, f);
    s.push_str("<h2>Gates</h2>");
    match gates {
        Some(e) => s.push_str(&super::gates::gate_table(e)),
        None => s.push_str(&empty("No gate evaluation recorded for this run.")),
    }
    let _ = write!(s, "<h2>Results ({})</h2>", results.len());
    let rows: Vec<Vec<String>> = results
        .iter()
        .take(MAX_RESULTS)
        .map(|r| {
            vec![
                link(&url::test(&r.suite, &r.id, f), &r.id),
                esc(&r.suite),
                word(r.outcome.as_str()),
                secs(r.duration_s),
                r.attempts.to_string(),
                esc(r.tier.as_deref().unwrap_or("")),
                r.worker.map(|w| w.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "test", "suite", "outcome", "duration", "attempts", "tier", "worker",
        ],
        &rows,
    ));
    if results.len() > MAX_RESULTS {
        let _ = write!(
            s,
            "<p class=\"muted\">{} more in <a href=\"/api/v1/runs/{}\">the API</a>.</p>",
            results.len() - MAX_RESULTS,
            run.id
        );
    }
    let _ = write!(
        s,
        "<p class=\"muted\">commit {}</p>",
        esc(&short(run.commit.as_deref()))
    );
    s
}

fn failures(s: &mut String, results: &[StoredResult], f: &Filter) {
    let failed: Vec<&StoredResult> = results
        .iter()
        .filter(|r| r.outcome.is_failure() || r.outcome == rigor_model::Outcome::Flaky)
        .collect();
    let _ = write!(s, "<h2>Failures ({})</h2>", failed.len());
    if failed.is_empty() {
        s.push_str(&empty("No failed, errored, timed-out or flaky tests."));
        return;
    }
    for r in failed {
        let _ = write!(
            s,
            "<h3>{} {}</h3><pre>{}</pre>",
            word(r.outcome.as_str()),
            link(&url::test(&r.suite, &r.id, f), &r.id),
            esc(r.excerpt.as_deref().unwrap_or("(no excerpt recorded)"))
        );
    }
}
