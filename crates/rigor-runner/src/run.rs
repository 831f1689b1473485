//! A whole run: setup commands, discovery, scheduling per suite, recording into the history.

use crate::process::run_captured;
use crate::report::Reporter;
use crate::scheduler::{self, Ending, Options, Progress};
use crate::suite::command::ShellCommands;
use crate::suite::pytest::{PytestSuite, install_plugin};
use crate::suite::rust::{RustTestCommand, list_cargo_test, list_nextest};
use crate::worker::{ProcessFactory, WorkerFactory};
use crate::{RunnerError, git, project};
use rigor_model::{Config, Outcome, SuiteConfig, SuiteKind, TestCase, TestKey, TestResult};
use rigor_store::{NewRun, RunStatus, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results.iter().filter(|r| r.outcome.is_failure())
    }
    pub fn interrupted(&self) -> bool {
        self.status == RunStatus::Interrupted
    }
}

pub fn now_s() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// The suites to use: configured ones, else detected ones; filtered by name.
pub fn suites_for(config: &Config, only: &[String]) -> Result<Vec<SuiteConfig>, RunnerError> {
    let all = if config.suites.is_empty() {
        project::detect(&config.root).suites
    } else {
        config.suites.clone()
    };
    for name in only {
        if !all.iter().any(|s| &s.name == name) {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            return Err(RunnerError::UnknownSuite(name.clone(), format!("[{}]", names.join(", "))));
        }
    }
    Ok(all.into_iter().filter(|s| only.is_empty() || only.contains(&s.name)).collect())
}

/// A suite made ready to run.
enum Prepared {
    Pytest(PytestSuite),
    Process { tests: Vec<TestCase>, factory: ProcessFactory },
}

fn suite_root(config: &Config, s: &SuiteConfig) -> PathBuf {
    config.root.join(&s.root)
}

fn pytest_suite(config: &Config, s: &SuiteConfig, extra: &[String], keep_output: bool) -> Result<PytestSuite, RunnerError> {
    let root = suite_root(config, s);
    let plugin_dir = config.root.join(".rigor").join("python");
    install_plugin(&plugin_dir)?;
    let mut args = s.args.clone();
    args.extend(extra.iter().cloned());
    Ok(PytestSuite {
        name: s.name.clone(),
        python: project::python_for(config, &root),
        root,
        args,
        env: s.env.clone(),
        plugin_dir,
        keep_output,
    })
}

fn prepare(config: &Config, s: &SuiteConfig, extra: &[String], keep_output: bool) -> Result<Prepared, RunnerError> {
    let root = suite_root(config, s);
    let mut args = s.args.clone();
    args.extend(extra.iter().cloned());
    Ok(match s.kind {
        SuiteKind::Pytest => Prepared::Pytest(pytest_suite(config, s, extra, keep_output)?),
        SuiteKind::Nextest | SuiteKind::CargoTest => {
            let listed = if s.kind == SuiteKind::Nextest && crate::suite::rust::nextest_available() {
                list_nextest(&s.name, &root, &args)?
            } else {
                list_cargo_test(&s.name, &root, &args)?
            };
            let tests = listed.tests.clone();
            Prepared::Process {
                tests,
                factory: ProcessFactory {
                    suite: s.name.clone(),
                    what: format!("{} suite `{}`", s.kind.as_str(), s.name),
                    runner: Arc::new(RustTestCommand {
                        tests: listed,
                        env: s.env.clone(),
                    }),
                    keep_output,
                },
            }
        }
        SuiteKind::Command => {
            let cmds = ShellCommands::new(root, s);
            Prepared::Process {
                tests: cmds.tests(&s.name),
                factory: ProcessFactory {
                    suite: s.name.clone(),
                    what: format!("command suite `{}`", s.name),
                    runner: Arc::new(cmds),
                    keep_output,
                },
            }
        }
    })
}

/// What a suite holds, without running it (for `rigor list`). Collection errors are returned
/// as `(collector id, text)`.
pub struct Discovered {
    pub suite: SuiteConfig,
    pub tests: Vec<TestCase>,
    pub errors: Vec<(String, String)>,
}

