//! What a batch runs, and how.

use crate::estimate::Estimates;
use rigor_model::TestCase;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Options {
    /// Worker slots of the suite's pool.
    pub jobs: usize,
    /// Longest a test may run before its worker is killed.
    pub timeout: Duration,
    /// Longest a collecting worker (pytest) may take to report its collection before it is
    /// killed and the suite aborted.
    pub collect_timeout: Duration,
    /// Extra attempts for a failing test.
    pub retries: u32,
    /// Stop at the first final failure.
    pub fail_fast: bool,
}

/// The least time a worker gets to collect its suite, whatever the per-test timeout.
pub const MIN_COLLECT_TIMEOUT: Duration = Duration::from_secs(120);

impl Options {
    /// How long a worker may collect when tests may run for `timeout`: the longer of the two
    /// and [`MIN_COLLECT_TIMEOUT`].
    pub fn collect_timeout_for(timeout: Duration) -> Duration {
        timeout.max(MIN_COLLECT_TIMEOUT)
    }
}

/// The tests of a batch.
#[derive(Debug, Clone)]
pub enum Tests {
    /// Known up front: run in this order; each with its expected seconds (the planner's
    /// estimates, or the history's).
    Given(Vec<(TestCase, f64)>),
    /// The workers collect them; they then run longest expected first by these estimates.
    Collect(Estimates),
}
