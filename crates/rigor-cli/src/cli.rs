//! Commands and their dispatch.

use crate::commands;
use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
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
    /// Show the membership of this tier and its estimated time.
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

/// Options shared by the commands that run tests (`run`, `ci`).
#[derive(Debug, Args)]
pub struct RunCommon {
    /// Parallel workers (default: [run].jobs, 0 = one per CPU).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Re-run failed tests up to N times; a pass on retry is reported as flaky.
    #[arg(long)]
    pub retries: Option<u32>,
    /// Run shard K of N (also from RIGOR_SHARD, or GitLab's CI_NODE_INDEX/CI_NODE_TOTAL).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Write one JUnit XML file for the run (on GitLab, `rigor ci` writes rigor-junit.xml).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Output: human text, or the JSON summary on stdout (schema in docs/json.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Base revision of the change (default: CI variables, merge-base with the default branch,
    /// else HEAD~1).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// Stop at the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Per-test timeout, e.g. 30s or 5m (default: [run].timeout).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Keep captured output of passing tests too.
    #[arg(long)]
    pub keep_output: bool,
    /// Run the tiers up to and including this one (see [tiers] in rigor.toml).
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// Precision mode: record per-test line coverage (coverage.py, in the project's environment)
    /// so that change-aware selection can intersect changed lines with it.
    #[arg(long)]
    pub coverage_map: bool,
    /// Only tests matching this selector, e.g. -E 'not marker(slow) & path(tests/unit/**)'.
    #[arg(short = 'E', long = "filter", value_name = "EXPR")]
    pub expr: Option<String>,
    /// Only the tests the change can break (against --base; work-tree changes included).
    /// Giving --base implies it.
    #[arg(long)]
    pub changed: bool,
    /// Extra arguments for the runner (after `--`), e.g. pytest paths or `-k expr`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    /// A GitHub Actions matrix: {"include": [{"shard": "1/4", …}]}
    GithubMatrix,
    /// A GitLab child pipeline with one job per shard.
    Gitlab,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Split the plan into N shards (LPT on estimated durations).
    #[arg(long, value_name = "N")]
    pub shards: Option<usize>,
    /// Plan the tiers up to and including this one (default: all tiers).
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// Only tests matching this selector.
    #[arg(short = 'E', long = "filter", value_name = "EXPR")]
    pub expr: Option<String>,
    /// Base revision of the change (default: CI variables, merge-base with the default branch,
    /// else HEAD~1).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Plan every test, not only those the change can break.
    #[arg(long)]
    pub all: bool,
    /// Show why each test is selected (and list the skipped ones with why).
    #[arg(long)]
    pub explain: bool,
    /// Explain the decision for one test id (selected or skipped).
    #[arg(long, value_name = "ID")]
    pub why: Option<String>,
    /// Only these suites (repeatable).
    #[arg(long = "suite", value_name = "NAME")]
    pub suites: Vec<String>,
    /// Workers assumed for tier budgets (default: [run].jobs).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Extra arguments for the runner (after `--`).
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CiArgs {
    #[command(flatten)]
    pub common: RunCommon,
    /// Skip the quality gates.
    #[arg(long)]
    pub no_gates: bool,
    /// Run every test, not only those the change can break.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct FlakyArgs {
    #[command(subcommand)]
    pub action: Option<FlakyAction>,
    /// Results per test considered (default: [flaky].window).
    #[arg(long)]
    pub window: Option<usize>,
    /// Show tests scoring at least this (default 0: every test with evidence).
    #[arg(long, default_value_t = 0.0)]
    pub min_score: f64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum FlakyAction {
    /// Quarantine a test: it still runs, its failures no longer fail the build.
    Quarantine {
        /// The test id (as in `rigor list`), optionally `suite::id`.
        id: String,
        #[arg(long)]
        reason: String,
        /// Days until the quarantine expires (default: [flaky].quarantine_days).
        #[arg(long)]
        days: Option<f64>,
        #[arg(long)]
        suite: Option<String>,
    },
    /// End a test's quarantine.
    Release {
        id: String,
        #[arg(long)]
        suite: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Result files of shards: rigor JSON (`rigor run --format json`) or JUnit XML.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
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
    }
}

fn load_config(start: &std::path::Path) -> Result<Config> {
    let config = Config::discover(start, rigor_model::config::CORE_DEFAULTS)?;
    for w in &config.warnings {
        eprintln!("warning: {w}");
    }
    Ok(config)
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
    ]
    .iter()
    .find_map(|f| f(e))
}
