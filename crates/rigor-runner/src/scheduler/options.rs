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
    /// Extra attempts for a failing test.
    pub retries: u32,
    /// Stop at the first final failure.
    pub fail_fast: bool,
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
