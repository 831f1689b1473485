//! Reading an input file as UTF-8 text, with located errors.

use crate::error::PerfError;
use std::path::Path;

/// The file as text; invalid UTF-8 and an empty file are malformed input.
pub(super) fn read_text(path: &Path) -> Result<String, PerfError> {
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

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
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
