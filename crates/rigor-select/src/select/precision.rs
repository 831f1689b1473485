//! Coverage-map refinement: can the per-test coverage map decide for a changed file?

use super::text::short;
use super::types::SuiteSpec;
use crate::change::{ChangeKind, ChangeSet, ChangedFile};
use crate::history::CoverageMap;
use crate::pyparse::enclosing_statements;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// How the tests of one changed file are decided.
pub(super) enum Precision {
    /// Code run at import time changed: the graph decides, plus the tests that ran those lines.
    ImportTime {
        why: String,
        covered: HashSet<String>,
        ranges: Vec<(u32, u32)>,
        commit: String,
    },
    /// Use the static graph (with an optional note why the map is not used).
    Static(Option<String>),
    /// Use the map's lines of this file: test id → numbits; base-side changed ranges.
    Lines {
        map: HashMap<String, Vec<u8>>,
        ranges: Vec<(u32, u32)>,
        commit: String,
    },
}

impl Precision {
    /// The symbol refinement applies where the graph decides.
    pub fn graph_decides(&self) -> bool {
        matches!(self, Precision::Static(_) | Precision::ImportTime { .. })
    }

    /// Why the map did not decide, to add to the reasons of the graph's tests.
    pub fn note(&self) -> Option<&str> {
        match self {
            Precision::Static(Some(why)) | Precision::ImportTime { why, .. } => Some(why),
            _ => None,
        }
    }
}

/// Can the coverage map decide for this changed file? Fresh (recorded at the base, or the file
/// unchanged between the map's commit and the base), mapped, with base-side line ranges, and the
/// change not touching code that runs at import time.
pub(super) fn precise_lines(
    root: &Path,
    spec: &SuiteSpec,
    change: &ChangeSet,
    cf: &ChangedFile,
    local: &str,
    m: &CoverageMap,
) -> Precision {
    if !matches!(cf.kind, ChangeKind::Modified) || cf.old_lines.is_empty() {
        return Precision::Static(None);
    }
    let path = spec.global(local);
    let Some(lines) = m.lines.get(local) else {
        return Precision::Static(Some(format!(
            "{path} is not in the coverage map: static graph"
        )));
    };
    if m.commit != change.base && !unchanged_since(root, &m.commit, &change.base, &path) {
        return Precision::Static(Some(format!(
            "the coverage map ({}) is older than the last change of {path}: static graph",
            short(&m.commit)
        )));
    }
    let old: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    let ranges = match rigor_vcs::git::bytes(root, &["show", &format!("{}:{}", change.base, path)])
    {
        Ok(src) => enclosing_statements(&String::from_utf8_lossy(&src), &old),
        Err(_) => return Precision::Static(None),
    };
    if lines
        .get("")
        .is_some_and(|b| CoverageMap::any_line(b, &ranges))
    {
        // The graph decides, and every test that ran the changed lines stays in too (so a
        // larger change never loses a test the map had found).
        let covered = lines
            .iter()
            .filter(|(t, b)| !t.is_empty() && CoverageMap::any_line(b, &ranges))
            .map(|(t, _)| t.clone())
            .collect();
        return Precision::ImportTime {
            why: format!("the change to {path} touches code run at import time: static graph"),
            covered,
            ranges,
            commit: m.commit.clone(),
        };
    }
    Precision::Lines {
        map: lines.clone(),
        ranges,
        commit: m.commit.clone(),
    }
}

/// Is `path` the same at `from` and `to` (one `git diff --name-only`)?
fn unchanged_since(root: &Path, from: &str, to: &str, path: &str) -> bool {
    rigor_vcs::git::bytes(root, &["diff", "--name-only", from, to, "--", path])
        .map(|o| o.iter().all(|b| b.is_ascii_whitespace()))
        .unwrap_or(false)
}
