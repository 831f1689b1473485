//! Tests, their outcomes and their results.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Identity of a test across runs: the suite name and the runner's own id
/// (pytest node id, nextest `binary-id test-name`, a command's name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TestKey {
    pub suite: String,
    pub id: String,
}

impl TestKey {
    pub fn new(suite: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            suite: suite.into(),
            id: id.into(),
        }
    }
}

impl fmt::Display for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.suite, self.id)
    }
}

/// A discovered test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub key: TestKey,
    /// Source file relative to the suite root, when the runner knows it.
    pub file: Option<String>,
    /// 1-based line of the test's definition, when known.
    pub line: Option<u32>,
    /// Markers (pytest) or attributes that select tests.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Known not to run (e.g. `#[ignore]`): reported as skipped without running.
    #[serde(default)]
    pub ignored: bool,
}

impl TestCase {
    pub fn new(suite: &str, id: &str) -> Self {
        Self {
            key: TestKey::new(suite, id),
            file: None,
            line: None,
            markers: Vec::new(),
            ignored: false,
        }
    }
}

/// The outcome of one test in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// Failed at first, passed on a retry. Counts as a pass, never hidden.
    Flaky,
    Failed,
    /// Error outside the test body: fixture setup/teardown, collection, crash, setup command.
    Error,
    Timeout,
    Skipped,
    /// Expected failure that failed (pytest `xfail`).
    Xfailed,
    /// Expected failure that passed (pytest `xpass`, non-strict).
    Xpassed,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Passed,
        Outcome::Flaky,
        Outcome::Failed,
        Outcome::Error,
        Outcome::Timeout,
        Outcome::Skipped,
        Outcome::Xfailed,
        Outcome::Xpassed,
    ];

    /// Does this outcome fail the run?
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Error | Outcome::Timeout)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Flaky => "flaky",
            Outcome::Failed => "failed",
            Outcome::Error => "error",
            Outcome::Timeout => "timeout",
            Outcome::Skipped => "skipped",
            Outcome::Xfailed => "xfailed",
            Outcome::Xpassed => "xpassed",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of one test in one run (after retries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub key: TestKey,
    pub outcome: Outcome,
    /// Wall time of the last attempt, in seconds.
    pub duration_s: f64,
    /// 1 + number of retries used.
    pub attempts: u32,
    /// Failure text: the assertion and a traceback excerpt.
    pub excerpt: Option<String>,
    /// Captured output (kept for failures only).
    pub output: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    /// Start of the last attempt, seconds after the run started (for timelines).
    pub start_s: Option<f64>,
    /// Worker slot that ran it.
    pub worker: Option<u32>,
    /// Tier the test ran in, when tiers are used.
    pub tier: Option<String>,
}

impl TestResult {
    pub fn new(key: TestKey, outcome: Outcome, duration_s: f64) -> Self {
        Self {
            key,
            outcome,
            duration_s,
            attempts: 1,
            excerpt: None,
            output: None,
            file: None,
            line: None,
            start_s: None,
            worker: None,
            tier: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_round_trips_through_its_name() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::parse("bogus"), None);
    }

    #[test]
    fn only_failed_error_timeout_fail_the_run() {
        let failing: Vec<_> = Outcome::ALL
            .into_iter()
            .filter(|o| o.is_failure())
            .collect();
        assert_eq!(
            failing,
            vec![Outcome::Failed, Outcome::Error, Outcome::Timeout]
        );
    }
}
