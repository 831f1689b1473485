//! Reading an input file as UTF-8 text, with located errors.

use crate::error::PerfError;
use std::path::Path;

/// What the hints of [`read_text_as`] say about a file of benchmark results.
const RESULTS: TextHints = TextHints {
    utf8: "benchmark results must be UTF-8 text",
    empty: "the benchmark probably did not finish; re-run it and ingest the new file",
};

/// The hints a malformed text file's errors give, by kind of file.
pub(crate) struct TextHints {
    pub utf8: &'static str,
    pub empty: &'static str,
}

/// A file of benchmark results as text; invalid UTF-8 and an empty file are malformed input.
pub(super) fn read_text(path: &Path) -> Result<String, PerfError> {
    read_text_as(path, &RESULTS)
}

/// The file as text; invalid UTF-8 (located) and an empty file are malformed input, with
/// `hints` for the kind of file.
pub(crate) fn read_text_as(path: &Path, hints: &TextHints) -> Result<String, PerfError> {
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
            hints.utf8,
        )
    })?;
    if text.trim().is_empty() {
        return Err(PerfError::input(
            &label,
            "line 1, column 1",
            "the file is empty",
            hints.empty,
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
