//! What rigor's plugin records besides lines, and how it shapes a data file's rows before they
//! are stored:
//!
//! - **wider-scoped fixtures**: each setup of a `module`/`class`/`package`/`session` fixture runs
//!   in a context of its own (`fixture:N:NAME`), and the file lists which tests used which setup
//!   (table `rigor_fixture_use`). [`merge_fixtures`] adds each setup's lines to every test that
//!   used it, then drops the fixture contexts; a setup no test is known to have used counts as
//!   code run outside tests (the `''` context, where the graph decides).
//! - **tests that ran no project code**: a probes data file whose `meta` table says
//!   `rigor_contexts = complete` lists in `rigor_tests` the tests its worker vouches for (started
//!   with the recorder on, no child process). [`tests_without_rows`] names those with no line;
//!   they get an explicit empty
//!   entry ([`add_empty_entries`], file `""`), so the map decides for them like for any test it
//!   holds. No other file's empty contexts are trusted (a lost or half-written file, or a
//!   coverage.py file whose tracer a test replaced, proves nothing).

use crate::covstore::{is_test_context, or_bits};
use std::collections::{HashMap, HashSet};

/// (file relative to the suite root, context) → numbits.
pub type Rows = HashMap<(String, String), Vec<u8>>;

/// The prefix of a wider-scoped fixture setup's context.
pub const FIXTURE_CONTEXT: &str = "fixture:";

/// The `meta` key (and value) of a data file whose `rigor_tests` table lists the tests it
/// vouches for.
pub const COMPLETE_KEY: &str = "rigor_contexts";
pub const COMPLETE_VALUE: &str = "complete";

/// The file of a test's explicit empty entry: "ran, entered no project code".
pub const NO_FILE: &str = "";

/// Is this context a wider-scoped fixture setup?
pub fn is_fixture_context(ctx: &str) -> bool {
    ctx.starts_with(FIXTURE_CONTEXT)
}

/// Add the lines of each fixture setup to every test that used it (`uses`: test → fixture
/// context), then drop the fixture contexts. A setup no test used goes to the `''` context.
pub fn merge_fixtures(rows: &mut Rows, uses: &[(String, String)]) {
    let fixture_keys: Vec<(String, String)> = rows
        .keys()
        .filter(|(_, c)| is_fixture_context(c))
        .cloned()
        .collect();
    if fixture_keys.is_empty() {
        return;
    }
    // fixture context → [(file, numbits)]
    let mut setups: HashMap<String, Vec<(String, Vec<u8>)>> = HashMap::new();
    for key in fixture_keys {
        let bits = rows.remove(&key).expect("listed above");
        let (file, ctx) = key;
        setups.entry(ctx).or_default().push((file, bits));
    }
    let mut used: HashSet<&str> = HashSet::new();
    for (test, fixture) in uses {
        let Some(lines) = setups.get(fixture) else {
            continue;
        };
        if !is_test_context(test) || is_fixture_context(test) {
            continue;
        }
        used.insert(fixture);
        for (file, bits) in lines {
            or_bits(rows.entry((file.clone(), test.clone())).or_default(), bits);
        }
    }
    for (fixture, lines) in &setups {
        if used.contains(fixture.as_str()) {
            continue;
        }
        for (file, bits) in lines {
            or_bits(rows.entry((file.clone(), String::new())).or_default(), bits);
        }
    }
}

