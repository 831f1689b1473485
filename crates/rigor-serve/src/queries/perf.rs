//! Performance series, their change points and baselines, and alerts — read through the perf
//! area's own store functions where it has them.

use crate::error::HttpError;
use rigor_perf::store::{self, Alert, Point, SeriesRow};
use rigor_store::Store;
use rigor_store::values;
use serde::Serialize;

/// Every series, by benchmark, measure and testbed.
pub fn series_list(store: &Store) -> Result<Vec<SeriesRow>, HttpError> {
    Ok(store::all_series(store, None)?)
}

/// A stored change point of a series on a branch.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChangePointRow {
    pub branch: String,
    pub commit: String,
    pub time: i64,
    pub mean_before: f64,
    pub mean_after: f64,
    pub change_pct: f64,
    pub p_value: f64,
}

/// A series with its points (on a branch, or all), change points, baseline and alerts.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    pub series: SeriesRow,
    pub points: Vec<Point>,
    pub change_points: Vec<ChangePointRow>,
    /// The baseline commit of the branch and testbed, and its value when it has a point.
    pub baseline_commit: Option<String>,
    pub baseline_value: Option<f64>,
    pub alerts: Vec<Alert>,
}

/// One series; None when there is no such series.
pub fn series(
    store: &Store,
    id: i64,
    branch: Option<&str>,
    since: Option<f64>,
) -> Result<Option<SeriesView>, HttpError> {
    let Some(series) = store::all_series(store, None)?
        .into_iter()
        .find(|s| s.id == id)
    else {
        return Ok(None);
    };
    let mut points = store::points(store, id, branch)?;
    if let Some(since) = since {
        points.retain(|p| p.time as f64 >= since);
    }
    let change_points = change_points(store, id, branch)?;
    let baseline_commit = match branch {
        Some(b) => store::baseline(store, b, &series.testbed)?,
        None => None,
    };
    let baseline_value = baseline_commit.as_ref().and_then(|c| {
        points
            .iter()
            .rev()
            .find(|p| &p.commit == c)
            .map(|p| p.value)
    });
    let alerts = store::alerts(store, None)?
        .into_iter()
        .filter(|a| a.benchmark == series.benchmark && a.testbed == series.testbed)
        .collect();
    Ok(Some(SeriesView {
        series,
        points,
        change_points,
        baseline_commit,
        baseline_value,
        alerts,
    }))
}

/// Change points of a series (on a branch, or all), oldest first.
pub fn change_points(
    store: &Store,
    id: i64,
    branch: Option<&str>,
) -> Result<Vec<ChangePointRow>, HttpError> {
    Ok(store.with_sql(|db| {
        db.query(
            "SELECT branch, commit_sha, time, mean_before, mean_after, change_pct, p_value FROM perf_change_points
             WHERE series_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR branch = ?2) ORDER BY time, idx",
            &values![id, branch],
        )?
        .iter()
        .map(|r| {
            Ok(ChangePointRow {
                branch: r.get(0)?,
                commit: r.get(1)?,
                time: r.get(2)?,
                mean_before: r.get(3)?,
                mean_after: r.get(4)?,
                change_pct: r.get(5)?,
                p_value: r.get(6)?,
            })
        })
        .collect()
    })?)
}

/// Alerts in a state (all when None), oldest first.
pub fn alerts(store: &Store, state: Option<&str>) -> Result<Vec<Alert>, HttpError> {
    Ok(store::alerts(store, state)?)
}

/// Alerts per state.
pub fn alert_counts(store: &Store) -> Result<Vec<(String, u64)>, HttpError> {
    Ok(store.with_sql(|db| {
        db.query(
            "SELECT state, COUNT(*) FROM perf_alerts GROUP BY state ORDER BY state",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get::<i64>(1)? as u64)))
        .collect()
    })?)
}

/// The newest point of every series.
pub fn latest_values(store: &Store) -> Result<Vec<(SeriesRow, f64)>, HttpError> {
    let series = series_list(store)?;
    let mut out = Vec::new();
    for s in series {
        let v = store.with_sql(|db| {
            db.query_opt(
                "SELECT value FROM perf_points WHERE series_id = ?1 ORDER BY time DESC, id DESC LIMIT 1",
                &values![s.id],
            )?
            .map(|r| r.get::<f64>(0))
            .transpose()
        })?;
        if let Some(v) = v {
            out.push((s, v));
        }
    }
    Ok(out)
}
