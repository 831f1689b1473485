//! Name affinity, for risk only: does a test's id name a changed function, class or file?

use super::files::base_name;
use crate::change::LineRange;
use crate::pyparse::enclosing_names;
use crate::risk::RiskFactors;
use std::collections::BTreeSet;
use std::path::Path;

/// Names shorter than this (normalised) are too common to mean anything.
const MIN_NAME: usize = 4;

/// Names of the functions and classes whose code changed (new side), normalised.
pub(super) fn changed_names(root: &Path, path: &str, lines: &[LineRange]) -> Vec<String> {
    if lines.is_empty() {
        return Vec::new();
    }
    let Ok(src) = std::fs::read_to_string(root.join(path)) else {
        return Vec::new();
    };
    let ranges: Vec<(u32, u32)> = lines.iter().map(|r| (r.start, r.end)).collect();
    enclosing_names(&src, &ranges)
        .into_iter()
        .filter(|n| normalize(n).len() >= MIN_NAME)
        .collect()
}

/// For risk only: the changed Rust file's stem and the names of the functions enclosing the
/// changed lines (the nearest `fn name` above each line).
pub(super) fn rust_changed_names(root: &Path, path: &str, lines: &[LineRange]) -> Vec<String> {
    let mut out = Vec::new();
    let stem = base_name(path).trim_end_matches(".rs");
    if !matches!(stem, "lib" | "main" | "mod") {
        out.push(stem.to_string());
    }
    if let Ok(src) = std::fs::read_to_string(root.join(path)) {
        let all: Vec<&str> = src.lines().collect();
        out.extend(lines.iter().filter_map(|r| rust_fn_above(&all, r.start)));
    }
    out.retain(|n| normalize(n).len() >= MIN_NAME);
    out.sort();
    out.dedup();
    out
}

/// The name of the nearest `fn` declared above 1-based line `line`.
fn rust_fn_above(lines: &[&str], line: u32) -> Option<String> {
    let mut i = (line as usize).min(lines.len());
    while i > 0 {
        i -= 1;
        let l = lines[i].trim_start();
        let l = l
            .strip_prefix("pub ")
            .or_else(|| l.strip_prefix("pub(crate) "))
            .unwrap_or(l);
        let l = l.strip_prefix("const ").unwrap_or(l);
        if let Some(rest) = l.strip_prefix("fn ") {
            return Some(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    None
}

/// Words of an identifier or test id: split at non-alphanumerics, `_` and camelCase humps,
/// lowercased; words shorter than 4 letters and generic ones are dropped.
fn words(s: &str) -> BTreeSet<String> {
    const GENERIC: &[&str] = &[
        "test", "tests", "self", "none", "true", "false", "from", "with", "into", "impl", "init",
        "main",
    ];
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && prev_lower);
        if boundary && !cur.is_empty() {
            out.insert(std::mem::take(&mut cur));
        }
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !cur.is_empty() {
        out.insert(cur);
    }
    out.retain(|w| w.len() >= MIN_NAME && !GENERIC.contains(&w.as_str()));
    out
}

/// Risk only: does the test's id name a changed definition (whole, or one of its words)?
pub(super) fn set_affinity(f: &mut RiskFactors, names: &[String], id: &str) {
    if names.is_empty() {
        return;
    }
    let norm = normalize(id);
    if names.iter().any(|n| norm.contains(normalize(n).as_str())) {
        f.name_affinity = true;
        return;
    }
    let id_words = words(id);
    if names
        .iter()
        .any(|n| words(n).iter().any(|w| id_words.contains(w)))
    {
        f.name_words = true;
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_identifiers_and_test_ids() {
        let w: Vec<String> = words("semver::test_version_req test_greaterThan_caret")
            .into_iter()
            .collect();
        assert_eq!(w, vec!["caret", "greater", "semver", "than", "version"]);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["matches_greater".into()],
            "semver::test_version_req test_greater_than",
        );
        assert!(f.name_words && !f.name_affinity);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["chunked".into()],
            "tests/test_more.py::ChunkedTests::test_even",
        );
        assert!(f.name_affinity);
        let mut f = RiskFactors::default();
        set_affinity(
            &mut f,
            &["chunked".into()],
            "tests/test_more.py::WindowedTests::test_basic",
        );
        assert!(!f.name_affinity && !f.name_words);
    }

    #[test]
    fn rust_names_are_the_file_stem_and_the_enclosing_functions() {
        let lines = [
            "pub fn parse_version() {",
            "    let x = 1;",
            "}",
            "fn helper() {",
            "  y",
            "}",
        ];
        assert_eq!(rust_fn_above(&lines, 2).as_deref(), Some("parse_version"));
        assert_eq!(rust_fn_above(&lines, 5).as_deref(), Some("helper"));
        assert_eq!(rust_fn_above(&lines, 0), None);
    }
}
