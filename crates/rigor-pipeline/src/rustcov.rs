//! `[select] rust_coverage = true`: after a full run, record the per-test coverage of every
//! Rust suite that ran (rigor-rustcov). A recording that fails says so once and stores
//! nothing: selection then stays per test binary.

use crate::error::Result;
use crate::options::Options;
use rigor_model::{Config, SuiteKind};
use rigor_runner::RunReport;
use rigor_store::{RunStatus, Store};
use std::time::Duration;

/// The instrumented build's target directory: `RIGOR_RUST_COVERAGE_TARGET`, else
/// `.rigor/cache/rust-coverage-target` under the project root.
pub fn target_dir(config: &Config) -> std::path::PathBuf {
    match std::env::var_os("RIGOR_RUST_COVERAGE_TARGET") {
        Some(d) if !d.is_empty() => d.into(),
        _ => config
            .root
            .join(".rigor")
            .join("cache")
            .join("rust-coverage-target"),
    }
}

/// Record after `report` when the setting is on and the run was full.
pub fn after_run(
    config: &Config,
    store: &mut Store,
    report: &RunReport,
    opts: &Options,
) -> Result<()> {
    let (select, _): (rigor_select::SelectConfig, _) = config.section("select")?;
    if !select.rust_coverage
        || !opts.coverage_map_full
        || report.stopped_at_tier.is_some()
        || report.status == RunStatus::Interrupted
    {
        return Ok(());
    }
    let commit = report.commit.clone().unwrap_or_default();
    let target = target_dir(config);
    for s in rigor_runner::run::suites_for(config, &opts.suites)? {
        if !matches!(s.kind, SuiteKind::Nextest | SuiteKind::CargoTest) {
            continue;
        }
        let root = config.root.join(&s.root);
        let o = rigor_rustcov::RecordOptions {
            suite: &s.name,
            root: &root,
            args: &s.args,
            env: &s.env,
            target_dir: &target,
            commit: &commit,
            timeout: Duration::from_secs(600),
        };
        match rigor_rustcov::record_suite(store, &o) {
            Ok(r) => {
                eprintln!(
                    "Rust coverage map of suite {}: recorded {} tests × {} files from {} binaries",
                    s.name, r.tests, r.files, r.binaries
                );
                if let Some(first) = r.unread.first() {
                    eprintln!(
                        "Rust coverage map of suite {}: {} tests without a readable profile (e.g. {first}); selection always runs them",
                        s.name,
                        r.unread.len()
                    );
                }
            }
            Err(e) => eprintln!(
                "Rust coverage map of suite {}: not recorded; selection stays per test binary: {e}",
                s.name
            ),
        }
    }
    Ok(())
}
