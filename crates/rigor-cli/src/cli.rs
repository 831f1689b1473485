//! Commands and their dispatch.

use crate::commands;
use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rigor_model::{Config, exit};
use std::path::PathBuf;

/// rigor — fast, trustworthy CI: run a project's tests in parallel with history, track
/// performance, gate merges.
#[derive(Debug, Parser)]
#[command(name = "rigor", version, about, long_about = None)]
pub struct Cli {
    /// Project directory (default: the current directory; rigor.toml is searched upwards).
    #[arg(long, short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect the project's suites (pytest, cargo) and write a commented rigor.toml.
    Init(InitArgs),
    /// List the discovered tests with their estimated durations.
    List(ListArgs),
    /// Run the tests on parallel workers, record the results in the history.
    Run(RunArgs),
    /// Show recent runs, the slowest tests or failure rates from the history.
    History(HistoryArgs),
    /// Performance analyzer: ingest benchmark results, compare, detect change points, report.
    Perf(rigor_perf::cli::PerfArgs),
    /// Evaluate quality gates over test, coverage, security and mutation artifacts.
    Gate(rigor_gate::cli::GateArgs),
    /// Write a self-contained HTML report of the last run, gates and trends.
    Report(rigor_gate::cli::ReportArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Print the configuration instead of writing rigor.toml.
    #[arg(long)]
    pub print: bool,
    /// Overwrite an existing rigor.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Parallel workers (default: [run].jobs, 0 = one per CPU).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Re-run failed tests up to N times; a pass on retry is reported as flaky.
    #[arg(long)]
    pub retries: Option<u32>,
    /// Stop at the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Per-test timeout, e.g. 30s or 5m (default: [run].timeout).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Write one JUnit XML file for the run.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Output: human text, or the JSON summary on stdout (schema in docs/json.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Keep captured output of passing tests too.
    #[arg(long)]
    pub keep_output: bool,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many runs (or tests) to show.
    #[arg(long, short = 'n', default_value_t = 15)]
    pub limit: usize,
    /// The slowest tests (median of recent passing runs).
    #[arg(long, conflicts_with_all = ["failing", "run"])]
    pub slowest: bool,
    /// Failure rates over the recent runs (window: --window).
    #[arg(long, conflicts_with = "run")]
    pub failing: bool,
    /// Runs considered by --failing.
    #[arg(long, default_value_t = 50)]
    pub window: usize,
    /// One run's results.
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn dispatch(cli: Cli) -> Result<i32> {
    let start = match &cli.dir {
        Some(d) => std::fs::canonicalize(d).map_err(|e| anyhow::anyhow!("cannot use directory {}: {e}", d.display()))?,
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
        Command::Perf(args) => Ok(rigor_perf::cli::run(&args, &config)?),
        Command::Gate(args) => Ok(rigor_gate::cli::run(&args, &config)?),
        Command::Report(args) => Ok(rigor_gate::cli::report(&args, &config)?),
    }
}

fn load_config(start: &std::path::Path) -> Result<Config> {
    let config = Config::discover(start, rigor_model::config::CORE_DEFAULTS)?;
    for w in &config.warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
}

/// The exit code for an error that reached the top.
pub fn exit_code_of(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<rigor_model::ConfigError>().is_some() {
        return exit::USAGE;
    }
    if let Some(e) = err.downcast_ref::<rigor_runner::RunnerError>() {
        return e.exit_code();
    }
    if let Some(e) = err.downcast_ref::<rigor_perf::cli::PerfError>() {
        return e.exit_code();
    }
    if let Some(e) = err.downcast_ref::<rigor_gate::cli::GateError>() {
        return e.exit_code();
    }
    if err.downcast_ref::<rigor_store::StoreError>().is_some() {
        return exit::FAILED;
    }
    exit::USAGE
}
