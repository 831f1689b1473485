//! Change points of an Otava-layout CSV, read directly.

use super::report::{DetectReport, DetectedPoint, DetectedSeries, DetectedTrend};
use crate::changepoint::DetectSettings;
use crate::engine::glob_set;
use crate::error::PerfError;
use crate::ingest::{self, CsvOptions};
use crate::settings::Settings;
use crate::structure;
use std::path::Path;

/// Detect change points in every metric column of the CSV at `path`.
pub(super) fn detect(
    path: &Path,
    time_column: Option<String>,
    benchmarks: &[String],
    d: &DetectSettings,
    settings: &Settings,
) -> Result<DetectReport, PerfError> {
    let label = path.display().to_string();
    if !path.exists() {
        return Err(PerfError::Read {
            path: label,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            hint:
                "give an Otava-layout CSV (time column, attribute columns, one column per metric)"
                    .into(),
        });
    }
    let text = crate::ingest::text::read_text_as(
        path,
        &crate::ingest::text::TextHints {
            utf8: "an Otava CSV must be UTF-8 text",
            empty: "an Otava CSV needs a header row and data rows",
        },
    )?;
    let table = ingest::parse_csv(
        &label,
        &text,
        &CsvOptions {
            delimiter: None,
            time_column,
        },
    )?;
    let filter = glob_set(benchmarks)?;
    let mut series = Vec::new();
    for (mi, name) in table.metric_names().iter().enumerate() {
        if filter.as_ref().is_some_and(|f| !f.is_match(name)) {
            continue;
        }
        let (rows, vals) = table.series(mi);
        let dir = settings.direction_override(name).unwrap_or_default();
        let analysis = structure::analyse(&vals, d);
        let cps = &analysis.change_points;
        series.push(DetectedSeries {
            metric: name.to_string(),
            unit: settings.unit_override(name).unwrap_or_default(),
            direction: dir,
            testbed: None,
            branch: None,
            points: vals.len(),
            change_points: cps
                .iter()
                .map(|c| {
                    let row = rows[c.index];
                    DetectedPoint::new(
                        c,
                        dir,
                        Some(row + 1),
                        table.commit(row).map(str::to_string),
                        table.time_text(row).map(str::to_string),
                    )
                })
                .collect(),
            trend: analysis.trend.as_ref().map(|t| {
                let commit = |i: usize| table.commit(rows[i]).map(str::to_string);
                DetectedTrend::new(t, dir, commit(t.from), commit(t.to - 1))
            }),
            season: analysis.season.clone(),
        });
    }
    Ok(DetectReport {
        source: label,
        settings: d.into(),
        series,
        alerts: Vec::new(),
    })
}
