//! Running one unit — a whole suite, or one planned batch of a suite — inside the run: its tier,
//! the suite's setup (once), its collection errors (once), the scheduler on the suite's pool,
//! and what it adds to the tier and the run.

use super::session::Session;
use super::work::{ReadySuite, Unit};
use crate::outcome::{SuiteRun, fails_the_run};
use crate::prepare::setup::run_setup;
use crate::report::Reporter;
use crate::scheduler::{self, Ending, Options, Progress, Tests};
use crate::worker::collection_error;

/// What the scheduler planned for a unit, and how it ended.
struct Scheduled {
    ending: Ending,
    planned: usize,
    estimated_s: f64,
}

impl Session<'_> {
    /// Run `unit` of `suite`. With `stop_if_tier_failed` (the unit ends its tier, and the run
    /// stops at a failing tier), a failure in the tier stops the run.
    pub(super) fn run_unit(
        &mut self,
        suite: &ReadySuite,
        unit: Unit,
        stop_if_tier_failed: bool,
        reporter: &mut dyn Reporter,
    ) {
        let s = &suite.config;
        self.tiers.enter(&unit.tier, reporter);
        reporter.suite_start(&s.name, s.kind.as_str());
        if !self.set_up(suite, &unit.tier, reporter) {
            self.ledger.aborted(s);
            if self.opts.fail_fast {
                self.stopped = true;
            }
            return;
        }
        let before = self.ledger.results.len();
        self.report_collection_errors(suite, &unit.tier, reporter);
        let done = self.schedule(suite, unit.tests, &unit.tier, reporter);
        match done.ending {
            Ending::Interrupted => {
                self.interrupted = true;
                self.stopped = true;
            }
            Ending::FailFast => self.stopped = true,
            Ending::Completed | Ending::Aborted => {}
        }
        self.ledger.suites.push(SuiteRun {
            name: s.name.clone(),
            kind: s.kind,
            ending: done.ending,
            planned: done.planned,
            estimated_s: done.estimated_s,
        });
        let failed = self.ledger.results[before..]
            .iter()
            .filter(|r| fails_the_run(r, &self.opts.quarantined))
            .count();
        self.tiers.count(done.planned, done.estimated_s, failed);
        if stop_if_tier_failed && self.tiers.stop_if_failed() {
            self.stopped = true;
        }
    }

    /// Run the suite's setup commands before its first unit; false when they failed (then and
    /// for its later units), with the failure recorded once.
    fn set_up(
        &mut self,
        suite: &ReadySuite,
        tier: &Option<String>,
        reporter: &mut dyn Reporter,
    ) -> bool {
        let name = &suite.config.name;
        if let Some(ok) = self.set_up.get(name) {
            return *ok;
        }
        let ok = match run_setup(self.config, &suite.config) {
            Ok(()) => true,
            Err(failure) => {
                let mut r = failure.result(name);
                r.tier = tier.clone();
                self.ledger.record(r, reporter);
                false
            }
        };
        self.set_up.insert(name.clone(), ok);
        ok
    }

    /// Collection errors found at discovery, reported with the suite's first unit that runs.
    fn report_collection_errors(
        &mut self,
        suite: &ReadySuite,
        tier: &Option<String>,
        reporter: &mut dyn Reporter,
    ) {
        let name = &suite.config.name;
        if suite.errors.is_empty() || !self.errors_reported.insert(name.clone()) {
            return;
        }
        for (id, text) in &suite.errors {
            let mut r = collection_error(name, id, text);
            r.tier = tier.clone();
            self.ledger.record(r, reporter);
        }
    }

    /// Run the unit's tests on the suite's pool, recording each final result with its tier.
    fn schedule(
        &mut self,
        suite: &ReadySuite,
        tests: Tests,
        tier: &Option<String>,
        reporter: &mut dyn Reporter,
    ) -> Scheduled {
        let name = &suite.config.name;
        let options = Options {
            jobs: self.jobs,
            timeout: suite.timeout,
            collect_timeout: Options::collect_timeout_for(suite.timeout),
            retries: self.opts.retries,
            fail_fast: self.opts.fail_fast,
        };
        let (mut planned, mut estimated_s) = (0, 0.0);
        let ledger = &mut self.ledger;
        let stop = self.stop.clone();
        let mut sink = |p: Progress<'_>| {
            match p {
                Progress::Planned {
                    tests,
                    estimated_s: e,
                    workers,
                } => {
                    planned = tests.len();
                    estimated_s = e;
                    reporter.planned(name, tests.len(), e, workers);
                }
                Progress::Started { test } => reporter.started(test),
                Progress::Finished { result } => {
                    let mut r = result.clone();
                    r.tier = tier.clone();
                    ledger.record(r, reporter);
                }
                Progress::Tick => ledger.tick(),
            }
            // A result the history could not take (a lost connection): stop the run now
            // rather than run tests whose results cannot be kept.
            if !ledger.all_recorded() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        };
        let pool = self.pools.entry(name.clone()).or_default();
        let ending = scheduler::run_suite(
            pool,
            suite.factory(),
            tests,
            &options,
            &self.stop,
            self.started,
            &mut sink,
        );
        self.ledger.flush();
        Scheduled {
            ending,
            planned,
            estimated_s,
        }
    }
}
