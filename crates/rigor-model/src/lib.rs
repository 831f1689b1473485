//! Domain types shared by every rigor crate, and the layered configuration.

pub mod config;
pub mod coverage_map;
pub mod duration;
pub mod escape;
pub mod hash;
pub mod number;
pub mod test;
pub mod time;

pub use config::{Config, ConfigError, MutateConfig, SuiteConfig, SuiteKind};
pub use coverage_map::{MapRecorder, MapRecording};
pub use test::{Outcome, TestCase, TestKey, TestResult};

/// Exit codes shared by every command (documented in docs/exit-codes.md).
pub mod exit {
    /// Everything passed.
    pub const OK: i32 = 0;
    /// Tests failed, or a blocking gate failed.
    pub const FAILED: i32 = 1;
    /// Usage or configuration error.
    pub const USAGE: i32 = 2;
    /// A malformed input artifact.
    pub const BAD_INPUT: i32 = 3;
    /// Nothing to run where something was required.
    pub const NOTHING: i32 = 4;
    /// Interrupted by Ctrl-C / SIGTERM (128 + SIGINT, as shells do).
    pub const INTERRUPTED: i32 = 130;

    /// An error that knows which exit code it ends the process with. Every crate's error type
    /// implements it; the command line maps an error to its code through this trait only.
    pub trait HasExitCode {
        fn exit_code(&self) -> i32;
    }
}
