//! Gate evaluation over real inputs: a git repository with a change, coverage, a history with
//! runs, audits, mutation and perf reports.

use rigor_gate::config::Settings;
use rigor_gate::{
    GateReport, GateRequest, OutputFlags, RunEvidence, Verdict, evaluate_with, history,
};
use rigor_model::exit::HasExitCode;
use rigor_model::{Config, Outcome, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus, Store};
use rigor_testkit::git;
use std::path::{Path, PathBuf};

fn samples(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/samples")
        .join(name)
}

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// A git project: src/pay/charge.py (critical) and src/cli/main.py, a change on a branch.
    fn new(toml: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("src/pay")).unwrap();
        std::fs::create_dir_all(p.join("src/cli")).unwrap();
        let ten: String = (1..=10).map(|i| format!("line{i}\n")).collect();
        std::fs::write(p.join("src/pay/charge.py"), &ten).unwrap();
        std::fs::write(p.join("src/cli/main.py"), &ten).unwrap();
        std::fs::write(p.join(".gitignore"), ".rigor/\n").unwrap();
        git(p, &["init", "-q", "-b", "main"]);
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "base"]);
        git(p, &["checkout", "-qb", "feature"]);
        // change: lines 3-6 of charge.py, line 9 of main.py
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
        let changed: String = (1..=10)
            .map(|i| {
                if i == 9 {
                    "new9\n".into()
                } else {
                    format!("line{i}\n")
                }
            })
            .collect();
        std::fs::write(p.join("src/cli/main.py"), changed).unwrap();
        git(p, &["commit", "-qam", "change"]);
        std::fs::write(p.join("rigor.toml"), toml).unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> Config {
        Config::load(
            rigor_model::config::CORE_DEFAULTS,
            Some(&self.root().join("rigor.toml")),
            self.root(),
            &[],
        )
        .unwrap()
    }

    /// LCOV: charge.py lines 1-10 measured, 4 and 5 not hit; main.py 1-10 measured, all hit.
    fn lcov(&self) -> PathBuf {
        let mut s = String::from("TN:\nSF:src/pay/charge.py\n");
        for l in 1..=10 {
            s.push_str(&format!(
                "DA:{l},{}\n",
                if l == 4 || l == 5 { 0 } else { 3 }
            ));
        }
        s.push_str("end_of_record\nSF:");
        s.push_str(&self.root().join("src/cli/main.py").display().to_string());
        s.push('\n');
        for l in 1..=10 {
            s.push_str(&format!("DA:{l},1\n"));
        }
        s.push_str("end_of_record\n");
        let p = self.root().join("lcov.info");
        std::fs::write(&p, s).unwrap();
        p
    }

    fn eval(&self, ov: GateRequest) -> GateReport {
        let config = self.config();
        let (settings, warnings) = Settings::load(&config).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        evaluate_with(&config, &settings, &ov, &|_| None).unwrap()
    }

    fn store(&self) -> Store {
        Store::open(&self.root().join(".rigor/history.db")).unwrap()
    }
}

fn gate<'a>(r: &'a GateReport, id: &str) -> &'a rigor_gate::GateResult {
    r.gate(id).unwrap_or_else(|| {
        panic!(
            "no gate {id} in {:#?}",
            r.gates.iter().map(|g| &g.gate).collect::<Vec<_>>()
        )
    })
}

