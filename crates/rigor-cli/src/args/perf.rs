//! `rigor perf …` arguments: ingest, compare, detect, baseline, history, report, alerts.

use std::path::PathBuf;

/// Performance analyzer: ingest benchmark results, compare, detect change points, report.
#[derive(Debug, clap::Args)]
pub struct PerfArgs {
    #[command(subcommand)]
    pub command: PerfCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PerfCommand {
    /// Store benchmark or metric results (criterion, pytest-benchmark, hyperfine, gbench, CSV, JSON).
    Ingest(IngestArgs),
    /// Compare the current commit's results with a baseline, per benchmark.
    Compare(CompareArgs),
    /// Find change points in the history (or in an Otava-layout CSV with --input).
    Detect(DetectArgs),
    /// Pin or show per-branch baselines.
    Baseline(BaselineArgs),
    /// Show a benchmark's series.
    History(HistoryArgs),
    /// Write a self-contained HTML report with a chart per series.
    Report(ReportArgs),
    /// List, acknowledge or resolve performance alerts.
    Alerts(AlertsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutFormat {
    #[default]
    Text,
    Json,
    Markdown,
}

/// Input formats of `ingest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum IngestFormat {
    #[default]
    Auto,
    Criterion,
    PytestBenchmark,
    Hyperfine,
    Gbench,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Result files, or a target/criterion directory.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = IngestFormat::Auto)]
    pub format: IngestFormat,
    /// Commit the results belong to (default: CI variables, else `git rev-parse HEAD`).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Branch (default: CI variables, else the checked-out branch).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// Machine or environment the results were measured on (default: [perf].testbed or "default").
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// CSV: name of the time column (default: time, timestamp, date …).
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// CSV: field delimiter (default: guessed from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Parse and validate only; store nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Baseline: a branch (its pinned baseline, else its latest results) or a commit.
    #[arg(long, value_name = "REF", conflicts_with = "baseline_file")]
    pub baseline: Option<String>,
    /// Baseline results from a file instead of the history.
    #[arg(long, value_name = "PATH")]
    pub baseline_file: Option<PathBuf>,
    /// Current results from a file instead of the history.
    #[arg(long, value_name = "PATH")]
    pub current_file: Option<PathBuf>,
    /// Current commit (default: CI variables, else HEAD).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Current branch (default: CI variables, else the checked-out branch).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// Only benchmarks matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not record alerts for regressions.
    #[arg(long)]
    pub no_alerts: bool,
    /// Post new alerts to this webhook (default: [perf].webhook).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DetectArgs {
    /// Read an Otava-layout CSV directly (no history needed).
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,
    /// Only series whose benchmark (or CSV metric) matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Vec<String>,
    /// Branch of the history (default: the current branch when it has results, else all).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Significance per segment after the multiple-testing correction (default 0.001).
    #[arg(long, value_name = "P")]
    pub max_pvalue: Option<f64>,
    /// Smallest relative change reported, e.g. 1% (default [perf.detect].min_magnitude, 1%).
    #[arg(long, value_name = "PCT")]
    pub min_magnitude: Option<String>,
    /// Fewest points on each side of a change point (default 4).
    #[arg(long, value_name = "N")]
    pub min_segment: Option<usize>,
    /// How series are modelled: `auto` looks for a linear trend and a periodic pattern before
    /// searching level shifts, `steps` searches level shifts only (default `[perf.detect].mode`).
    #[arg(long, value_parser = ["auto", "steps"])]
    pub mode: Option<String>,
    /// CSV: name of the time column.
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// Do not record alerts (history mode).
    #[arg(long)]
    pub no_alerts: bool,
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub command: BaselineCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BaselineCommand {
    /// Pin a branch's baseline to a commit (default: the branch's latest results).
    Set {
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
        #[arg(long, value_name = "NAME")]
        testbed: Option<String>,
    },
    /// Show pinned baselines.
    Show {
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
    },
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Benchmark name or glob.
    pub benchmark: String,
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
    /// Show only the last N points.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Where to write the HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// Chart an Otava-layout CSV instead of the history.
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,
    #[arg(long, value_name = "GLOB")]
    pub benchmark: Vec<String>,
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub testbed: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    /// Which alerts to list.
    #[arg(long, value_enum, default_value_t = StateFilter::Open)]
    pub state: StateFilter,
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    pub format: OutFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateFilter {
    Open,
    Acknowledged,
    Resolved,
    All,
}

#[derive(Debug, clap::Subcommand)]
pub enum AlertsCommand {
    /// List alerts (the default).
    List,
    /// Acknowledge an alert: known, being handled; stays listed under `acknowledged`.
    Ack {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Resolve an alert.
    Resolve {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
}
