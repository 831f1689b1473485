//! Fuzz targets for every parser of outside input: the artifact readers of the gates, the
//! performance ingest formats and the Otava CSV, the selector language, `rigor.toml`, the
//! merge formats and the pytest plugin's JSON-lines protocol.
//!
//! Each target takes arbitrary bytes and feeds them to one parser. A parser may reject its
//! input — with an error whose message is not empty — but must never panic, hang or abort.
//! The same targets run under two engines:
//!
//! * [`engine::fuzz`], a small mutation fuzzer on the stable toolchain (the test command runs
//!   each target for a few seconds; `RIGOR_FUZZ_SECONDS` sets how long);
//! * libFuzzer through cargo-fuzz on the nightly toolchain (`fuzz/`, `bench/fuzz.sh`), coverage
//!   guided, for long runs.
//!
//! Inputs that crashed once are kept under `tests/regressions/<target>/` and replayed by the
//! tests.

pub mod engine;
mod seeds;
mod targets;

pub use seeds::seeds;
pub use targets::{TARGETS, Target, run};