#[test]
fn changed_line_coverage_with_components() {
    let p = Project::new(
        r#"
[gates]
coverage = { min = 80, changed_lines_min = 60 }

[gates.criticality]
critical = { changed_lines_min = 100, coverage_min = 95 }

[components.payments]
paths = ["src/pay/**"]
criticality = "critical"

[components.cli]
paths = ["src/cli/**"]
criticality = "extended"
"#,
    );
    let r = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        ..Default::default()
    });
    // overall: 18 of 20
    let cov = gate(&r, "coverage");
    assert_eq!((cov.verdict, cov.value), (Verdict::Pass, Some(90.0)));
    // changed: charge.py 3,4,5,6 (4,5 uncovered) + main.py 9 → 3 of 5 = 60 %
    let ch = gate(&r, "coverage.changed_lines");
    assert_eq!(ch.verdict, Verdict::Pass, "{ch:?}");
    assert_eq!(ch.value, Some(60.0));
    let summary = r.coverage.as_ref().unwrap().changed.as_ref().unwrap();
    assert_eq!(summary.base, "merge-base with main");
    let charge = summary
        .files
        .iter()
        .find(|f| f.path == "src/pay/charge.py")
        .unwrap();
    assert_eq!(charge.uncovered_lines, vec![4, 5]);
    assert_eq!(charge.component.as_deref(), Some("payments"));
    let main = summary
        .files
        .iter()
        .find(|f| f.path == "src/cli/main.py")
        .expect("absolute LCOV path made relative");
    assert_eq!((main.covered, main.measured), (1, 1));
    // the critical component has its own thresholds and fails
    let pay = gate(&r, "coverage.changed_lines[payments]");
    assert_eq!((pay.verdict, pay.value), (Verdict::Fail, Some(50.0)));
    assert_eq!(pay.violations.len(), 1, "one range 4-5");
    assert_eq!(
        (pay.violations[0].line, pay.violations[0].end_line),
        (Some(4), Some(5))
    );
    assert_eq!(
        gate(&r, "coverage[payments]").verdict,
        Verdict::Fail,
        "80 % < 95 %"
    );
    assert!(
        r.gate("coverage[cli]").is_none(),
        "extended has no threshold configured"
    );
    assert!(!r.passed);
}

#[test]
fn work_tree_changes_count_and_base_can_be_given() {
    let p = Project::new("[gates]\ncoverage = { changed_lines_min = 90 }\n");
    // an unstaged edit of line 8 (covered) and an explicit base = HEAD: only the work tree counts
    let text: String = (1..=10)
        .map(|i| match i {
            3..=6 => format!("new{i}\n"),
            8 => "edited8\n".into(),
            _ => format!("line{i}\n"),
        })
        .collect();
    std::fs::write(p.root().join("src/pay/charge.py"), text).unwrap();
    let r = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        base: Some("HEAD".into()),
        ..Default::default()
    });
    let ch = gate(&r, "coverage.changed_lines");
    assert_eq!((ch.verdict, ch.value), (Verdict::Pass, Some(100.0)));
    assert!(ch.summary.contains("1/1"), "{}", ch.summary);
}

/// (id, outcome, duration, start offset, tier)
type Row<'a> = (&'a str, Outcome, f64, Option<f64>, Option<&'a str>);

fn run_with(store: &mut Store, results: &[Row]) -> i64 {
    let run = store
        .begin_run(&NewRun {
            started_at: 1000.0,
            trigger: "local".into(),
            ..Default::default()
        })
        .unwrap();
    let rs: Vec<TestResult> = results
        .iter()
        .enumerate()
        .map(|(i, (id, o, d, start, tier))| {
            let mut r = TestResult::new(TestKey::new("py", *id), *o, *d);
            r.start_s = *start;
            r.tier = tier.map(str::to_string);
            r.worker = Some(i as u32 % 2);
            if o.is_failure() {
                r.excerpt = Some("AssertionError: boom".into());
            }
            r
        })
        .collect();
    store.record_results(run, &rs).unwrap();
    store.finish_run(run, RunStatus::Failed, 1042.0).unwrap();
    run
}

#[test]
fn tests_gate_from_the_history_with_quarantine_and_tier_budget() {
    let p = Project::new("[gates.tests]\ncritical_budget = \"30s\"\nmax_duration = \"1m\"\n");
    let mut store = p.store();
    run_with(
        &mut store,
        &[
            ("a", Outcome::Passed, 10.0, Some(0.0), Some("smoke")),
            ("b", Outcome::Flaky, 25.0, Some(0.0), Some("smoke")),
            ("c", Outcome::Skipped, 0.0, Some(0.0), Some("fast")),
            ("d", Outcome::Failed, 1.0, Some(40.0), Some("fast")),
        ],
    );
    drop(store);
    let r = p.eval(GateRequest::default());
    let t = gate(&r, "tests");
    assert_eq!((t.verdict, t.value), (Verdict::Fail, Some(1.0)));
    assert!(
        t.summary.contains("1 flaky") && t.summary.contains("1 skipped"),
        "{}",
        t.summary
    );
    assert!(
        t.details[0].contains("py::d") && t.details[0].contains("AssertionError"),
        "{:?}",
        t.details
    );
    let tier = gate(&r, "tests.critical_tier");
    assert_eq!(
        (tier.verdict, tier.value),
        (Verdict::Pass, Some(25.0)),
        "smoke wall time is max(end) - min(start)"
    );
    assert_eq!(gate(&r, "tests.duration").value, Some(42.0));
    assert_eq!(r.run_id, Some(1));

    // quarantined failing test: left out
    std::fs::write(
        p.root().join("rigor.toml"),
        "[gates.tests]\ncritical_budget = \"20s\"\nquarantine = [\"py::d\"]\n",
    )
    .unwrap();
    let r = p.eval(GateRequest::default());
    assert_eq!(gate(&r, "tests").verdict, Verdict::Pass);
    assert!(gate(&r, "tests").summary.contains("1 quarantined"));
    assert_eq!(
        gate(&r, "tests.critical_tier").verdict,
        Verdict::Fail,
        "25 s > 20 s"
    );
}

