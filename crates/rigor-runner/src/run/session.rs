//! The run in progress: begun in the history, it runs its units (see `unit.rs`) and finishes
//! with a status, the workers ended and a report.

use super::ledger::Ledger;
use super::options::RunOptions;
use super::tiers::Tiers;
use crate::RunnerError;
use crate::outcome::{RunReport, status_of};
use crate::record::now_s;
use crate::report::Reporter;
use crate::scheduler::Pool;
use rigor_model::{Config, Outcome, SuiteConfig, TestKey, TestResult};
use rigor_store::{NewRun, Store};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What the run knows of its checkout.
pub(super) struct Checkout {
    pub(super) commit: Option<String>,
    pub(super) branch: Option<String>,
    pub(super) trigger: String,
}

impl Checkout {
    pub(super) fn read(config: &Config) -> Self {
        Checkout {
            commit: rigor_vcs::commit(&config.root),
            branch: rigor_vcs::branch(&config.root),
            trigger: rigor_vcs::trigger().to_string(),
        }
    }
}

pub(super) struct Session<'a> {
    pub(super) config: &'a Config,
    pub(super) opts: &'a RunOptions,
    /// Workers per suite.
    pub(super) jobs: usize,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) run_id: i64,
    pub(super) started: Instant,
    pub(super) ledger: Ledger<'a>,
    pub(super) tiers: Tiers,
    /// One pool of workers per suite for the whole run (all its tiers).
    pub(super) pools: HashMap<String, Pool>,
    /// Whether each suite's setup succeeded (setup runs once, before the suite's first unit).
    pub(super) set_up: HashMap<String, bool>,
    /// Suites whose collection errors were reported.
    pub(super) errors_reported: HashSet<String>,
    pub(super) interrupted: bool,
    /// No further unit runs (interrupt, fail-fast, a failed tier).
    pub(super) stopped: bool,
}

impl<'a> Session<'a> {
    /// Record the start of the run in the history.
    pub(super) fn begin(
        config: &'a Config,
        opts: &'a RunOptions,
        jobs: usize,
        store: &'a mut Store,
        checkout: &Checkout,
        stop: Arc<AtomicBool>,
    ) -> Result<Self, RunnerError> {
        let env = serde_json::json!({
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "rigor": env!("CARGO_PKG_VERSION"),
            "jobs": jobs,
        });
        let started = Instant::now();
        let run_id = store.begin_run(&NewRun {
            started_at: now_s(),
            commit: checkout.commit.clone(),
            branch: checkout.branch.clone(),
            base: opts.base.clone(),
            trigger: checkout.trigger.clone(),
            shard: opts.shard.clone(),
            env: Some(env.to_string()),
            args: Some(opts.args_text.clone()),
        })?;
        Ok(Session {
            config,
            opts,
            jobs,
            stop,
            run_id,
            started,
            ledger: Ledger::new(store, run_id),
            tiers: Tiers::default(),
            pools: HashMap::new(),
            set_up: HashMap::new(),
            errors_reported: HashSet::new(),
            interrupted: false,
            stopped: false,
        })
    }

    /// Suites that could not be discovered are errors of the run (`SUITE::<discovery>`).
    pub(super) fn report_unprepared(
        &mut self,
        unprepared: &[(SuiteConfig, RunnerError)],
        reporter: &mut dyn Reporter,
    ) {
        for (s, e) in unprepared {
            reporter.suite_start(&s.name, s.kind.as_str());
            let mut r = TestResult::new(TestKey::new(&s.name, "<discovery>"), Outcome::Error, 0.0);
            r.excerpt = Some(e.to_string());
            self.ledger.record(r, reporter);
            self.ledger.aborted(s);
        }
    }

    /// End the workers, settle the status in the history, and report.
    pub(super) fn finish(
        mut self,
        reporter: &mut dyn Reporter,
        checkout: Checkout,
    ) -> Result<RunReport, RunnerError> {
        self.ledger.flush();
        let workers = self.pools.values().map(Pool::size).max().unwrap_or(0);
        for (_, pool) in self.pools.drain() {
            pool.shutdown(&self.stop);
        }
        let (store, results, suites) = self.ledger.close()?;
        reporter.done();
        let status = status_of(self.interrupted, &results, &self.opts.quarantined);
        let prepare_s = self
            .opts
            .started
            .map_or(0.0, |t| self.started.duration_since(t).as_secs_f64());
        store.finish_run(self.run_id, status, now_s())?;
        // A test that removed or replaced the history made this run's records vanish: say so.
        store.check_still_there()?;
        Ok(RunReport {
            run_id: self.run_id,
            status,
            results,
            suites,
            tiers: self.tiers.runs,
            stopped_at_tier: self.tiers.stopped_at,
            quarantined: self.opts.quarantined.clone(),
            wall_s: self.started.elapsed().as_secs_f64() + prepare_s,
            prepare_s,
            commit: checkout.commit,
            branch: checkout.branch,
            trigger: checkout.trigger,
            jobs: self.jobs,
            workers,
        })
    }
}
