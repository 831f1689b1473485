//! The operations of `rigor perf`, one module per operation: ingest, compare, detect, alerts,
//! baseline, history and report. Each takes the configuration, the effective [`Settings`] and a
//! request struct, and returns a typed result; the renderers ([`crate::render`]) turn results
//! into text, Markdown, JSON or HTML. Nothing here prints.

pub mod alerts;
pub mod baseline;
pub mod compare;
pub mod detect;
pub mod history;
pub mod ingest;
pub mod report;

use crate::error::PerfError;
use crate::model::Measurement;
use crate::settings::Settings;
use crate::store::{self, Point};

/// The testbed of a request: the one asked for, else `[perf].testbed`, else `default`.
pub(crate) fn testbed(requested: Option<&str>, settings: &Settings) -> String {
    requested
        .map(str::to_string)
        .or_else(|| settings.testbed.clone())
        .unwrap_or_else(|| "default".into())
}

/// The benchmark filter of a request; `None` when no pattern was given (everything matches).
pub(crate) fn glob_set(patterns: &[String]) -> Result<Option<globset::GlobSet>, PerfError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| {
            PerfError::usage(
                format!("bad benchmark pattern `{p}`: {e}"),
                "use a name or a glob such as \"parse/*\"",
            )
        })?);
    }
    Ok(Some(b.build().map_err(|e| {
        PerfError::usage(e.to_string(), "check the --benchmark patterns")
    })?))
}

/// Apply the direction and unit overrides of `[perf.benchmarks."…"]`.
pub(crate) fn apply_overrides(ms: &mut [Measurement], settings: &Settings) {
    for m in ms {
        if let Some(d) = settings.direction_override(&m.benchmark) {
            m.direction = d;
        }
        if let Some(u) = settings.unit_override(&m.benchmark) {
            m.unit = u;
        }
    }
}

/// The name a series is shown and matched by: the benchmark, with its measure when that is not
/// the main one (`time`, `value`).
pub fn series_name(benchmark: &str, measure: &str) -> String {
    if measure == "time" || measure == "value" || measure.is_empty() {
        benchmark.to_string()
    } else {
        format!("{benchmark}:{measure}")
    }
}

/// Points of a series on `branch` when it has any there, else all its points; with the branch
/// used.
pub(crate) fn series_points(
    conn: &rigor_store::Store,
    sid: i64,
    branch: Option<&str>,
) -> Result<(Vec<Point>, Option<String>), PerfError> {
    if let Some(b) = branch {
        let pts = store::points(conn, sid, Some(b))?;
        if !pts.is_empty() {
            return Ok((pts, Some(b.to_string())));
        }
    }
    Ok((store::points(conn, sid, None)?, None))
}

/// The project's name for titles and messages: the last component of its root.
pub(crate) fn project_name(config: &rigor_model::Config) -> Option<String> {
    config
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names_show_secondary_measures_only() {
        assert_eq!(series_name("parse", "time"), "parse");
        assert_eq!(series_name("parse", "value"), "parse");
        assert_eq!(series_name("parse", ""), "parse");
        assert_eq!(series_name("parse", "memory"), "parse:memory");
    }

    #[test]
    fn testbed_falls_back_to_settings_then_default() {
        let mut s = Settings::default();
        assert_eq!(testbed(None, &s), "default");
        s.testbed = Some("ci-large".into());
        assert_eq!(testbed(None, &s), "ci-large");
        assert_eq!(testbed(Some("gpu"), &s), "gpu");
    }

    #[test]
    fn bad_patterns_are_usage_errors() {
        assert!(glob_set(&[]).unwrap().is_none());
        let set = glob_set(&["api/*".into()]).unwrap().unwrap();
        assert!(set.is_match("api/latency") && !set.is_match("db/query"));
        let err = glob_set(&["[".into()]).unwrap_err();
        assert!(
            err.to_string().contains("bad benchmark pattern `[`"),
            "{err}"
        );
    }
}