#[test]
fn tests_gate_from_junit_files() {
    let p = Project::new("");
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/nextest.xml");
    let r = p.eval(GateRequest {
        junit: vec![real],
        ..Default::default()
    });
    let t = gate(&r, "tests");
    assert_eq!(t.verdict, Verdict::Fail);
    assert!(
        t.summary.contains("1 failing of 5") && t.summary.contains("1 flaky"),
        "{}",
        t.summary
    );
}

#[test]
fn coverage_drop_against_the_base_recorded_in_history() {
    let p = Project::new("[gates]\ncoverage = { min = 50, max_drop = 1.0 }\n");
    let base_sha = git(p.root(), &["rev-parse", "main"]);
    let mut store = p.store();
    // the base had 95 %
    let mut base = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        ..Default::default()
    });
    base.commit = Some(base_sha);
    base.gates
        .iter_mut()
        .find(|g| g.gate == "coverage")
        .unwrap()
        .value = Some(95.0);
    history::record(&mut store, &base, 1.0).unwrap();
    drop(store);
    let r = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        ..Default::default()
    });
    let d = gate(&r, "coverage.drop");
    assert_eq!(
        d.verdict,
        Verdict::Fail,
        "90 % is more than 1 point below 95 %"
    );
    assert_eq!(d.value, Some(-5.0));
}

#[test]
fn perf_security_mutation_and_lint() {
    let p = Project::new(
        r#"
[gates]
perf = { max_regression = "15%" }
security = { max_critical = 0 }
mutation = { min_score = 85 }

[components.payments]
paths = ["src/payments/**"]
criticality = "critical"

[gates.criticality]
critical = { mutation_min = 60, blocking = true }
"#,
    );
    let r = p.eval(GateRequest {
        perf: vec![samples("perf-compare.json")],
        audit: vec![samples("cargo-audit.json"), samples("pip-audit.json")],
        sarif: vec![samples("clippy-and-semgrep.sarif")],
        mutation: vec![samples("stryker-mutation.json")],
        ..Default::default()
    });
    let perf = gate(&r, "perf");
    assert_eq!(
        (perf.verdict, perf.value),
        (Verdict::Fail, Some(21.0)),
        "noise (30 %) does not count"
    );
    assert_eq!(perf.violations.len(), 1);
    let sec = gate(&r, "security");
    assert_eq!(sec.verdict, Verdict::Fail);
    // cargo-audit: critical 9.8, high 7.5, unknown; semgrep: critical 9.1, high 7.4; pip-audit: 2 unknown
    assert!(
        sec.summary
            .starts_with("2 critical, 2 high, 0 medium, 0 low, 3 unknown"),
        "{}",
        sec.summary
    );
    assert!(
        sec.summary.contains("no offline advisory data"),
        "{}",
        sec.summary
    );
    let located: Vec<_> = sec.violations.iter().filter(|v| v.file.is_some()).collect();
    assert_eq!(located.len(), 2, "semgrep results carry locations");
    let m = gate(&r, "mutation");
    assert_eq!(
        (m.verdict, m.value),
        (Verdict::Warn, Some(60.0)),
        "advisory by default"
    );
    assert_eq!(m.violations.len(), 2);
    let mp = gate(&r, "mutation[payments]");
    assert!(mp.blocking);
    assert_eq!(mp.verdict, Verdict::Pass, "2 of 3 ≥ 60 %");
    let lint = gate(&r, "lint");
    assert_eq!((lint.verdict, lint.value), (Verdict::Fail, Some(1.0)));

    // with offline advisories the pip-audit finding gets its severity
    let r = p.eval(GateRequest {
        audit: vec![samples("pip-audit.json")],
        advisories: Some(samples("osv-db")),
        ..Default::default()
    });
    let sec = gate(&r, "security");
    assert_eq!(sec.verdict, Verdict::Pass);
    assert!(
        sec.summary
            .starts_with("0 critical, 0 high, 1 medium, 0 low, 1 unknown"),
        "{}",
        sec.summary
    );
    assert!(!sec.summary.contains("no offline advisory data"));
}

