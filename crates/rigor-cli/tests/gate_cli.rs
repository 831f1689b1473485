//! `rigor gate` and `rigor report` driven through the real binary.

use rigor_testkit::git;
use std::path::Path;
use std::process::{Command, Output};

/// A git project with a change on `feature`: lines 3-6 of src/pay/charge.py, of which 4 and 5
/// are not covered by lcov.info.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("src/pay")).unwrap();
    let ten: String = (1..=10).map(|i| format!("line{i}\n")).collect();
    std::fs::write(p.join("src/pay/charge.py"), &ten).unwrap();
    std::fs::write(p.join(".gitignore"), ".rigor/\n*.info\nout/\n").unwrap();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    git(p, &["checkout", "-qb", "feature"]);
    let changed: String = (1..=10)
        .map(|i| {
            if (3..=6).contains(&i) {
                format!("new{i}\n")
            } else {
                format!("line{i}\n")
            }
        })
        .collect();
    std::fs::write(p.join("src/pay/charge.py"), changed).unwrap();
    git(p, &["commit", "-qam", "change"]);
    let mut lcov = String::from("SF:src/pay/charge.py\n");
    for l in 1..=10 {
        lcov.push_str(&format!(
            "DA:{l},{}\n",
            if l == 4 || l == 5 { 0 } else { 1 }
        ));
    }
    lcov.push_str("end_of_record\n");
    std::fs::write(p.join("lcov.info"), lcov).unwrap();
    dir
}

fn rigor(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rigor"));
    cmd.arg("-C").arg(dir).args(args).current_dir(dir);
    for k in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_BASE_REF",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn evaluations(dir: &Path) -> i64 {
    let db = dir.join(".rigor/history.db");
    if !db.exists() {
        return 0;
    }
    let store = rigor_store::Store::open(&db).unwrap();
    store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'gate_evaluations'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        .min(1)
        * store
            .conn()
            .query_row("SELECT COUNT(*) FROM gate_evaluations", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap_or(0)
}

#[test]
fn uncovered_changed_lines_fail_the_gate_in_every_format() {
    let d = project();
    let p = d.path();
    let base = ["gate", "--coverage", "lcov.info", "--no-record"];
    let run = |format: &str| {
        let mut a = base.to_vec();
        a.extend(["--format", format]);
        let o = rigor(p, &a, &[]);
        assert_eq!(o.status.code(), Some(1), "{format}: {:?}", text(&o));
        text(&o).0
    };
    let table = run("table");
    assert!(table.contains("FAIL  coverage.changed_lines"), "{table}");
    assert!(
        table.contains("src/pay/charge.py: 2/4 (50.00%), missing lines 4-5"),
        "{table}"
    );
    assert!(table.contains("base: merge-base with main"), "{table}");

    let md = run("markdown");
    assert!(md.starts_with("### ❌ rigor gates failed"), "{md}");
    assert!(md.contains("missing lines 4-5"), "{md}");

    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["passed"], false);
    let files = &json["coverage"]["changed"]["files"];
    assert_eq!(files[0]["path"], "src/pay/charge.py");
    assert_eq!(files[0]["uncovered_lines"], serde_json::json!([4, 5]));
    let g = json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "coverage.changed_lines")
        .unwrap();
    assert_eq!(
        (
            g["verdict"].as_str(),
            g["value"].as_f64(),
            g["threshold"].as_f64()
        ),
        (Some("fail"), Some(50.0), Some(90.0))
    );

    let junit = run("junit");
    assert!(
        junit.contains("name=\"coverage.changed_lines\"")
            && junit.contains("<failure message=\"50.00% of changed lines covered"),
        "{junit}"
    );

    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/pay/charge.py"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["endLine"],
        5
    );

    let gh = run("github");
    assert!(
        gh.contains("::error file=src/pay/charge.py,line=4,endLine=5,title=rigor coverage.changed_lines::changed lines 4-5 are not covered by tests"),
        "{gh}"
    );

    let gl: serde_json::Value = serde_json::from_str(&run("gitlab")).unwrap();
    assert_eq!(gl[0]["location"]["path"], "src/pay/charge.py");
    assert_eq!(gl[0]["location"]["lines"]["begin"], 4);
    assert_eq!(evaluations(p), 0, "--no-record");
}

