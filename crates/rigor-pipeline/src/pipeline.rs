//! One pipeline for `rigor run` and `rigor ci`: detect the change once → plan → run the tiers
//! → record → reports → gates (ci). Every stage reads the resolved [`Options`].

use crate::change::{self, Detected};
use crate::error::{PipelineError, Result};
use crate::options::{Mode, Options};
use crate::planning::{self, PlanRequest, Planned};
use crate::{chaos, gates, outputs, record, signals};
use rigor_gate::RunEvidence;
use rigor_model::exit::{self, INTERRUPTED};
use rigor_model::{Config, TestKey};
use rigor_runner::report::Reporter;
use rigor_runner::{RunOptions, RunPlan, RunReport};
use rigor_store::{RunStatus, Store};
use rigor_vcs::ChangeSet;
use std::collections::HashMap;
use std::time::Instant;

/// Run the pipeline; the exit code it ends with (`docs/exit-codes.md`).
pub fn run(
    mut config: Config,
    opts: &Options,
    store: &mut Store,
    reporter: &mut dyn Reporter,
) -> Result<i32> {
    let started = Instant::now();
    config.run.timeout = opts.timeout.clone();
    clear_coverage_map(opts)?;
    let stop = signals::stop_flag()?;
    let detected = match opts.by_change {
        true => Some(change::detect(&config, opts.base.as_deref())?),
        false => None,
    };
    let change = detected.as_ref().and_then(Detected::change).cloned();
    let mut scenario = chaos::start(&mut config)?;
    let planned = plan(&config, opts, store, detected)?;
    if planned.as_ref().is_some_and(|p| !chaos::needed(p)) {
        scenario = None; // no chaos-marked test in the plan: torn down before any test runs
    }
    if let Some(s) = &scenario {
        chaos::announce(s);
    }
    if let Some(p) = &planned
        && let Some(code) = nothing_to_run(&config, opts, p)?
    {
        return Ok(code);
    }
    let run_plan = match planned {
        None => RunPlan::Everything,
        Some(p) => RunPlan::Batches {
            suites: p.discovered,
            batches: p.batches,
            stop_at_failing_tier: opts.mode == Mode::Ci,
        },
    };
    let run_opts = run_options(opts, store, change.as_ref(), started)?;
    let report = rigor_runner::run_tests(&config, &run_opts, store, reporter, stop, run_plan)?;
    drop(scenario);
    record::after_run(&config, store, &report, change.as_ref(), opts)?;
    outputs::write_outputs(&report, opts.junit.as_deref(), opts.json)?;
    outputs::provider_outputs(&config, &report)?;
    if let (Some(path), Mode::Ci, true) = (&opts.junit, opts.mode, on_gitlab()) {
        eprintln!(
            "JUnit report: {} (declare it under artifacts:reports:junit)",
            path.display()
        );
    }
    let code = exit_code(&report);
    if code == INTERRUPTED || !opts.gates {
        return Ok(code);
    }
    if opts.mode == Mode::Ci && code == exit::OK {
        crate::mutation::advanced_step(&config, store, change.as_ref(), opts.jobs)?;
    }
    let gate_code = gates::run_gates(&config, RunEvidence::Run(report.run_id), change)?;
    Ok(if gate_code > exit::FAILED {
        gate_code
    } else {
        code.max(gate_code)
    })
}

/// The planning stage: a plan when the options need one (else every test of every suite runs,
/// in the runners' own order), with one line about the selection.
fn plan(
    config: &Config,
    opts: &Options,
    store: &mut Store,
    detected: Option<Detected>,
) -> Result<Option<Planned>> {
    if !opts.needs_plan() {
        return Ok(None);
    }
    let req = PlanRequest {
        suites: opts.suites.clone(),
        extra: opts.extra.clone(),
        expr: opts.expr.clone(),
        up_to_tier: opts.up_to_tier.clone(),
        all_tiers: opts.mode == Mode::Ci,
        shard: opts.shard,
        jobs: opts.jobs,
        keep_output: opts.keep_output,
        coverage_map: opts.coverage_map.clone(),
        change: detected,
        stable_facts: false,
        pinned: opts.pinned.clone(),
    };
    let planned = planning::plan(config, store, &req)?;
    for d in &planned.discovered {
        if let Some(used) = &d.cache {
            eprintln!("discovery: suite `{}`: {used}", d.suite.name);
        }
    }
    if let Some(sel) = &planned.selection {
        eprintln!("{}", planning::selection_header(sel, planned.tests.len()));
    }
    Ok(Some(planned))
}

