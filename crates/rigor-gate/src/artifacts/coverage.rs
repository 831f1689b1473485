//! Coverage reports (coverage.py JSON, Cobertura, LCOV), merged with repository-relative paths.

use super::file::Finder;
use crate::error::Result;
use crate::model::InputFile;
use crate::paths::rebase;
use crate::readers::Kind;
use crate::readers::coverage::{self, Coverage};
use std::path::PathBuf;

const KINDS: &[Kind] = &[Kind::CoveragePyJson, Kind::Cobertura, Kind::Lcov];

/// Read and merge the coverage reports in `files`; `None` when there is none.
pub fn read(f: &Finder, files: &[PathBuf], seen: &mut Vec<InputFile>) -> Result<Option<Coverage>> {
    let root = f.root;
    let mut merged: Option<Coverage> = None;
    for p in files {
        let r = f.read(p, KINDS, "coverage")?;
        let cov = match r.kind {
            Kind::CoveragePyJson => {
                // paths are relative to where coverage ran: the report's directory or the root
                let dir = r.path.parent().unwrap_or(root).to_path_buf();
                let source = |p: &str| {
                    std::fs::read_to_string(dir.join(p))
                        .or_else(|_| std::fs::read_to_string(root.join(p)))
                        .ok()
                };
                coverage::read_coveragepy_json_with_source(&r.label, &r.text, &source)?
            }
            Kind::Cobertura => {
                // relative <source> entries are relative to the report's directory
                let cov = coverage::read_cobertura(&r.label, &r.text)?;
                rebase(cov, r.path.parent().unwrap_or(root), root)
            }
            _ => coverage::read_lcov(&r.label, &r.text)?,
        };
        let mut normalized = Coverage::default();
        for (path, fc) in cov.files {
            normalized
                .files
                .entry((f.norm)(&path))
                .or_default()
                .lines
                .extend(fc.lines);
        }
        seen.push(r.input_file());
        match &mut merged {
            Some(c) => c.merge(normalized),
            None => merged = Some(normalized),
        }
    }
    Ok(merged)
}
