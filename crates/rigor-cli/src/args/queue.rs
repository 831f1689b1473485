//! Arguments of `rigor queue`: the queues of queue mode (`rigor run --queue NAME`).

use super::Format;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct QueueArgs {
    #[command(subcommand)]
    pub action: QueueAction,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Progress of a queue: tests pending, leased and done, failures, and its jobs.
    Status {
        /// The queue's name (as given to `rigor run --queue`).
        name: String,
        /// The queue of this commit (a prefix is enough; default: the newest of that name).
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}
