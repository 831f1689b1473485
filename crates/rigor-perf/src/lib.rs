//! rigor's performance analyzer: ingest benchmark and custom-metric results, compare pairwise
//! (Mann-Whitney U + Hodges–Lehmann), detect change points over history (E-Divisive means with
//! Welch t-tests, Bonferroni-corrected, with a magnitude floor), keep per-branch baselines,
//! raise deduplicated alerts with context, and draw a self-contained HTML report.
//!
//! The operations live in [`engine`] (one module each, taking a request struct and returning a
//! typed result) and their outputs in [`render`]; the command line builds the requests and
//! prints the renderings. See docs/perf.md for the commands, the configuration and the JSON
//! schemas.

pub mod changepoint;
pub mod compare;
pub mod display;
pub mod engine;
mod error;
pub mod ingest;
pub mod model;
pub mod output;
pub mod render;
pub mod settings;
pub mod stats;
pub mod store;
pub mod structure;
pub mod webhook;

pub use compare::{BenchComparison, Verdict};
pub use engine::compare::{CompareReport, CompareRequest};
pub use error::PerfError;
pub use settings::Settings;

/// The comparison the quality gates use: the current commit (from CI variables or git) against
/// its default baseline, with the configured thresholds, recording no alert. Same data as
/// `compare --format json`.
pub fn compare_for_gate(config: &rigor_model::Config) -> Result<CompareReport, PerfError> {
    let (settings, _warnings) = Settings::load(config)?;
    Ok(engine::compare::compare(config, &settings, &CompareRequest::for_gate())?.report)
}
