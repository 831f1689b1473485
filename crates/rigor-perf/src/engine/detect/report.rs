//! What a detection reports.

use crate::changepoint::{ChangePoint, DetectSettings};
use crate::engine::alerts::Announcement;
use crate::model::Direction;
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
}

impl From<&DetectSettings> for DetectSettingsOut {
    fn from(d: &DetectSettings) -> Self {
        DetectSettingsOut {
            max_pvalue: d.max_pvalue,
            min_magnitude_pct: d.min_magnitude * 100.0,
            min_segment: d.min_segment,
        }
    }
}

/// A detection's report and the alerts it opened.
#[derive(Debug, Clone)]
pub struct DetectOutcome {
    pub report: DetectReport,
    pub announcement: Announcement,
}
