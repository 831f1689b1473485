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
mod parsed;
mod pytest_benchmark;
pub(crate) mod text;

pub use csv::{CsvRecord, CsvTable, parse_csv};
pub use parsed::{CsvOptions, Format, Parsed};

use crate::error::PerfError;
use json::{Node, parse_json};
use std::path::Path;
use text::read_text;

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
