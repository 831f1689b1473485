//! Per-test coverage of Rust test binaries (`[select] rust_coverage = true`).
//!
//! After a full run of a cargo/nextest suite, [`record::record_suite`] builds the suite's test
//! binaries with `-C instrument-coverage` into a separate target directory, runs every test alone
//! in its own process with its own `LLVM_PROFILE_FILE`, reads each raw profile against its
//! binary's coverage mapping ([`profile`], with the `llvm_profparser` crate) and stores the lines
//! each test ran in rigor-select's per-test map ([`rigor_select::covstore`]): one row per
//! (file, test), keyed by the git blob id of the file's content, plus one row per (file, binary)
//! with every line the binary's mapping has code for (context `mapped:BINARY`). Selection
//! (rigor-select's `select::rustcov`) reads them back.
//!
//! See docs/selection.md, "Rust per-test coverage".

pub mod build;
pub mod error;
pub mod profile;
pub mod record;

pub use error::{Result, RustCovError};
pub use record::{RecordOptions, RecordSummary, record_suite};
