//! What the scheduler reports while it works, and how a batch ended.

use rigor_model::{TestCase, TestResult};

/// What the scheduler reports while it works.
pub enum Progress<'a> {
    /// The tests of a suite are known (after discovery/collection), with their total estimate.
    Planned {
        tests: &'a [TestCase],
        estimated_s: f64,
        /// Workers the batch runs on (at most the pool's size; fewer when the work is small).
        workers: usize,
    },
    Started {
        test: &'a TestCase,
    },
    Finished {
        result: &'a TestResult,
    },
    /// Nothing happened for a moment (lets the sink flush buffers).
    Tick,
}

/// How a suite's execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Completed,
    FailFast,
    Interrupted,
    /// Workers could not start or kept dying; the reason is in a result.
    Aborted,
}
