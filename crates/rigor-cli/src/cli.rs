//! Commands and their dispatch.

use crate::args::{
    CiArgs, FlakyArgs, HistoryArgs, InitArgs, ListArgs, MergeArgs, PlanArgs, RunArgs,
};
use crate::commands;
use anyhow::Result;
use clap::{Parser, Subcommand};
use rigor_model::Config;
use rigor_model::exit::{self, HasExitCode};
use std::path::PathBuf;

/// rigor — fast, trustworthy CI: run a project's tests in parallel with history, track
/// performance, gate merges.
#[derive(Debug, Parser)]
#[command(
    name = "rigor",
    version,
    about = "rigor: fast, trustworthy CI — run a project's tests in tiers on parallel workers with history, select what a change can break, track performance, gate merges",
    after_help = "Exit codes: 0 passed; 1 tests or a blocking gate failed; 2 usage or configuration error; 3 malformed input artifact; 4 nothing to run; 130 interrupted.\nDocs: README.md and docs/ (config, json, ci, selection, perf, gates, exit codes)."
)]
pub struct Cli {
    /// Project directory (default: the current directory; rigor.toml is searched upwards).
    #[arg(long, short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect the project's suites (pytest, cargo) and write a commented rigor.toml.
    Init(InitArgs),
    /// List the discovered tests with their estimated durations.
    List(ListArgs),
    /// Run the tests on parallel workers, record the results in the history.
    Run(RunArgs),
    /// What would run, in which tier and order, on which shard (`--shards N`, `--format`).
    Plan(PlanArgs),
    /// The whole pipeline: tiers in order (stopping at the first that fails), history, gates, reports.
    Ci(CiArgs),
    /// Show recent runs, the slowest tests or failure rates from the history.
    History(HistoryArgs),
    /// Flakiness scores from the history; quarantine and release tests.
    Flaky(FlakyArgs),
    /// Import result files of CI shards into the history (rigor JSON or JUnit).
    Merge(MergeArgs),
    /// Performance analyzer: ingest benchmark results, compare, detect change points, report.
    Perf(crate::args::perf::PerfArgs),
    /// Evaluate quality gates over test, coverage, security and mutation artifacts.
    Gate(crate::args::gate::GateArgs),
    /// Write a self-contained HTML report of the last run, gates and trends.
    Report(crate::args::gate::ReportArgs),
    /// Dashboard, JSON API (/api/v1/) and Prometheus /metrics over the history.
    Serve(crate::args::serve::ServeArgs),
    /// Mutation testing: each mutant against only the tests that reach it (`--diff`, `--list`).
    Mutate(crate::args::mutate::MutateArgs),
    /// Audit lockfiles and requirement files against advisory databases (RustSec, OSV), offline.
    Audit(crate::args::supply::AuditArgs),
    /// Write a software bill of materials (CycloneDX 1.6/1.5 or SPDX 2.3 JSON).
    Sbom(crate::args::supply::SbomArgs),
    /// Explain a run's failures: signatures, causes with evidence, fixes (`label` teaches it).
    Triage(crate::args::triage::TriageArgs),
    /// Find the first bad commit of failing tests (git bisect in a temporary work tree).
    Bisect(crate::args::triage::BisectArgs),
    /// Fault-injection proxy with a Toxiproxy-compatible HTTP API (`rigor chaos serve`).
    Chaos(crate::args::release::ChaosArgs),
    /// Blue-green rollout behind rigor's proxy, judged and rolled back automatically; status, promote, abort, history, judge.
    Rollout(crate::args::release::RolloutArgs),
    /// The history itself: backup, restore, check, prune (retention).
    Store(crate::args::store::StoreArgs),
    /// Queue mode's queues (`rigor run --queue NAME`): progress of a queue.
    Queue(crate::args::queue::QueueArgs),
}

pub fn dispatch(cli: Cli) -> Result<i32> {
    let start = match &cli.dir {
        Some(d) => std::fs::canonicalize(d)
            .map_err(|e| anyhow::anyhow!("cannot use directory {}: {e}", d.display()))?,
        None => std::env::current_dir()?,
    };
    if let Command::Init(args) = &cli.command {
        return commands::init::run(&start, args);
    }
    let config = load_config(&start)?;
    match cli.command {
        Command::Init(_) => unreachable!("handled above"),
        Command::List(args) => commands::list::run(&config, &args),
        Command::Run(args) => commands::run::run(config, &args),
        Command::History(args) => commands::history::run(&config, &args),
        Command::Plan(args) => commands::plan::run(&config, &args),
        Command::Ci(args) => commands::ci::run(config, &args),
        Command::Flaky(args) => commands::flaky::run(&config, &args),
        Command::Merge(args) => commands::merge::run(&config, &args),
        Command::Perf(args) => Ok(commands::perf::run(&args, &config)?),
        Command::Gate(args) => commands::gate::run(&args, &config),
        Command::Report(args) => commands::report::run(&args, &config),
        Command::Serve(args) => commands::serve::run(config, &args),
        Command::Mutate(args) => commands::mutate::run(&config, &args),
        Command::Audit(args) => commands::audit::run(&args, &config),
        Command::Sbom(args) => commands::sbom::run(&args, &config),
        Command::Triage(args) => commands::triage::run(&config, &args),
        Command::Bisect(args) => commands::bisect::run(&config, &args),
        Command::Chaos(args) => commands::chaos::run(&config, &args),
        Command::Rollout(args) => commands::rollout::run(&config, &args),
        Command::Store(args) => commands::store::run(&config, &args),
        Command::Queue(args) => commands::queue::run(&config, &args),
    }
}

fn load_config(start: &std::path::Path) -> Result<Config> {
    let config = Config::discover(start, rigor_model::config::CORE_DEFAULTS)?;
    for w in &config.warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
}

/// An error for people: its message, then each cause in its chain that the messages before do
/// not already include (most of rigor's errors show their source in their own message; printing
/// the chain as is would say it twice).
pub fn render_error(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    let mut said = text.clone();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        // Said already, or a wordier form of the cause just said ("Error code 26: file is
        // not a database" under "file is not a database").
        if !text.contains(&cause) && !cause.contains(&said) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        said = cause;
    }
    text
}

/// The exit code for an error that reached the top: the first error in its chain whose type
/// rigor knows decides, through that type's [`HasExitCode`] — the one table of error types.
/// Anything else (an I/O error of the command line itself, …) is a usage error.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    err.chain().find_map(known_exit_code).unwrap_or(exit::USAGE)
}

fn known_exit_code(e: &(dyn std::error::Error + 'static)) -> Option<i32> {
    fn code<T: HasExitCode + std::error::Error + 'static>(
        e: &(dyn std::error::Error + 'static),
    ) -> Option<i32> {
        e.downcast_ref::<T>().map(HasExitCode::exit_code)
    }
    [
        code::<rigor_model::ConfigError>,
        code::<rigor_store::StoreError>,
        code::<rigor_vcs::VcsError>,
        code::<rigor_plan::tier::TierError>,
        code::<rigor_plan::shard::ShardError>,
        code::<rigor_pipeline::PipelineError>,
        code::<rigor_pipeline::merge::MergeError>,
        code::<rigor_gate::GateError>,
        code::<rigor_runner::RunnerError>,
        code::<rigor_perf::PerfError>,
        code::<rigor_serve::ServeError>,
        code::<rigor_mutate::MutateError>,
        code::<rigor_supply::SupplyError>,
        code::<rigor_triage::TriageError>,
        code::<rigor_release::ReleaseError>,
        code::<rigor_queue::QueueError>,
    ]
    .iter()
    .find_map(|f| f(e))
}
