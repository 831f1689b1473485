//! Errors of the pipeline: the area's own failures, and those of the crates it drives, each
//! keeping its exit code.

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error("cannot {action} {path}: {source}\n  hint: {hint}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
        hint: &'static str,
    },
    #[error("{what}: {message}\n  hint: {hint}")]
    Usage {
        what: String,
        message: String,
        hint: String,
    },
    #[error(
        "{path}: {message}\n  hint: write the plan with `rigor plan --shards N --format json > plan.json`"
    )]
    PlanFile { path: String, message: String },
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error(transparent)]
    Runner(#[from] rigor_runner::RunnerError),
    #[error(transparent)]
    Select(#[from] rigor_select::SelectError),
    #[error(transparent)]
    Vcs(#[from] rigor_vcs::VcsError),
    #[error(transparent)]
    Tier(#[from] rigor_plan::tier::TierError),
    #[error(transparent)]
    Shard(#[from] rigor_plan::shard::ShardError),
    #[error(transparent)]
    Gate(#[from] rigor_gate::GateError),
    #[error(transparent)]
    Merge(#[from] crate::merge::MergeError),
    #[error(transparent)]
    Mutate(#[from] rigor_mutate::MutateError),
}

impl PipelineError {
    pub fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        PipelineError::Io {
            action,
            path: path.display().to_string(),
            source,
            hint: "check that the directory exists and is writable",
        }
    }
}

impl HasExitCode for PipelineError {
    fn exit_code(&self) -> i32 {
        match self {
            PipelineError::Io { .. }
            | PipelineError::Usage { .. }
            | PipelineError::Config(_)
            | PipelineError::Store(_)
            | PipelineError::Tier(_)
            | PipelineError::Shard(_) => exit::USAGE,
            PipelineError::PlanFile { .. } => exit::BAD_INPUT,
            PipelineError::Runner(e) => e.exit_code(),
            PipelineError::Select(e) => e.exit_code(),
            PipelineError::Vcs(e) => e.exit_code(),
            PipelineError::Gate(e) => e.exit_code(),
            PipelineError::Merge(e) => e.exit_code(),
            PipelineError::Mutate(e) => e.exit_code(),
        }
    }
}

pub type Result<T> = std::result::Result<T, PipelineError>;
