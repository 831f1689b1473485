//! What the history learns after a run, beyond the results the runner recorded: automatic
//! quarantines, co-failure statistics of the change (risk of the next change), and per-test
//! coverage maps (precise selection).

use crate::error::Result;
use rigor_model::{Config, SuiteKind};
use rigor_runner::RunReport;
use rigor_select::ChangeSet;
use rigor_store::Store;
use std::path::Path;

/// Record what follows from a finished run.
pub fn after_run(
    config: &Config,
    store: &mut Store,
    report: &RunReport,
    change: Option<&ChangeSet>,
    coverage_map: Option<&Path>,
) -> Result<()> {
    for (key, reason) in crate::flaky::auto_quarantine(config, store, report)? {
        eprintln!("quarantined {key} ({reason})");
    }
    if let Some(dir) = coverage_map {
        import_coverage_map(config, store, dir, report)?;
    }
    if let Some(change) = change {
        let results = store.run_results(report.run_id)?;
        rigor_select::record_change_outcome(store, change, &results)?;
    }
    Ok(())
}

/// After `--coverage-map`: import each pytest suite's per-test coverage into the history, where
/// change-aware selection finds it.
fn import_coverage_map(
    config: &Config,
    store: &mut Store,
    dir: &Path,
    report: &RunReport,
) -> Result<()> {
    let commit = report.commit.clone().unwrap_or_default();
    for s in rigor_runner::run::suites_for(config, &[])? {
        let suite_dir = dir.join(&s.name);
        if s.kind != SuiteKind::Pytest || !suite_dir.is_dir() {
            continue;
        }
        let imported = rigor_select::import_coverage_map(
            store,
            &suite_dir,
            &s.name,
            &commit,
            &config.root.join(&s.root),
        )?;
        eprintln!(
            "coverage map of suite {}: {} tests × {} files from {} data files",
            s.name, imported.tests, imported.files, imported.data_files
        );
    }
    Ok(())
}
