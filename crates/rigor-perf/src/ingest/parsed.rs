//! What the readers yield: the input formats, a file's results, and the CSV options.

use crate::error::PerfError;
use crate::model::Measurement;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

impl CsvOptions {
    /// Options as a person gives them: the delimiter must be an ASCII character.
    pub fn new(delimiter: Option<char>, time_column: Option<String>) -> Result<Self, PerfError> {
        let delimiter = match delimiter {
            Some(c) if c.is_ascii() => Some(c as u8),
            Some(c) => {
                return Err(PerfError::usage(
                    format!("delimiter `{c}` is not an ASCII character"),
                    "use , ; or a tab",
                ));
            }
            None => None,
        };
        Ok(CsvOptions {
            delimiter,
            time_column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_delimiter_must_be_ascii() {
        let o = CsvOptions::new(Some(';'), Some("when".into())).unwrap();
        assert_eq!(o.delimiter, Some(b';'));
        assert_eq!(o.time_column.as_deref(), Some("when"));
        assert_eq!(CsvOptions::new(None, None).unwrap().delimiter, None);
        let err = CsvOptions::new(Some('é'), None).unwrap_err().to_string();
        assert!(
            err.contains("delimiter `é` is not an ASCII character"),
            "{err}"
        );
    }
}
