//! What a detection reports.

use crate::changepoint::{ChangePoint, DetectSettings};
use crate::engine::alerts::Announcement;
use crate::model::Direction;
use crate::structure::{Mode, Season, Trend};
use serde::Serialize;

/// One change point of a series.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedPoint {
    pub index: usize,
    /// 1-based data row of the CSV (with --input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub commit: Option<String>,
    pub time: Option<String>,
    pub mean_before: f64,
    pub std_before: f64,
    pub mean_after: f64,
    pub std_after: f64,
    pub change_pct: f64,
    pub p_value: f64,
    /// `regression` or `improvement` given the series' direction.
    pub kind: String,
}

impl DetectedPoint {
    pub(super) fn new(
        c: &ChangePoint,
        direction: Direction,
        row: Option<usize>,
        commit: Option<String>,
        time: Option<String>,
    ) -> Self {
        DetectedPoint {
            index: c.index,
            row,
            commit,
            time,
            mean_before: c.mean_before,
            std_before: c.std_before,
            mean_after: c.mean_after,
            std_after: c.std_after,
            change_pct: c.change_pct,
            p_value: c.p_value,
            kind: if c.change_pct * direction.worse_sign() > 0.0 {
                "regression".into()
            } else {
                "improvement".into()
            },
        }
    }
}

/// One series and its change points.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedSeries {
    pub metric: String,
    pub unit: String,
    pub direction: Direction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub testbed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub points: usize,
    pub change_points: Vec<DetectedPoint>,
    /// A significant linear trend over the series (change points are then the level shifts
    /// around it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<DetectedTrend>,
    /// A periodic pattern removed before the change points were searched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<Season>,
}

/// A trend of a series.
#[derive(Debug, Clone, Serialize)]
pub struct DetectedTrend {
    /// Change per point, in the series' unit, with its 95 % interval.
    pub slope: f64,
    pub slope_low: f64,
    pub slope_high: f64,
    pub p_value: f64,
    /// Cumulative drift over the series, in percent of its starting level.
    pub drift_pct: f64,
    /// First and last commit of the window (history), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_commit: Option<String>,
    /// `regression` or `improvement` given the series' direction.
    pub kind: String,
}

impl DetectedTrend {
    pub(super) fn new(
        t: &Trend,
        direction: Direction,
        from_commit: Option<String>,
        to_commit: Option<String>,
    ) -> Self {
        DetectedTrend {
            slope: t.slope,
            slope_low: t.slope_low,
            slope_high: t.slope_high,
            p_value: t.p_value,
            drift_pct: t.drift_pct,
            from_commit,
            to_commit,
            kind: if t.drift_pct * direction.worse_sign() > 0.0 {
                "regression".into()
            } else {
                "improvement".into()
            },
        }
    }
}

/// `rigor perf detect --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct DetectReport {
    /// The CSV, or the history database.
    pub source: String,
    pub settings: DetectSettingsOut,
    pub series: Vec<DetectedSeries>,
    /// Alerts opened or seen again by this detection.
    pub alerts: Vec<i64>,
}

/// The detection settings used.
#[derive(Debug, Clone, Serialize)]
pub struct DetectSettingsOut {
    pub max_pvalue: f64,
    pub min_magnitude_pct: f64,
    pub min_segment: usize,
    pub mode: Mode,
}

impl From<&DetectSettings> for DetectSettingsOut {
    fn from(d: &DetectSettings) -> Self {
        DetectSettingsOut {
            max_pvalue: d.max_pvalue,
            min_magnitude_pct: d.min_magnitude * 100.0,
            min_segment: d.min_segment,
            mode: d.mode,
        }
    }
}

/// A detection's report and the alerts it opened.
#[derive(Debug, Clone)]
pub struct DetectOutcome {
    pub report: DetectReport,
    pub announcement: Announcement,
}
