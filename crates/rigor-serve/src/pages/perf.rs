//! Performance: every series as a chart with its stored change points and baseline, the
//! alerts, and acknowledging or resolving an alert from the page when the server has a token.

use crate::app::AppState;
use crate::error::HttpError;
use crate::filter::{Filter, now};
use crate::pages::{PageError, PageResult};
use crate::queries::{self, perf::SeriesView};
use crate::render::layout::{Section, empty, link, page as shell, table, word};
use crate::render::{charts, esc, short, url, when};
use crate::security;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rigor_perf::Settings;
use rigor_perf::engine::alerts::{AlertChange, AlertState, change};
use rigor_perf::engine::report::Chart;
use rigor_perf::store::Alert;
use serde::Deserialize;
use std::fmt::Write as _;

/// Series drawn on the list page.
pub const MAX_CHARTS: usize = 60;

pub async fn list(State(st): State<AppState>, Query(f): Query<Filter>) -> PageResult {
    let q = f.clone();
    let (branches, views, alerts) = st
        .db
        .with(move |s| {
            let since = q.since(now());
            let mut views = Vec::new();
            for series in queries::perf::series_list(s)?.into_iter().take(MAX_CHARTS) {
                views.extend(queries::perf::series(
                    s,
                    series.id,
                    q.branch.as_deref(),
                    since,
                )?);
            }
            Ok((
                queries::runs::branches(s)?,
                views,
                queries::perf::alerts(s, None)?,
            ))
        })
        .await?;
    let settings = settings(&st)?;
    let mut body = String::from("<h2>Alerts</h2>");
    if alerts.is_empty() {
        body.push_str(&empty("No alerts."));
    } else {
        body.push_str(&alert_table(&alerts, st.writable()));
    }
    let _ = write!(body, "<h2>Series ({})</h2>", views.len());
    if views.is_empty() {
        body.push_str(&empty(
            "No performance series: `rigor perf ingest` records them.",
        ));
    }
    for v in &views {
        let title = series_name(v);
        let _ = write!(
            body,
            "<h3>{}</h3>{}",
            link(
                &url::with_filter(&format!("/perf/series/{}", v.series.id), "", &f),
                &title
            ),
            if v.points.is_empty() {
                empty("No points in this filter.")
            } else {
                charts::series_svg(&chart(v, &settings))
            }
        );
    }
    Ok(Html(shell(
        "Performance",
        Section::Perf,
        &f,
        &branches,
        &body,
    )))
}

pub async fn page(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(f): Query<Filter>,
) -> PageResult {
    let q = f.clone();
    let (branches, v) = st
        .db
        .with(move |s| {
            let v = queries::perf::series(s, id, q.branch.as_deref(), q.since(now()))?
                .ok_or_else(|| HttpError::not_found(format!("there is no series #{id}")))?;
            Ok((queries::runs::branches(s)?, v))
        })
        .await?;
    let settings = settings(&st)?;
    let mut body = if v.points.is_empty() {
        empty("No points in this filter.")
    } else {
        charts::series_svg(&chart(&v, &settings))
    };
    let _ = write!(
        body,
        "<p>unit {} · {} · testbed {} · baseline {}</p><h2>Change points</h2>",
        esc(&v.series.unit),
        esc(v.series.direction.as_str()),
        esc(&v.series.testbed),
        esc(&v
            .baseline_commit
            .as_deref()
            .map(|c| short(Some(c)))
            .unwrap_or_else(|| "none (choose a branch)".into()))
    );
    let rows: Vec<Vec<String>> = v
        .change_points
        .iter()
        .map(|c| {
            vec![
                esc(&c.branch),
                esc(&short(Some(&c.commit))),
                esc(&when(c.time as f64)),
                format!("{:.4} → {:.4}", c.mean_before, c.mean_after),
                format!("{:+.1} %", c.change_pct),
                format!("{:.2e}", c.p_value),
            ]
        })
        .collect();
    if rows.is_empty() {
        body.push_str(&empty(
            "No change points stored (`rigor perf detect` finds them).",
        ));
    } else {
        body.push_str(&table(
            &["branch", "commit", "time", "mean", "change", "p"],
            &rows,
        ));
    }
    body.push_str("<h2>Alerts</h2>");
    if v.alerts.is_empty() {
        body.push_str(&empty("No alerts for this series."));
    } else {
        body.push_str(&alert_table(&v.alerts, st.writable()));
    }
    Ok(Html(shell(
        &series_name(&v),
        Section::Perf,
        &f,
        &branches,
        &body,
    )))
}

fn settings(st: &AppState) -> Result<Settings, PageError> {
    Ok(Settings::load(&st.config).map_err(HttpError::from)?.0)
}