pub fn discover(config: &Config, only: &[String], extra: &[String]) -> Result<Vec<Discovered>, RunnerError> {
    let mut out = Vec::new();
    for s in suites_for(config, only)? {
        let (tests, errors) = match prepare(config, &s, extra, false)? {
            Prepared::Pytest(p) => {
                let c = p.collect()?;
                (c.items, c.errors)
            }
            Prepared::Process { tests, .. } => (tests, Vec::new()),
        };
        out.push(Discovered { suite: s, tests, errors });
    }
    Ok(out)
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
pub fn order_longest_first(tests: Vec<TestCase>, known: &HashMap<TestKey, f64>, typical: f64) -> Vec<(TestCase, f64)> {
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

/// Buffers results and writes them in small transactions (at most ~250 ms old).
struct Recorder<'a> {
    store: &'a mut Store,
    run_id: i64,
    buffer: Vec<TestResult>,
    last: Instant,
    error: Option<rigor_store::StoreError>,
}

impl Recorder<'_> {
    fn push(&mut self, r: TestResult) {
        self.buffer.push(r);
        self.maybe_flush();
    }
    fn maybe_flush(&mut self) {
        if !self.buffer.is_empty() && (self.buffer.len() >= 256 || self.last.elapsed() >= Duration::from_millis(250)) {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        if let Err(e) = self.store.record_results(self.run_id, &self.buffer) {
            self.error.get_or_insert(e);
        }
        self.buffer.clear();
        self.last = Instant::now();
    }
}

/// Run the suites, recording into `store` as results arrive.
pub fn run_tests(
    config: &Config,
    opts: &RunOptions,
    store: &mut Store,
    reporter: &mut dyn Reporter,
    stop: Arc<AtomicBool>,
) -> Result<RunReport, RunnerError> {
    let suites = suites_for(config, &opts.suites)?;
    let jobs = if opts.jobs == 0 { config.jobs() } else { opts.jobs };
    let commit = git::commit(&config.root);
    let branch = git::branch(&config.root);
    let trigger = git::trigger().to_string();
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
        base: None,
        trigger: trigger.clone(),
        shard: None,
        env: Some(env.to_string()),
        args: Some(opts.args_text.clone()),
    })?;

    let mut results: Vec<TestResult> = Vec::new();
    let mut suite_runs = Vec::new();
    let mut interrupted = false;
    let mut stop_all = false;
    let mut recorder = Recorder {
        store,
        run_id,
        buffer: Vec::new(),
        last: Instant::now(),
        error: None,
    };

    for s in &suites {
        if stop_all {
            break;
        }
        reporter.suite_start(&s.name, s.kind.as_str());
        let timeout = config.timeout_for(Some(s))?;
        // Setup commands, once, before the suite.
        let mut setup_failed = false;
        for cmd_text in &s.setup {
            let mut cmd = std::process::Command::new("sh");
            cmd.current_dir(suite_root(config, s)).args(["-c", cmd_text]).envs(&s.env);
            let started = Instant::now();
            let outcome = run_captured(cmd, 256 * 1024, |_| {});
            let (ok, text) = match outcome {
                Ok(f) => (f.success, format!("exit {:?}\n{}", f.code, crate::worker::last_lines(&f.output, 80))),
                Err(e) => (false, format!("cannot start: {e}")),
            };
            if !ok {
                let mut r = TestResult::new(TestKey::new(&s.name, format!("setup: {cmd_text}")), Outcome::Error, started.elapsed().as_secs_f64());
                r.excerpt = Some(format!("setup command failed: {cmd_text}\n{text}"));
                reporter.finished(&r);
                recorder.push(r.clone());
                results.push(r);
                setup_failed = true;
                break;
            }
        }
        if setup_failed {
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

        let prepared = match prepare(config, s, &opts.extra_args, opts.keep_output || config.run.keep_output) {
            Ok(p) => p,
            Err(e @ (RunnerError::Discovery { .. } | RunnerError::Collection { .. } | RunnerError::Spawn { .. })) => {
                let mut r = TestResult::new(TestKey::new(&s.name, "<discovery>"), Outcome::Error, 0.0);
                r.excerpt = Some(e.to_string());
                reporter.finished(&r);
                recorder.push(r.clone());
                results.push(r);
                suite_runs.push(SuiteRun {
                    name: s.name.clone(),
                    kind: s.kind,
                    ending: Ending::Aborted,
                    planned: 0,
                    estimated_s: 0.0,
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        let (known, typical) = estimates(recorder.store, &s.name)?;
        let mut planner = |tests: Vec<TestCase>| order_longest_first(tests, &known, typical);
        let sched = Options {
            jobs,
            timeout,
            retries: opts.retries,
            fail_fast: opts.fail_fast,
        };
        let mut planned = 0usize;
        let mut estimated_s = 0.0;
        let (factory, known_tests): (&dyn WorkerFactory, Option<Vec<TestCase>>) = match &prepared {
            Prepared::Pytest(p) => (p, None),
            Prepared::Process { tests, factory } => (factory, Some(tests.clone())),
        };
        let mut sink = |p: Progress<'_>| match p {
            Progress::Planned { tests, estimated_s: e } => {
                planned = tests.len();
                estimated_s = e;
                reporter.planned(&s.name, tests.len(), e, jobs);
            }
            Progress::Started { test } => reporter.started(test),
            Progress::Finished { result } => {
                reporter.finished(result);
                recorder.push(result.clone());
                results.push(result.clone());
            }
            Progress::Tick => recorder.maybe_flush(),
        };
        let ending = scheduler::run_suite(factory, known_tests, &mut planner, &sched, &stop, run_start, &mut sink);
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
    }
    recorder.flush();
    if let Some(e) = recorder.error.take() {
        return Err(e.into());
    }
    reporter.done();
    let status = if interrupted {
        RunStatus::Interrupted
    } else if results.iter().any(|r| r.outcome.is_failure()) {
        RunStatus::Failed
    } else if results.is_empty() {
        RunStatus::Error
    } else {
        RunStatus::Passed
    };
    recorder.store.finish_run(run_id, status, now_s())?;
    Ok(RunReport {
        run_id,
        status,
        results,
        suites: suite_runs,
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
