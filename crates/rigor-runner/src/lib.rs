//! rigor's test orchestration: suite adapters, the scheduler, history recording and reports.

pub mod git;
pub mod prepare;
pub mod process;
pub mod project;
mod record;
pub mod report;
pub mod run;
pub mod scheduler;
pub mod suite;
pub mod worker;

pub use run::{
    Batch, Discovered, RunOptions, RunPlan, RunReport, SuiteRun, TierRun, discover, run_tests,
};

use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RunnerError {
    #[error("cannot start {what}: {source}\n  hint: {hint}")]
    Spawn {
        what: String,
        #[source]
        source: std::io::Error,
        hint: String,
    },
    #[error(
        "suite `{suite}`: pytest collected nothing it could report (exit code {code:?})\n{stderr}\n  hint: {hint}"
    )]
    Collection {
        suite: String,
        code: Option<i32>,
        stderr: String,
        hint: String,
    },
    #[error("suite `{suite}`: {what} failed: {detail}\n  hint: {hint}")]
    Discovery {
        suite: String,
        what: String,
        detail: String,
        hint: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no suite named `{0}`\n  hint: suites are {1}")]
    UnknownSuite(String, String),
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
}

impl RunnerError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        RunnerError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// Exit code for this error (see docs/exit-codes.md).
    pub fn exit_code(&self) -> i32 {
        match self {
            RunnerError::Config(_) | RunnerError::UnknownSuite(..) => rigor_model::exit::USAGE,
            _ => rigor_model::exit::FAILED,
        }
    }
}
