//! Errors of the selection area: each says what failed, where, and a hint.

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SelectError {
    #[error(
        "cannot run `git {args}` in {dir}: {message}\n  hint: is git installed and {dir} inside a git repository?"
    )]
    Git {
        dir: String,
        args: String,
        message: String,
    },
    #[error(
        "the base revision `{rev}` is unknown in {dir}: {message}\n  hint: fetch it (`git fetch origin {rev}`) or pass another --base; shallow CI clones need `fetch-depth: 0`"
    )]
    UnknownBase {
        dir: String,
        rev: String,
        message: String,
    },
    #[error("cannot read {path}: {source}\n  hint: check that the file exists and is readable")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {what} at {path}: {message}\n  hint: {hint}")]
    Parse {
        what: &'static str,
        path: String,
        message: String,
        hint: &'static str,
    },
    #[error(
        "invalid glob `{glob}` in [select].{key}: {message}\n  hint: globs use `*`, `**`, `?`, `[ab]`, e.g. \"docs/**\""
    )]
    Glob {
        key: &'static str,
        glob: String,
        message: String,
    },
    #[error(
        "`cargo metadata` failed in {dir}: {message}\n  hint: run `cargo metadata --no-deps` there to see the problem"
    )]
    CargoMetadata { dir: String, message: String },
    #[error(
        "selection history query failed: {0}\n  hint: the history may be from a newer rigor; move .rigor/history.db aside to start over"
    )]
    Store(#[from] rigor_store::StoreError),
    #[error("selection history query failed: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, SelectError>;

impl HasExitCode for SelectError {
    /// Every selection error is a usage or setup problem (exit 2): a base git does not know,
    /// git or cargo failing, an invalid `[select]` glob, an unreadable history or coverage
    /// data file.
    fn exit_code(&self) -> i32 {
        match self {
            SelectError::Git { .. }
            | SelectError::UnknownBase { .. }
            | SelectError::Io { .. }
            | SelectError::Parse { .. }
            | SelectError::Glob { .. }
            | SelectError::CargoMetadata { .. }
            | SelectError::Store(_)
            | SelectError::Sql(_) => exit::USAGE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_store_errors_are_usage_errors() {
        let base = SelectError::UnknownBase {
            dir: ".".into(),
            rev: "nope".into(),
            message: "unknown revision".into(),
        };
        assert_eq!(base.exit_code(), exit::USAGE);
        let git = SelectError::Git {
            dir: ".".into(),
            args: "diff".into(),
            message: "not a git repository".into(),
        };
        assert_eq!(git.exit_code(), exit::USAGE);
        let sql = SelectError::Sql(rusqlite::Error::InvalidQuery);
        assert_eq!(sql.exit_code(), exit::USAGE);
    }
}
