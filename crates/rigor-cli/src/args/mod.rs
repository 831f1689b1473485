//! The command line's argument types, one module per group of commands; the engines they feed
//! live in the library crates and know nothing of them.

pub mod gate;
pub mod history;
pub mod mutate;
pub mod perf;
pub mod project;
pub mod queue;
pub mod release;
pub mod run;
pub mod serve;
pub mod store;
pub mod supply;
pub mod triage;

pub use history::{FlakyAction, FlakyArgs, HistoryArgs, MergeArgs};
pub use project::{InitArgs, ListArgs};
pub use run::{CiArgs, PlanArgs, PlanFormat, RunArgs};

use clap::ValueEnum;

/// Output of the commands that print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}
