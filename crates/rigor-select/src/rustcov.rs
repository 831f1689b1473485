//! Per-test selection inside a Rust test binary from the recorded per-test coverage
//! (`[select] rust_coverage = true`; recorded by the `rigor-rustcov` crate).
//!
//! The map's rows of a Rust source file are, per test (context = the test's id, `BINARY NAME`),
//! the lines whose coverage regions ran in that test's process, and per binary (context
//! `mapped:BINARY`) every line some coverage region of the binary's mapping spans, run or not.
//! For the base-side changed lines of a file, inside one binary:
//!
//! - the binary's mapping has no line of the file → every test of the binary (the file may hold
//!   only items that have no code of their own: types, constants, macros);
//! - a changed line has no code in the binary's mapping (an item, a constant, a `macro_rules!`
//!   body, an attribute, a comment) → every test of the binary;
//! - otherwise the tests whose lines intersect the changed lines, plus every test of the binary
//!   the map does not know (new, or its profile was not read).

use crate::history::CoverageMap;
use std::collections::{HashMap, HashSet};

/// The prefix of the context holding the lines a binary's coverage mapping has code for.
pub const MAPPED_PREFIX: &str = "mapped:";

/// The context of the lines `binary` has code for.
pub fn mapped_context(binary: &str) -> String {
    format!("{MAPPED_PREFIX}{binary}")
}

/// Lines (1-based) as coverage.py-style numbits: bit `l % 8` of byte `l / 8`.
pub fn lines_to_numbits(lines: impl IntoIterator<Item = u32>) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for l in lines {
        let byte = (l / 8) as usize;
        if out.len() <= byte {
            out.resize(byte + 1, 0);
        }
        out[byte] |= 1 << (l % 8);
    }
    out
}

/// How the tests of one binary are decided for one changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryDecision {
    /// Every test of the binary, for this reason.
    Whole(String),
    /// Test id → reason to run it; the binary's other tests are left out (with `skip_reason`).
    Narrow {
        selected: Vec<(String, String)>,
        skip_reason: String,
    },
}

/// Decide the tests of `binary` (`tests`: its test ids) for the base-side changed `ranges`
/// (inclusive) of `path`. `lines`: the map's rows of the file (context → numbits); `known`:
/// every test id present in the map.
pub fn decide_binary(
    path: &str,
    binary: &str,
    tests: &[&str],
    lines: &HashMap<String, Vec<u8>>,
    known: &HashSet<String>,
    ranges: &[(u32, u32)],
) -> BinaryDecision {
    let Some(mapped) = lines.get(&mapped_context(binary)) else {
        return BinaryDecision::Whole(format!(
            "{path} has no code in the Rust coverage mapping of binary {binary}: whole binary"
        ));
    };
    if let Some(l) = ranges
        .iter()
        .flat_map(|&(a, b)| a..=b)
        .find(|&l| !CoverageMap::has_line(mapped, l))
    {
        return BinaryDecision::Whole(format!(
            "changed line {path}:{l} has no code in the coverage mapping of binary {binary} \
             (an item, constant, macro or comment): whole binary"
        ));
    }
    let mut selected = Vec::new();
    for t in tests {
        if !known.contains(*t) {
            selected.push((
                t.to_string(),
                "not in the Rust coverage map (new, or not recorded)".to_string(),
            ));
            continue;
        }
        let hit = lines.get(*t).and_then(|bits| {
            ranges
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .find(|&l| CoverageMap::has_line(bits, l))
        });
        if let Some(l) = hit {
            selected.push((t.to_string(), format!("covers changed line {path}:{l}")));
        }
    }
    let first = ranges.first().map(|r| r.0).unwrap_or(0);
    BinaryDecision::Narrow {
        selected,
        skip_reason: format!(
            "runs no changed line of {path} (from line {first}) in the Rust coverage map"
        ),
    }
}

/// The first changed line inside the body of a `const fn` (its code may run at compile time,
/// where no test's coverage sees it), if any: `src` is the file's base-side text.
pub fn in_const_fn(src: &str, ranges: &[(u32, u32)]) -> Option<u32> {
    let lines: Vec<&str> = src.lines().collect();
    ranges.iter().flat_map(|&(a, b)| a..=b).find(|&l| {
        let upto = (l as usize).min(lines.len());
        lines[..upto]
            .iter()
            .rev()
            .find(|t| is_fn_header(t))
            .is_some_and(|t| t.contains("const fn") || t.contains("const unsafe fn"))
    })
}

