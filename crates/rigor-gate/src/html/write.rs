//! The report command's engine: load the history, render the page, write it.

use super::data::ReportData;
use super::page::render_with;
use crate::config::Settings;
use crate::error::{GateError, Result};
use crate::publish::write_file;
use std::path::PathBuf;

/// Where to write the page and how much history to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRequest {
    /// The page's path, absolute or relative to the current directory (default: `[report] html`
    /// relative to the project root, else `rigor-report.html` there).
    pub html: Option<PathBuf>,
    /// Recent runs and evaluations shown in trends (default: `[report] trend_runs`).
    pub runs: Option<usize>,
    /// Sections other areas rendered (HTML), appended to the page (e.g. the rollouts).
    pub sections: Vec<String>,
}

/// Write the HTML report of the history; returns where. Exit 4 ([`GateError::Nothing`]) when
/// there is no history, or it has no finished run and no gate evaluation.
pub fn write_report(
    config: &rigor_model::Config,
    settings: &Settings,
    req: &ReportRequest,
) -> Result<PathBuf> {
    let mut store = match config.postgres_url() {
        Some(url) => rigor_store::Store::open_postgres(url)?,
        None => {
            let db = config.sqlite_path()?;
            if !db.exists() {
                return Err(GateError::Nothing {
                    message: format!("no history at {}", db.display()),
                    hint: "run tests (rigor run) or gates (rigor gate) first".into(),
                });
            }
            rigor_store::Store::open_for_reading(&db)?
        }
    };
    let db = store.path().to_path_buf();
    let data = ReportData::load(&mut store, req.runs.unwrap_or(settings.report.trend_runs))?;
    if data.is_empty() {
        return Err(GateError::Nothing {
            message: format!(
                "the history at {} has no finished run and no gate evaluation",
                db.display()
            ),
            hint: "run tests (rigor run) or gates (rigor gate) first".into(),
        });
    }
    let path = match (&req.html, &settings.report.html) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => config.root.join(p),
        (None, None) => config.root.join("rigor-report.html"),
    };
    write_file(&path, &render_with(&data, &req.sections))?;
    Ok(path)
}
