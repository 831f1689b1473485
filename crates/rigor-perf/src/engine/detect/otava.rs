//! Change points of an Otava-layout CSV, read directly.

use super::report::{DetectReport, DetectedPoint, DetectedSeries};
use crate::changepoint::{self, DetectSettings};
use crate::engine::glob_set;
use crate::error::PerfError;
use crate::ingest::{self, CsvOptions};
use crate::settings::Settings;
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
    let bytes = std::fs::read(path).map_err(|source| PerfError::Read {
        path: label.clone(),
        source,
        hint: "check the path and permissions".into(),
    })?;
    // Not UTF-8 is malformed input (exit 3), located, like every other reader's.
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let (line, col) =
            crate::ingest::text::line_col(&String::from_utf8_lossy(e.as_bytes()), valid);
        PerfError::input(
            &label,
            format!("line {line}, column {col}"),
            "invalid UTF-8",
            "an Otava CSV must be UTF-8 text",
        )
    })?;
    if text.trim().is_empty() {
        return Err(PerfError::input(
            &label,
            "line 1, column 1",
            "the file is empty",
            "an Otava CSV needs a header row and data rows",
        ));
    }
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
        let cps = changepoint::detect(&vals, d);
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
        });
    }
    Ok(DetectReport {
        source: label,
        settings: d.into(),
        series,
        alerts: Vec::new(),
    })
}
