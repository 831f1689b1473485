//! `rigor mutate` on a Cargo package through the real binary and the real toolchain: syn
//! mutants, one schemata build (unviable mutants dropped), the probing baseline, verdicts
//! (killed, survived, timeout, no coverage), the Stryker report the gate reads, `--diff`,
//! `--function`, and bad input (a crate that does not parse or does not compile).

mod common;

use common::rigor;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A fresh git repository holding a copy of the rustcalc fixture.
fn rustcalc() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rustcalc");
    let from =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rigor-mutate/tests/fixtures/rustcalc");
    copy(&from, &dir);
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.email=t@t",
            "-c",
            "user.name=t",
            "commit",
            "-qm",
            "fixture",
        ],
    ] {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    (tmp, dir)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "target" {
            continue;
        }
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Every source file's bytes (src/, tests/, the manifest).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for f in ["Cargo.toml", "src/lib.rs", "src/calc.rs", "tests/api.rs"] {
        out.insert(f.to_string(), std::fs::read(dir.join(f)).unwrap());
    }
    out
}

fn mutate(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = rigor(dir)
        .arg("mutate")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn verdict(v: &Value, line: u64, original: &str, replacement: &str) -> String {
    let m = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["line"] == line
                && m["original"]
                    .as_str()
                    .unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    == original
                && m["replacement"] == replacement
        })
        .unwrap_or_else(|| panic!("no mutant {original} → {replacement} on line {line}"));
    m["verdict"].as_str().unwrap().to_string()
}

