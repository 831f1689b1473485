//! `rigor run`: run the suites, show progress, record the history, write reports.

use super::planning::{self, PlanRequest};
use crate::cli::{Format, RunArgs};
use anyhow::{Context, Result};
use rigor_model::{Config, TestKey, exit};
use rigor_plan::ShardSpec;
use rigor_runner::report::{self, LineReporter, Reporter, TerminalReporter};
use rigor_runner::{RunOptions, RunPlan, RunReport};
use rigor_store::Store;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Exit code of an interrupted run (128 + SIGINT, as shells do).
pub const INTERRUPTED: i32 = 130;

/// Stop flag set by the first Ctrl-C / SIGTERM; a second one exits at once.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, INTERRUPTED, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    Ok(stop)
}

pub fn reporter(format: Format) -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() && format == Format::Text {
        Box::new(TerminalReporter::new())
    } else {
        Box::new(LineReporter::new(true))
    }
}

/// The shard to run: the flag, else RIGOR_SHARD, else GitLab's CI_NODE_INDEX/CI_NODE_TOTAL.
pub fn shard_spec(flag: Option<&str>) -> Result<Option<ShardSpec>> {
    Ok(match flag {
        Some(s) => Some(ShardSpec::parse(s)?),
        None => ShardSpec::from_env(&|k| std::env::var(k).ok())?,
    })
}

/// Active quarantines, key → reason.
pub fn quarantined(store: &Store) -> Result<HashMap<TestKey, String>> {
    Ok(store
        .active_quarantines(rigor_runner::run::now_s())?
        .into_iter()
        .map(|q| (TestKey::new(q.suite, q.id), q.reason))
        .collect())
}

pub fn run(mut config: Config, args: &RunArgs) -> Result<i32> {
    if let Some(t) = &args.timeout {
        rigor_model::duration::parse_duration(t).map_err(|m| anyhow::anyhow!("--timeout: {m}"))?;
        config.run.timeout = t.clone();
    }
    let shard = shard_spec(args.common.shard.as_deref())?;
    let mut store = super::open_store(&config)?;
    let coverage_map = args
        .coverage_map
        .then(|| config.root.join(".rigor").join("coverage-map"));
    if let Some(dir) = &coverage_map
        && dir.exists()
    {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    let stop = stop_flag()?;
    let jobs = args.common.jobs.unwrap_or(0);
    let mut opts = RunOptions {
        jobs,
        retries: args.common.retries.unwrap_or(config.run.retries),
        fail_fast: args.fail_fast || config.run.fail_fast,
        suites: args.common.suites.clone(),
        extra_args: args.extra.clone(),
        keep_output: args.keep_output,
        coverage_map: coverage_map.clone(),
        args_text: std::env::args().collect::<Vec<_>>().join(" "),
        base: None,
        shard: shard.map(|s| s.to_string()),
        quarantined: quarantined(&store)?,
    };
    let mut change = None;
    let plan = if args.tier.is_some()
        || shard.is_some()
        || args.expr.is_some()
        || args.changed
        || args.common.base.is_some()
    {
        let planned = planning::plan(
            &config,
            &mut store,
            &PlanRequest {
                suites: args.common.suites.clone(),
                extra: args.extra.clone(),
                expr: args.expr.clone(),
                up_to_tier: args.tier.clone(),
                all_tiers: false,
                shard,
                jobs: if jobs == 0 { config.jobs() } else { jobs },
                keep_output: args.keep_output,
                coverage_map: coverage_map.clone(),
                change: (args.changed || args.common.base.is_some()).then(|| {
                    planning::ChangeRequest {
                        base: args.common.base.clone(),
                    }
                }),
            },
        )?;
        if let Some(sel) = &planned.selection {
            super::plan::print_selection_header(sel, planned.tests.len());
        }
        if planned.tests.is_empty() {
            eprintln!("nothing to run: the selection is empty");
            return Ok(exit::NOTHING);
        }
        change = planned
            .selection
            .map(|s| s.change)
            .filter(|c| !c.base.is_empty());
        RunPlan::Batches {
            suites: planned.discovered,
            batches: planned.batches,
            stop_at_failing_tier: false,
        }
    } else {
        RunPlan::Everything
    };
    opts.base = change
        .as_ref()
        .map(|c: &rigor_select::ChangeSet| c.base.clone());
    let mut reporter = reporter(args.common.format);
    let report =
        rigor_runner::run_tests(&config, &opts, &mut store, reporter.as_mut(), stop, plan)?;
    for (key, reason) in rigor_pipeline::flaky::auto_quarantine(&config, &mut store, &report)? {
        eprintln!("quarantined {key} ({reason})");
    }
    if let Some(dir) = &coverage_map {
        import_coverage_map(&config, &mut store, dir, &report)?;
    }
    if let Some(change) = &change {
        // Co-failure statistics for the risk of the next change.
        let results = store.run_results(report.run_id)?;
        rigor_select::record_change_outcome(&mut store, change, &results)?;
    }
    write_outputs(&report, args.common.junit.as_deref(), args.common.format)?;
    super::ci::provider_outputs(&config, &report)?;
    Ok(exit_code(&report))
}

/// After `--coverage-map`: import each pytest suite's per-test coverage into the history, where
/// change-aware selection finds it.
fn import_coverage_map(
    config: &Config,
    store: &mut Store,
    dir: &Path,
    report: &RunReport,
) -> Result<()> {
    let commit = report.commit.clone().unwrap_or_default();
    for s in rigor_runner::run::suites_for(config, &[])? {
        let suite_dir = dir.join(&s.name);
        if s.kind != rigor_model::SuiteKind::Pytest || !suite_dir.is_dir() {
            continue;
        }
        let imported = rigor_select::import_coverage_map(
            store,
            &suite_dir,
            &s.name,
            &commit,
            &config.root.join(&s.root),
        )?;
        eprintln!(
            "coverage map of suite {}: {} tests × {} files from {} data files",
            s.name, imported.tests, imported.files, imported.data_files
        );
    }
    Ok(())
}

pub fn write_outputs(report: &RunReport, junit: Option<&Path>, format: Format) -> Result<()> {
    if let Some(path) = junit {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::write(path, report::junit::render(report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match format {
        Format::Text => print!("{}", report::summary::render(report)),
        Format::Json => {
            eprint!("{}", report::summary::render(report));
            println!(
                "{}",
                serde_json::to_string_pretty(&report::json::render(report))?
            );
        }
    }
    Ok(())
}

pub fn exit_code(report: &RunReport) -> i32 {
    use rigor_store::RunStatus;
    match report.status {
        RunStatus::Interrupted => INTERRUPTED,
        RunStatus::Failed => exit::FAILED,
        RunStatus::Error => exit::NOTHING,
        RunStatus::Passed | RunStatus::Running => exit::OK,
    }
}
