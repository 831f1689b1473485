//! JUnit XML files as the tests gate's results (instead of a run of the history).

use super::file::Finder;
use crate::error::Result;
use crate::eval::{TestOutcome, TestsInput};
use crate::model::InputFile;
use crate::readers::{Kind, junit};
use std::path::PathBuf;

/// The results in `files`; `None` when there is no file.
pub fn read(
    f: &Finder,
    files: &[PathBuf],
    seen: &mut Vec<InputFile>,
) -> Result<Option<TestsInput>> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut cases = Vec::new();
    for p in files {
        let r = f.read(p, &[Kind::Junit], "JUnit")?;
        cases.extend(junit::read_junit(&r.label, &r.text)?);
        seen.push(r.input_file());
    }
    Ok(Some(TestsInput {
        source: files
            .iter()
            .map(|p| p.strip_prefix(f.root).unwrap_or(p).display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        results: cases
            .iter()
            .map(|c| TestOutcome {
                id: format!("{}::{}", c.suite, c.id()),
                outcome: c.outcome,
                duration_s: c.time_s,
                start_s: None,
                tier: None,
                file: c.file.as_deref().map(f.norm),
                line: c.line,
                excerpt: c.message.clone(),
            })
            .collect(),
        wall_s: None,
    }))
}
