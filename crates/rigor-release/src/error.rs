//! Errors of the release guard (chaos and rollout).

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReleaseError {
    #[error("{what}: {message}\n  hint: {hint}")]
    Config {
        what: String,
        message: String,
        hint: String,
    },
    #[error(
        "cannot listen on {addr}: {source}\n  hint: pick a free port with --addr HOST:PORT (port 0: any free port)"
    )]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] rigor_store::StoreError),
    #[error("history: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    ConfigFile(#[from] rigor_model::ConfigError),
    #[error("{what}\n  hint: {hint}")]
    Refused { what: String, hint: String },
    #[error("{what}\n  hint: {hint}")]
    NotReady { what: String, hint: String },
    #[error("{what}: {message}")]
    Input { what: String, message: String },
    #[error("rollout failed: {0}")]
    RolledBack(String),
    #[error("interrupted")]
    Interrupted,
}

impl ReleaseError {
    pub fn config(
        what: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        ReleaseError::Config {
            what: what.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        ReleaseError::Io {
            what: what.into(),
            source,
        }
    }
}

impl HasExitCode for ReleaseError {
    fn exit_code(&self) -> i32 {
        match self {
            ReleaseError::Config { .. }
            | ReleaseError::Listen { .. }
            | ReleaseError::Io { .. }
            | ReleaseError::Refused { .. } => exit::USAGE,
            ReleaseError::ConfigFile(e) => e.exit_code(),
            ReleaseError::Store(e) => e.exit_code(),
            ReleaseError::Sql(_) => exit::USAGE,
            ReleaseError::Input { .. } => exit::BAD_INPUT,
            ReleaseError::RolledBack(_) | ReleaseError::NotReady { .. } => exit::FAILED,
            ReleaseError::Interrupted => exit::INTERRUPTED,
        }
    }
}

pub type Result<T> = std::result::Result<T, ReleaseError>;
