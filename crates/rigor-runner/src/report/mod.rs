//! What a run shows and writes: live progress, the final summary, JUnit XML and JSON.

pub mod github;
pub mod json;
pub mod junit;
pub mod progress;
pub mod summary;

pub use progress::{LineReporter, Reporter, SilentReporter, TerminalReporter};
