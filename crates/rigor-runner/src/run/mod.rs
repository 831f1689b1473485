//! A whole run, in three steps: prepare the work (suites ready, units in order — before anything
//! is recorded), run each unit (a suite, or a planned batch of one) on the suite's pool of
//! workers while recording results into the history, and finish (status, report).
//!
//! - `options`: what the caller asks for ([`RunOptions`], [`RunPlan`], [`Batch`]);
//! - `work`: the prepare step;
//! - `session`: the run in progress, its start and its finish;
//! - `unit`: one unit inside the run;
//! - `ledger`, `tiers`: what the run produced so far, and how its tiers went.

mod leased;
mod ledger;
mod options;
mod session;
mod tiers;
mod unit;
mod work;

#[cfg(test)]
mod tests;

pub use crate::estimate::{Estimates, estimates, estimates_excluding, order_longest_first};
pub use crate::outcome::{RunReport, SuiteRun, TierRun};
pub use crate::prepare::cache::{
    CacheUse, Judge as DiscoveryJudge, any_exists as discovery_cache_exists,
};
pub use crate::prepare::{
    Discovered, PrepareOptions, Prepared, discover, discover_cached, discover_with, suites_for,
};
pub use crate::record::now_s;
pub use leased::{BatchSource, run_leased};
pub use options::{Batch, RunOptions, RunPlan};

use crate::RunnerError;
use crate::report::Reporter;
use rigor_model::Config;
use rigor_store::Store;
use session::{Checkout, Session};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use work::Work;

/// Run the tests of `plan`, recording into `store` as results arrive. `Batches` run in the
/// planner's order with the planner's estimates; `Everything` orders each suite by the history.
pub fn run_tests(
    config: &Config,
    opts: &RunOptions,
    store: &mut Store,
    reporter: &mut dyn Reporter,
    stop: Arc<AtomicBool>,
    plan: RunPlan,
) -> Result<RunReport, RunnerError> {
    let jobs = opts.jobs.max(1);
    let checkout = Checkout::read(config);
    let Work {
        suites,
        unprepared,
        units,
        stop_at_failing_tier,
    } = Work::new(config, opts, store, plan)?;

    let mut session = Session::begin(config, opts, jobs, store, &checkout, stop)?;
    session.report_unprepared(&unprepared, reporter);
    let mut units = units.into_iter().peekable();
    while let Some(unit) = units.next() {
        if session.stopped {
            break;
        }
        let ends_tier = units.peek().is_none_or(|next| next.tier != unit.tier);
        let stop_if_tier_failed = stop_at_failing_tier && ends_tier;
        session.run_unit(&suites[unit.suite], unit, stop_if_tier_failed, reporter);
    }
    session.finish(reporter, checkout)
}