#[test]
fn discovery_from_artifacts_config_and_wrong_kind() {
    let p = Project::new("[artifacts]\ncoverage = [\"reports/cov.info\"]\n");
    std::fs::create_dir_all(p.root().join("reports")).unwrap();
    std::fs::copy(p.lcov(), p.root().join("reports/cov.info")).unwrap();
    let r = p.eval(GateRequest::default());
    assert_eq!(r.inputs.len(), 1);
    assert_eq!(r.inputs[0].kind, "LCOV");
    assert_eq!(gate(&r, "coverage").value, Some(90.0));

    let config = p.config();
    let (settings, _) = Settings::load(&config).unwrap();
    let err = evaluate_with(
        &config,
        &settings,
        &GateRequest {
            coverage: vec![samples("cargo-audit.json")],
            ..Default::default()
        },
        &|_| None,
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(
        err.to_string().contains("looks like cargo-audit JSON"),
        "{err}"
    );
}

#[test]
fn configuration_errors_are_located() {
    let p = Project::new("[gates]\nperf = { max_regression = \"lots\" }\n");
    let err = Settings::load(&p.config()).err().expect("bad percentage");
    assert!(err.to_string().contains("rigor.toml:2"), "{err}");
    assert_eq!(err.exit_code(), 2);
    let p = Project::new("[components.x]\npaths = [\"src/[\"]\ncriticality = \"core\"\n");
    let config = p.config();
    let (settings, _) = Settings::load(&config).unwrap();
    let err = evaluate_with(&config, &settings, &GateRequest::default(), &|_| None).unwrap_err();
    assert!(err.to_string().contains("[components.x]"), "{err}");
    let p = Project::new("[gates]\ncoverage = { min = 80, typo = 1 }\n");
    let (_, warnings) = Settings::load(&p.config()).unwrap();
    assert!(
        warnings.iter().any(|w| w.contains("gates.coverage.typo")),
        "{warnings:?}"
    );
}

#[test]
fn history_records_and_returns_evaluations() {
    let p = Project::new("");
    let r = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        ..Default::default()
    });
    let mut store = p.store();
    let id = history::record(&mut store, &r, 10.0).unwrap();
    let back = history::recent(&mut store, 5).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, id);
    assert_eq!(back[0].report, r);
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM gate_results WHERE evaluation_id = ?1",
            [id],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(n as usize, r.gates.len());
}

#[test]
fn lint_gate_counts_failing_command_suites() {
    let p = Project::new("[gates.lint]\nsuites = [\"lint\"]\n");
    {
        let mut store = p.store();
        let run = store
            .begin_run(&NewRun {
                trigger: "local".into(),
                ..Default::default()
            })
            .unwrap();
        let mut ruff = TestResult::new(TestKey::new("lint", "ruff"), Outcome::Failed, 0.2);
        ruff.excerpt = Some("src/a.py:3:1: F401 `os` imported but unused".into());
        store
            .record_results(
                run,
                &[
                    ruff,
                    TestResult::new(TestKey::new("py", "t"), Outcome::Passed, 0.1),
                ],
            )
            .unwrap();
        store.finish_run(run, RunStatus::Failed, 1.0).unwrap();
    }
    let r = p.eval(GateRequest::default());
    let lint = gate(&r, "lint");
    assert_eq!((lint.verdict, lint.value), (Verdict::Fail, Some(1.0)));
    assert!(lint.details[0].contains("F401"), "{:?}", lint.details);
    assert!(
        lint.summary.contains("1 from lint suites"),
        "{}",
        lint.summary
    );
}

