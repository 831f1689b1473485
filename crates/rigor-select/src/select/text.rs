//! The wording of reasons: import chains, changed line ranges, names, and why a test is left out.

use super::files::test_file;
use super::types::SuiteSpec;
use crate::change::ChangeSet;
use crate::python::PyGraph;
use crate::rust::binary_of;
use rigor_model::{SuiteKind, TestCase};
use std::collections::BTreeSet;

/// `via files tests/test_x.py → a/b.py → a/c.py (the test file imports a.b)` along an import
/// chain (file indices, test first). Files, not names: what the test file imports is said as
/// such, never as the name that leads to the change.
pub(super) fn chain_reason(g: &PyGraph, spec: &SuiteSpec, chain: &[usize]) -> String {
    let path: Vec<String> = chain.iter().map(|&i| spec.global(&g.files[i])).collect();
    match chain {
        [a, b, ..] => format!(
            "via files {} (the test file {})",
            path.join(" → "),
            g.edge_what(*a, *b).unwrap_or_else(|| "imports".into())
        ),
        _ => format!("via files {}", path.join(" → ")),
    }
}

/// `{prefix}covers changed lines 3,7-9 of {file} (coverage map at {commit})`.
pub(super) fn covers_reason(
    prefix: &str,
    ranges: &[(u32, u32)],
    file: &str,
    commit: &str,
) -> String {
    format!(
        "{prefix}covers changed lines {} of {file} (coverage map at {})",
        fmt_ranges(ranges),
        short(commit)
    )
}

/// Up to four line ranges: `3,7-9,…`.
pub(super) fn fmt_ranges(r: &[(u32, u32)]) -> String {
    let mut v: Vec<String> = r
        .iter()
        .take(4)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if r.len() > 4 {
        v.push("…".into());
    }
    v.join(",")
}

/// Up to four names: `a, b, c, d, …`.
pub(super) fn list_names(names: &BTreeSet<String>) -> String {
    let mut v: Vec<&str> = names.iter().map(String::as_str).take(4).collect();
    if names.len() > 4 {
        v.push("…");
    }
    v.join(", ")
}

/// The first ten characters of a commit.
pub(super) fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

/// Why a test that nothing selected is left out, in the terms of its suite's kind.
pub(super) fn why_not(t: &TestCase, change: &ChangeSet, kind: Option<SuiteKind>) -> String {
    if change.files.is_empty() {
        return "nothing changed".into();
    }
    let mut shown: Vec<&str> = change.paths();
    let more = shown.len().saturating_sub(3);
    shown.truncate(3);
    let list = if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    };
    let tail = "it did not fail last time and is not new";
    match kind {
        Some(SuiteKind::Nextest | SuiteKind::CargoTest) => format!(
            "test binary {} is not built from any changed file ({list}): none is in its package or a workspace package it depends on; {tail}",
            binary_of(&t.key.id)
        ),
        _ => format!(
            "{} does not use any changed file ({list}), through imports, conftest, data or coverage; {tail}",
            test_file(t)
        ),
    }
}
