//! Errors of the supply-chain area: what failed, where (file:line for input files) and a hint.

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SupplyError {
    /// An input file (lockfile, requirements, advisory) that cannot be understood.
    #[error("{file}:{line}: {message}\n  hint: {hint}")]
    Malformed {
        file: String,
        line: usize,
        message: String,
        hint: String,
    },
    /// An input that cannot be read at all.
    #[error("cannot read {path}: {source}\n  hint: {hint}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
        hint: String,
    },
    /// A usage or configuration problem (no lockfile found, unknown database kind, expired ignore …).
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
    /// No input to audit (no lockfile or requirements file found).
    #[error("{message}\n  hint: {hint}")]
    Nothing { message: String, hint: String },
    /// A located configuration problem (`[audit]` in rigor.toml).
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    /// An output that cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Refreshing a database failed.
    #[error("cannot update the database {path}: {message}\n  hint: {hint}")]
    Update {
        path: String,
        message: String,
        hint: String,
    },
}

impl SupplyError {
    pub fn malformed(
        file: impl Into<String>,
        line: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> SupplyError {
        SupplyError::Malformed {
            file: file.into(),
            line,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> SupplyError {
        SupplyError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn read(path: &std::path::Path, source: std::io::Error, hint: &str) -> SupplyError {
        SupplyError::Read {
            path: path.display().to_string(),
            source,
            hint: hint.into(),
        }
    }
}

impl HasExitCode for SupplyError {
    fn exit_code(&self) -> i32 {
        match self {
            SupplyError::Malformed { .. } | SupplyError::Read { .. } => exit::BAD_INPUT,
            SupplyError::Usage { .. } | SupplyError::Write { .. } | SupplyError::Update { .. } => {
                exit::USAGE
            }
            SupplyError::Nothing { .. } => exit::NOTHING,
            SupplyError::Config(e) => e.exit_code(),
        }
    }
}

pub type Result<T> = std::result::Result<T, SupplyError>;

/// 1-based line of a byte offset in a text.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// The line of a TOML error's span, for located messages.
pub fn toml_line(text: &str, e: &toml::de::Error) -> usize {
    e.span().map(|s| line_of(text, s.start)).unwrap_or(1)
}
