//! `rigor mutate` through the real binary against the pinned pytest: mutants, verdicts, the
//! Stryker report the gate reads, incremental re-runs, `--diff`, and bad input.

mod common;

use common::{project, rigor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn mutate_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = rigor(dir)
        .arg("mutate")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON on stdout ({e}); stderr:\n{stderr}"));
    (out.status.code().unwrap_or(-1), v, stderr)
}

/// Every file's bytes, to prove the working tree is never written.
fn snapshot_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["pkg", "tests"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                out.insert(p.display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn verdicts(v: &Value) -> Vec<(String, u64, String, String)> {
    v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["file"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["operator"].as_str().unwrap().to_string(),
                m["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_list_shows_mutants_of_function_bodies_only() {
    let (_t, dir) = project("pymutate");
    let (code, v, _) = mutate_json(&dir, &["--list"]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("mutate_list", v);
    assert!(!dir.join(".rigor").exists(), "--list writes nothing");
}

#[test]
fn a_run_kills_times_out_and_reports_survivors_with_their_tests() {
    let (_t, dir) = project("pymutate");
    let before = snapshot_tree(&dir);
    let report = dir.join("mutation.json");
    let (code, v, stderr) = mutate_json(&dir, &["--output", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(before, snapshot_tree(&dir), "the working tree is untouched");
    let s = &v["summary"];
    assert_eq!(
        (
            s["mutants"].as_u64(),
            s["killed"].as_u64(),
            s["timeout"].as_u64()
        ),
        (Some(26), Some(18), Some(1)),
        "{v:#}"
    );
    assert_eq!(
        (s["survived"].as_u64(), s["no_coverage"].as_u64()),
        (Some(3), Some(4))
    );
    // Score: (killed + timeout) / (killed + timeout + survived + no coverage).
    let score = s["score"].as_f64().unwrap();
    assert!((score - 100.0 * 19.0 / 26.0).abs() < 1e-9, "{score}");
    let vs = verdicts(&v);
    let at = |line: u64, op: &str| {
        vs.iter()
            .find(|(f, l, o, _)| f == "pkg/calc.py" && *l == line && o == op)
            .map(|x| x.3.as_str())
            .unwrap_or("missing")
    };
    assert_eq!(at(7, "comparison"), "survived", "no boundary test for lo");
    assert_eq!(at(9, "comparison"), "survived", "no boundary test for hi");
    assert_eq!(at(22, "arithmetic"), "timeout", "i = i - 1 never ends");
    assert_eq!(
        at(27, "arithmetic"),
        "no_coverage",
        "untested() has no test"
    );
    assert_eq!(at(15, "comparison"), "killed");
    // A survivor carries its diff and the tests that ran (only those reaching it).
    let m = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["line"] == 9 && m["operator"] == "comparison")
        .unwrap();
    assert_eq!(
        m["diff"].as_str().unwrap().lines().nth(4),
        Some("+    if x >= hi:")
    );
    let ran: Vec<&str> = m["tests_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        ran.iter()
            .all(|t| t.starts_with("tests/test_calc.py::test_clamp_")),
        "{ran:?}"
    );
    assert!(
        !ran.contains(&"tests/test_calc.py::test_clamp_low"),
        "low returns before line 9"
    );
    assert_eq!(m["tests_from"], "import-graph");

    // The gate reads the Stryker report and finds the same score.
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
    assert!(
        (gate["value"].as_f64().unwrap() - score).abs() < 1e-9,
        "{gate:#}"
    );
}

#[test]
fn a_re_run_keeps_verdicts_until_the_file_or_its_tests_change() {
    let (_t, dir) = project("pymutate");
    let (code, first, e) = mutate_json(&dir, &["--file", "pkg/text.py"]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(first["summary"]["cached"], 0);
    let (_, again, _) = mutate_json(&dir, &["--file", "pkg/text.py"]);
    assert_eq!(again["summary"]["cached"], again["summary"]["mutants"]);
    assert_eq!(verdicts(&first), verdicts(&again));
    assert!(again["baseline"].is_null(), "nothing ran");
    // A new test reaching the module: its mutants run again, and the new test kills two.
    let t = dir.join("tests/test_text.py");
    let mut text = std::fs::read_to_string(&t).unwrap();
    text.push_str("\n\ndef test_empty():\n    assert shout('') == ''\n");
    std::fs::write(&t, text).unwrap();
    let (_, third, _) = mutate_json(&dir, &["--file", "pkg/text.py"]);
    assert_eq!(third["summary"]["cached"], 0);
    assert_eq!(
        third["summary"]["no_coverage"].as_u64(),
        first["summary"]["no_coverage"].as_u64().map(|n| n - 2)
    );
}

#[test]
fn diff_scope_mutates_only_the_changed_lines() {
    let (_t, dir) = project("pymutate");
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "base");
    let p = dir.join("pkg/calc.py");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace("return n % 2 == 0", "return n % 2 == 0 and n >= 0"),
    )
    .unwrap();
    let (code, v, e) = mutate_json(&dir, &["--diff", "--base", "HEAD"]);
    assert_eq!(code, 0, "{e}");
    let lines: Vec<u64> = v["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["line"].as_u64().unwrap())
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|l| *l == 15),
        "{lines:?}"
    );
    assert_eq!(v["base"], "--base HEAD");
    // `n >= 0` → `n > 0` survives: no test passes 0.
    assert!(
        v["mutants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["replacement"] == ">" && m["verdict"] == "survived")
    );
    // Nothing changed in Python: nothing to run (exit 4).
    rigor_testkit::commit_all(&dir, "change");
    let out = rigor(&dir)
        .args(["mutate", "--diff", "--base", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn function_scope_and_bad_input_are_handled() {
    let (_t, dir) = project("pymutate");
    let (code, v, _) = mutate_json(&dir, &["--list", "--function", "shout"]);
    assert_eq!(code, 0);
    assert!(
        v["mutants"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["function"] == "shout")
    );
    let out = rigor(&dir)
        .args(["mutate", "--file", "pkg/nope.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--file pkg/nope.py") && err.contains("hint:"),
        "{err}"
    );
    std::fs::write(dir.join("pkg/broken.py"), "def f(:\n    return 1\n").unwrap();
    let out = rigor(&dir).args(["mutate", "--list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pkg/broken.py:1: cannot mutate"), "{err}");
    assert!(!dir.join(".rigor").exists(), "nothing written on bad input");
    std::fs::remove_file(dir.join("pkg/broken.py")).unwrap();
    let out = rigor(&dir)
        .args(["mutate", "--function", "no_such_function"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn a_failing_test_is_left_out_and_a_red_baseline_stops_the_run() {
    let (_t, dir) = project("pymutate");
    std::fs::write(
        dir.join("tests/test_red.py"),
        "from pkg.text import shout\n\n\ndef test_red():\n    assert shout('a') == 'nope'\n",
    )
    .unwrap();
    let (code, v, e) = mutate_json(&dir, &["--file", "pkg/text.py"]);
    assert_eq!(code, 0, "{e}");
    assert_eq!(v["baseline"]["failed"][0], "tests/test_red.py::test_red");
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("test_red"))
    );
    std::fs::write(
        dir.join("tests/test_text.py"),
        "from pkg.text import shout\n\n\ndef test_shout():\n    assert shout('hi') == 'no'\n",
    )
    .unwrap();
    let out = rigor(&dir)
        .args(["mutate", "--file", "pkg/text.py", "--fresh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fail without any mutant"), "{err}");
}

#[test]
fn min_score_fails_the_command_below_it() {
    let (_t, dir) = project("pymutate");
    let out = rigor(&dir)
        .args(["mutate", "--file", "pkg/text.py", "--min-score", "99"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mutation score"), "{text}");
    assert!(
        text.contains("--- a/pkg/text.py"),
        "survivors show their diff: {text}"
    );
}

#[test]
fn ci_runs_the_changes_mutants_and_the_gate_reads_their_report() {
    let (_t, dir) = project("pymutate");
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "base");
    let p = dir.join("pkg/calc.py");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace("return n % 2 == 0", "return n % 2 == 0 and n >= 0"),
    )
    .unwrap();
    let out = rigor(&dir).args(["ci", "--base", "HEAD"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("rigor ci: mutation: 8 mutants of the change"),
        "{stderr}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("reports/mutation/mutation.json")).unwrap())
            .unwrap();
    assert_eq!(report["schemaVersion"], "1");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("mutation (advisory)") && all.contains("2 survived"),
        "{all}"
    );
}