/// The tests of `started` that have no row in `rows` (after [`merge_fixtures`]).
pub fn tests_without_rows(rows: &Rows, started: &[String]) -> Vec<String> {
    let with_rows: HashSet<&str> = rows.keys().map(|(_, c)| c.as_str()).collect();
    let mut out: Vec<String> = started
        .iter()
        .filter(|t| is_test_context(t) && !is_fixture_context(t) && !with_rows.contains(t.as_str()))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Give each test of `empty` that has no row in `rows` an explicit empty entry (file `""`, no
/// lines); returns how many were added.
pub fn add_empty_entries(rows: &mut Rows, empty: &HashSet<String>) -> usize {
    let with_rows: HashSet<String> = rows.keys().map(|(_, c)| c.clone()).collect();
    let mut added = 0;
    for t in empty {
        if !with_rows.contains(t) {
            rows.insert((NO_FILE.to_string(), t.clone()), Vec::new());
            added += 1;
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(list: &[(&str, &str, &[u8])]) -> Rows {
        list.iter()
            .map(|(f, c, b)| ((f.to_string(), c.to_string()), b.to_vec()))
            .collect()
    }

    fn uses(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(t, f)| (t.to_string(), f.to_string()))
            .collect()
    }

    #[test]
    fn a_fixture_setup_counts_for_every_test_that_used_it() {
        let mut r = rows(&[
            ("pkg/a.py", "fixture:1:db", &[0b0110]),
            ("pkg/b.py", "fixture:1:db", &[0b1000]),
            ("pkg/a.py", "t.py::first", &[0b0001]),
        ]);
        merge_fixtures(
            &mut r,
            &uses(&[
                ("t.py::first", "fixture:1:db"),
                ("t.py::second", "fixture:1:db"),
            ]),
        );
        let want = rows(&[
            ("pkg/a.py", "t.py::first", &[0b0111]),
            ("pkg/b.py", "t.py::first", &[0b1000]),
            ("pkg/a.py", "t.py::second", &[0b0110]),
            ("pkg/b.py", "t.py::second", &[0b1000]),
        ]);
        assert_eq!(r, want);
    }

    #[test]
    fn an_unused_setup_counts_as_run_outside_tests() {
        let mut r = rows(&[
            ("pkg/a.py", "fixture:2:cfg", &[0b0100]),
            ("pkg/a.py", "", &[0b0001]),
        ]);
        // A use naming another setup, or no test, leaves this one unused.
        merge_fixtures(
            &mut r,
            &uses(&[("t.py::x", "fixture:9:other"), ("", "fixture:2:cfg")]),
        );
        assert_eq!(r, rows(&[("pkg/a.py", "", &[0b0101])]));
    }

    #[test]
    fn started_tests_without_rows_are_the_empty_ones() {
        let r = rows(&[
            ("pkg/a.py", "t.py::ran", &[1]),
            ("pkg/a.py", "import:pkg/a.py", &[2]),
        ]);
        let started: Vec<String> = [
            "t.py::ran",
            "t.py::skipped",
            "t.py::skipped",
            "import:x.py",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(tests_without_rows(&r, &started), ["t.py::skipped"]);
    }

    #[test]
    fn empty_entries_never_shadow_rows_from_another_file() {
        let mut r = rows(&[("pkg/a.py", "t.py::ran", &[1])]);
        let empty: HashSet<String> = ["t.py::ran".to_string(), "t.py::idle".to_string()].into();
        assert_eq!(add_empty_entries(&mut r, &empty), 1);
        assert_eq!(
            r.get(&(String::new(), "t.py::idle".to_string())),
            Some(&Vec::new())
        );
        assert!(!r.contains_key(&(String::new(), "t.py::ran".to_string())));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    const FILES: [&str; 3] = ["a.py", "b.py", "c.py"];
    const CONTEXTS: [&str; 7] = [
        "t.py::one",
        "t.py::two",
        "t.py::three",
        "",
        "import:a.py",
        "fixture:1:db",
        "fixture:2:app",
    ];

    fn lines(rows: &Rows, file: &str, ctx: &str) -> Vec<u8> {
        rows.get(&(file.to_string(), ctx.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    fn covers(big: &[u8], small: &[u8]) -> bool {
        small
            .iter()
            .enumerate()
            .all(|(i, b)| big.get(i).copied().unwrap_or(0) & b == *b)
    }

    fn arb_rows() -> impl Strategy<Value = Rows> {
        proptest::collection::vec(
            (
                0..FILES.len(),
                0..CONTEXTS.len(),
                proptest::collection::vec(any::<u8>(), 0..4),
            ),
            0..14,
        )
        .prop_map(|v| {
            let mut rows = Rows::new();
            for (f, c, bits) in v {
                let key = (FILES[f].to_string(), CONTEXTS[c].to_string());
                or_bits(rows.entry(key).or_default(), &bits);
            }
            rows
        })
    }

    fn arb_uses() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec((0..CONTEXTS.len(), 0..CONTEXTS.len()), 0..8).prop_map(|v| {
            v.into_iter()
                .map(|(t, f)| (CONTEXTS[t].to_string(), CONTEXTS[f].to_string()))
                .collect()
        })
    }

    proptest! {
        /// A test's merged lines ⊇ its own lines ∪ the lines of every fixture setup it used; no
        /// fixture context is left; no line of a file is lost (a setup nobody used goes to '').
        #[test]
        fn merged_lines_cover_own_and_fixture_lines(rows in arb_rows(), uses in arb_uses()) {
            let mut merged = rows.clone();
            merge_fixtures(&mut merged, &uses);
            prop_assert!(merged.keys().all(|(_, c)| !is_fixture_context(c)));
            for f in FILES {
                for t in CONTEXTS.iter().filter(|c| !is_fixture_context(c)) {
                    let mut want = lines(&rows, f, t);
                    for (user, fixture) in &uses {
                        if user == t && is_test_context(t) && is_fixture_context(fixture) {
                            or_bits(&mut want, &lines(&rows, f, fixture));
                        }
                    }
                    prop_assert!(covers(&lines(&merged, f, t), &want), "{f} {t}");
                }
                let all = |r: &Rows| {
                    let mut u = Vec::new();
                    for ((file, _), b) in r {
                        if file == f {
                            or_bits(&mut u, b);
                        }
                    }
                    u
                };
                prop_assert!(covers(&all(&merged), &all(&rows)), "{f}: a line was lost");
            }
        }

        /// Every test started and left without rows gets exactly one empty entry; no test
        /// with rows does, and no row changes.
        #[test]
        fn empty_entries_only_for_tests_without_rows(rows in arb_rows(), started in proptest::collection::vec(0..CONTEXTS.len(), 0..6)) {
            let started: Vec<String> = started.into_iter().map(|i| CONTEXTS[i].to_string()).collect();
            let idle: HashSet<String> = tests_without_rows(&rows, &started).into_iter().collect();
            let mut after = rows.clone();
            let added = add_empty_entries(&mut after, &idle);
            prop_assert_eq!(added, idle.len());
            for t in &idle {
                prop_assert!(is_test_context(t) && !is_fixture_context(t));
                prop_assert!(rows.keys().all(|(_, c)| c != t));
                prop_assert_eq!(after.get(&(NO_FILE.to_string(), t.clone())), Some(&Vec::new()));
            }
            for (k, b) in &rows {
                prop_assert_eq!(after.get(k), Some(b));
            }
            prop_assert_eq!(after.len(), rows.len() + idle.len());
        }
    }
}
