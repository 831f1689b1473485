//! A whole run: setup commands, discovery, scheduling per suite, recording into the history.

use crate::prepare::{prepare, suite_root};
use crate::process::run_captured;
use crate::record::Recorder;
use crate::report::Reporter;
use crate::scheduler::{self, Ending, Options, Progress};
use crate::worker::WorkerFactory;
use crate::{RunnerError, git};

pub use crate::prepare::{
    Discovered, PrepareOptions, Prepared, discover, discover_with, suites_for,
};
use rigor_model::{Config, Outcome, SuiteConfig, SuiteKind, TestCase, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
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
    /// Precision mode: record per-test coverage of pytest suites into this directory.
    pub coverage_map: Option<PathBuf>,
    /// Quarantined tests (key → reason): they run, their failures do not fail the run.
    pub quarantined: HashMap<TestKey, String>,
}

#[derive(Debug, Clone)]
pub struct SuiteRun {
    pub name: String,
    pub kind: SuiteKind,
    pub ending: Ending,
    pub planned: usize,
    pub estimated_s: f64,
}

#[derive(Debug)]
pub struct RunReport {
    pub run_id: i64,
    pub status: RunStatus,
    pub results: Vec<TestResult>,
    pub suites: Vec<SuiteRun>,
    pub tiers: Vec<TierRun>,
    /// The tier after which a tiered run stopped because it failed.
    pub stopped_at_tier: Option<String>,
    pub quarantined: HashMap<TestKey, String>,
    pub wall_s: f64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub trigger: String,
    pub jobs: usize,
}

impl RunReport {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }
    /// Failures that fail the run (quarantined tests' failures excluded).
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_failure() && !self.quarantined.contains_key(&r.key))
    }
    /// Failures of quarantined tests: reported, but they do not fail the run.
    pub fn quarantined_failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_failure() && self.quarantined.contains_key(&r.key))
    }
    pub fn interrupted(&self) -> bool {
        self.status == RunStatus::Interrupted
    }
}

pub fn now_s() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Expected durations for a suite's tests, and the value for unknown tests (the suite's median).
pub fn estimates(store: &Store, suite: &str) -> Result<(HashMap<TestKey, f64>, f64), RunnerError> {
    let known = store.duration_estimates(suite)?;
    let mut v: Vec<f64> = known.values().copied().collect();
    v.sort_by(f64::total_cmp);
    let typical = if v.is_empty() { 0.0 } else { v[v.len() / 2] };
    Ok((known, typical))
}

/// Longest expected first; ties keep discovery order (so a first run follows the runner's order).
pub fn order_longest_first(
    tests: Vec<TestCase>,
    known: &HashMap<TestKey, f64>,
    typical: f64,
) -> Vec<(TestCase, f64)> {
    let mut v: Vec<(TestCase, f64)> = tests
        .into_iter()
        .map(|t| {
            let e = known.get(&t.key).copied().unwrap_or(typical);
            (t, e)
        })
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// What to run.
pub enum RunPlan {
    /// Every test of the selected suites, longest expected first (pytest workers collect).
    Everything,
    /// Planned batches over discovered suites, run in the given order.
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
    pub tests: Vec<(TestCase, f64)>,
}

/// How each tier went (tiered runs only).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TierRun {
    pub name: String,
    pub planned: usize,
    pub estimated_s: f64,
    pub wall_s: f64,
    pub failed: usize,
    pub ran: bool,
}

struct Unit<'a> {
    suite: &'a SuiteConfig,
    prepared: &'a Prepared,
    /// Collection errors found at discovery (reported with the suite's first unit).
    errors: &'a [(String, String)],
    tests: Option<Vec<(TestCase, f64)>>,
    tier: Option<String>,
}

