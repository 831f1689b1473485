//! Whole runs of small command and (fake) pytest suites, into an in-memory history.

use super::*;
use crate::report::SilentReporter;
use crate::scheduler::Ending;
use rigor_model::{Outcome, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus};
use std::path::Path;

const FAKE_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fake-python");

/// A project in `dir` with this rigor.toml.
fn config(dir: &Path, toml: &str) -> Config {
    let file = dir.join("rigor.toml");
    std::fs::write(&file, toml).unwrap();
    Config::load(rigor_model::config::CORE_DEFAULTS, Some(&file), dir, &[]).unwrap()
}

/// A history where the tests of suite `s` took these seconds.
fn history(durations: &[(&str, f64)]) -> Store {
    let mut store = Store::in_memory().unwrap();
    let run = store
        .begin_run(&NewRun {
            started_at: 0.0,
            commit: None,
            branch: None,
            base: None,
            trigger: "local".into(),
            shard: None,
            env: None,
            args: None,
        })
        .unwrap();
    let results: Vec<TestResult> = durations
        .iter()
        .map(|(id, d)| TestResult::new(TestKey::new("s", *id), Outcome::Passed, *d))
        .collect();
    store.record_results(run, &results).unwrap();
    store.finish_run(run, RunStatus::Passed, 1.0).unwrap();
    store
}

fn options(jobs: usize) -> RunOptions {
    RunOptions {
        jobs,
        ..RunOptions::default()
    }
}

fn run(config: &Config, opts: &RunOptions, store: &mut Store, plan: RunPlan) -> RunReport {
    let stop = Arc::new(AtomicBool::new(false));
    run_tests(config, opts, store, &mut SilentReporter, stop, plan).unwrap()
}

fn ids(report: &RunReport) -> Vec<&str> {
    report.results.iter().map(|r| r.key.id.as_str()).collect()
}

const COMMANDS: &str = "[[suite]]\nname = \"s\"\nkind = \"command\"\ncommands = { fast = \"true\", slow = \"true\", broken = \"exit 1\" }\n";

#[test]
fn everything_runs_each_suite_longest_expected_first_by_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = history(&[("fast", 0.25), ("slow", 4.0), ("broken", 1.0)]);
    let report = run(&c, &options(1), &mut store, RunPlan::Everything);
    assert_eq!(ids(&report), ["slow", "broken", "fast"]);
    assert_eq!(report.status, RunStatus::Failed);
    let suite = &report.suites[0];
    assert_eq!((suite.ending, suite.planned), (Ending::Completed, 3));
    assert_eq!(suite.estimated_s, 5.25);
    let recorded = store.run_results(report.run_id).unwrap();
    assert_eq!(recorded.len(), 3, "every result is in the history");
    let finished = store.run(report.run_id).unwrap().unwrap();
    assert_eq!(finished.status, RunStatus::Failed);
}

#[test]
fn planned_batches_run_in_the_planners_order_with_the_planners_estimates() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    // The history would order slow first and expect 4.25 s; the plan says otherwise.
    let mut store = history(&[("fast", 0.25), ("slow", 4.0)]);
    let suites = discover(&c, &[], &[]).unwrap();
    let test = |id: &str| {
        suites[0]
            .tests
            .iter()
            .find(|t| t.key.id == id)
            .unwrap()
            .clone()
    };
    let batches = vec![Batch {
        tier: None,
        suite: 0,
        tests: vec![(test("fast"), 0.5), (test("slow"), 1.5)],
    }];
    let plan = RunPlan::Batches {
        suites,
        batches,
        stop_at_failing_tier: false,
    };
    let report = run(&c, &options(1), &mut store, plan);
    assert_eq!(ids(&report), ["fast", "slow"]);
    assert_eq!(report.status, RunStatus::Passed);
    assert_eq!(
        (report.suites[0].planned, report.suites[0].estimated_s),
        (2, 2.0)
    );
}

/// Tiers `smoke` (tests `smoke`) and `full` (tests `full`), one batch each.
fn tiered(c: &Config, smoke: &[&str], full: &[&str], stop_at_failing_tier: bool) -> RunPlan {
    let suites = discover(c, &[], &[]).unwrap();
    let batch = |tier: &str, ids: &[&str]| Batch {
        tier: Some(tier.into()),
        suite: 0,
        tests: ids
            .iter()
            .map(|id| {
                let t = suites[0].tests.iter().find(|t| t.key.id == *id).unwrap();
                (t.clone(), 1.0)
            })
            .collect(),
    };
    let batches = vec![batch("smoke", smoke), batch("full", full)];
    RunPlan::Batches {
        suites,
        batches,
        stop_at_failing_tier,
    }
}

