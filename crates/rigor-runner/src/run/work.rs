//! The work of a run, settled before anything is recorded (so that a configuration error writes
//! nothing): the suites made ready, and the units to run in order — a whole suite, or one
//! planned batch of a suite.

use super::options::{Batch, RunOptions, RunPlan};
use crate::RunnerError;
use crate::estimate::Estimates;
use crate::prepare::{Discovered, PrepareOptions, Prepared, prepare, suites_for};
use crate::scheduler::Tests;
use crate::suite::pytest::node_file;
use crate::worker::WorkerFactory;
use rigor_model::{Config, SuiteConfig};
use rigor_store::Store;
use std::collections::BTreeSet;
use std::time::Duration;

pub(super) struct Work {
    /// Suites ready to run; units point into it.
    pub(super) suites: Vec<ReadySuite>,
    /// Suites whose discovery failed: errors of the run, reported before anything runs.
    pub(super) unprepared: Vec<(SuiteConfig, RunnerError)>,
    /// In run order.
    pub(super) units: Vec<Unit>,
    /// Stop after the first tier in which a (non-quarantined) test fails.
    pub(super) stop_at_failing_tier: bool,
}

/// A suite ready to run.
pub(super) struct ReadySuite {
    pub(super) config: SuiteConfig,
    pub(super) prepared: Prepared,
    /// Collection errors found at discovery (reported with the suite's first unit).
    pub(super) errors: Vec<(String, String)>,
    /// Longest a test of the suite may run.
    pub(super) timeout: Duration,
}

impl ReadySuite {
    fn new(
        config: &Config,
        suite: SuiteConfig,
        prepared: Prepared,
        errors: Vec<(String, String)>,
    ) -> Result<Self, RunnerError> {
        let timeout = config.timeout_for(Some(&suite))?;
        Ok(ReadySuite {
            config: suite,
            prepared,
            errors,
            timeout,
        })
    }

    pub(super) fn factory(&self) -> &dyn WorkerFactory {
        match &self.prepared {
            Prepared::Pytest(p) => p,
            Prepared::Process { factory, .. } => factory,
        }
    }
}

/// Tests of one suite that run together (and, in a tiered run, belong to one tier).
pub(super) struct Unit {
    /// Index into [`Work::suites`].
    pub(super) suite: usize,
    pub(super) tier: Option<String>,
    pub(super) tests: Tests,
}

impl Work {
    pub(super) fn new(
        config: &Config,
        opts: &RunOptions,
        store: &Store,
        plan: RunPlan,
    ) -> Result<Work, RunnerError> {
        match plan {
            RunPlan::Everything => everything(config, opts, store),
            RunPlan::Batches {
                mut suites,
                batches,
                stop_at_failing_tier,
            } => {
                narrow_collection(&mut suites, &batches);
                let units = batches
                    .into_iter()
                    .map(|b| Unit {
                        suite: b.suite,
                        tier: b.tier,
                        tests: Tests::Given(b.tests),
                    })
                    .collect();
                Ok(Work {
                    suites: ready(config, suites)?,
                    unprepared: Vec::new(),
                    units,
                    stop_at_failing_tier,
                })
            }
        }
    }
}

/// Pytest workers collect only the files of the tests the run may give them — those of all the
/// suite's batches, since one pool serves every tier — when that is less than the whole suite.
fn narrow_collection(suites: &mut [Discovered], batches: &[Batch]) {
    for (i, d) in suites.iter_mut().enumerate() {
        let Prepared::Pytest(p) = &mut d.prepared else {
            continue;
        };
        let planned: BTreeSet<&str> = batches
            .iter()
            .filter(|b| b.suite == i)
            .flat_map(|b| b.tests.iter().map(|(t, _)| node_file(&t.key.id)))
            .collect();
        let all: BTreeSet<&str> = d.tests.iter().map(|t| node_file(&t.key.id)).collect();
        if !planned.is_empty() && planned.len() < all.len() {
            p.only_files = planned.into_iter().map(str::to_string).collect();
        }
        let planned_tests = batches
            .iter()
            .filter(|b| b.suite == i)
            .map(|b| b.tests.len())
            .sum::<usize>();
        if planned_tests > 0 && planned_tests < d.tests.len() {
            p.only_names = module_names(
                batches
                    .iter()
                    .filter(|b| b.suite == i)
                    .flat_map(|b| b.tests.iter().map(|(t, _)| t.key.id.as_str())),
            );
            if p.only_files.is_empty() {
                p.only_files = all.iter().map(|f| f.to_string()).collect();
            }
        }
    }
}