#[test]
fn the_ci_step_records_writes_and_prints() {
    let p = Project::new(
        "[gates]\ncoverage = { min = 50, changed_lines_min = 90 }\n\n[report]\njson = \"out/gates.json\"\ngithub = \"never\"\n",
    );
    p.lcov();
    let mut store = p.store();
    let run = run_with(&mut store, &[("a", Outcome::Passed, 1.0, Some(0.0), None)]);
    drop(store);
    let step = rigor_gate::gate_after_tests(
        &p.config(),
        RunEvidence::Run(run),
        None,
        &OutputFlags::default(),
    )
    .unwrap();
    let (report, code) = (&step.report, step.code);
    assert_eq!(code, 1, "changed lines 3/5 < 90 %");
    assert_eq!(report.run_id, Some(run));
    let text = format!("{}{}", step.terminal, step.annotations);
    assert!(text.contains("FAIL  coverage.changed_lines"), "{text}");
    assert!(p.root().join("out/gates.json").is_file());
    let mut store = p.store();
    assert_eq!(history::recent(&mut store, 5).unwrap().len(), 1);

    // nothing to gate: OK, nothing recorded
    let empty =
        Project::new("[gates]\ntests = { enabled = false }\ncoverage = { enabled = false }\n");
    let step = rigor_gate::gate_after_tests(
        &empty.config(),
        RunEvidence::Latest,
        None,
        &OutputFlags::default(),
    )
    .unwrap();
    assert_eq!((step.code, step.report.evaluated()), (0, 0));
    assert!(step.terminal.is_empty() && step.annotations.is_empty());
    assert!(!empty.root().join(".rigor/history.db").exists());
}

#[test]
fn no_tests_selected_never_judges_another_commits_run() {
    let p = Project::new("[gates]\ncoverage = { enabled = false }\n");
    // the history's last run failed, on some other commit
    let mut store = p.store();
    run_with(&mut store, &[("a", Outcome::Failed, 1.0, Some(0.0), None)]);
    drop(store);
    let latest = p.eval(GateRequest::default());
    assert_eq!(gate(&latest, "tests").verdict, Verdict::Fail);

    let r = p.eval(GateRequest {
        evidence: RunEvidence::NoTestsSelected,
        ..Default::default()
    });
    let t = gate(&r, "tests");
    assert_eq!(t.verdict, Verdict::Pass);
    assert_eq!(t.summary, "no tests selected for this change");
    assert_eq!(r.run_id, None, "no run was judged");
    assert!(r.gate("tests.critical_tier").is_none());

    // the ci step: the explicit verdict is evaluated, recorded and printed
    let step = rigor_gate::gate_after_tests(
        &p.config(),
        RunEvidence::NoTestsSelected,
        None,
        &OutputFlags::default(),
    )
    .unwrap();
    assert_eq!(step.code, 0, "{}", step.terminal);
    assert!(
        step.terminal.contains("no tests selected for this change"),
        "{}",
        step.terminal
    );
    assert!(
        step.terminal.contains("1 gates evaluated"),
        "{}",
        step.terminal
    );
    let mut store = p.store();
    let recorded = history::recent(&mut store, 5).unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].report.run_id, None);
}

#[test]
fn no_tests_selected_ignores_junit_files_too() {
    let p = Project::new("");
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/nextest.xml");
    let r = p.eval(GateRequest {
        junit: vec![real],
        evidence: RunEvidence::NoTestsSelected,
        ..Default::default()
    });
    let t = gate(&r, "tests");
    assert_eq!(
        (t.verdict, t.summary.as_str()),
        (Verdict::Pass, "no tests selected for this change")
    );
    assert!(r.inputs.is_empty(), "{:?}", r.inputs);
}

#[test]
fn quarantines_in_the_history_are_left_out_of_the_tests_gate() {
    let p = Project::new("");
    let mut store = p.store();
    run_with(
        &mut store,
        &[
            ("ok", Outcome::Passed, 1.0, None, None),
            ("shaky", Outcome::Failed, 1.0, None, None),
        ],
    );
    let now = history::now();
    store
        .quarantine(
            &TestKey::new("py", "shaky"),
            "flaky: 3 flips in 10 runs",
            now,
            now + 86_400.0,
            true,
        )
        .unwrap();
    // an expired quarantine does not count
    store
        .quarantine(
            &TestKey::new("py", "old"),
            "expired",
            now - 100.0,
            now - 10.0,
            false,
        )
        .unwrap();
    drop(store);
    let r = p.eval(GateRequest::default());
    let t = gate(&r, "tests");
    assert_eq!(t.verdict, Verdict::Pass, "{}", t.summary);
    assert!(
        t.summary.contains("1 quarantined left out"),
        "{}",
        t.summary
    );
}

