//! Detect: change points over the history (recorded, with alerts for regressions) or over an
//! Otava-layout CSV (read only). The algorithm is in [`crate::changepoint`].

mod history;
mod otava;
mod record;
mod report;

pub use report::{
    DetectOutcome, DetectReport, DetectSettingsOut, DetectedPoint, DetectedSeries, DetectedTrend,
};

use super::alerts::{Alerting, Announcement};
use crate::changepoint::DetectSettings;
use crate::error::PerfError;
use crate::settings::{Settings, parse_percent};
use rigor_model::Config;
use std::path::PathBuf;

/// The series to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectSource {
    /// The history: `branch` (default: the current branch when a series has results there, else
    /// all its results) on `testbed` (default: `[perf].testbed`, else every testbed).
    History {
        branch: Option<String>,
        testbed: Option<String>,
    },
    /// An Otava-layout CSV, read directly (no history needed).
    Otava {
        path: PathBuf,
        /// Name of the time column (default: time, timestamp, date …).
        time_column: Option<String>,
    },
}

/// A detection to run.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectRequest {
    pub source: DetectSource,
    /// Only series whose benchmark (or CSV metric) matches one of these globs.
    pub benchmarks: Vec<String>,
    /// Significance per segment after the multiple-testing correction (default
    /// `[perf.detect].max_pvalue`).
    pub max_pvalue: Option<f64>,
    /// Smallest relative change reported, a percentage such as `1%` (a bare number is read as
    /// percent; default `[perf.detect].min_magnitude`).
    pub min_magnitude: Option<String>,
    /// Fewest points on each side of a change point (at least 2; default
    /// `[perf.detect].min_segment`).
    pub min_segment: Option<usize>,
    /// How series are modelled (default `[perf.detect].mode`).
    pub mode: Option<crate::structure::Mode>,
    /// Record alerts for regressions (history only).
    pub alerts: Alerting,
}

/// Find the change points of every series of the request. No series at all is an error
/// ([`PerfError::Nothing`]).
pub fn detect(
    config: &Config,
    settings: &Settings,
    request: &DetectRequest,
) -> Result<DetectOutcome, PerfError> {
    let d = effective_settings(request, settings)?;
    let outcome = match &request.source {
        DetectSource::Otava { path, time_column } => DetectOutcome {
            report: otava::detect(path, time_column.clone(), &request.benchmarks, &d, settings)?,
            announcement: Announcement::default(),
        },
        DetectSource::History { branch, testbed } => history::detect(
            config,
            settings,
            &history::Scope {
                branch: branch.as_deref(),
                testbed: testbed.as_deref(),
                benchmarks: &request.benchmarks,
            },
            &request.alerts,
            &d,
        )?,
    };
    if outcome.report.series.is_empty() {
        return Err(PerfError::nothing(
            "no series to analyse".to_string(),
            match request.source {
                DetectSource::Otava { .. } => "check --benchmark patterns",
                DetectSource::History { .. } => {
                    "ingest results first (`rigor perf ingest`), or pass --input FILE.csv"
                }
            },
        ));
    }
    Ok(outcome)
}

/// `[perf.detect]` with the request's overrides.
fn effective_settings(
    request: &DetectRequest,
    settings: &Settings,
) -> Result<DetectSettings, PerfError> {
    let mut d = settings.detect;
    if let Some(p) = request.max_pvalue {
        if !(p > 0.0 && p < 1.0) {
            return Err(PerfError::usage(
                format!("--max-pvalue {p} is not a p-value"),
                "use e.g. --max-pvalue 0.001",
            ));
        }
        d.max_pvalue = p;
    }
    if let Some(m) = &request.min_magnitude {
        let v = if m.trim().ends_with('%') {
            toml::Value::String(m.clone())
        } else {
            toml::Value::String(format!("{m}%"))
        };
        d.min_magnitude = parse_percent(&v).map_err(|e| {
            PerfError::usage(
                format!("--min-magnitude: {e}"),
                "use e.g. --min-magnitude 1%",
            )
        })?;
    }
    if let Some(n) = request.min_segment {
        d.min_segment = n.max(2);
    }
    if let Some(m) = request.mode {
        d.mode = m;
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> DetectRequest {
        DetectRequest {
            source: DetectSource::History {
                branch: None,
                testbed: None,
            },
            benchmarks: Vec::new(),
            max_pvalue: None,
            min_magnitude: None,
            min_segment: None,
            mode: None,
            alerts: Alerting::Off,
        }
    }

    #[test]
    fn overrides_replace_the_configured_settings() {
        let s = Settings::default();
        assert_eq!(effective_settings(&request(), &s).unwrap(), s.detect);
        let r = DetectRequest {
            max_pvalue: Some(0.01),
            min_magnitude: Some("2.5".into()),
            min_segment: Some(1),
            ..request()
        };
        let d = effective_settings(&r, &s).unwrap();
        assert_eq!(d.max_pvalue, 0.01);
        assert!((d.min_magnitude - 0.025).abs() < 1e-12);
        assert_eq!(d.min_segment, 2, "at least two points a side");
        let pct = DetectRequest {
            min_magnitude: Some("3%".into()),
            ..request()
        };
        assert!((effective_settings(&pct, &s).unwrap().min_magnitude - 0.03).abs() < 1e-12);
    }

    #[test]
    fn bad_overrides_are_usage_errors() {
        let s = Settings::default();
        for r in [
            DetectRequest {
                max_pvalue: Some(1.5),
                ..request()
            },
            DetectRequest {
                min_magnitude: Some("abc".into()),
                ..request()
            },
        ] {
            let err = effective_settings(&r, &s).unwrap_err();
            assert!(matches!(err, PerfError::Usage { .. }), "{err}");
        }
    }
}
