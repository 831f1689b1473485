//! Change points over the history: every series (on the requested branch when it has results
//! there), recorded for the "also moved" context of alerts.

use super::record::{self, Found};
use super::report::{DetectOutcome, DetectReport, DetectedPoint, DetectedSeries, DetectedTrend};
use crate::changepoint::{ChangePoint, DetectSettings};
use crate::engine::alerts::{self, Alerting, Announcement};
use crate::engine::{glob_set, series_name, series_points};
use crate::error::PerfError;
use crate::model::format_time;
use crate::settings::Settings;
use crate::store;
use crate::structure;
use rigor_model::Config;

/// The series of the history to analyse.
pub(super) struct Scope<'a> {
    /// Default: the current branch (where a series has results there).
    pub(super) branch: Option<&'a str>,
    /// Default: `[perf].testbed`, else every testbed.
    pub(super) testbed: Option<&'a str>,
    /// Globs of the benchmarks (all when empty).
    pub(super) benchmarks: &'a [String],
}

/// Detect, record the change points, and record alerts for regressions when asked to.
pub(super) fn detect(
    config: &Config,
    settings: &Settings,
    scope: &Scope,
    alerting: &Alerting,
    d: &DetectSettings,
) -> Result<DetectOutcome, PerfError> {
    let st = store::open(config)?;
    let conn = &st;
    let filter = glob_set(scope.benchmarks)?;
    let branch = scope
        .branch
        .map(str::to_string)
        .or_else(|| rigor_vcs::branch(&config.root));
    let bed = scope
        .testbed
        .map(str::to_string)
        .or_else(|| settings.testbed.clone());
    let mut series = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    for s in store::all_series(conn, bed.as_deref())? {
        let name = series_name(&s.benchmark, &s.measure);
        if filter.as_ref().is_some_and(|f| !f.is_match(&name)) {
            continue;
        }
        let (pts, used_branch) = series_points(conn, s.id, branch.as_deref())?;
        let vals: Vec<f64> = pts.iter().map(|p| p.value).collect();
        let analysis = structure::analyse(&vals, d);
        let cps = analysis.change_points;
        let stored: Vec<(String, usize, i64, &ChangePoint)> = cps
            .iter()
            .map(|c| (pts[c.index].commit.clone(), c.index, pts[c.index].time, c))
            .collect();
        store::replace_change_points(conn, s.id, used_branch.as_deref().unwrap_or(""), &stored)?;
        series.push(DetectedSeries {
            metric: name,
            unit: s.unit.clone(),
            direction: s.direction,
            testbed: Some(s.testbed.clone()),
            branch: used_branch.clone(),
            points: pts.len(),
            change_points: cps
                .iter()
                .map(|c| {
                    let p = &pts[c.index];
                    DetectedPoint::new(
                        c,
                        s.direction,
                        None,
                        Some(p.commit.clone()),
                        Some(format_time(p.time)),
                    )
                })
                .collect(),
            trend: analysis.trend.as_ref().map(|t| {
                DetectedTrend::new(
                    t,
                    s.direction,
                    Some(pts[t.from].commit.clone()),
                    Some(pts[t.to - 1].commit.clone()),
                )
            }),
            season: analysis.season,
        });
        found.push(Found {
            series: s,
            points: pts,
            branch: used_branch,
            change_points: cps,
            trend: analysis.trend,
        });
    }
    let mut alert_ids = Vec::new();
    let mut announcement = Announcement::default();
    if let Alerting::Record { webhook } = alerting {
        let recorded = record::change_point_alerts(config, settings, conn, &found)?;
        alert_ids = recorded.iter().map(|(id, _)| *id).collect();
        let opened: Vec<i64> = recorded
            .iter()
            .filter(|(_, opened)| *opened)
            .map(|(id, _)| *id)
            .collect();
        announcement = alerts::announce(config, settings, conn, &opened, webhook.as_deref())?;
    }
    Ok(DetectOutcome {
        report: DetectReport {
            source: st.path().display().to_string(),
            settings: d.into(),
            series,
            alerts: alert_ids,
        },
        announcement,
    })
}