#[test]
fn a_rust_run_kills_times_out_and_reports_survivors_and_unviable_mutants() {
    let (_t, dir) = rustcalc();
    let before = tree(&dir);
    let report = dir.join("mutation.json");
    let (code, v, stderr) = mutate(&dir, &["-j", "2", "--output", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(before, tree(&dir), "the working tree is untouched");
    let s = &v["summary"];
    let counts: Vec<u64> = [
        "mutants",
        "killed",
        "timeout",
        "survived",
        "no_coverage",
        "unviable",
    ]
    .iter()
    .map(|k| s[k].as_u64().unwrap())
    .collect();
    assert_eq!(counts, vec![43, 28, 1, 5, 6, 3], "{v:#}");
    // The untested boundary survives; the other direction is killed.
    assert_eq!(verdict(&v, 7, ">=", ">"), "survived");
    assert_eq!(verdict(&v, 7, ">=", "<"), "killed");
    assert_eq!(verdict(&v, 7, "18", "19"), "survived");
    // `i += 1` → `i *= 1` never ends: a timeout (its process group is killed).
    assert_eq!(verdict(&v, 16, "+=", "*="), "timeout");
    assert_eq!(verdict(&v, 16, "+=", "-="), "killed");
    // Deleting a call whose result is not `()` does not compile; deleting `push` does.
    assert_eq!(verdict(&v, 24, "self.bump()", "()"), "unviable");
    assert_eq!(verdict(&v, 19, "self.log.push(self.n)", "()"), "killed");
    // `Counter` has no Default.
    assert_eq!(
        verdict(
            &v,
            9,
            "Counter { n: 0, log: Vec::new(), }",
            "Default::default()"
        )
        .replace('\n', ""),
        "unviable"
    );
    // No test calls `triple`.
    assert_eq!(verdict(&v, 23, "*", "+"), "no_coverage");
    // Killers come from the module's own unit tests, run first; the tests that ran are named.
    let m = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["line"] == 31 && m["replacement"] == "==")
        .unwrap();
    assert_eq!(m["killed_by"], "rustcalc calc::tests::clamps_both_ways");
    assert_eq!(m["tests_from"], "probe");
    let survivor = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["line"] == 7 && m["replacement"] == ">")
        .unwrap();
    assert_eq!(
        survivor["tests_run"],
        serde_json::json!(["rustcalc::api adults"])
    );
    assert!(survivor["diff"].as_str().unwrap().contains("+    age > 18"));

    // The gate reads the Stryker report and finds the same score.
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["files"]["src/lib.rs"]["language"], "rust");
    let out = rigor(&dir)
        .args([
            "gate",
            "--mutation",
            report.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let gate = g["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["gate"] == "mutation")
        .unwrap();
    let score = s["score"].as_f64().unwrap();
    assert!(
        (gate["value"].as_f64().unwrap() - score).abs() < 1e-9,
        "{gate:#}"
    );
}

#[test]
fn the_diff_scope_mutates_only_the_changed_lines() {
    let (_t, dir) = rustcalc();
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("x * 3", "x * 3 + 1");
    std::fs::write(&lib, text).unwrap();
    let (code, v, stderr) = mutate(&dir, &["--diff", "--base", "HEAD"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<u64> = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["line"].as_u64().unwrap())
        .collect();
    assert!(!lines.is_empty());
    // The changed line's operators and constants, and the return values of the body holding
    // it (their span, the body, starts on the `{` line).
    assert!(lines.iter().all(|&l| l == 22 || l == 23), "{lines:?}");
    assert_eq!(lines.iter().filter(|&&l| l == 23).count(), 6, "{v:#}");
    assert_eq!(
        v["summary"]["no_coverage"], v["summary"]["mutants"],
        "no test calls triple"
    );
    // A change outside function bodies: nothing to run (exit 4).
    std::process::Command::new("git")
        .args(["checkout", "-q", "--", "src/lib.rs"])
        .current_dir(&dir)
        .status()
        .unwrap();
    let text = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("//! rigor", "//! The rigor");
    std::fs::write(&lib, text).unwrap();
    let (code, _, stderr) = mutate(&dir, &["--diff", "--base", "HEAD"]);
    assert_eq!(code, 4, "{stderr}");
}

#[test]
fn the_list_of_the_fixture_is_stable() {
    let (_t, dir) = rustcalc();
    let (code, v, stderr) = mutate(&dir, &["--list"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_json_snapshot!("mutate_rust_list", v);
}

#[test]
fn list_and_function_scope_need_no_build() {
    let (_t, dir) = rustcalc();
    let (code, v, stderr) = mutate(&dir, &["--list", "--function", "Counter::bump"]);
    assert_eq!(code, 0, "{stderr}");
    let ms = v["mutants"].as_array().unwrap();
    assert_eq!(ms.len(), 6, "{v:#}");
    assert!(ms.iter().all(|m| m["function"] == "Counter::bump"));
    assert!(!dir.join("target").exists(), "--list builds nothing");
}

#[test]
fn a_crate_that_does_not_compile_is_a_clear_error_and_nothing_is_written() {
    let (_t, dir) = rustcalc();
    let lib = dir.join("src/lib.rs");
    let mut text = std::fs::read_to_string(&lib).unwrap();
    text.push_str("\npub fn broken() -> u32 {\n    \"not a number\"\n}\n");
    std::fs::write(&lib, &text).unwrap();
    let before = tree(&dir);
    let report = dir.join("mutation.json");
    let (code, _, stderr) = mutate(&dir, &["--output", report.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("src/lib.rs:27: the crate does not compile"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(
        !report.exists(),
        "no report for a crate that does not build"
    );
    assert_eq!(before, tree(&dir));
    // A file that does not parse is named with its line before anything is built.
    std::fs::write(dir.join("src/calc.rs"), "pub fn f( {\n").unwrap();
    let (code, _, stderr) = mutate(&dir, &["--list"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("src/calc.rs:1: cannot mutate"), "{stderr}");
}

#[test]
fn ci_mutates_a_rust_change_and_writes_the_report_the_gate_reads() {
    let (_t, dir) = rustcalc();
    std::fs::write(dir.join("rigor.toml"), "[mutate]\ntimeout_factor = 3.0\n").unwrap();
    let lib = dir.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)
        .unwrap()
        .replace("age >= 18", "age >= 18 && age < 200");
    std::fs::write(&lib, text).unwrap();
    let out = rigor(&dir).args(["ci", "--base", "HEAD"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("rigor ci: mutation:") && stderr.contains("mutants of the change"),
        "{stderr}\n{stdout}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("reports/mutation/mutation.json")).unwrap())
            .unwrap();
    assert_eq!(report["schemaVersion"], "1");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("mutation"), "{all}");
}

#[test]
fn an_unchanged_crate_keeps_its_verdicts_and_any_change_runs_them_again() {
    let (_t, dir) = rustcalc();
    let scope = ["--file", "src/lib.rs"];
    let (code, first, stderr) = mutate(&dir, &scope);
    assert_eq!(code, 0, "{stderr}");
    let verdicts = |v: &Value| -> Vec<(u64, String)> {
        v["mutants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["line"].as_u64().unwrap(),
                    m["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let cached = |v: &Value| {
        v["mutants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["cached"] == true)
            .count()
    };
    assert_eq!(cached(&first), 0);
    let (code, again, stderr) = mutate(&dir, &scope);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verdicts(&again), verdicts(&first), "the same verdicts");
    let n = again["mutants"].as_array().unwrap().len();
    assert_eq!(cached(&again), n, "every verdict kept: {again:#}");
    // A change anywhere in the crate (here a test file) makes every verdict stale.
    let api = dir.join("tests/api.rs");
    let text = std::fs::read_to_string(&api).unwrap();
    std::fs::write(&api, format!("{text}\n// touched\n")).unwrap();
    let (code, third, stderr) = mutate(&dir, &scope);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(cached(&third), 0);
    assert_eq!(verdicts(&third), verdicts(&first));
    // --fresh ignores kept verdicts.
    let (_, fresh, _) = mutate(&dir, &["--file", "src/lib.rs", "--fresh"]);
    assert_eq!(cached(&fresh), 0);
}
