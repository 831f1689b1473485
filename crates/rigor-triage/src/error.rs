//! Errors of `rigor triage` and `rigor bisect`.

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TriageError {
    #[error("no run #{0} in the history\n  hint: `rigor history` lists the runs")]
    NoSuchRun(i64),
    #[error("the history has no finished run to triage\n  hint: run the tests first (`rigor run`)")]
    NoRuns,
    #[error(
        "unknown cause `{0}`\n  hint: one of regression, flaky, infrastructure, environment, test-bug"
    )]
    UnknownCause(String),
    #[error(
        "no failure with signature `{0}` in the history\n  hint: `rigor triage` shows each failure's signature id (12 hex digits)"
    )]
    UnknownSignature(String),
    #[error(
        "no test `{0}` in the history\n  hint: ids are as `rigor list` shows them, e.g. tests/test_a.py::test_x"
    )]
    UnknownTest(String),
    #[error("cannot bisect: {0}")]
    Bisect(String),
    #[error("the fix `{command}` failed: {message}")]
    Apply { command: String, message: String },
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error(transparent)]
    Vcs(#[from] rigor_vcs::VcsError),
    #[error("history query failed: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, TriageError>;

impl HasExitCode for TriageError {
    fn exit_code(&self) -> i32 {
        match self {
            TriageError::Store(e) => e.exit_code(),
            TriageError::Vcs(e) => e.exit_code(),
            TriageError::Apply { .. } => exit::FAILED,
            _ => exit::USAGE,
        }
    }
}
