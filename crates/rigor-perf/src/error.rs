//! Errors of the performance analyzer; each says what failed, where, and a hint.

use rigor_model::exit::{self, HasExitCode};

#[derive(Debug, thiserror::Error)]
pub enum PerfError {
    /// A malformed input artifact: `position` is `line N, column M` or a JSON path.
    #[error("{file}: {position}: {message}\n  hint: {hint}")]
    Input {
        file: String,
        position: String,
        message: String,
        hint: String,
    },
    #[error("cannot read {path}: {source}\n  hint: {hint}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
        hint: String,
    },
    #[error(
        "cannot write {path}: {source}\n  hint: check that the directory exists and is writable"
    )]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error(
        "performance history query failed: {0}\n  hint: the history may be damaged; move .rigor/history.db aside to start over"
    )]
    Sql(#[from] rusqlite::Error),
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
    #[error("{message}\n  hint: {hint}")]
    Nothing { message: String, hint: String },
}

impl HasExitCode for PerfError {
    /// Malformed input 3, nothing to work on 4, everything else (usage, files, configuration,
    /// the history) 2.
    fn exit_code(&self) -> i32 {
        match self {
            PerfError::Input { .. } => exit::BAD_INPUT,
            PerfError::Nothing { .. } => exit::NOTHING,
            PerfError::Write { .. }
            | PerfError::Read { .. }
            | PerfError::Config(_)
            | PerfError::Usage { .. } => exit::USAGE,
            PerfError::Store(_) | PerfError::Sql(_) => exit::USAGE,
        }
    }
}

impl PerfError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        PerfError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn nothing(message: impl Into<String>, hint: impl Into<String>) -> Self {
        PerfError::Nothing {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn input(
        file: &str,
        position: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        PerfError::Input {
            file: file.to_string(),
            position: position.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}
