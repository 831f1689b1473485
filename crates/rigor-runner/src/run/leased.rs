//! A run whose work is not known up front: batches come one at a time from a source (the
//! queue of `rigor run --queue`), each asked for after the previous one finished and its
//! results reached the history. One run in the history, one pool of workers per suite for all
//! the batches.

use super::session::{Checkout, Session};
use super::work::{Unit, ready};
use super::{Batch, Discovered, RunOptions};
use crate::RunnerError;
use crate::outcome::RunReport;
use crate::report::Reporter;
use crate::scheduler::Tests;
use rigor_model::{Config, TestResult};
use rigor_store::Store;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Where a leased run gets its work.
pub trait BatchSource {
    /// The next batch to run, or `None` when there is no more work for this run. `results` are
    /// every final result of the run so far, all of them recorded in the history (run
    /// `run_id`); the results of the batch returned last are at their end.
    fn next_batch(&mut self, run_id: i64, results: &[TestResult]) -> Option<Batch>;
}

/// Run the batches `source` gives, over the discovered `suites` (batches index into them),
/// recording into `store`. The run stops asking for work when it is interrupted, stopped by
/// `--fail-fast`, or when a result could not be written to the history (the error ends the
/// run; the source is not told that the last batch finished).
pub fn run_leased(
    config: &Config,
    opts: &RunOptions,
    store: &mut Store,
    reporter: &mut dyn Reporter,
    stop: Arc<AtomicBool>,
    suites: Vec<Discovered>,
    source: &mut dyn BatchSource,
) -> Result<RunReport, RunnerError> {
    let jobs = opts.jobs.max(1);
    let checkout = Checkout::read(config);
    let suites = ready(config, suites)?;
    let mut session = Session::begin(config, opts, jobs, store, &checkout, stop)?;
    loop {
        session.ledger.flush();
        if session.stopped || !session.ledger.all_recorded() {
            break;
        }
        let Some(batch) = source.next_batch(session.run_id, &session.ledger.results) else {
            break;
        };
        let Some(suite) = suites.get(batch.suite) else {
            break;
        };
        let unit = Unit {
            suite: batch.suite,
            tier: batch.tier,
            tests: Tests::Given(batch.tests),
        };
        session.run_unit(suite, unit, false, reporter);
    }
    session.finish(reporter, checkout)
}
