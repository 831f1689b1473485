//! Coverage-map refinement: can the per-test coverage map decide for a changed file?

use super::text::short;
use super::types::SuiteSpec;
use crate::change::{ChangeKind, ChangeSet, ChangedFile};
use crate::covstore::{IMPORT_CONTEXT, is_test_context};
use crate::history::CoverageMap;
use crate::pyparse::enclosing_statements;
use std::collections::{BTreeSet, HashMap, HashSet};
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
    /// Use the map's lines of this file: test id → numbits; base-side changed ranges; the
    /// modules (suite-relative paths) whose import ran the changed lines.
    Lines {
        map: HashMap<String, Vec<u8>>,
        ranges: Vec<(u32, u32)>,
        commit: String,
        importers: Vec<String>,
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

/// Can the coverage map decide for this changed file? Mapped, fresh (every row of the file
/// recorded against its content at the base), with base-side line ranges, and the change not
/// touching code run outside tests and module imports.
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
    let Ok(src) = rigor_vcs::git::bytes(root, &["show", &format!("{}:{}", change.base, path)])
    else {
        return Precision::Static(None);
    };
    if let Some(why) = stale(root, &change.base, &path, m.contents.get(local)) {
        return Precision::Static(Some(why));
    }
    let old: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    let ranges = enclosing_statements(&String::from_utf8_lossy(&src), &old);
    if lines
        .get("")
        .is_some_and(|b| CoverageMap::any_line(b, &ranges))
    {
        // The graph decides, and every test that ran the changed lines stays in too (so a
        // larger change never loses a test the map had found).
        let covered = lines
            .iter()
            .filter(|(t, b)| is_test_context(t) && CoverageMap::any_line(b, &ranges))
            .map(|(t, _)| t.clone())
            .collect();
        return Precision::ImportTime {
            why: format!(
                "the change to {path} touches code run outside tests and module imports: static graph"
            ),
            covered,
            ranges,
            commit: m.commit.clone(),
        };
    }
    let importers = lines
        .iter()
        .filter(|(_, b)| CoverageMap::any_line(b, &ranges))
        .filter_map(|(c, _)| c.strip_prefix(IMPORT_CONTEXT).map(str::to_string))
        .collect();
    Precision::Lines {
        map: lines.clone(),
        ranges,
        commit: m.commit.clone(),
        importers,
    }
}

/// Why the map's rows of `path` cannot be trusted at `base`, if they cannot: every row must
/// have been recorded against the file's content at the base (its git blob id).
pub(crate) fn stale(
    root: &Path,
    base: &str,
    path: &str,
    contents: Option<&BTreeSet<String>>,
) -> Option<String> {
    let blob = rigor_vcs::git::line(root, &["rev-parse", &format!("{base}:{path}")]);
    match (contents, blob) {
        (Some(c), Some(b)) if c.len() == 1 && c.contains(&b) => None,
        _ => Some(format!(
            "the coverage map's lines of {path} were recorded against other content than at the base {}: static graph",
            short(base)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_recorded_against_other_content_are_not_trusted() {
        let d = rigor_testkit::repo(&[("m.py", "x = 1\n")]);
        let blob = rigor_vcs::git::line(d.path(), &["rev-parse", "HEAD:m.py"]).unwrap();
        let one = |s: &str| Some(BTreeSet::from([s.to_string()]));
        assert_eq!(stale(d.path(), "HEAD", "m.py", one(&blob).as_ref()), None);
        // Another content, rows of two contents, unknown content, no rows, unknown file.
        assert!(stale(d.path(), "HEAD", "m.py", one("0123abcd").as_ref()).is_some());
        let two = BTreeSet::from([blob.clone(), "0123abcd".to_string()]);
        assert!(stale(d.path(), "HEAD", "m.py", Some(&two)).is_some());
        assert!(stale(d.path(), "HEAD", "m.py", one("").as_ref()).is_some());
        assert!(stale(d.path(), "HEAD", "m.py", None).is_some());
        let why = stale(d.path(), "HEAD", "gone.py", one(&blob).as_ref()).unwrap();
        assert!(
            why.contains("gone.py") && why.contains("static graph"),
            "{why}"
        );
    }
}
