//! Arguments of the commands over the history: `rigor flaky`, `rigor merge`, `rigor history`.

use super::Format;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