/// `file::name` for the module-level class or function of each test id (`f.py::C::t[1]` →
/// `f.py::C`); a file with an id that names none (a whole-file item) is left out entirely, so
/// that its collection is not narrowed.
fn module_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut by_file: std::collections::BTreeMap<&str, Option<BTreeSet<&str>>> = Default::default();
    for id in ids {
        let mut parts = id.split("::");
        let file = parts.next().unwrap_or(id);
        let name = parts.next().map(|n| n.split('[').next().unwrap_or(n));
        let entry = by_file.entry(file).or_insert_with(|| Some(BTreeSet::new()));
        match (name, entry.as_mut()) {
            (Some(n), Some(set)) if !n.is_empty() => {
                set.insert(n);
            }
            _ => *entry = None,
        }
    }
    by_file
        .into_iter()
        .filter_map(|(f, names)| names.map(|n| (f, n)))
        .flat_map(|(f, names)| names.into_iter().map(move |n| format!("{f}::{n}")))
        .collect()
}

/// Discovered suites, ready to run (their discovered tests are in the batches).
pub(super) fn ready(
    config: &Config,
    discovered: Vec<Discovered>,
) -> Result<Vec<ReadySuite>, RunnerError> {
    discovered
        .into_iter()
        .map(|d| ReadySuite::new(config, d.suite, d.prepared, d.errors))
        .collect()
}

/// Every test of the selected suites, a unit per suite, ordered longest expected first by the
/// history (read once per suite). Pytest workers collect their tests, ordered once collected.
fn everything(config: &Config, opts: &RunOptions, store: &Store) -> Result<Work, RunnerError> {
    let popts = PrepareOptions {
        keep_output: opts.keep_output,
        coverage_map: opts.coverage_map.clone(),
    };
    let mut prepared = Vec::new();
    for s in suites_for(config, &opts.suites)? {
        let p = prepare(config, &s, &opts.extra_args, &popts);
        prepared.push((s, p));
    }
    let mut work = Work {
        suites: Vec::new(),
        unprepared: Vec::new(),
        units: Vec::new(),
        stop_at_failing_tier: false,
    };
    for (s, p) in prepared {
        let p = match p {
            Ok(p) => p,
            Err(e) if is_reported_in_the_run(&e) => {
                work.unprepared.push((s, e));
                continue;
            }
            Err(e) => return Err(preparation_error(&s, e)),
        };
        let estimates = Estimates::load(store, &s.name)?;
        let tests = match &p {
            Prepared::Pytest(_) => Tests::Collect(estimates),
            Prepared::Process { tests, .. } => Tests::Given(estimates.longest_first(tests.clone())),
        };
        work.units.push(Unit {
            suite: work.suites.len(),
            tier: None,
            tests,
        });
        work.suites.push(ReadySuite::new(config, s, p, Vec::new())?);
    }
    Ok(work)
}

/// A suite that cannot be discovered is an error result of the run (the others still run);
/// any other failure to prepare a suite stops the run before it starts.
fn is_reported_in_the_run(e: &RunnerError) -> bool {
    matches!(
        e,
        RunnerError::Discovery { .. } | RunnerError::Collection { .. } | RunnerError::Spawn { .. }
    )
}

fn preparation_error(suite: &SuiteConfig, e: RunnerError) -> RunnerError {
    RunnerError::Discovery {
        suite: suite.name.clone(),
        what: "preparation".into(),
        detail: e.to_string(),
        hint: "see the error above".into(),
    }
}

#[cfg(test)]
mod narrow_tests {
    use super::module_names;

    #[test]
    fn module_names_are_the_top_level_names_of_the_planned_ids() {
        let ids = [
            "t/a.py::TestX::test_1",
            "t/a.py::TestX::test_2[x]",
            "t/a.py::test_f[1-2]",
            "t/b.py::test_g",
            "t/c.txt",
            "t/c.txt::x",
        ];
        assert_eq!(
            module_names(ids.into_iter()),
            ["t/a.py::TestX", "t/a.py::test_f", "t/b.py::test_g"]
        );
    }
}
