//! `rigor ci`: the whole pipeline, as stages:
//!
//! 1. plan — discover the suites, read the history, assign tests to tiers (and to this shard);
//! 2. test — run the tiers in order, stopping at the first tier that fails, recording everything;
//! 3. gates — evaluate the configured quality gates over the run and the artifacts;
//! 4. report — summary, JUnit, JSON, and the CI provider's annotations, job summary and outputs.

use super::planning::{self, PlanRequest};
use crate::cli::CiArgs;
use anyhow::{Context, Result};
use rigor_model::exit::HasExitCode;
use rigor_model::{Config, exit};
use rigor_runner::report::github;
use rigor_runner::{RunOptions, RunPlan, RunReport};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

pub fn run(config: Config, args: &CiArgs) -> Result<i32> {
    let shard = super::run::shard_spec(args.common.shard.as_deref())?;
    let mut store = super::open_store(&config)?;
    let stop = super::run::stop_flag()?;
    let jobs = args.common.jobs.unwrap_or_else(|| config.jobs());

    // Stage 1: plan.
    let planned = planning::plan(
        &config,
        &mut store,
        &PlanRequest {
            suites: args.common.suites.clone(),
            all_tiers: true,
            shard,
            jobs,
            change: (!args.all).then(|| planning::ChangeRequest {
                base: args.common.base.clone(),
            }),
            ..Default::default()
        },
    )?;
    if let Some(sel) = &planned.selection {
        super::plan::print_selection_header(sel, planned.tests.len());
    }
    if planned.tests.is_empty()
        && let Some(sel) = planned
            .selection
            .as_ref()
            .filter(|s| s.full_run.is_none() && s.total > 0)
    {
        // A change that no test can see (documentation, …): nothing to run, the gates still apply.
        eprintln!(
            "rigor ci: the change ({} files) selects no tests",
            sel.change.files.len()
        );
        if args.no_gates {
            return Ok(exit::OK);
        }
        let base = Some(sel.change.base.as_str()).filter(|b| !b.is_empty());
        return Ok(match gates(&config, None, base)? {
            Ok(true) => exit::OK,
            Ok(false) => exit::FAILED,
            Err(code) => code,
        });
    }
    if planned.tests.is_empty() {
        eprintln!(
            "rigor ci: nothing to run (no tests discovered{})",
            if shard.is_some() {
                " for this shard"
            } else {
                ""
            }
        );
        return Ok(exit::NOTHING);
    }
    eprintln!(
        "rigor ci: {} tests in {} tiers{}",
        planned.tests.len(),
        planned.tiers.iter().filter(|t| t.1 > 0).count(),
        shard.map(|s| format!(", shard {s}")).unwrap_or_default()
    );

    // Stage 2: test, tier by tier.
    let change = planned
        .selection
        .as_ref()
        .map(|s| s.change.clone())
        .filter(|c| !c.base.is_empty());
    let opts = RunOptions {
        jobs,
        retries: args.common.retries.unwrap_or(config.run.retries),
        fail_fast: false,
        suites: args.common.suites.clone(),
        extra_args: Vec::new(),
        keep_output: false,
        coverage_map: None,
        args_text: std::env::args().collect::<Vec<_>>().join(" "),
        base: change.as_ref().map(|c| c.base.clone()),
        shard: shard.map(|s| s.to_string()),
        quarantined: super::run::quarantined(&store)?,
    };
    let mut reporter = super::run::reporter(args.common.format);
    let plan = RunPlan::Batches {
        suites: planned.discovered,
        batches: planned.batches,
        stop_at_failing_tier: true,
    };
    let report =
        rigor_runner::run_tests(&config, &opts, &mut store, reporter.as_mut(), stop, plan)?;
    super::flaky::auto_quarantine(&config, &mut store, &report)?;
    if let Some(change) = &change {
        let results = store.run_results(report.run_id)?;
        rigor_select::record_change_outcome(&mut store, change, &results)?;
    }
    drop(store);
    let junit = args.common.junit.clone().or_else(|| {
        std::env::var("GITLAB_CI")
            .is_ok()
            .then(|| PathBuf::from("rigor-junit.xml"))
    });
    super::run::write_outputs(&report, junit.as_deref(), args.common.format)?;
    provider_outputs(&config, &report)?;
    if let (Some(path), true) = (&junit, std::env::var("GITLAB_CI").is_ok()) {
        eprintln!(
            "JUnit report: {} (declare it under artifacts:reports:junit)",
            path.display()
        );
    }
    let mut code = super::run::exit_code(&report);
    if code == super::run::INTERRUPTED {
        return Ok(code);
    }

    // Stage 3 and 4: gates and their reports.
    if !args.no_gates {
        let base = change
            .as_ref()
            .map(|c| c.base.as_str())
            .or(args.common.base.as_deref());
        match gates(&config, Some(report.run_id), base)? {
            Ok(true) => {}
            Ok(false) => code = code.max(exit::FAILED),
            Err(gate_exit) => return Ok(gate_exit),
        }
    }
    Ok(code)
}

