//! The scheduler: feeds tests to worker slots in run order, enforces per-test timeouts (killing
//! the worker's whole process group), retries failures, stops on fail-fast or interrupt, and
//! hands every final result to a sink as soon as it is known.
//!
//! - [`options`]: what a batch runs and how (tests, jobs, timeout, retries, fail-fast);
//! - [`progress`]: what the scheduler reports while it works, and how a batch ended;
//! - [`pool`]: a suite's worker slots, kept for the whole run;
//! - [`book`]: retries, flaky results and fail-fast, one attempt at a time;
//! - [`batch`]: the event loop that runs one batch on a pool.

mod batch;
mod book;
pub mod options;
mod pool;
pub mod progress;
mod texts;

#[cfg(test)]
mod tests;

pub use batch::run_suite;
pub use options::{Options, Tests};
pub use pool::Pool;
pub use progress::{Ending, Progress};
