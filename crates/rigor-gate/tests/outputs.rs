//! Output formats: each is parsed back (our own readers for JUnit and SARIF, serde for JSON) and
//! checked for the properties CI systems rely on.

use rigor_gate::model::{GateReport, GateResult, Verdict, Violation};
use rigor_gate::output;
use rigor_gate::readers::junit::read_junit;
use rigor_gate::readers::sarif::read_sarif;

fn gate(id: &str, verdict: Verdict, violations: Vec<Violation>) -> GateResult {
    GateResult {
        gate: id.into(),
        verdict,
        blocking: verdict != Verdict::Warn,
        value: Some(50.0),
        threshold: Some(90.0),
        op: ">=".into(),
        unit: "%".into(),
        summary: format!("{id} summary with <markup> & | pipes"),
        details: vec![format!("{id} detail")],
        violations,
    }
}

fn uncovered(n: u32) -> Vec<Violation> {
    (0..n)
        .map(|i| Violation {
            rule: "coverage.changed_lines".into(),
            message: format!("changed line {} is not covered, 100% sure: yes", 10 * i + 1),
            level: "error".into(),
            file: Some(format!("src/f{}.py", i % 3)),
            line: Some(10 * i + 1),
            end_line: Some(10 * i + 1),
        })
        .collect()
}

fn report(n: u32) -> GateReport {
    GateReport {
        schema: 1,
        passed: false,
        run_id: Some(3),
        commit: None,
        branch: None,
        gates: vec![
            gate("tests", Verdict::Pass, vec![]),
            gate("mutation", Verdict::Warn, vec![]),
            gate("perf", Verdict::Skip, vec![]),
            gate("coverage.changed_lines", Verdict::Fail, uncovered(n)),
            gate("security", Verdict::Fail, vec![]),
        ],
        coverage: None,
        inputs: vec![],
        notes: vec!["a note".into()],
    }
}

#[test]
fn github_annotations_stay_within_the_per_step_limit() {
    let text = output::github(&report(25));
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 10, "{text}");
    // the gate without located violations comes first (failing gates sorted first), then 8 lines
    assert!(
        errors[0].contains("title=rigor gate coverage.changed_lines")
            || errors[0].contains("file="),
        "{text}"
    );
    assert!(
        errors[9].contains("17 more error annotations"),
        "{}",
        errors[9]
    );
    // escaping: `,` and `:` in properties, `%` in data
    assert!(text.contains("100%25 sure: yes"), "{text}");
    assert!(
        text.contains(
            "::error file=src/f0.py,line=1,endLine=1,title=rigor coverage.changed_lines::"
        ),
        "{text}"
    );
    // few annotations: all shown
    let small = output::github(&report(3));
    assert_eq!(
        small.lines().filter(|l| l.starts_with("::error")).count(),
        4,
        "{small}"
    );
    assert!(
        small
            .lines()
            .any(|l| l.starts_with("::error title=rigor gate security::")),
        "{small}"
    );
    assert!(
        small
            .lines()
            .any(|l| l.starts_with("::warning title=rigor gate mutation::")),
        "{small}"
    );
}

#[test]
fn junit_has_a_test_case_per_gate_and_reads_back() {
    let xml = output::junit(&report(2));
    let cases = read_junit("gates.xml", &xml).unwrap();
    assert_eq!(cases.len(), 5);
    let outcome = |n: &str| cases.iter().find(|c| c.name == n).unwrap().outcome;
    assert_eq!(
        outcome("coverage.changed_lines"),
        rigor_model::Outcome::Failed
    );
    assert_eq!(outcome("security"), rigor_model::Outcome::Failed);
    assert_eq!(outcome("perf"), rigor_model::Outcome::Skipped);
    assert_eq!(
        outcome("mutation"),
        rigor_model::Outcome::Passed,
        "advisory failures do not fail CI"
    );
    let failed = cases.iter().find(|c| c.name == "security").unwrap();
    assert!(
        failed
            .message
            .as_deref()
            .unwrap()
            .contains("<markup> & | pipes")
    );
}

#[test]
fn sarif_is_2_1_0_with_located_results_only() {
    let text = output::sarif(&report(4));
    let findings = read_sarif("gate.sarif", &text).unwrap();
    assert_eq!(findings.len(), 4);
    assert!(
        findings
            .iter()
            .all(|f| f.file.is_some() && f.line.is_some() && f.level.as_deref() == Some("error"))
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "rigor");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["endLine"]
        );
    }
}

#[test]
fn markdown_is_short_failing_first_details_folded() {
    let md = output::markdown(&report(3));
    assert!(
        md.starts_with("### ❌ rigor gates failed: 2 blocking gates failing"),
        "{md}"
    );
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).skip(1).collect();
    assert!(
        rows[0].starts_with("| ❌") && rows[1].starts_with("| ❌"),
        "{md}"
    );
    assert!(rows[2].starts_with("| ⚠️"), "{md}");
    assert!(rows[4].starts_with("| ➖"), "{md}");
    assert!(
        md.contains("<details><summary><code>coverage.changed_lines</code>"),
        "{md}"
    );
    assert!(
        md.contains("\\|") && md.contains("&lt;markup&gt;"),
        "escaped: {md}"
    );
    let mut ok = report(0);
    ok.passed = true;
    ok.gates.retain(|g| g.verdict == Verdict::Pass);
    assert!(output::markdown(&ok).starts_with("### ✅ rigor gates passed (1 evaluated)"));
}

#[test]
fn gitlab_code_quality_issues() {
    let text = output::gitlab(&report(5));
    let v: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(v.len(), 5);
    let mut fps: Vec<&str> = v
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), 5, "fingerprints are unique");
    for i in &v {
        assert!(i["location"]["path"].as_str().unwrap().starts_with("src/"));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert_eq!(i["severity"], "major");
        assert!(i["check_name"].as_str().unwrap().starts_with("rigor/"));
    }
}

#[test]
fn json_round_trips_and_terminal_lists_failures_first() {
    let r = report(2);
    let back: GateReport = serde_json::from_str(&output::json(&r)).unwrap();
    assert_eq!(back, r);
    let t = output::terminal(&r);
    let lines: Vec<&str> = t.lines().collect();
    assert!(
        lines[1].starts_with("FAIL") && lines[2].starts_with("FAIL"),
        "{t}"
    );
    assert!(t.contains("mutation (advisory)"), "{t}");
    assert!(
        t.trim_end()
            .ends_with("FAILED: 4 gates evaluated, 2 failing, 1 advisory failures"),
        "{t}"
    );
}