fn is_fn_header(line: &str) -> bool {
    let t = line.trim_start();
    !t.starts_with("//")
        && t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == "fn")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(lines: &[u32]) -> Vec<u8> {
        lines_to_numbits(lines.iter().copied())
    }

    fn map() -> (HashMap<String, Vec<u8>>, HashSet<String>) {
        let mut m = HashMap::new();
        m.insert(mapped_context("p"), row(&[1, 2, 3, 5, 6, 7, 10, 11, 12]));
        m.insert("p add".into(), row(&[1, 2, 3]));
        m.insert("p mul".into(), row(&[1, 2, 3, 5, 6, 7]));
        m.insert("p neg".into(), row(&[10, 11, 12]));
        let known = ["p add", "p mul", "p neg", "p none"]
            .into_iter()
            .map(String::from)
            .collect();
        (m, known)
    }

    #[test]
    fn numbits_match_coverage_py_layout() {
        assert_eq!(row(&[1, 2, 9]), vec![0x06, 0x02]);
        let back = crate::coverage::numbits_to_lines(&row(&[3, 17, 64]));
        assert_eq!(back, vec![3, 17, 64]);
    }

    #[test]
    fn only_the_tests_covering_the_changed_lines_run() {
        let (m, known) = map();
        let tests = ["p add", "p mul", "p neg", "p none", "p new"];
        let d = decide_binary("src/lib.rs", "p", &tests, &m, &known, &[(6, 6)]);
        let BinaryDecision::Narrow { selected, .. } = d else {
            panic!("{d:?}")
        };
        let ids: Vec<&str> = selected.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(ids, ["p mul", "p new"]);
        assert_eq!(selected[0].1, "covers changed line src/lib.rs:6");
        assert!(selected[1].1.contains("not in the Rust coverage map"));
    }

    #[test]
    fn lines_without_code_or_binaries_without_rows_take_the_whole_binary() {
        let (m, known) = map();
        let d = decide_binary("src/lib.rs", "p", &["p add"], &m, &known, &[(4, 4)]);
        assert!(
            matches!(&d, BinaryDecision::Whole(w) if w.contains("src/lib.rs:4")),
            "{d:?}"
        );
        let d = decide_binary("src/lib.rs", "q", &["q t"], &m, &known, &[(1, 1)]);
        assert!(
            matches!(&d, BinaryDecision::Whole(w) if w.contains("binary q")),
            "{d:?}"
        );
    }

    #[test]
    fn const_fn_bodies_are_found() {
        let src = "pub const fn two() -> u32 {\n    2\n}\n\nfn f() {\n    1;\n}\n";
        assert_eq!(in_const_fn(src, &[(2, 2)]), Some(2));
        assert_eq!(in_const_fn(src, &[(6, 6)]), None);
        assert_eq!(in_const_fn(src, &[(5, 6)]), None);
    }

    proptest! {
        /// Safety: every test whose recorded lines meet the changed lines is selected, and
        /// every unknown test too; a test is left out only when its lines miss them.
        #[test]
        fn narrowing_never_drops_a_covering_or_unknown_test(
            rows in proptest::collection::vec(proptest::collection::btree_set(1u32..60, 0..12), 1..8),
            unknown in 0usize..3,
            a in 1u32..60, len in 0u32..4,
        ) {
            let mut m = HashMap::new();
            let all: Vec<u32> = rows.iter().flatten().copied().chain(a..=a + len).collect();
            m.insert(mapped_context("b"), lines_to_numbits(all));
            let mut known = HashSet::new();
            let mut ids = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let id = format!("b t{i}");
                m.insert(id.clone(), lines_to_numbits(r.iter().copied()));
                known.insert(id.clone());
                ids.push(id);
            }
            ids.extend((0..unknown).map(|i| format!("b new{i}")));
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let d = decide_binary("f.rs", "b", &refs, &m, &known, &[(a, a + len)]);
            let BinaryDecision::Narrow { selected, .. } = d else { panic!("mapped lines") };
            let sel: HashSet<&str> = selected.iter().map(|(t, _)| t.as_str()).collect();
            for (i, r) in rows.iter().enumerate() {
                let covers = r.iter().any(|l| (a..=a + len).contains(l));
                prop_assert_eq!(sel.contains(format!("b t{i}").as_str()), covers);
            }
            for i in 0..unknown {
                let new_id = format!("b new{i}");
                prop_assert!(sel.contains(new_id.as_str()));
            }
        }

        /// Metamorphic: widening the changed lines never selects fewer tests.
        #[test]
        fn more_changed_lines_select_a_superset(
            rows in proptest::collection::vec(proptest::collection::btree_set(1u32..40, 0..10), 1..6),
            a in 1u32..40, len in 0u32..3, extra in 0u32..5,
        ) {
            let mut m = HashMap::new();
            m.insert(mapped_context("b"), lines_to_numbits(1..50));
            let mut known = HashSet::new();
            let mut ids = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let id = format!("b t{i}");
                m.insert(id.clone(), lines_to_numbits(r.iter().copied()));
                known.insert(id.clone());
                ids.push(id);
            }
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let ids_of = |r: &[(u32, u32)]| -> HashSet<String> {
                match decide_binary("f.rs", "b", &refs, &m, &known, r) {
                    BinaryDecision::Narrow { selected, .. } => selected.into_iter().map(|s| s.0).collect(),
                    BinaryDecision::Whole(_) => refs.iter().map(|s| s.to_string()).collect(),
                }
            };
            let small = ids_of(&[(a, a + len)]);
            let big = ids_of(&[(a, a + len + extra)]);
            prop_assert!(small.is_subset(&big));
        }
    }
}