/// Run the suites, recording into `store` as results arrive.
pub fn run_tests(
    config: &Config,
    opts: &RunOptions,
    store: &mut Store,
    reporter: &mut dyn Reporter,
    stop: Arc<AtomicBool>,
    plan: RunPlan,
) -> Result<RunReport, RunnerError> {
    let jobs = if opts.jobs == 0 {
        config.jobs()
    } else {
        opts.jobs
    };
    let commit = git::commit(&config.root);
    let branch = git::branch(&config.root);
    let trigger = git::trigger().to_string();

    // Prepare the suites (or take the discovered ones) before the run is recorded, so that a
    // configuration error writes nothing.
    let owned: Vec<(SuiteConfig, Result<Prepared, RunnerError>)>;
    let mut units: Vec<Unit<'_>> = Vec::new();
    let mut stop_at_failing_tier = false;
    let discovered: Vec<Discovered>;
    match plan {
        RunPlan::Everything => {
            let suites = suites_for(config, &opts.suites)?;
            owned = suites
                .into_iter()
                .map(|s| {
                    let popts = PrepareOptions {
                        keep_output: opts.keep_output,
                        coverage_map: opts.coverage_map.clone(),
                    };
                    let p = prepare(config, &s, &opts.extra_args, &popts);
                    (s, p)
                })
                .collect();
            discovered = Vec::new();
            for (s, p) in &owned {
                if let Ok(p) = p {
                    let tests = match p {
                        Prepared::Pytest(_) => None,
                        Prepared::Process { tests, .. } => {
                            Some(tests.iter().map(|t| (t.clone(), 0.0)).collect())
                        }
                    };
                    units.push(Unit {
                        suite: s,
                        prepared: p,
                        errors: &[],
                        tests,
                        tier: None,
                    });
                }
            }
        }
        RunPlan::Batches {
            suites,
            batches,
            stop_at_failing_tier: stop_tier,
        } => {
            owned = Vec::new();
            discovered = suites;
            stop_at_failing_tier = stop_tier;
            for b in batches {
                let d = &discovered[b.suite];
                units.push(Unit {
                    suite: &d.suite,
                    prepared: &d.prepared,
                    errors: &d.errors,
                    tests: Some(b.tests),
                    tier: b.tier,
                });
            }
        }
    }
    for (s, p) in &owned {
        if let Err(e) = p
            && !matches!(
                e,
                RunnerError::Discovery { .. }
                    | RunnerError::Collection { .. }
                    | RunnerError::Spawn { .. }
            )
        {
            return Err(RunnerError::Discovery {
                suite: s.name.clone(),
                what: "preparation".into(),
                detail: e.to_string(),
                hint: "see the error above".into(),
            });
        }
    }

    let env = serde_json::json!({
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "rigor": env!("CARGO_PKG_VERSION"),
        "jobs": jobs,
    });
    let run_start = Instant::now();
    let run_id = store.begin_run(&NewRun {
        started_at: now_s(),
        commit: commit.clone(),
        branch: branch.clone(),
        base: opts.base.clone(),
        trigger: trigger.clone(),
        shard: opts.shard.clone(),
        env: Some(env.to_string()),
        args: Some(opts.args_text.clone()),
    })?;

    let mut results: Vec<TestResult> = Vec::new();
    let mut suite_runs = Vec::new();
    let mut tier_runs: Vec<TierRun> = Vec::new();
    let mut interrupted = false;
    let mut stop_all = false;
    let mut stopped_at_tier = None;
    let mut recorder = Recorder::new(store, run_id);
    let record = |r: TestResult,
                  recorder: &mut Recorder<'_>,
                  results: &mut Vec<TestResult>,
                  reporter: &mut dyn Reporter| {
        reporter.finished(&r);
        recorder.push(r.clone());
        results.push(r);
    };

    // Suites that could not be prepared are errors of the run.
    for (s, p) in &owned {
        if let Err(e) = p {
            reporter.suite_start(&s.name, s.kind.as_str());
            let mut r = TestResult::new(TestKey::new(&s.name, "<discovery>"), Outcome::Error, 0.0);
            r.excerpt = Some(e.to_string());
            record(r, &mut recorder, &mut results, reporter);
            suite_runs.push(SuiteRun {
                name: s.name.clone(),
                kind: s.kind,
                ending: Ending::Aborted,
                planned: 0,
                estimated_s: 0.0,
            });
        }
    }

    let mut set_up: HashMap<String, bool> = HashMap::new();
    // One pool of workers per suite for the whole run (all its tiers).
    let mut pools: HashMap<String, scheduler::Pool> = HashMap::new();
    let mut errors_reported: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut current_tier: Option<String> = None;
    let mut tier_started = Instant::now();
    let n_units = units.len();
    let tier_of: Vec<Option<String>> = units.iter().map(|u| u.tier.clone()).collect();
    for (ui, unit) in units.into_iter().enumerate() {
        if stop_all {
            break;
        }
        let s = unit.suite;
        if unit.tier != current_tier || ui == 0 {
            if let Some(t) = unit.tier.clone()
                && unit.tier != current_tier
            {
                tier_started = Instant::now();
                reporter.tier_start(&t);
                tier_runs.push(TierRun {
                    name: t,
                    planned: 0,
                    estimated_s: 0.0,
                    wall_s: 0.0,
                    failed: 0,
                    ran: true,
                });
            }
            current_tier = unit.tier.clone();
        }
        reporter.suite_start(&s.name, s.kind.as_str());
        let timeout = config.timeout_for(Some(s))?;
        // Setup commands, once per suite, before its first tests.
        let ok = *set_up.entry(s.name.clone()).or_insert_with(|| {
            for cmd_text in &s.setup {
                let mut cmd = std::process::Command::new("sh");
                cmd.current_dir(suite_root(config, s))
                    .args(["-c", cmd_text])
                    .envs(&s.env);
                let started = Instant::now();
                let (ok, text) = match run_captured(cmd, 256 * 1024, |_| {}) {
                    Ok(f) => (
                        f.success,
                        format!(
                            "exit {:?}\n{}",
                            f.code,
                            crate::worker::last_lines(&f.output, 80)
                        ),
                    ),
                    Err(e) => (false, format!("cannot start: {e}")),
                };
                if !ok {
                    let mut r = TestResult::new(
                        TestKey::new(&s.name, format!("setup: {cmd_text}")),
                        Outcome::Error,
                        started.elapsed().as_secs_f64(),
                    );
                    r.excerpt = Some(format!("setup command failed: {cmd_text}\n{text}"));
                    r.tier = unit.tier.clone();
                    record(r, &mut recorder, &mut results, reporter);
                    return false;
                }
            }
            true
        });
        if !ok {
            suite_runs.push(SuiteRun {
                name: s.name.clone(),
                kind: s.kind,
                ending: Ending::Aborted,
                planned: 0,
                estimated_s: 0.0,
            });
            if opts.fail_fast {
                stop_all = true;
            }
            continue;
        }

        let (known, typical) = estimates(recorder.store, &s.name)?;
        let ordered_given = unit.tier.is_some()
            || matches!(unit.tests, Some(ref t) if t.iter().any(|(_, e)| *e > 0.0));
        let mut planner = |tests: Vec<TestCase>| {
            if ordered_given {
                tests
                    .into_iter()
                    .map(|t| {
                        let e = known.get(&t.key).copied().unwrap_or(typical);
                        (t, e)
                    })
                    .collect()
            } else {
                order_longest_first(tests, &known, typical)
            }
        };
        let sched = Options {
            jobs,
            timeout,
            retries: opts.retries,
            fail_fast: opts.fail_fast,
        };
        let mut planned = 0usize;
        let mut estimated_s = 0.0;
        let factory: &dyn WorkerFactory = match unit.prepared {
            Prepared::Pytest(p) => p,
            Prepared::Process { factory, .. } => factory,
        };
        let known_tests = unit
            .tests
            .map(|v| v.into_iter().map(|(t, _)| t).collect::<Vec<_>>());
        let tier = unit.tier.clone();
        let before = results.len();
        if !unit.errors.is_empty() && errors_reported.insert(s.name.clone()) {
            for (id, text) in unit.errors {
                let mut r = TestResult::new(TestKey::new(&s.name, id.clone()), Outcome::Error, 0.0);
                r.file = Some(id.split("::").next().unwrap_or(id).to_string());
                r.excerpt = Some(format!("collection error:\n{text}"));
                r.tier = tier.clone();
                record(r, &mut recorder, &mut results, reporter);
            }
        }
        let mut sink = |p: Progress<'_>| match p {
            Progress::Planned {
                tests,
                estimated_s: e,
            } => {
                planned = tests.len();
                estimated_s = e;
                reporter.planned(&s.name, tests.len(), e, jobs);
            }
            Progress::Started { test } => reporter.started(test),
            Progress::Finished { result } => {
                let mut r = result.clone();
                r.tier = tier.clone();
                record(r, &mut recorder, &mut results, reporter);
            }
            Progress::Tick => recorder.maybe_flush(),
        };
        let pool = pools.entry(s.name.clone()).or_default();
        let ending = scheduler::run_suite(
            pool,
            factory,
            known_tests,
            &mut planner,
            &sched,
            &stop,
            run_start,
            &mut sink,
        );
        recorder.flush();
        match ending {
            Ending::Interrupted => {
                interrupted = true;
                stop_all = true;
            }
            Ending::FailFast => stop_all = true,
            _ => {}
        }
        suite_runs.push(SuiteRun {
            name: s.name.clone(),
            kind: s.kind,
            ending,
            planned,
            estimated_s,
        });
        let failed_here = results[before..]
            .iter()
            .filter(|r| r.outcome.is_failure() && !opts.quarantined.contains_key(&r.key))
            .count();
        if let Some(t) = tier_runs.last_mut() {
            t.planned += planned;
            t.estimated_s += estimated_s;
            t.failed += failed_here;
            t.wall_s = tier_started.elapsed().as_secs_f64();
        }
        // End of a tier: stop at the first one that failed.
        let tier_ends = ui + 1 == n_units || tier_of[ui + 1] != tier_of[ui];
        if stop_at_failing_tier
            && tier_ends
            && tier_of[ui].is_some()
            && tier_runs.last().is_some_and(|t| t.failed > 0)
        {
            stopped_at_tier = tier_runs.last().map(|t| t.name.clone());
            stop_all = true;
        }
    }
    recorder.flush();
    for (_, pool) in pools.drain() {
        pool.shutdown(&stop);
    }
    if let Some(e) = recorder.error.take() {
        return Err(e.into());
    }
    reporter.done();
    let failing = results
        .iter()
        .any(|r| r.outcome.is_failure() && !opts.quarantined.contains_key(&r.key));
    let status = if interrupted {
        RunStatus::Interrupted
    } else if failing {
        RunStatus::Failed
    } else if results.is_empty() {
        RunStatus::Error
    } else {
        RunStatus::Passed
    };
    recorder.store.finish_run(run_id, status, now_s())?;
    drop(discovered);
    Ok(RunReport {
        run_id,
        status,
        results,
        suites: suite_runs,
        tiers: tier_runs,
        stopped_at_tier,
        quarantined: opts.quarantined.clone(),
        wall_s: run_start.elapsed().as_secs_f64(),
        commit,
        branch,
        trigger,
        jobs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn longest_first_is_a_stable_permutation(durs in proptest::collection::vec(proptest::option::of(0.0f64..10.0), 0..50)) {
            let tests: Vec<TestCase> = (0..durs.len()).map(|i| TestCase::new("s", &format!("t{i}"))).collect();
            let known: HashMap<TestKey, f64> = durs.iter().enumerate()
                .filter_map(|(i, d)| d.map(|d| (TestKey::new("s", format!("t{i}")), d))).collect();
            let ordered = order_longest_first(tests.clone(), &known, 1.0);
            prop_assert_eq!(ordered.len(), tests.len());
            for w in ordered.windows(2) {
                prop_assert!(w[0].1 >= w[1].1);
                if w[0].1 == w[1].1 {
                    let a: usize = w[0].0.key.id[1..].parse().unwrap();
                    let b: usize = w[1].0.key.id[1..].parse().unwrap();
                    prop_assert!(a < b, "ties keep discovery order");
                }
            }
        }
    }
}