#[test]
fn the_critical_tier_budget_comes_from_tiers_unless_set() {
    let p = Project::new("[tiers]\nsmoke = { select = \"all()\", budget = \"20s\" }\n");
    let mut store = p.store();
    run_with(
        &mut store,
        &[
            ("a", Outcome::Passed, 10.0, Some(0.0), Some("smoke")),
            ("b", Outcome::Passed, 25.0, Some(0.0), Some("smoke")),
        ],
    );
    drop(store);
    let r = p.eval(GateRequest::default());
    let tier = gate(&r, "tests.critical_tier");
    assert_eq!(
        (tier.verdict, tier.value, tier.threshold),
        (Verdict::Fail, Some(25.0), Some(20.0))
    );
    std::fs::write(
        p.root().join("rigor.toml"),
        "[tiers]\nsmoke = { select = \"all()\", budget = \"20s\" }\n[gates.tests]\ncritical_budget = \"1m\"\n",
    )
    .unwrap();
    assert_eq!(
        gate(&p.eval(GateRequest::default()), "tests.critical_tier").verdict,
        Verdict::Pass
    );
    std::fs::write(
        p.root().join("rigor.toml"),
        "[gates.tests]\ncritical_budget = \"soon\"\n",
    )
    .unwrap();
    let err = Settings::load(&p.config()).err().expect("bad duration");
    assert!(
        err.to_string().contains("rigor.toml:2") && err.to_string().contains("soon"),
        "{err}"
    );
}

#[test]
fn the_documented_configuration_loads_without_warnings() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/gates.md"),
    )
    .unwrap();
    let start = doc
        .find("```toml\n")
        .expect("a toml block in docs/gates.md")
        + "```toml\n".len();
    let toml = &doc[start..start + doc[start..].find("```").unwrap()];
    let p = Project::new(toml);
    let (settings, warnings) = Settings::load(&p.config()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(settings.gates.tests.critical_budget.as_deref(), Some("30s"));
    assert_eq!(settings.gates.perf.max_regression.0, 15.0);
    assert_eq!(settings.components.0["payments"].mutation_min, Some(90.0));
    assert_eq!(settings.report.github, "auto");
}

#[test]
fn changed_files_missing_from_the_report_are_noted() {
    let p = Project::new("");
    std::fs::write(p.root().join("src/pay/refund.py"), "a\nb\n").unwrap();
    std::fs::write(p.root().join("README.md"), "docs\n").unwrap();
    git(p.root(), &["add", "."]);
    git(p.root(), &["commit", "-qm", "more"]);
    let r = p.eval(GateRequest {
        coverage: vec![p.lcov()],
        ..Default::default()
    });
    assert!(
        r.notes.iter().any(|n| n
            == "1 changed file is not in the coverage report, so not counted: src/pay/refund.py"),
        "{:?}",
        r.notes
    );
    // the measured changed lines are unchanged by it
    assert_eq!(gate(&r, "coverage.changed_lines").value, Some(60.0));
}

#[test]
fn security_reads_rigor_audit_and_fails_on_a_threshold() {
    let real =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/rigor-audit.json");
    // The audit of the probe lockfile has 2 criticals: max_critical = 2 lets them pass …
    let p = Project::new("[gates]\nsecurity = { max_critical = 2 }\n");
    let r = p.eval(GateRequest {
        audit: vec![real.clone()],
        ..Default::default()
    });
    let sec = gate(&r, "security");
    assert_eq!(sec.verdict, Verdict::Pass, "{}", sec.summary);
    assert!(
        sec.summary.starts_with("2 critical, 2 high, 5 medium"),
        "{}",
        sec.summary
    );
    let v = sec
        .violations
        .iter()
        .find(|v| v.rule == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!((v.file.as_deref(), v.line), (Some("Cargo.lock"), Some(762)));
    // … a threshold of high fails on the 4 findings at or above it.
    let p = Project::new("[gates]\nsecurity = { max_critical = 2, fail_on = \"high\" }\n");
    let r = p.eval(GateRequest {
        audit: vec![real],
        ..Default::default()
    });
    let sec = gate(&r, "security");
    assert_eq!(sec.verdict, Verdict::Fail);
    assert!(
        sec.summary.ends_with("; 4 at or above high"),
        "{}",
        sec.summary
    );
}
