//! rigor's performance analyzer: ingest benchmark and custom-metric results, compare pairwise
//! (Mann-Whitney U + Hodges–Lehmann), detect change points over history (E-Divisive means with
//! Welch t-tests, Bonferroni-corrected, with a magnitude floor), keep per-branch baselines,
//! raise deduplicated alerts with context, and draw a self-contained HTML report.
//!
//! See docs/perf.md for the commands, the configuration and the JSON schemas.

pub mod changepoint;
pub mod cli;
pub mod compare;
mod error;
pub mod git;
pub mod ingest;
pub mod model;
pub mod report;
pub mod settings;
pub mod stats;
pub mod store;
pub mod webhook;

pub use compare::{BenchComparison, Verdict};
pub use error::PerfError;

/// The comparison the quality gates use: the current commit (from CI variables or git) against
/// its default baseline, with the configured thresholds. Same data as `compare --format json`.
pub fn compare_for_gate(config: &rigor_model::Config) -> Result<cli::CompareReport, PerfError> {
    let (settings, _warnings) = settings::Settings::load(config)?;
    cli::compare_report(config, &settings, &cli::CompareArgs::default(), false)
}
