//! `rigor triage` end to end: a real pytest project with a history, a change that breaks a
//! test, and failures of every cause; the real binary explains them.

mod common;

use common::rigor;
use rigor_testkit::{commit_all, git, write};
use serde_json::Value;
use std::path::Path;

const TOML: &str = "[[suite]]\nname = \"python\"\nkind = \"pytest\"\nroot = \".\"\n";
const CALC: &str = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n";
const TESTS: &str = "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n";
const BROKEN: &str = r#"import pathlib
import socket

import pytest


def test_env():
    import yaml_not_installed_anywhere  # noqa: F401


@pytest.fixture
def server():
    raise RuntimeError("fixture could not start")


def test_fixture(server):
    pass


def test_flaky():
    marker = pathlib.Path(__file__).with_name(".flaky-attempt")
    if not marker.exists():
        marker.write_text("1")
        assert False, "first attempt fails"
    marker.unlink()


def test_port():
    a = socket.socket()
    a.bind(("127.0.0.1", 0))
    a.listen()
    b = socket.socket()
    b.bind(("127.0.0.1", a.getsockname()[1]))
"#;

/// A project with a passing history at its first commit and a second commit that breaks
/// `mul` and adds failing tests of every other cause. Returns the repository.
fn red_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "rigor.toml", TOML);
    write(d, "conftest.py", "");
    write(d, "calc.py", CALC);
    write(d, "tests/test_calc.py", TESTS);
    write(d, ".gitignore", ".rigor/\n__pycache__/\n.flaky-attempt\n");
    commit_all(d, "base");
    rigor(d).args(["run"]).assert().code(0);
    write(d, "calc.py", &CALC.replace("a * b", "a * b + 1"));
    write(d, "tests/test_broken.py", BROKEN);
    commit_all(d, "break mul, add broken tests");
    rigor(d).args(["run", "--retries", "1"]).assert().code(1);
    dir
}

fn triage_json(d: &Path, args: &[&str]) -> Value {
    let out = rigor(d)
        .arg("triage")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cause_of<'a>(doc: &'a Value, test: &str) -> &'a Value {
    doc["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["test"].as_str().unwrap().ends_with(test))
        .unwrap_or_else(|| panic!("{test} not in {doc:#}"))
}

#[test]
fn every_failure_gets_its_cause_evidence_and_fix() {
    let dir = red_project();
    let d = dir.path();
    let doc = triage_json(d, &[]);
    assert_eq!(doc["schema"], "rigor.triage/1");
    let causes: Vec<(String, String)> = doc["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["test"].as_str().unwrap().to_string(),
                f["cause"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    insta::assert_debug_snapshot!("triage_causes", causes);
    let reg = cause_of(&doc, "::test_mul");
    let ev = reg["evidence"].to_string();
    assert!(ev.contains("passed at"), "{ev}");
    assert!(ev.contains("calc.py"), "the change reaches the test: {ev}");
    assert!(reg["confidence"].as_f64().unwrap() >= 0.9);
    let env = cause_of(&doc, "::test_env");
    assert_eq!(
        env["fix"]["commands"][0],
        "python -m pip install yaml-not-installed-anywhere"
    );
    let flaky = cause_of(&doc, "::test_flaky");
    assert_eq!(flaky["outcome"], "flaky");
    assert_eq!(flaky["fix"]["safe"]["kind"], "quarantine");
    let port = cause_of(&doc, "::test_port");
    assert!(
        port["evidence"][0].as_str().unwrap().contains("port"),
        "{port:#}"
    );
    // Grouping: every signature is new in this run except none; the regression's signature too.
    assert!(
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["new"] == true)
    );
}

#[test]
fn text_and_markdown_say_the_same_and_a_repeat_is_seen_before() {
    let dir = red_project();
    let d = dir.path();
    rigor(d).args(["run", "--retries", "1"]).assert().code(1);
    let out = rigor(d).arg("triage").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("REGRESSION ("), "{text}");
    assert!(text.contains("seen in 2 runs since"), "{text}");
    assert!(
        text.contains("fix: install the missing requirement"),
        "{text}"
    );
    let out = rigor(d)
        .args(["triage", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("### rigor triage"), "{md}");
    assert!(md.contains("| **regression** |"), "{md}");
    insta::with_settings!({filters => vec![
        (r"[0-9a-f]{8,40}", "[hex]"),
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "[time]"),
    ]}, {
        insta::assert_snapshot!("triage_markdown", md);
    });
}

