//! `[select] rust_coverage = true` end to end on a small cargo crate (fixture `rustcov`: six
//! tests in one binary): a full `rigor run` records per-test coverage from instrumented test
//! binaries, `rigor plan` narrows a change inside the binary to the tests covering its lines, and
//! unreadable profiles fall back to the binary level.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;

/// The fixture in a committed git repository.
fn crate_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = project("rustcov");
    std::fs::rename(dir.join("gitignore"), dir.join(".gitignore")).unwrap();
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "base");
    (t, dir)
}

/// The binary in `dir`, building the fixture crate in its own `target/`: the tests edit the
/// crate (a new test, a changed function), so a `CARGO_TARGET_DIR` shared with the other tests
/// running at the same time (the test command exports one) would list their binaries' tests.
fn rigor_in(dir: &Path) -> assert_cmd::Command {
    let mut c = rigor(dir);
    c.env_remove("CARGO_TARGET_DIR");
    c
}

/// `rigor run` at the base (with `env`): its stderr.
fn record(dir: &Path, env: &[(&str, &str)]) -> String {
    let out = rigor_in(dir)
        .envs(env.iter().copied())
        .arg("run")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

/// Replace `old` by `new` in src/lib.rs (once) and return the 1-based line changed.
fn edit(dir: &Path, old: &str, new: &str) -> usize {
    let path = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find(old)
        .unwrap_or_else(|| panic!("{old} not in the fixture"));
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
    line
}

/// `rigor plan --format json` (with `env`): the plan.
fn plan(dir: &Path, env: &[(&str, &str)]) -> serde_json::Value {
    let out = rigor_in(dir)
        .envs(env.iter().copied())
        .args(["plan", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn selected(plan: &serde_json::Value) -> BTreeSet<String> {
    plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

fn reasons_of(plan: &serde_json::Value, id: &str) -> String {
    plan["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .map(|t| t["reasons"].to_string())
        .unwrap_or_default()
}

fn ids(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| format!("calc tests::{n}")).collect()
}

const ALL: [&str; 6] = [
    "adds",
    "multiplies",
    "negates",
    "negates_zero",
    "clamps",
    "keeps_small",
];

#[test]
fn a_change_to_one_function_selects_only_the_tests_running_it() {
    let (_t, dir) = crate_repo();
    let err = record(&dir, &[]);
    assert!(
        err.contains("Rust coverage map of suite rust: recorded 6 tests × 1 files from 1 binaries"),
        "{err}"
    );
    // The instrumented build has its own target directory.
    assert!(dir.join(".rigor/cache/rust-coverage-target").is_dir());

    let line = edit(&dir, "    -a\n", "    0 - a\n");
    let p = plan(&dir, &[]);
    assert_eq!(selected(&p), ids(&["negates", "negates_zero"]));
    let why = reasons_of(&p, "calc tests::negates");
    assert!(
        why.contains(&format!("covers changed line src/lib.rs:{line}")),
        "{why}"
    );
    let skipped = p["skipped"].to_string();
    assert!(
        skipped.contains("runs no changed line of src/lib.rs"),
        "{skipped}"
    );

    // `add` runs in `mul` too: both tests that reach it.
    rigor_testkit::git(&dir, &["checkout", "-q", "src/lib.rs"]);
    edit(&dir, "    a + b\n", "    a - b\n");
    assert_eq!(selected(&plan(&dir, &[])), ids(&["adds", "multiplies"]));

    // The setting off: the whole binary, as before.
    let off = plan(&dir, &[("RIGOR_SELECT_RUST_COVERAGE", "false")]);
    assert_eq!(selected(&off), ids(&ALL));
}

#[test]
fn a_line_without_code_selects_the_whole_binary() {
    let (_t, dir) = crate_repo();
    record(&dir, &[]);
    // A constant has no code of its own: whichever test reads it, the binary runs whole.
    let line = edit(&dir, "LIMIT: i64 = 1000", "LIMIT: i64 = 999");
    let p = plan(&dir, &[]);
    assert_eq!(selected(&p), ids(&ALL));
    let why = reasons_of(&p, "calc tests::clamps");
    assert!(
        why.contains(&format!("changed line src/lib.rs:{line} has no code")),
        "{why}"
    );
    // A new test is never left out (here the insertion between items runs the binary whole).
    rigor_testkit::git(&dir, &["checkout", "-q", "src/lib.rs"]);
    edit(
        &dir,
        "    #[test]\n    fn adds() {",
        "    #[test]\n    fn negates_one() {\n        assert_eq!(neg(1), -1);\n    }\n\n    #[test]\n    fn adds() {",
    );
    let p = plan(&dir, &[]);
    assert!(selected(&p).contains("calc tests::negates_one"), "{p}");
}

#[test]
fn an_unreadable_profile_leaves_its_test_to_the_binary_level() {
    let (_t, dir) = crate_repo();
    let err = record(&dir, &[("CALC_BREAK_PROFILE", "tests::adds")]);
    assert!(
        err.contains("recorded 5 tests")
            && err.contains("1 tests without a readable profile (e.g. calc tests::adds)"),
        "{err}"
    );
    edit(&dir, "    -a\n", "    0 - a\n");
    let p = plan(&dir, &[]);
    assert_eq!(selected(&p), ids(&["negates", "negates_zero", "adds"]));
    assert!(reasons_of(&p, "calc tests::adds").contains("not in the Rust coverage map"));
}

#[test]
fn no_readable_profile_at_all_keeps_selection_per_binary() {
    let (_t, dir) = crate_repo();
    let err = record(&dir, &[("CALC_BREAK_PROFILE", "all")]);
    assert!(
        err.contains(
            "Rust coverage map of suite rust: not recorded; selection stays per test binary"
        ) && err.contains("cannot read the raw profile"),
        "{err}"
    );
    assert_eq!(
        err.matches("Rust coverage map of suite rust").count(),
        1,
        "{err}"
    );
    edit(&dir, "    -a\n", "    0 - a\n");
    let p = plan(&dir, &[]);
    assert_eq!(selected(&p), ids(&ALL));
    let notes = p["notes"].to_string();
    assert!(
        notes.contains("no Rust coverage map of suite rust"),
        "{notes}"
    );
}

#[test]
fn rows_recorded_against_other_content_are_never_trusted() {
    let (_t, dir) = crate_repo();
    record(&dir, &[]);
    // The file changes and is committed after the recording: at the new base its rows describe
    // other content, so the next change runs the whole binary.
    edit(&dir, "    a + b\n", "    b + a\n");
    rigor_testkit::commit_all(&dir, "commuted");
    edit(&dir, "    -a\n", "    0 - a\n");
    let p = plan(&dir, &[]);
    assert_eq!(selected(&p), ids(&ALL));
    let notes = p["notes"].to_string();
    assert!(
        notes.contains("recorded against other content than at the base"),
        "{notes}"
    );
    // A new full run records the map again: narrow again.
    rigor_testkit::git(&dir, &["stash", "-q"]);
    record(&dir, &[]);
    rigor_testkit::git(&dir, &["stash", "pop", "-q"]);
    assert_eq!(
        selected(&plan(&dir, &[])),
        ids(&["negates", "negates_zero"])
    );
}
