//! History: the points of the series matching a benchmark name or glob, with their change
//! points.

use super::{glob_set, series_name};
use crate::error::PerfError;
use crate::model::{Direction, format_time};
use crate::settings::Settings;
use crate::stats::median;
use crate::store;
use rigor_model::Config;
use serde::Serialize;

/// Which series to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryRequest {
    /// Benchmark name or glob.
    pub benchmark: String,
    /// Only points on this branch (default: every branch).
    pub branch: Option<String>,
    /// Only series on this testbed (default: `[perf].testbed`, else every testbed).
    pub testbed: Option<String>,
    /// Only the last N points.
    pub limit: Option<usize>,
}

/// One series of `rigor perf history`.
#[derive(Debug, Clone, Serialize)]
pub struct HistorySeries {
    pub benchmark: String,
    pub testbed: String,
    pub unit: String,
    pub direction: Direction,
    /// Indices of the change points in the whole series.
    pub change_points: Vec<usize>,
    /// The points shown (the last `limit`).
    pub points: Vec<HistoryPoint>,
    /// Index in the whole series of the first point shown.
    #[serde(skip)]
    pub first: usize,
}

/// One point of a series.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryPoint {
    pub commit: String,
    pub branch: Option<String>,
    /// RFC 3339.
    pub time: String,
    pub value: f64,
    /// Number of raw samples (0 without).
    pub samples: usize,
    /// Median of the samples, else the value.
    pub median: f64,
}

/// The series matching the request, oldest point first.
pub fn history(
    config: &Config,
    settings: &Settings,
    request: &HistoryRequest,
) -> Result<Vec<HistorySeries>, PerfError> {
    let st = store::open(config)?;
    let filter = glob_set(std::slice::from_ref(&request.benchmark))?.expect("one pattern");
    let bed = request.testbed.clone().or_else(|| settings.testbed.clone());
    let series: Vec<store::SeriesRow> = store::all_series(&st, bed.as_deref())?
        .into_iter()
        .filter(|s| filter.is_match(series_name(&s.benchmark, &s.measure)))
        .collect();
    if series.is_empty() {
        return Err(PerfError::nothing(
            format!("no benchmark matches `{}`", request.benchmark),
            "see `rigor perf report` or ingest results first",
        ));
    }
    let mut out = Vec::new();
    for s in series {
        let pts = store::points(&st, s.id, request.branch.as_deref())?;
        let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
        let change_points = crate::structure::analyse(&vals, &settings.detect)
            .change_points
            .iter()
            .map(|c| c.index)
            .collect();
        let first = request
            .limit
            .map(|l| pts.len().saturating_sub(l))
            .unwrap_or(0);
        let points = pts[first..]
            .iter()
            .map(|p| HistoryPoint {
                commit: p.commit.clone(),
                branch: p.branch.clone(),
                time: format_time(p.time),
                value: p.value,
                samples: p.samples.len(),
                median: if p.samples.is_empty() {
                    p.value
                } else {
                    median(&p.samples)
                },
            })
            .collect();
        out.push(HistorySeries {
            benchmark: series_name(&s.benchmark, &s.measure),
            testbed: s.testbed,
            unit: s.unit,
            direction: s.direction,
            change_points,
            points,
            first,
        });
    }
    Ok(out)
}