fn series_name(v: &SeriesView) -> String {
    format!(
        "{} · {} ({})",
        v.series.benchmark, v.series.measure, v.series.testbed
    )
}

/// The perf report's chart of a series: its points, the stored change points (placed at the
/// first point of their commit), the baseline band and the regression threshold.
pub fn chart(v: &SeriesView, settings: &Settings) -> Chart {
    let t = settings.thresholds(&v.series.benchmark);
    let change_points = v
        .change_points
        .iter()
        .filter_map(|c| {
            v.points
                .iter()
                .position(|p| p.commit == c.commit)
                .map(|i| (i, c.change_pct))
        })
        .collect();
    Chart {
        name: series_name(v),
        unit: v.series.unit.clone(),
        direction: v.series.direction,
        values: v.points.iter().map(|p| p.value).collect(),
        labels: v.points.iter().map(|p| short(Some(&p.commit))).collect(),
        change_points,
        baseline: v.baseline_value,
        band: t.noise,
        threshold: t.max_regression,
        alerts: v
            .alerts
            .iter()
            .filter(|a| a.state == "open")
            .map(|a| rigor_perf::engine::report::ChartAlert {
                id: a.id,
                index: v.points.iter().rposition(|p| p.commit == a.commit),
                commit: short(Some(&a.commit)),
                change_pct: a.change_pct,
            })
            .collect(),
    }
}

/// Alerts as a table; with `forms`, each open or acknowledged alert gets acknowledge/resolve
/// buttons (a plain form posting the token: no script).
pub fn alert_table(alerts: &[Alert], forms: bool) -> String {
    let mut headers = vec![
        "#",
        "state",
        "benchmark",
        "change",
        "commit",
        "branch",
        "seen",
        "message",
    ];
    if forms {
        headers.push("action");
    }
    let rows: Vec<Vec<String>> = alerts
        .iter()
        .map(|a| {
            let mut row = vec![
                a.id.to_string(),
                word(&a.state),
                esc(&format!("{} ({})", a.benchmark, a.testbed)),
                format!("{:+.1} %", a.change_pct),
                esc(&short(Some(&a.commit))),
                esc(a.branch.as_deref().unwrap_or("–")),
                format!(
                    "{}× since {}",
                    a.occurrences,
                    esc(&when(a.first_seen as f64))
                ),
                esc(&a.message),
            ];
            if forms {
                row.push(if a.state == "resolved" {
                    String::new()
                } else {
                    alert_form(a.id)
                });
            }
            row
        })
        .collect();
    table(&headers, &rows)
}

fn alert_form(id: i64) -> String {
    format!(
        "<form method=\"post\" action=\"/perf/alerts/{id}\"><input type=\"password\" name=\"token\" placeholder=\"token\" required> \
<input name=\"note\" placeholder=\"note\"> <button name=\"state\" value=\"acknowledged\">acknowledge</button> \
<button name=\"state\" value=\"resolved\">resolve</button></form>"
    )
}

#[derive(Debug, Deserialize)]
pub struct AlertForm {
    pub token: Option<String>,
    pub state: String,
    pub note: Option<String>,
}

/// Parse a requested alert state.
pub fn parse_state(s: &str) -> Result<AlertState, HttpError> {
    match s {
        "open" => Ok(AlertState::Open),
        "acknowledged" => Ok(AlertState::Acknowledged),
        "resolved" => Ok(AlertState::Resolved),
        other => Err(HttpError::bad_request(format!(
            "`{other}` is not an alert state: use open, acknowledged or resolved"
        ))),
    }
}

/// Set an alert's state through the perf area's API.
pub async fn set_alert_state(
    st: &AppState,
    id: i64,
    state: AlertState,
    note: Option<String>,
) -> Result<(), HttpError> {
    let config = st.config.clone();
    st.db
        .with(move |_| {
            change(
                &config,
                &AlertChange {
                    id,
                    state,
                    note: note.filter(|n| !n.trim().is_empty()),
                },
            )
            .map_err(|e| {
                if e.to_string().contains("there is no alert") {
                    HttpError::not_found(format!("there is no alert #{id}"))
                } else {
                    HttpError::from(e)
                }
            })
        })
        .await
}

/// `POST /perf/alerts/{id}` from the page's form.
pub async fn change_alert(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<AlertForm>,
) -> Result<Response, PageError> {
    security::authorize(st.token.as_deref(), &headers, form.token.as_deref())?;
    let state = parse_state(&form.state)?;
    set_alert_state(&st, id, state, form.note).await?;
    Ok(Redirect::to("/perf").into_response())
}