#[test]
fn a_tiered_run_stops_after_the_first_tier_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = Store::in_memory().unwrap();
    let plan = tiered(&c, &["fast", "broken"], &["slow"], true);
    let report = run(&c, &options(2), &mut store, plan);
    assert_eq!(report.stopped_at_tier.as_deref(), Some("smoke"));
    assert_eq!(report.tiers.len(), 1);
    let smoke = &report.tiers[0];
    assert_eq!(
        (smoke.planned, smoke.estimated_s, smoke.failed),
        (2, 2.0, 1)
    );
    assert!(!ids(&report).contains(&"slow"));
    assert!(
        report
            .results
            .iter()
            .all(|r| r.tier.as_deref() == Some("smoke"))
    );
}

#[test]
fn a_tiered_run_goes_on_when_asked_to_and_tags_results_with_their_tier() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = Store::in_memory().unwrap();
    let plan = tiered(&c, &["broken"], &["slow", "fast"], false);
    let report = run(&c, &options(1), &mut store, plan);
    assert_eq!(report.stopped_at_tier, None);
    let tiers: Vec<_> = report
        .tiers
        .iter()
        .map(|t| (t.name.as_str(), t.failed))
        .collect();
    assert_eq!(tiers, [("smoke", 1), ("full", 0)]);
    let slow = report.results.iter().find(|r| r.key.id == "slow").unwrap();
    assert_eq!(slow.tier.as_deref(), Some("full"));
}

#[test]
fn a_quarantined_failure_does_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = Store::in_memory().unwrap();
    let mut opts = options(2);
    opts.quarantined
        .insert(TestKey::new("s", "broken"), "known".into());
    let report = run(&c, &opts, &mut store, RunPlan::Everything);
    assert_eq!(report.status, RunStatus::Passed);
    assert_eq!(report.quarantined_failures().count(), 1);
}

#[test]
fn a_failed_setup_skips_its_suite_and_the_other_suites_run() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[[suite]]\nname = \"a\"\nkind = \"command\"\nsetup = [\"echo no db >&2; exit 3\"]\ncommands = { t = \"true\" }\n\n[[suite]]\nname = \"b\"\nkind = \"command\"\ncommands = { t = \"true\" }\n";
    let c = config(dir.path(), toml);
    let mut store = Store::in_memory().unwrap();
    let report = run(&c, &options(1), &mut store, RunPlan::Everything);
    let keys: Vec<String> = report.results.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(keys, ["a::setup: echo no db >&2; exit 3", "b::t"]);
    assert_eq!(
        report.results[0].excerpt.as_deref(),
        Some("setup command failed: echo no db >&2; exit 3\nexit Some(3)\nno db")
    );
    let endings: Vec<_> = report.suites.iter().map(|s| s.ending).collect();
    assert_eq!(endings, [Ending::Aborted, Ending::Completed]);
    assert_eq!(report.status, RunStatus::Failed);
}

#[test]
fn a_suite_that_cannot_be_discovered_is_an_error_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // No Cargo.toml: `cargo test --no-run` fails.
    let toml = "[[suite]]\nname = \"rust\"\nkind = \"cargo-test\"\n\n[[suite]]\nname = \"s\"\nkind = \"command\"\ncommands = { t = \"true\" }\n";
    let c = config(dir.path(), toml);
    let mut store = Store::in_memory().unwrap();
    let report = run(&c, &options(1), &mut store, RunPlan::Everything);
    assert_eq!(ids(&report), ["<discovery>", "t"]);
    let text = report.results[0].excerpt.as_deref().unwrap();
    assert!(
        text.starts_with("suite `rust`: cargo test --no-run failed"),
        "{text}"
    );
    assert_eq!(report.suites[0].ending, Ending::Aborted);
}

#[test]
fn pytest_workers_collect_and_run_their_suite() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[python]\ninterpreter = \"{FAKE_PYTHON}\"\n\n[[suite]]\nname = \"py\"\nkind = \"pytest\"\n"
    );
    let c = config(dir.path(), &toml);
    let mut store = Store::in_memory().unwrap();
    let report = run(&c, &options(1), &mut store, RunPlan::Everything);
    let outcomes: Vec<_> = report
        .results
        .iter()
        .map(|r| (r.key.id.as_str(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("t.py::a", Outcome::Passed),
            ("t.py::crash", Outcome::Error)
        ]
    );
    assert_eq!(report.results[1].file.as_deref(), Some("t.py"));
}

#[test]
fn a_usage_error_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = Store::in_memory().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let opts = RunOptions {
        suites: vec!["nope".into()],
        ..options(1)
    };
    let plan = RunPlan::Everything;
    let err = run_tests(&c, &opts, &mut store, &mut SilentReporter, stop, plan);
    assert!(matches!(err, Err(RunnerError::UnknownSuite(..))));
    assert_eq!(store.latest_run_id().unwrap(), None);
}

#[test]
fn an_interrupted_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), COMMANDS);
    let mut store = Store::in_memory().unwrap();
    let stop = Arc::new(AtomicBool::new(true));
    let plan = RunPlan::Everything;
    let report = run_tests(&c, &options(1), &mut store, &mut SilentReporter, stop, plan).unwrap();
    assert!(report.interrupted());
    assert!(report.results.is_empty());
    assert_eq!(report.suites[0].ending, Ending::Interrupted);
}
