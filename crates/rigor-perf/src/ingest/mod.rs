//! Readers for benchmark and metric artifacts. Every reader parses the whole input before
//! anything is stored, and reports malformed input with the file and a position (line and column
//! for CSV and JSON syntax, a JSON path such as `$.benchmarks[2].stats.median` for wrong types).
//!
//! This module picks the format (from `--format`, else from the path and content) and hands the
//! file to the reader of that format, one module per format.

mod criterion;
mod csv;
mod gbench;
mod hyperfine;
mod json;
mod metrics;
mod pytest_benchmark;

pub use csv::{CsvRecord, CsvTable, parse_csv};

use crate::error::PerfError;
use crate::model::Measurement;
use json::{Node, parse_json};
use std::path::Path;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Auto,
    Criterion,
    PytestBenchmark,
    Hyperfine,
    Gbench,
    Csv,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Criterion => "criterion",
            Format::PytestBenchmark => "pytest-benchmark",
            Format::Hyperfine => "hyperfine",
            Format::Gbench => "gbench",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// What a file yielded.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub format: Option<Format>,
    pub measurements: Vec<Measurement>,
    /// Commit / branch / time recorded by the tool itself (pytest-benchmark's commit_info …).
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub testbed: Option<String>,
    pub time: Option<i64>,
    pub warnings: Vec<String>,
}

/// CSV options (Otava's `csv_options`, `time_column`, `attributes`).
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub delimiter: Option<u8>,
    pub time_column: Option<String>,
}

/// Read any supported input.
pub fn read_path(path: &Path, format: Format, csv: &CsvOptions) -> Result<Parsed, PerfError> {
    let label = path.display().to_string();
    if !path.exists() {
        return Err(PerfError::Read {
            path: label,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            hint: "give the path of a benchmark result (file) or of target/criterion (directory)"
                .into(),
        });
    }
    let format = if format == Format::Auto {
        detect_format(path)?
    } else {
        format
    };
    let mut parsed = match format {
        Format::Criterion => criterion::read(path)?,
        Format::Csv => {
            let text = read_text(path)?;
            let table = parse_csv(&label, &text, csv)?;
            table.into_parsed()
        }
        other => {
            let text = read_text(path)?;
            let value = parse_json(&label, &text)?;
            let root = Node::root(&value, &label);
            match other {
                Format::PytestBenchmark => pytest_benchmark::read(root)?,
                Format::Hyperfine => hyperfine::read(root)?,
                Format::Gbench => gbench::read(root)?,
                Format::Json => metrics::read(root)?,
                _ => unreachable!("handled above"),
            }
        }
    };
    parsed.format = Some(format);
    if parsed.measurements.is_empty() {
        return Err(PerfError::input(
            &label,
            "whole file",
            format!(
                "no benchmark results found in this {} input",
                format.as_str()
            ),
            "check that the benchmark tool ran and wrote its results, and the --format",
        ));
    }
    Ok(parsed)
}

pub(crate) fn read_text(path: &Path) -> Result<String, PerfError> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| PerfError::Read {
        path: label.clone(),
        source,
        hint: "check the path and permissions".into(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        PerfError::input(
            &label,
            format!("line {line}, column {col}"),
            "invalid UTF-8",
            "benchmark results must be UTF-8 text",
        )
    })?;
    if text.trim().is_empty() {
        return Err(PerfError::input(
            &label,
            "line 1, column 1",
            "the file is empty",
            "the benchmark probably did not finish; re-run it and ingest the new file",
        ));
    }
    Ok(text)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Pick the format from the path and content.
pub fn detect_format(path: &Path) -> Result<Format, PerfError> {
    let label = path.display().to_string();
    if path.is_dir() {
        return Ok(Format::Criterion);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".csv") || name.ends_with(".tsv") {
        return Ok(Format::Csv);
    }
    if name == "estimates.json" || name == "sample.json" || name == "benchmark.json" {
        return Ok(Format::Criterion);
    }
    let text = read_text(path)?;
    let value = parse_json(&label, &text)?;
    let has = |k: &str| value.get(k).is_some();
    Ok(
        if has("results")
            && value["results"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r.get("command").is_some()))
        {
            Format::Hyperfine
        } else if has("benchmarks") && (has("machine_info") || has("commit_info")) {
            Format::PytestBenchmark
        } else if has("benchmarks") && has("context") {
            Format::Gbench
        } else if has("metrics") || value.is_array() {
            Format::Json
        } else if has("mean") && has("median") {
            Format::Criterion
        } else {
            return Err(PerfError::input(
                &label,
                "$",
                "cannot tell which benchmark tool wrote this JSON",
                "pass --format criterion|pytest-benchmark|hyperfine|gbench|json",
            ));
        },
    )
}
