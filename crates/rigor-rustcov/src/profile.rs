//! One test's raw profile read against its binary's coverage mapping: per source file, the lines
//! some region of the mapping spans (`mapped`) and the lines of the regions that ran (`covered`).
//!
//! A region's count applies to every line it spans, so a line is covered when any region over it
//! ran: nested regions that did not run (an untaken branch inside a run block) still count as
//! covered. That over-approximates what a test runs, which only ever selects more tests.

use crate::error::{Result, RustCovError};
use llvm_profparser::CoverageMapping;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines per source file (absolute paths as the mapping names them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileLines {
    pub mapped: BTreeMap<PathBuf, BTreeSet<u32>>,
    pub covered: BTreeMap<PathBuf, BTreeSet<u32>>,
}

const PROFILE_HINT: &str = "the test process must exit normally to write its profile; \
     rigor reads raw profiles of LLVM's format versions 5–10 (rustc's own LLVM)";
const MAPPING_HINT: &str = "build the test binaries with `-C instrument-coverage` \
     (rigor does, into its own target directory)";

/// Read `profraw` against `binary`; keep only the files `keep` accepts.
pub fn read(binary: &Path, profraw: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<FileLines> {
    let bad_profile = |message: String| RustCovError::Profile {
        path: profraw.display().to_string(),
        message,
        hint: PROFILE_HINT,
    };
    let bad_mapping = |message: String| RustCovError::Mapping {
        binary: binary.display().to_string(),
        message,
        hint: MAPPING_HINT,
    };
    // The parser asserts on some malformed input: a panic is a malformed profile here.
    let profile = std::panic::catch_unwind(|| llvm_profparser::parse(profraw))
        .map_err(|_| bad_profile("the parser gave up on malformed data".into()))?
        .map_err(|e| bad_profile(e.to_string()))?;
    if profile.version().is_none() {
        return Err(bad_profile("no profile version in the header".into()));
    }
    let objects = [binary.to_path_buf()];
    let report = std::panic::catch_unwind(|| {
        CoverageMapping::new(&objects, &profile, false).and_then(|m| m.generate_report())
    })
    .map_err(|_| bad_mapping("the parser gave up on malformed data".into()))?
    .map_err(|e| bad_mapping(e.to_string()))?;
    let mut out = FileLines::default();
    for (path, res) in report.files {
        if !keep(&path) {
            continue;
        }
        let mapped = out.mapped.entry(path.clone()).or_default();
        let covered = out.covered.entry(path).or_default();
        for (loc, count) in res.hits {
            let span = loc.line_start as u32..=loc.line_end.max(loc.line_start) as u32;
            mapped.extend(span.clone());
            if count > 0 {
                covered.extend(span);
            }
        }
    }
    if out.mapped.is_empty() && report_is_empty(binary) {
        return Err(bad_mapping(
            "no coverage mapping (`__llvm_covfun`) in the binary".into(),
        ));
    }
    Ok(out)
}

/// Does the binary lack the coverage-mapping section entirely?
fn report_is_empty(binary: &Path) -> bool {
    std::fs::read(binary)
        .map(|b| !b.windows(13).any(|w| w == b"__llvm_covfun"))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_raw_profile_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let prof = d.path().join("t.profraw");
        std::fs::write(&prof, b"not a raw profile").unwrap();
        let bin = std::env::current_exe().unwrap();
        let m = read(&bin, &prof, &|_| true).unwrap_err().to_string();
        assert!(
            m.contains("cannot read the raw profile")
                && m.contains("t.profraw")
                && m.contains("hint:"),
            "{m}"
        );
        // No profile at all: the test process did not exit normally.
        let missing = d.path().join("none.profraw");
        let m = read(&bin, &missing, &|_| true).unwrap_err().to_string();
        assert!(m.contains("none.profraw"), "{m}");
    }

    #[test]
    fn a_truncated_header_is_an_error_not_a_panic() {
        let d = tempfile::tempdir().unwrap();
        let prof = d.path().join("t.profraw");
        // The raw profile magic (little-endian), then nothing.
        std::fs::write(&prof, 0xff6c70726f667281u64.to_le_bytes()).unwrap();
        let bin = std::env::current_exe().unwrap();
        assert!(read(&bin, &prof, &|_| true).is_err());
    }
}
