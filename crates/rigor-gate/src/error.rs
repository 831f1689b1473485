//! Errors of the gate area, each with what failed, where and a hint.

use rigor_model::exit::{self, HasExitCode};
use std::fmt;

/// A position in an input file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl Pos {
    /// Line and column of a byte offset in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Pos { line, column }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A malformed input artifact: exit 3, nothing recorded.
    #[error("{file}:{pos}: malformed {format}: {message}\n  hint: {hint}")]
    Malformed {
        file: String,
        pos: Pos,
        format: &'static str,
        message: String,
        hint: String,
    },
    #[error(
        "cannot read {path}: {source}\n  hint: check the path given with the flag or in [artifacts]"
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write {path}: {source}\n  hint: check that the directory exists and is writable"
    )]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Usage or configuration error: exit 2.
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error("{0}")]
    Store(#[from] rigor_store::StoreError),
    #[error(
        "gate history query failed: {0}\n  hint: move .rigor/history.db aside if it is damaged"
    )]
    Sql(#[from] rusqlite::Error),
    #[error("git failed: {message}\n  hint: {hint}")]
    Git { message: String, hint: String },
    /// Nothing to evaluate where something was required: exit 4.
    #[error("{message}\n  hint: {hint}")]
    Nothing { message: String, hint: String },
}

impl HasExitCode for GateError {
    fn exit_code(&self) -> i32 {
        match self {
            // a path that does not exist is a usage error; an unreadable file is bad input
            GateError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                exit::USAGE
            }
            GateError::Malformed { .. } | GateError::Read { .. } => exit::BAD_INPUT,
            GateError::Nothing { .. } => exit::NOTHING,
            // usage, configuration, the history store, git
            _ => exit::USAGE,
        }
    }
}

impl GateError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> GateError {
        GateError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn malformed(
        file: &str,
        pos: Pos,
        format: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> GateError {
        GateError::Malformed {
            file: file.to_string(),
            pos,
            format,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, GateError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_by_kind() {
        let code = |e: GateError| HasExitCode::exit_code(&e);
        let io = |kind| std::io::Error::new(kind, "x");
        assert_eq!(
            code(GateError::malformed(
                "f",
                Pos { line: 1, column: 1 },
                "LCOV",
                "m",
                "h"
            )),
            exit::BAD_INPUT
        );
        assert_eq!(
            code(GateError::Read {
                path: "f".into(),
                source: io(std::io::ErrorKind::NotFound)
            }),
            exit::USAGE,
            "a path that does not exist is a usage error"
        );
        assert_eq!(
            code(GateError::Read {
                path: "f".into(),
                source: io(std::io::ErrorKind::PermissionDenied)
            }),
            exit::BAD_INPUT
        );
        assert_eq!(
            code(GateError::Nothing {
                message: "m".into(),
                hint: "h".into()
            }),
            exit::NOTHING
        );
        let store = rigor_store::StoreError::CreateDir {
            path: "d".into(),
            source: io(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(code(store.into()), exit::USAGE, "store errors exit 2");
        assert_eq!(code(GateError::usage("m", "h")), exit::USAGE);
    }
}