/// An empty plan ends the pipeline: a change that no test can see still goes through the gates
/// under `rigor ci` (the tests gate says "no tests selected for this change"); anything else is
/// "nothing to run" (exit 4). `None`: there is something to run.
fn nothing_to_run(config: &Config, opts: &Options, p: &Planned) -> Result<Option<i32>> {
    let collection_errors = p.discovered.iter().any(|d| !d.errors.is_empty());
    if !p.tests.is_empty() || collection_errors {
        if opts.mode == Mode::Ci {
            eprintln!(
                "rigor ci: {} tests in {} tiers{}",
                p.tests.len(),
                p.tiers.iter().filter(|t| t.1 > 0).count(),
                opts.shard
                    .map(|s| format!(", shard {s}"))
                    .unwrap_or_default()
            );
        }
        return Ok(None);
    }
    let unseen_change = p
        .selection
        .as_ref()
        .filter(|s| s.full_run.is_none() && s.total > 0);
    match (opts.mode, unseen_change) {
        (Mode::Run, _) => {
            eprintln!("nothing to run: the selection is empty");
            Ok(Some(exit::NOTHING))
        }
        (Mode::Ci, Some(sel)) => {
            eprintln!(
                "rigor ci: the change ({} files) selects no tests",
                sel.change.files.len()
            );
            if !opts.gates {
                return Ok(Some(exit::OK));
            }
            let change = Some(sel.change.clone()).filter(|c| !c.base.is_empty());
            gates::run_gates(config, RunEvidence::NoTestsSelected, change).map(Some)
        }
        (Mode::Ci, None) => {
            eprintln!(
                "rigor ci: nothing to run (no tests discovered{})",
                if opts.shard.is_some() {
                    " for this shard"
                } else {
                    ""
                }
            );
            Ok(Some(exit::NOTHING))
        }
    }
}

fn run_options(
    opts: &Options,
    store: &Store,
    change: Option<&ChangeSet>,
    started: Instant,
) -> Result<RunOptions> {
    Ok(RunOptions {
        jobs: opts.jobs,
        retries: opts.retries,
        fail_fast: opts.fail_fast,
        suites: opts.suites.clone(),
        extra_args: opts.extra.clone(),
        keep_output: opts.keep_output,
        coverage_map: opts.coverage_map.clone(),
        args_text: opts.args_text.clone(),
        base: change.map(|c| c.base.clone()).filter(|b| !b.is_empty()),
        shard: opts.shard.map(|s| s.to_string()),
        quarantined: quarantined(store)?,
        started: Some(started),
    })
}

/// Active quarantines, key → reason.
fn quarantined(store: &Store) -> Result<HashMap<TestKey, String>> {
    Ok(store
        .active_quarantines(rigor_runner::run::now_s())?
        .into_iter()
        .map(|q| (TestKey::new(q.suite, q.id), q.reason))
        .collect())
}

/// `--coverage-map` records afresh.
fn clear_coverage_map(opts: &Options) -> Result<()> {
    if let Some(dir) = opts.coverage_map.as_ref().map(|m| &m.dir)
        && dir.exists()
    {
        std::fs::remove_dir_all(dir).map_err(|e| PipelineError::io("clear", dir, e))?;
    }
    Ok(())
}

fn on_gitlab() -> bool {
    std::env::var("GITLAB_CI").is_ok()
}

/// The exit code of a finished run.
pub fn exit_code(report: &RunReport) -> i32 {
    match report.status {
        RunStatus::Interrupted => INTERRUPTED,
        RunStatus::Failed => exit::FAILED,
        RunStatus::Error => exit::NOTHING,
        RunStatus::Passed | RunStatus::Running => exit::OK,
    }
}
