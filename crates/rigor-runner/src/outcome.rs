//! What a run produced: its results, and how each suite and tier went.

use crate::scheduler::Ending;
use rigor_model::{Outcome, SuiteKind, TestKey, TestResult};
use rigor_store::RunStatus;
use std::collections::HashMap;

/// How one unit of a suite (all of it, or one planned batch) went.
#[derive(Debug, Clone)]
pub struct SuiteRun {
    pub name: String,
    pub kind: SuiteKind,
    pub ending: Ending,
    pub planned: usize,
    pub estimated_s: f64,
}

/// How each tier went (tiered runs only).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TierRun {
    pub name: String,
    pub planned: usize,
    pub estimated_s: f64,
    pub wall_s: f64,
    pub failed: usize,
    pub ran: bool,
}

#[derive(Debug)]
pub struct RunReport {
    pub run_id: i64,
    pub status: RunStatus,
    pub results: Vec<TestResult>,
    pub suites: Vec<SuiteRun>,
    pub tiers: Vec<TierRun>,
    /// The tier after which a tiered run stopped because it failed.
    pub stopped_at_tier: Option<String>,
    pub quarantined: HashMap<TestKey, String>,
    /// Wall time of the whole command: [`RunReport::prepare_s`] plus the tests' phase.
    pub wall_s: f64,
    /// Wall time before the tests' phase: change detection, discovery, selection and planning.
    pub prepare_s: f64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub trigger: String,
    pub jobs: usize,
    /// Workers the run started for its largest suite (at most `jobs`; fewer when the planned
    /// work could not use more).
    pub workers: usize,
}

impl RunReport {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }
    /// Failures that fail the run (quarantined tests' failures excluded).
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_failure() && !self.quarantined.contains_key(&r.key))
    }
    /// Failures of quarantined tests: reported, but they do not fail the run.
    pub fn quarantined_failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_failure() && self.quarantined.contains_key(&r.key))
    }
    pub fn interrupted(&self) -> bool {
        self.status == RunStatus::Interrupted
    }
}

/// A result that fails the run: a failure of a test that is not quarantined.
pub fn fails_the_run(r: &TestResult, quarantined: &HashMap<TestKey, String>) -> bool {
    r.outcome.is_failure() && !quarantined.contains_key(&r.key)
}

/// The status of a run: interrupted, else failed by a (non-quarantined) failure, else an error
/// when nothing ran at all, else passed.
pub fn status_of(
    interrupted: bool,
    results: &[TestResult],
    quarantined: &HashMap<TestKey, String>,
) -> RunStatus {
    if interrupted {
        RunStatus::Interrupted
    } else if results.iter().any(|r| fails_the_run(r, quarantined)) {
        RunStatus::Failed
    } else if results.is_empty() {
        RunStatus::Error
    } else {
        RunStatus::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, outcome: Outcome) -> TestResult {
        TestResult::new(TestKey::new("s", id), outcome, 0.1)
    }

    #[test]
    fn the_status_follows_interrupts_then_failures_then_emptiness() {
        let none = HashMap::new();
        let failing = [result("a", Outcome::Passed), result("b", Outcome::Timeout)];
        assert_eq!(status_of(true, &failing, &none), RunStatus::Interrupted);
        assert_eq!(status_of(false, &failing, &none), RunStatus::Failed);
        assert_eq!(status_of(false, &[], &none), RunStatus::Error);
        let fine = [result("a", Outcome::Flaky), result("b", Outcome::Skipped)];
        assert_eq!(status_of(false, &fine, &none), RunStatus::Passed);
    }

    #[test]
    fn a_quarantined_failure_does_not_fail_the_run() {
        let q = HashMap::from([(TestKey::new("s", "b"), "known flaky".to_string())]);
        let results = [result("a", Outcome::Passed), result("b", Outcome::Failed)];
        assert_eq!(status_of(false, &results, &q), RunStatus::Passed);
        assert!(!fails_the_run(&results[1], &q));
        assert!(fails_the_run(&results[1], &HashMap::new()));
    }
}
