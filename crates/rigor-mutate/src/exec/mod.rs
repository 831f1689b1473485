//! Running mutants: the sandbox copy, the long-lived pytest workers, and the parallel queue.

pub mod pyworker;
pub mod sandbox;
pub mod schedule;
