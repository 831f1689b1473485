//! Queue mode (`rigor run --queue NAME`): dynamic sharding on a shared PostgreSQL history.
//!
//! The first job to arrive enqueues the plan, longest expected test first; every job then
//! leases the next batch (`SELECT … FOR UPDATE SKIP LOCKED`), runs it with the runner, records
//! the results, marks the batch done and leases again. A heartbeat renews each job's lease; a
//! job that dies loses its lease after the timeout and its tests go to the others. A job ends
//! when nothing is pending and no live job holds a test, and exits with the whole queue's
//! result. See docs/store.md.

pub mod batch;
mod heartbeat;
pub mod job;
mod ops;
mod schema;
mod source;
pub mod status;

pub use job::{QueueRequest, run_queue};
pub use ops::Item;
pub use status::{JobStatus, QueueStatus, queue_status};

use rigor_model::exit::{self, HasExitCode};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum QueueError {
    #[error(
        "queue mode needs a shared PostgreSQL store: store.url is {url}\n  hint: point every job at one database with store.url = \"postgres://USER@HOST:PORT/DB\" (or RIGOR_STORE_URL); without one, use static shards (--shard K/N, or --plan FILE)"
    )]
    NeedsPostgres { url: String },
    #[error("--queue {name}: {message}\n  hint: {hint}")]
    Usage {
        name: String,
        message: String,
        hint: String,
    },
    #[error("no queue named `{name}`{commit} in the history\n  hint: {hint}")]
    Unknown {
        name: String,
        commit: String,
        hint: &'static str,
    },
    #[error(
        "queue `{name}`: the history at {location} failed during the run: {source}\n  recorded: {recorded}\n  hint: the tests this job held go back to the other jobs after the lease timeout; check the server (`pg_isready`) and run the job again"
    )]
    Lost {
        name: String,
        location: String,
        recorded: String,
        #[source]
        source: Box<rigor_store::StoreError>,
    },
    #[error(transparent)]
    Store(#[from] rigor_store::StoreError),
    #[error(transparent)]
    Pipeline(#[from] rigor_pipeline::PipelineError),
    #[error(transparent)]
    Runner(#[from] rigor_runner::RunnerError),
}

pub type Result<T> = std::result::Result<T, QueueError>;

/// Usage and configuration errors (SQLite store, bad names, unknown queue) exit 2; a history
/// lost during the run exits 2 as any history error does; the pipeline's and runner's errors
/// keep their own codes.
impl HasExitCode for QueueError {
    fn exit_code(&self) -> i32 {
        match self {
            QueueError::NeedsPostgres { .. }
            | QueueError::Usage { .. }
            | QueueError::Unknown { .. }
            | QueueError::Lost { .. } => exit::USAGE,
            QueueError::Store(e) => e.exit_code(),
            QueueError::Pipeline(e) => e.exit_code(),
            QueueError::Runner(e) => e.exit_code(),
        }
    }
}

/// The `queue` area, for `rigor store copy`.
pub fn area() -> rigor_store::copy::KnownArea {
    rigor_store::copy::KnownArea {
        name: "queue",
        migrations: schema::MIGRATIONS,
    }
}
