//! What the history learns after a run, beyond the results the runner recorded: automatic
//! quarantines, co-failure statistics of the change (risk of the next change), and per-test
//! coverage maps (precise selection).

use crate::error::{PipelineError, Result};
use crate::options::Options;
use rigor_model::{Config, SuiteKind};
use rigor_runner::RunReport;
use rigor_select::ChangeSet;
use rigor_store::{RunStatus, Store};
use std::path::Path;

/// Record what follows from a finished run.
pub fn after_run(
    config: &Config,
    store: &mut Store,
    report: &RunReport,
    change: Option<&ChangeSet>,
    opts: &Options,
) -> Result<()> {
    for (key, reason) in crate::flaky::auto_quarantine(config, store, report)? {
        eprintln!("quarantined {key} ({reason})");
    }
    if let Some(dir) = opts.coverage_map.as_ref().map(|m| &m.dir) {
        let full = opts.coverage_map_full
            && report.stopped_at_tier.is_none()
            && report.status != RunStatus::Interrupted;
        import_coverage_map(config, store, dir, report, full, opts.coverage_map_required)?;
    }
    crate::rustcov::after_run(config, store, report, opts)?;
    if let Some(change) = change {
        let results = store.run_results(report.run_id)?;
        rigor_select::record_change_outcome(store, change, &results)?;
    }
    Ok(())
}

/// After a run that recorded coverage: import each pytest suite's per-test coverage into the
/// history, where change-aware selection finds it — replacing the suite's map after a full
/// run, refreshing the rows of the tests that ran otherwise. A suite whose interpreter has no
/// coverage.py recorded nothing: an error when the map is required, a note otherwise.
fn import_coverage_map(
    config: &Config,
    store: &mut Store,
    dir: &Path,
    report: &RunReport,
    full: bool,
    required: bool,
) -> Result<()> {
    let commit = report.commit.clone().unwrap_or_default();
    for s in rigor_runner::run::suites_for(config, &[])? {
        let suite_dir = dir.join(&s.name);
        if s.kind != SuiteKind::Pytest || !suite_dir.is_dir() {
            continue;
        }
        let unavailable = suite_dir.join(".unavailable");
        if unavailable.exists() {
            let python = std::fs::read_to_string(&unavailable).unwrap_or_default();
            if required {
                return Err(PipelineError::Usage {
                    what: format!("the coverage map of suite {}", s.name),
                    message: format!("coverage.py is not importable by {python}"),
                    hint: format!(
                        "install it ({python} -m pip install coverage) or set [select] coverage_map = \"auto\""
                    ),
                });
            }
            eprintln!(
                "coverage map of suite {}: not recorded (no coverage.py in {python}; [select] coverage_map = \"off\" stops trying)",
                s.name
            );
            continue;
        }
        let root = config.root.join(&s.root);
        let imported = if full {
            rigor_select::import_coverage_map(store, &suite_dir, &s.name, &commit, &root)?
        } else {
            rigor_select::refresh_coverage_map(store, &suite_dir, &s.name, &commit, &root)?
        };
        if imported.data_files > 0 {
            let idle = if imported.idle > 0 {
                format!(" ({} of the tests ran no project code)", imported.idle)
            } else {
                String::new()
            };
            eprintln!(
                "coverage map of suite {}: {} {} tests × {} files from {} data files{idle}",
                s.name,
                if full { "recorded" } else { "refreshed" },
                imported.tests,
                imported.files,
                imported.data_files
            );
        }
    }
    Ok(())
}
