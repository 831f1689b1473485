//! Errors of the Rust coverage recording.

use rigor_model::exit::{self, HasExitCode};

pub type Result<T> = std::result::Result<T, RustCovError>;

#[derive(Debug, thiserror::Error)]
pub enum RustCovError {
    #[error("the instrumented build of suite {suite} failed in {dir}: {message}\n  hint: {hint}")]
    Build {
        suite: String,
        dir: String,
        message: String,
        hint: &'static str,
    },
    #[error("cannot read the raw profile {path}: {message}\n  hint: {hint}")]
    Profile {
        path: String,
        message: String,
        hint: &'static str,
    },
    #[error("cannot read the coverage mapping of {binary}: {message}\n  hint: {hint}")]
    Mapping {
        binary: String,
        message: String,
        hint: &'static str,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error(transparent)]
    Select(#[from] rigor_select::SelectError),
}

impl HasExitCode for RustCovError {
    fn exit_code(&self) -> i32 {
        match self {
            RustCovError::Profile { .. } | RustCovError::Mapping { .. } => exit::BAD_INPUT,
            RustCovError::Build { .. } => exit::USAGE,
            RustCovError::Io { .. } | RustCovError::Store(_) => exit::FAILED,
            RustCovError::Select(e) => e.exit_code(),
        }
    }
}
