//! Errors of the mutation engine: what failed, where, and a hint.

use rigor_model::exit::{self, HasExitCode};

pub type Result<T, E = MutateError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum MutateError {
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
    #[error("cannot read {path}: {source}\n  hint: check that the file exists and is readable")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}\n  hint: check the directory exists and is writable")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}: cannot mutate: {message}\n  hint: fix the syntax error first (mutants of a file that does not parse would all be unviable)"
    )]
    Syntax {
        path: String,
        line: u32,
        message: String,
    },
    #[error("nothing to mutate: {reason}\n  hint: {hint}")]
    Nothing { reason: String, hint: String },
    #[error("the mutation workers failed: {message}\n  hint: {hint}")]
    Worker { message: String, hint: String },
    #[error(
        "the unmutated tests fail: {message}\n  hint: mutation testing needs a green baseline; fix or deselect the failing tests first"
    )]
    Baseline { message: String },
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error(transparent)]
    Vcs(#[from] rigor_vcs::VcsError),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error("mutation history query failed: {0}\n  hint: `rigor store check` inspects the history")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Select(#[from] rigor_select::SelectError),
    #[error("{message}\n  hint: {hint}")]
    Build { message: String, hint: String },
    #[error("interrupted")]
    Interrupted,
}

impl MutateError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> MutateError {
        MutateError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl HasExitCode for MutateError {
    /// Nothing in scope 4, interrupted 130, everything else (usage, files, configuration, the
    /// history, a red baseline, workers that cannot start) 2.
    fn exit_code(&self) -> i32 {
        match self {
            MutateError::Nothing { .. } => exit::NOTHING,
            MutateError::Interrupted => exit::INTERRUPTED,
            MutateError::Config(e) => e.exit_code(),
            MutateError::Vcs(e) => e.exit_code(),
            MutateError::Store(e) => e.exit_code(),
            MutateError::Select(e) => e.exit_code(),
            MutateError::Usage { .. }
            | MutateError::Read { .. }
            | MutateError::Write { .. }
            | MutateError::Syntax { .. }
            | MutateError::Worker { .. }
            | MutateError::Baseline { .. }
            | MutateError::Build { .. }
            | MutateError::Sql(_) => exit::USAGE,
        }
    }
}
