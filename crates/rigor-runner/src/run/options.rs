//! What to run, and how: the caller's side of a run.

use crate::prepare::Discovered;
use rigor_model::{TestCase, TestKey};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Workers per suite, as the caller resolved them (`Config::jobs_or`); at least one runs.
    pub jobs: usize,
    pub retries: u32,
    pub fail_fast: bool,
    /// Only these suites (empty: all).
    pub suites: Vec<String>,
    /// Appended to each suite's runner arguments (pytest args, cargo args).
    pub extra_args: Vec<String>,
    pub keep_output: bool,
    /// The command line, for the record.
    pub args_text: String,
    /// Base of the change, for the record.
    pub base: Option<String>,
    /// `K/N` when running one shard, for the record.
    pub shard: Option<String>,
    /// Precision mode: record per-test coverage maps of pytest suites.
    pub coverage_map: Option<rigor_model::MapRecording>,
    /// Quarantined tests (key → reason): they run, their failures do not fail the run.
    pub quarantined: HashMap<TestKey, String>,
    /// When the command started — before change detection, discovery and planning. The run's
    /// wall time counts from it, with the time before the run as its own phase. `None`: from
    /// the start of the run.
    pub started: Option<std::time::Instant>,
}

/// What to run.
pub enum RunPlan {
    /// Every test of the selected suites, longest expected first by the history (pytest workers
    /// collect).
    Everything,
    /// Planned batches over discovered suites, run in the given order with the planner's
    /// estimates.
    Batches {
        suites: Vec<Discovered>,
        batches: Vec<Batch>,
        /// Stop after the first tier in which a (non-quarantined) test fails.
        stop_at_failing_tier: bool,
    },
}

/// Tests of one suite to run together, in order; `tier` is recorded with their results.
#[derive(Debug, Clone)]
pub struct Batch {
    pub tier: Option<String>,
    /// Index into the discovered suites.
    pub suite: usize,
    /// Each test with its expected seconds (the planner's estimate), in run order.
    pub tests: Vec<(TestCase, f64)>,
}
