//! The two recorders of per-test coverage maps against each other, through the binary, on a
//! module with every kind of block (`fixtures/probes`): rigor's block probes (the default) must
//! cover every line coverage.py's tracer saw each test run (a superset: safety), stay at block
//! precision (a branch a test did not take is not its line), and give the same selection.

mod common;

use common::*;
use rigor_testkit::git;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Lines = BTreeMap<String, BTreeSet<u32>>;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = project("probes");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    (t, dir)
}

/// A full run with `recorder`, then the lines of pkg/shapes.py per context from its data files.
fn record(dir: &Path, recorder: &str) -> Lines {
    record_map(dir, recorder);
    let dump = std::process::Command::new(python())
        .arg(dir.join("dump_map.py"))
        .arg(dir.join(".rigor/coverage-map/python"))
        .output()
        .unwrap();
    assert!(dump.status.success(), "{dump:?}");
    serde_json::from_slice(&dump.stdout).unwrap()
}

fn line_of(dir: &Path, text: &str) -> u32 {
    let src = std::fs::read_to_string(dir.join("pkg/shapes.py")).unwrap();
    let i = src
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text} not in shapes.py"));
    i as u32 + 1
}

#[test]
fn probes_cover_every_line_the_tracer_saw_at_block_precision() {
    let (_t, dir) = setup();
    let traced = record(&dir, "coverage");
    let probed = record(&dir, "probes");
    let import_lines: BTreeSet<u32> = probed
        .iter()
        .filter(|(ctx, _)| ctx.starts_with("import:"))
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    let tests: Vec<&String> = traced.keys().filter(|c| c.contains("::")).collect();
    assert_eq!(tests.len(), 13, "{:?}", traced.keys());
    for ctx in tests {
        let by_probes = probed.get(ctx).cloned().unwrap_or_default();
        // A module-level lambda's body runs inside the test but belongs to the module's import
        // context (no statement to hold a probe): the union is what selection reads.
        let missing: Vec<u32> = traced[ctx]
            .iter()
            .filter(|l| !by_probes.contains(l) && !import_lines.contains(l))
            .copied()
            .collect();
        assert!(
            missing.is_empty(),
            "{ctx}: lines {missing:?} ran (coverage.py) but no probe saw them"
        );
    }
    // Block precision: the branch a test did not take, and docstrings, are not its lines.
    let small = &probed["tests/test_shapes.py::test_branches_small"];
    assert!(small.contains(&line_of(&dir, "y = \"small\"")));
    assert!(!small.contains(&line_of(&dir, "y = \"big\"")));
    assert!(!small.contains(&line_of(&dir, "y = \"negative\"")));
    let doc = line_of(&dir, "A docstring");
    assert!(probed.values().all(|l| !l.contains(&doc)));
    let big = &probed["tests/test_shapes.py::test_branches_big"];
    assert!(!big.contains(&line_of(&dir, "return z + k")));
    // A multi-line statement is all its lines.
    let ml = &probed["tests/test_shapes.py::test_multi_line"];
    let ret = line_of(&dir, "return (a +");
    assert!(ml.contains(&ret) && ml.contains(&(ret + 1)), "{ml:?}");
}

#[test]
fn both_recorders_select_the_same_tests_for_a_branch_change() {
    let (_t, dir) = setup();
    let base = git(&dir, &["rev-parse", "HEAD"]).trim().to_string();
    let p = dir.join("pkg/shapes.py");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut selections = Vec::new();
    for recorder in ["coverage", "probes"] {
        git(&dir, &["reset", "-q", "--hard", &base]);
        record(&dir, recorder);
        std::fs::write(&p, text.replace("y = \"big\"", "y = \"large\"")).unwrap();
        git(&dir, &["commit", "-q", "-am", "edit"]);
        let out = rigor(&dir)
            .args(["plan", "--base", &base, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ids: Vec<String> = plan["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        let reasons = plan["tests"][0]["reasons"].to_string();
        assert!(
            reasons.contains("covers changed lines"),
            "{recorder}: {reasons}"
        );
        selections.push(ids);
    }
    assert_eq!(selections[0], ["tests/test_shapes.py::test_branches_big"]);
    assert_eq!(selections[0], selections[1]);
}
