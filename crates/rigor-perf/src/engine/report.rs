//! Report: the charts of an HTML page (one per series, from the history or an Otava CSV) and the
//! alerts it lists; [`crate::render::html`] draws it.

use super::{glob_set, project_name, series_name, series_points};
use crate::display::short;
use crate::error::PerfError;
use crate::ingest::{self, CsvOptions};
use crate::model::Direction;
use crate::settings::Settings;
use crate::stats::median;
use crate::store::{self, Alert};
use globset::GlobSet;
use rigor_model::Config;
use std::path::{Path, PathBuf};

/// Where the series come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportSource {
    /// The history: `branch` (default: the current branch when a series has results there,
    /// else all its results) on `testbed` (default: `[perf].testbed`, else every testbed).
    History {
        branch: Option<String>,
        testbed: Option<String>,
    },
    /// An Otava-layout CSV.
    Otava(PathBuf),
}

/// A report to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub source: ReportSource,
    /// Only series matching one of these globs.
    pub benchmarks: Vec<String>,
}

/// What one chart shows.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub values: Vec<f64>,
    /// Label per point (short commit or time).
    pub labels: Vec<String>,
    /// Indices of change points (first point of the new regime), with their change in %.
    pub change_points: Vec<(usize, f64)>,
    /// Baseline value and the half-width of its band (fraction, the noise band).
    pub baseline: Option<f64>,
    pub band: f64,
    /// Regression threshold (fraction) drawn as a dashed line from the baseline.
    pub threshold: f64,
    /// Open alerts of the series, marked on the chart.
    pub alerts: Vec<ChartAlert>,
}

/// An open alert on a chart.
#[derive(Debug, Clone)]
pub struct ChartAlert {
    pub id: i64,
    /// The alerted point, when its commit is among the chart's points.
    pub index: Option<usize>,
    /// Short commit.
    pub commit: String,
    pub change_pct: f64,
}

/// The content of the HTML page.
#[derive(Debug, Clone)]
pub struct ReportPage {
    pub title: String,
    pub charts: Vec<Chart>,
    /// Every alert (history only).
    pub alerts: Vec<Alert>,
    /// When the page was built (Unix seconds).
    pub generated: i64,
}

/// Build the page; no series to draw is an error ([`PerfError::Nothing`]).
pub fn build(
    config: &Config,
    settings: &Settings,
    request: &ReportRequest,
) -> Result<ReportPage, PerfError> {
    let filter = glob_set(&request.benchmarks)?;
    let page = match &request.source {
        ReportSource::Otava(path) => otava_page(path, filter.as_ref(), settings)?,
        ReportSource::History { branch, testbed } => history_page(
            config,
            settings,
            branch.as_deref(),
            testbed.as_deref(),
            filter.as_ref(),
        )?,
    };
    if page.charts.is_empty() {
        return Err(PerfError::nothing(
            "no series to draw".to_string(),
            "ingest results first, or pass --input FILE.csv",
        ));
    }
    Ok(page)
}

/// A chart per metric column of an Otava CSV.
fn otava_page(
    input: &Path,
    filter: Option<&GlobSet>,
    settings: &Settings,
) -> Result<ReportPage, PerfError> {
    let label = input.display().to_string();
    let text = std::fs::read_to_string(input).map_err(|source| PerfError::Read {
        path: label.clone(),
        source,
        hint: "check the path".into(),
    })?;
    let table = ingest::parse_csv(&label, &text, &CsvOptions::default())?;
    let mut charts = Vec::new();
    for (mi, name) in table.metric_names().iter().enumerate() {
        if filter.is_some_and(|f| !f.is_match(name)) {
            continue;
        }
        let (rows, vals) = table.series(mi);
        let labels = rows
            .iter()
            .map(|&r| {
                table
                    .commit(r)
                    .or(table.time_text(r))
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let dir = settings.direction_override(name).unwrap_or_default();
        charts.push(chart(
            name,
            &settings.unit_override(name).unwrap_or_default(),
            dir,
            vals,
            labels,
            None,
            settings,
        ));
    }
    Ok(ReportPage {
        title: format!("rigor perf — {label}"),
        charts,
        alerts: Vec::new(),
        generated: store::now(),
    })
}

/// A chart per series of the history, with the pinned baseline where there is one, and every
/// alert.
fn history_page(
    config: &Config,
    settings: &Settings,
    branch: Option<&str>,
    testbed: Option<&str>,
    filter: Option<&GlobSet>,
) -> Result<ReportPage, PerfError> {
    let st = store::open(config)?;
    let bed = testbed
        .map(str::to_string)
        .or_else(|| settings.testbed.clone());
    let branch = branch
        .map(str::to_string)
        .or_else(|| rigor_vcs::branch(&config.root));
    let mut charts = Vec::new();
    let all_alerts = store::alerts(&st, None)?;
    for s in store::all_series(&st, bed.as_deref())? {
        let name = series_name(&s.benchmark, &s.measure);
        if filter.is_some_and(|f| !f.is_match(&name)) {
            continue;
        }
        let (pts, used) = series_points(&st, s.id, branch.as_deref())?;
        if pts.is_empty() {
            continue;
        }
        let pinned = match &used {
            Some(b) => store::baseline(&st, b, &s.testbed)?,
            None => None,
        };
        let base_value = pinned.and_then(|c| {
            let v: Vec<f64> = pts
                .iter()
                .filter(|p| p.commit == c)
                .map(|p| p.value)
                .collect();
            (!v.is_empty()).then(|| median(&v))
        });
        let labels = pts.iter().map(|p| short(&p.commit).to_string()).collect();
        let vals = pts.iter().map(|p| p.value).collect();
        let mut c = chart(
            &name,
            &s.unit,
            s.direction,
            vals,
            labels,
            base_value,
            settings,
        );
        c.alerts = all_alerts
            .iter()
            .filter(|a| a.state == "open" && a.benchmark == name && a.testbed == s.testbed)
            .map(|a| ChartAlert {
                id: a.id,
                index: pts.iter().rposition(|p| p.commit == a.commit),
                commit: short(&a.commit).to_string(),
                change_pct: a.change_pct,
            })
            .collect();
        charts.push(c);
    }
    Ok(ReportPage {
        title: format!(
            "rigor perf — {}",
            project_name(config).unwrap_or_else(|| "project".into())
        ),
        charts,
        alerts: all_alerts,
        generated: store::now(),
    })
}

/// A chart with its change points, thresholds and baseline: the pinned one, else the median of
/// the recent points of the last regime.
fn chart(
    name: &str,
    unit: &str,
    direction: Direction,
    values: Vec<f64>,
    labels: Vec<String>,
    baseline: Option<f64>,
    settings: &Settings,
) -> Chart {
    let cps = crate::structure::analyse(&values, &settings.detect).change_points;
    let t = settings.thresholds(name);
    let baseline = baseline.or_else(|| {
        let start = cps.last().map(|c| c.index).unwrap_or(0);
        let tail = &values[start..];
        let from = tail.len().saturating_sub(settings.history_window);
        (!tail.is_empty()).then(|| median(&tail[from..]))
    });
    Chart {
        name: name.to_string(),
        unit: unit.to_string(),
        direction,
        values,
        labels,
        change_points: cps.iter().map(|c| (c.index, c.change_pct)).collect(),
        baseline,
        band: t.noise,
        threshold: t.max_regression,
        alerts: Vec::new(),
    }
}
