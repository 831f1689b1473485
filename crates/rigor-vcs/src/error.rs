//! Errors of version-control access: each says what failed, where, and a hint.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum VcsError {
    #[error("cannot run `git {args}` in {dir}: {message}\n  hint: {hint}")]
    Git {
        dir: String,
        args: String,
        message: String,
        hint: &'static str,
    },
    #[error("the base revision `{rev}` is unknown in {dir}: {message}\n  hint: {hint}")]
    UnknownBase {
        dir: String,
        rev: String,
        message: String,
        hint: &'static str,
    },
}

/// Hint for a base missing from the clone.
pub(crate) const FETCH_HINT: &str = "fetch it (`git fetch origin <branch>`) or pass another --base; shallow CI clones need `fetch-depth: 0` (GitHub) or `GIT_DEPTH: 0` (GitLab)";

/// Hint for git itself failing.
pub(crate) const GIT_HINT: &str = "is git installed and the directory inside a git repository?";

pub type Result<T> = std::result::Result<T, VcsError>;

/// git failing or a base missing from the clone is a usage problem (exit code 2).
impl rigor_model::exit::HasExitCode for VcsError {
    fn exit_code(&self) -> i32 {
        rigor_model::exit::USAGE
    }
}
