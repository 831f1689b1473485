//! rigor's test orchestration: suite adapters, the scheduler, history recording and reports.

pub mod estimate;
pub mod outcome;
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
    Batch, BatchSource, Discovered, RunOptions, RunPlan, RunReport, SuiteRun, TierRun, discover,
    run_leased, run_tests,
};

use rigor_model::exit::{self, HasExitCode};
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
    #[error(
        "the history at {location} failed during the run: {source}\n  recorded: run {run_id} and {recorded} results; {lost} results after the failure are not in the history, and the run stays `running` there (`rigor store check` counts it as unfinished)\n  hint: check the server (`pg_isready -h HOST -p PORT`), then run again"
    )]
    HistoryLost {
        location: String,
        run_id: i64,
        recorded: usize,
        lost: usize,
        #[source]
        source: Box<rigor_store::StoreError>,
    },
}

impl RunnerError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        RunnerError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

impl HasExitCode for RunnerError {
    /// Configuration, usage and history errors exit 2; a suite that cannot be prepared, started
    /// or collected exits 1 (see docs/exit-codes.md).
    fn exit_code(&self) -> i32 {
        match self {
            RunnerError::Config(_)
            | RunnerError::UnknownSuite(..)
            | RunnerError::Store(_)
            | RunnerError::HistoryLost { .. } => exit::USAGE,
            RunnerError::Spawn { .. }
            | RunnerError::Collection { .. }
            | RunnerError::Discovery { .. }
            | RunnerError::Io { .. } => exit::FAILED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_configuration_and_history_errors_exit_2_the_others_1() {
        let store = RunnerError::Store(rigor_store::StoreError::TooNew {
            path: "h.db".into(),
            area: "core".into(),
            found: 9,
            known: 1,
        });
        assert_eq!(store.exit_code(), exit::USAGE);
        let unknown = RunnerError::UnknownSuite("x".into(), "[a]".into());
        assert_eq!(unknown.exit_code(), exit::USAGE);
        let discovery = RunnerError::Discovery {
            suite: "s".into(),
            what: "cargo nextest list".into(),
            detail: "exited with 101".into(),
            hint: "see above".into(),
        };
        assert_eq!(discovery.exit_code(), exit::FAILED);
        let io = RunnerError::io(Path::new("/x"), std::io::ErrorKind::NotFound.into());
        assert_eq!(io.exit_code(), exit::FAILED);
        assert_eq!(io.to_string(), "/x: entity not found");
    }
}