/// Evaluate, record and report the configured gates. Benchmarks ingested for this commit are
/// compared first, so the perf gate sees them. `Ok(Ok(passed))`, or `Ok(Err(exit code))` when
/// the gates could not be evaluated (a malformed artifact, …).
fn gates(
    config: &Config,
    run_id: Option<i64>,
    base: Option<&str>,
) -> Result<std::result::Result<bool, i32>> {
    compare_benchmarks(config)?;
    match rigor_gate::evaluate_configured(config, run_id, base) {
        Ok(gates) => {
            rigor_gate::record_report(config, &gates)?;
            let annotations = rigor_gate::write_configured_outputs(config, &gates)?;
            eprint!("{}", rigor_gate::output::terminal(&gates));
            print!("{annotations}");
            Ok(Ok(gates.passed))
        }
        Err(e) => {
            eprintln!("error: gates: {e}");
            Ok(Err(e.exit_code()))
        }
    }
}

/// Compare this commit's ingested benchmarks with their baseline into `.rigor/perf-compare.json`
/// (where the perf gate reads it). No benchmarks for this commit: nothing to do.
fn compare_benchmarks(config: &Config) -> Result<()> {
    match rigor_perf::compare_for_gate(config) {
        Ok(report) => {
            let path = config.root.join(".rigor").join("perf-compare.json");
            std::fs::write(&path, serde_json::to_string_pretty(&report)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "perf: {} benchmarks compared, {} regressions",
                report.benchmarks.len(),
                report.regressions
            );
        }
        Err(e) if e.exit_code() == exit::NOTHING => {
            // Nothing ingested for this commit: an older comparison must not stand in for it.
            let stale = config.root.join(".rigor").join("perf-compare.json");
            if stale.exists() {
                std::fs::remove_file(&stale)
                    .with_context(|| format!("cannot remove {}", stale.display()))?;
            }
        }
        Err(e) => eprintln!("warning: perf comparison skipped: {e}"),
    }
    Ok(())
}

/// CI provider outputs for a run: on GitHub Actions, `::error` annotations (at most 10), the
/// job summary and step outputs; elsewhere nothing.
pub fn provider_outputs(config: &Config, report: &RunReport) -> Result<()> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        print!("{}", github::annotations(report, &suite_prefixes(config)));
        if let Ok(path) = std::env::var("GITHUB_STEP_SUMMARY") {
            append(&path, &github::step_summary(report))?;
        }
        if let Ok(path) = std::env::var("GITHUB_OUTPUT") {
            append(&path, &github::outputs(report))?;
        }
    }
    Ok(())
}

/// Each suite's root relative to the repository, as a path prefix ("" or "sub/dir/").
fn suite_prefixes(config: &Config) -> HashMap<String, String> {
    let top = std::process::Command::new("git")
        .current_dir(&config.root)
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let suites = rigor_runner::run::suites_for(config, &[]).unwrap_or_default();
    suites
        .into_iter()
        .map(|s| {
            let root = std::fs::canonicalize(config.root.join(&s.root))
                .unwrap_or_else(|_| config.root.join(&s.root));
            let rel = top
                .as_ref()
                .and_then(|t| std::fs::canonicalize(t).ok())
                .and_then(|t| root.strip_prefix(&t).ok().map(|p| p.to_path_buf()))
                .unwrap_or_default();
            let mut prefix = rel.display().to_string();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            (s.name, prefix)
        })
        .collect()
}

fn append(path: &str, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot append to {path}"))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {path}"))?;
    Ok(())
}