#[test]
fn a_label_is_inherited_and_apply_quarantines_the_flaky_test() {
    let dir = red_project();
    let d = dir.path();
    let doc = triage_json(d, &[]);
    let sig = cause_of(&doc, "::test_fixture")["signature"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rigor(d)
        .args([
            "triage",
            "label",
            &sig,
            "--as",
            "infrastructure",
            "--note",
            "the fixture server is down",
        ])
        .assert()
        .code(0);
    let doc = triage_json(d, &[]);
    let f = cause_of(&doc, "::test_fixture");
    assert_eq!(f["cause"], "infrastructure");
    assert_eq!(f["label"]["similarity"], 1.0);
    assert!(
        f["evidence"]
            .to_string()
            .contains("the fixture server is down")
    );
    let out = rigor(d).args(["triage", "--apply"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("applied: python::tests/test_broken.py::test_flaky: quarantined until"),
        "{err}"
    );
    let flaky = rigor(d)
        .args(["flaky", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&flaky.stdout).unwrap();
    assert!(v.to_string().contains("test_flaky"), "{v:#}");
    // Nothing was committed.
    assert_eq!(git(d, &["rev-list", "--count", "HEAD"]), "2");
}

#[test]
fn bad_input_is_a_clear_usage_error() {
    let dir = red_project();
    let d = dir.path();
    let out = rigor(d).args(["triage", "--run", "999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run #999"));
    let out = rigor(d)
        .args(["triage", "label", "abc", "--as", "cosmic-rays"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown cause `cosmic-rays`"));
    let out = rigor(d)
        .args(["triage", "label", "000000000000", "--as", "flaky"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no failure with signature"));
}

#[test]
fn an_empty_history_says_to_run_first() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rigor.toml", TOML);
    let out = rigor(dir.path()).arg("triage").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no finished run"));
}

/// `rigor bisect` on a 64-commit history with one culprit: the history knows the test passed
/// at the first commit and fails at the last; the culprit is named in at most 7 test runs,
/// each running only the failing test through rigor, and the user's checkout is untouched.
#[test]
fn bisect_names_the_culprit_of_64_commits_in_at_most_7_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "rigor.toml", TOML);
    write(d, "conftest.py", "");
    write(d, ".gitignore", ".rigor/\n__pycache__/\n");
    write(d, "calc.py", CALC);
    write(d, "tests/test_calc.py", TESTS);
    let mut shas = vec![commit_all(d, "commit 0")];
    rigor(d).arg("run").assert().code(0);
    for i in 1..64 {
        write(d, "notes.txt", &format!("note {i}\n"));
        if i == 41 {
            write(d, "calc.py", &CALC.replace("a * b", "a * b * 1.0 + 0.5"));
        }
        shas.push(commit_all(d, &format!("commit {i}")));
    }
    rigor(d).arg("run").assert().code(1);
    let out = rigor(d)
        .args([
            "bisect",
            "--test",
            "tests/test_calc.py::test_mul",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["culprit"]["commit"], shas[41].as_str(), "{v:#}");
    assert_eq!(v["culprit"]["subject"], "commit 41");
    assert_eq!(v["culprit"]["author"], "t <t@example.invalid>");
    assert_eq!(
        v["culprit"]["changed_files"],
        serde_json::json!(["calc.py", "notes.txt"])
    );
    assert_eq!(
        (v["good"].as_str(), v["bad"].as_str()),
        (Some(shas[0].as_str()), Some(shas[63].as_str()))
    );
    let runs = v["steps"].as_array().unwrap().len();
    assert!(runs <= 7, "{runs} test runs");
    assert_eq!(
        git(d, &["rev-parse", "HEAD"]),
        shas[63],
        "the checkout is untouched"
    );
    assert_eq!(git(d, &["status", "--porcelain"]), "");
    assert_eq!(git(d, &["worktree", "list"]).lines().count(), 1);
    // The text form names the commit, its author and its files.
    let out = rigor(d)
        .args([
            "bisect",
            "--test",
            "tests/test_calc.py::test_mul",
            "--good",
            &shas[30],
            "--bad",
            &shas[50],
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("first bad commit: {} commit 41", &shas[41][..10])),
        "{text}"
    );
    assert!(text.contains("author: t <t@example.invalid>"), "{text}");
    let out = rigor(d)
        .args(["bisect", "--test", "nope::x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no test `nope::x`"));
}

/// A red `rigor ci` ends with the triage summary: each signature's cause, history and fix.
#[test]
fn a_red_ci_run_ends_with_the_triage_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "rigor.toml", TOML);
    write(d, "conftest.py", "");
    write(d, ".gitignore", ".rigor/\n__pycache__/\n");
    write(d, "calc.py", CALC);
    write(d, "tests/test_calc.py", TESTS);
    commit_all(d, "base");
    rigor(d).args(["ci", "--all"]).assert().code(0);
    write(d, "calc.py", &CALC.replace("a * b", "a * b + 1"));
    commit_all(d, "break mul");
    let out = rigor(d).args(["ci"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let tail = &text[text
        .find("\nTriage of run #2")
        .unwrap_or_else(|| panic!("no triage summary:\n{text}"))..];
    assert!(tail.contains("regression"), "{tail}");
    assert!(tail.contains("tests/test_calc.py::test_mul"), "{tail}");
    assert!(
        tail.contains("fix: fix or revert the change to calc.py"),
        "{tail}"
    );
    assert!(tail.contains("details: rigor triage --run 2"), "{tail}");
    // With JSON on stdout, the summary goes to stderr and stdout stays one JSON document.
    let out = rigor(d).args(["ci", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice::<Value>(&out.stdout).expect("stdout is JSON");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Triage of run #3"));
}

/// A formatter suite that fails: its cause is the code it checks, its fix the formatter's own
/// auto-fix, which `--apply` runs (and reports the files it changed) without committing.
#[test]
fn apply_runs_the_formatters_auto_fix_and_never_commits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "rigor.toml",
        "[[suite]]\nname = \"lint\"\nkind = \"command\"\ncommands = { fmt = \"cargo fmt --check\" }\n",
    );
    write(
        d,
        "Cargo.toml",
        "[package]\nname = \"fmtme\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    write(d, "src/lib.rs", "pub fn   add( a:u32,b :u32)->u32{a+b}\n");
    write(d, ".gitignore", ".rigor/\ntarget/\n");
    commit_all(d, "unformatted");
    rigor(d).arg("run").assert().code(1);
    let doc = triage_json(d, &[]);
    let f = cause_of(&doc, "fmt");
    assert_eq!(f["cause"], "regression", "{f:#}");
    assert_eq!(f["fix"]["safe"]["command"], "cargo fmt");
    let out = rigor(d).args(["triage", "--apply"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("applied: lint::fmt: ran `cargo fmt`"), "{err}");
    assert!(err.contains("changed: src/lib.rs"), "{err}");
    let lib = std::fs::read_to_string(d.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub fn add(a: u32, b: u32) -> u32"), "{lib}");
    assert_eq!(
        git(d, &["rev-list", "--count", "HEAD"]),
        "1",
        "nothing committed"
    );
    rigor(d).arg("run").assert().code(0);
}
