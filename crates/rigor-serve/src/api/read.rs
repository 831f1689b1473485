//! Read endpoints: runs, one run, tests, a test's history, flaky board, perf series, alerts,
//! gate evaluations. They take the same `branch` and `days` filters as the pages.

use super::{API, ApiResult, answer};
use crate::app::AppState;
use crate::error::HttpError;
use crate::filter::{Filter, now};
use crate::queries;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;

/// The largest page any list returns.
pub const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct Page {
    pub limit: Option<usize>,
    pub before: Option<i64>,
    pub offset: Option<usize>,
    pub q: Option<String>,
    #[serde(flatten)]
    pub filter: Filter,
}

impl Page {
    fn limit(&self, default: usize) -> usize {
        self.limit.unwrap_or(default).clamp(1, MAX_LIMIT)
    }
}

pub async fn index() -> Json<serde_json::Value> {
    Json(json!({
        "api": API,
        "endpoints": [
            "GET /api/v1/runs?branch=&days=&limit=&before=",
            "GET /api/v1/runs/{id}",
            "POST /api/v1/runs?commit=&branch=&name= (rigor run JSON or JUnit XML; Authorization: Bearer TOKEN)",
            "GET /api/v1/tests?q=&limit=&offset=",
            "GET /api/v1/tests/history?suite=&id=&branch=&days=&limit=",
            "GET /api/v1/flaky?branch=&days=&limit=",
            "GET /api/v1/perf/series",
            "GET /api/v1/perf/series/{id}?branch=&days=",
            "GET /api/v1/alerts?state=",
            "POST /api/v1/alerts/{id} ({\"state\": \"acknowledged\"|\"resolved\"|\"open\", \"note\": …}; Authorization: Bearer TOKEN)",
            "GET /api/v1/gates?branch=&days=&limit=",
            "GET /metrics (OpenMetrics text)"
        ]
    }))
}

pub async fn runs(State(st): State<AppState>, Query(p): Query<Page>) -> ApiResult {
    let limit = p.limit(50);
    let runs = st
        .db
        .with(move |s| queries::runs::runs(s, &p.filter, now(), limit, p.before))
        .await?;
    Ok(answer("runs", runs))
}

pub async fn run(State(st): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    let (run, results, gates) = st
        .db
        .with(move |s| {
            let run = queries::runs::run(s, id)?
                .ok_or_else(|| HttpError::not_found(format!("there is no run #{id}")))?;
            Ok((
                run,
                queries::runs::results(s, id)?,
                queries::gates::for_run(s, id)?,
            ))
        })
        .await?;
    Ok(Json(json!({
        "api": API,
        "run": run,
        "results": results,
        "gates": gates.map(|e| e.report),
    })))
}

pub async fn tests(State(st): State<AppState>, Query(p): Query<Page>) -> ApiResult {
    let limit = p.limit(100);
    let tests = st
        .db
        .with(move |s| {
            queries::tests::list(
                s,
                p.q.as_deref().filter(|q| !q.is_empty()),
                limit,
                p.offset.unwrap_or(0),
            )
        })
        .await?;
    Ok(answer("tests", tests))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    pub suite: String,
    pub id: String,
    pub limit: Option<usize>,
    #[serde(flatten)]
    pub filter: Filter,
}

pub async fn test_history(State(st): State<AppState>, Query(q): Query<HistoryQuery>) -> ApiResult {
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_LIMIT);
    let v = st
        .db
        .with(move |s| {
            let now = now();
            let test = queries::tests::find(s, &q.suite, &q.id)?.ok_or_else(|| {
                HttpError::not_found(format!(
                    "there is no test `{}` in suite `{}`",
                    q.id, q.suite
                ))
            })?;
            let history = queries::tests::history(s, &test, &q.filter, now, limit)?;
            let window = &history[..history.len().min(queries::flaky::SCORE_WINDOW)];
            Ok(json!({
                "api": API,
                "test": test,
                "flaky": queries::tests::flaky_score(window),
                "quarantines": queries::tests::quarantines(s, &q.suite, &q.id, now)?,
                "history": history,
            }))
        })
        .await?;
    Ok(Json(v))
}

pub async fn flaky(State(st): State<AppState>, Query(p): Query<Page>) -> ApiResult {
    let limit = p.limit(crate::pages::flaky::LIMIT);
    let v = st
        .db
        .with(move |s| {
            let now = now();
            Ok(json!({
                "api": API,
                "window_runs": crate::pages::flaky::WINDOW,
                "score_window": queries::flaky::SCORE_WINDOW,
                "tests": queries::flaky::board(s, &p.filter, now, crate::pages::flaky::WINDOW, limit)?,
                "quarantined": queries::tests::active_quarantines(s, now)?,
            }))
        })
        .await?;
    Ok(Json(v))
}

pub async fn perf_series(State(st): State<AppState>) -> ApiResult {
    let series = st.db.with(|s| queries::perf::series_list(s)).await?;
    Ok(answer("series", series))
}

pub async fn perf_one(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(f): Query<Filter>,
) -> ApiResult {
    let v = st
        .db
        .with(move |s| {
            queries::perf::series(s, id, f.branch.as_deref(), f.since(now()))?
                .ok_or_else(|| HttpError::not_found(format!("there is no series #{id}")))
        })
        .await?;
    Ok(answer("series", v))
}

#[derive(Debug, Deserialize)]
pub struct AlertQuery {
    pub state: Option<String>,
}

pub async fn alerts(State(st): State<AppState>, Query(q): Query<AlertQuery>) -> ApiResult {
    let state = match q.state.as_deref() {
        None | Some("") | Some("all") => None,
        Some(s) => Some(crate::pages::perf::parse_state(s)?.as_str()),
    };
    let alerts = st.db.with(move |s| queries::perf::alerts(s, state)).await?;
    Ok(answer("alerts", alerts))
}

pub async fn gates(State(st): State<AppState>, Query(p): Query<Page>) -> ApiResult {
    let limit = p.limit(50);
    let evals = st
        .db
        .with(move |s| queries::gates::evaluations(s, &p.filter, now(), limit))
        .await?;
    let out: Vec<serde_json::Value> = evals
        .into_iter()
        .map(|e| json!({ "id": e.id, "time": e.time, "commit": e.commit, "branch": e.branch, "report": e.report }))
        .collect();
    Ok(answer("evaluations", out))
}

/// Recent rollouts, newest first (`rigor rollout` records them).
pub async fn rollouts(State(st): State<AppState>, Query(p): Query<Page>) -> ApiResult {
    let limit = p.limit(50);
    let rows = st
        .db
        .with(move |s| Ok(rigor_release::rollout::record::recent(s, limit)?))
        .await?;
    Ok(answer("rollouts", rows))
}
