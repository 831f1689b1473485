//! Arguments of `rigor store`: backup, restore, check and prune the history.

use super::Format;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub action: StoreAction,
}

#[derive(Debug, Subcommand)]
pub enum StoreAction {
    /// Copy the SQLite history to a new file, consistent even while rigor runs.
    Backup {
        /// The backup file to write (must not exist).
        file: PathBuf,
    },
    /// Replace the history's content with a backup (`rigor store backup`).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Copy the history into another store (SQLite → PostgreSQL and back): every area rigor
    /// knows, ids kept; the target must be empty unless --force.
    Copy {
        /// The target: sqlite://PATH or postgres://USER@HOST:PORT/DB.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Replace what the target holds.
        #[arg(long)]
        force: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Integrity, schema version per area, run and result counts.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Remove old runs and their results (quarantines and perf series are kept).
    Prune {
        /// Keep runs started within this many days (default: [store] keep_days).
        #[arg(long, value_name = "DAYS")]
        keep_days: Option<f64>,
        /// Keep the newest N runs (default: [store] keep_runs).
        #[arg(long, value_name = "N")]
        keep_runs: Option<u64>,
        /// Count what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}