#[test]
fn files_from_flags_and_config_github_summary_and_history() {
    let d = project();
    let p = d.path();
    std::fs::write(
        p.join("rigor.toml"),
        "[gates]\ncoverage = { min = 50, changed_lines_min = 40 }\n\n[report]\nmarkdown = \"out/gate.md\"\nsarif = \"out/gate.sarif\"\n",
    )
    .unwrap();
    let summary = p.join("summary.md");
    let o = rigor(
        p,
        &[
            "gate",
            "--coverage",
            "lcov.info",
            "--json-out",
            "out/flag.json",
            "--gitlab-out",
            "out/cq.json",
        ],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("PASSED"), "{out}");
    // advisory annotations printed after the table, the summary appended
    assert!(
        out.contains("::notice file=src/pay/charge.py,line=4"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("### ✅ rigor gates passed")
    );
    for f in [
        "out/gate.md",
        "out/gate.sarif",
        "out/flag.json",
        "out/cq.json",
    ] {
        assert!(p.join(f).is_file(), "{f} written");
    }
    assert_eq!(evaluations(p), 1);
    // a second evaluation; then the HTML report shows both
    assert_eq!(
        rigor(p, &["gate", "--coverage", "lcov.info"], &[])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(evaluations(p), 2);
    let o = rigor(p, &["report", "--html", "out/report.html"], &[]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let html = std::fs::read_to_string(p.join("out/report.html")).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<svg")
            && html.contains("trend of coverage.changed_lines")
    );
    assert!(!html.contains("<script") && !html.contains("<link"));
    // Issue 17, item 4: the history's medians say that they are medians over runs.
    assert!(
        html.contains("<h2>Slowest tests</h2>\n<p class=\"muted\">Median duration of each test's passing results over the last 20 runs"),
        "{html}"
    );
}

#[test]
fn malformed_artifact_exits_3_and_records_nothing() {
    let d = project();
    let p = d.path();
    std::fs::write(
        p.join("bad.json"),
        "{\"meta\": {}, \"files\": {\"a.py\": {\"executed_lines\": [1,",
    )
    .unwrap();
    let o = rigor(
        p,
        &["gate", "--coverage", "lcov.info", "--coverage", "bad.json"],
        &[],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("bad.json:1:")
            && err.contains("malformed coverage.py JSON")
            && err.contains("hint:"),
        "{err}"
    );
    assert_eq!(evaluations(p), 0);
}

#[test]
fn usage_errors_and_nothing_to_evaluate() {
    // nothing: no artifact, no history, no git
    let empty = tempfile::tempdir().unwrap();
    let o = rigor(empty.path(), &["gate"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("no gate could be evaluated") && err.contains("hint:"),
        "{err}"
    );
    let o = rigor(empty.path(), &["report"], &[]);
    assert_eq!(o.status.code(), Some(4), "{:?}", text(&o));

    // configuration error
    let d = project();
    std::fs::write(
        d.path().join("rigor.toml"),
        "[gates]\nmutation = { min_score = \"high\" }\n",
    )
    .unwrap();
    let o = rigor(d.path(), &["gate", "--coverage", "lcov.info"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("rigor.toml:2"), "{err}");

    // an unknown base
    std::fs::remove_file(d.path().join("rigor.toml")).unwrap();
    let o = rigor(
        d.path(),
        &[
            "gate",
            "--coverage",
            "lcov.info",
            "--base",
            "no-such-branch",
        ],
        &[],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no-such-branch"), "{err}");

    // a missing file
    let o = rigor(d.path(), &["gate", "--coverage", "missing.xml"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot read") && err.contains("missing.xml"),
        "{err}"
    );
}

#[test]
fn tests_gate_uses_the_runners_history() {
    let d = project();
    let p = d.path();
    {
        let mut store = rigor_store::Store::open(&p.join(".rigor/history.db")).unwrap();
        let run = store
            .begin_run(&rigor_store::NewRun {
                trigger: "local".into(),
                ..Default::default()
            })
            .unwrap();
        let key = |id: &str| rigor_model::TestKey::new("py", id);
        store
            .record_results(
                run,
                &[
                    rigor_model::TestResult::new(key("ok"), rigor_model::Outcome::Passed, 0.1),
                    rigor_model::TestResult::new(key("bad"), rigor_model::Outcome::Failed, 0.1),
                ],
            )
            .unwrap();
        store
            .finish_run(run, rigor_store::RunStatus::Failed, 1.0)
            .unwrap();
    }
    let o = rigor(p, &["gate", "--format", "json", "--no-record"], &[]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let t = json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "tests")
        .unwrap();
    assert_eq!(t["verdict"], "fail");
    assert_eq!(json["run_id"], 1);
}

#[test]
fn an_empty_artifact_is_reported_in_its_own_format() {
    let d = project();
    std::fs::write(d.path().join("coverage.xml"), "").unwrap();
    let o = rigor(d.path(), &["gate", "--coverage", "coverage.xml"], &[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("coverage.xml:1:1: malformed Cobertura XML: the file is empty"),
        "{err}"
    );
}
