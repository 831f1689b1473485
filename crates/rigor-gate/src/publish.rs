//! What happens to an evaluated report: recorded in the gate history, written to the `[report]`
//! files, the GitHub step summary and any extra files asked for.

use crate::config::{ReportConfig, Settings};
use crate::error::{GateError, Result};
use crate::history;
use crate::model::GateReport;
use crate::output::{self, Render};
use crate::request::{OutputFiles, OutputFlags};
use std::path::Path;

/// Record a report in the gate history (`.rigor/history.db`); returns the evaluation's id.
pub fn record_report(config: &rigor_model::Config, report: &GateReport) -> Result<i64> {
    let mut store = history::open_configured(config, true)?.expect("opened for writing");
    history::record(&mut store, report, history::now())
}

/// Write the outputs configured in `[report]` (paths relative to the project root), append the
/// Markdown to `$GITHUB_STEP_SUMMARY` when it is set (unless `report.github = "never"`), and return
/// the GitHub annotations to print on stdout when on GitHub Actions (or `report.github = "always"`).
pub fn write_configured_outputs(
    config: &rigor_model::Config,
    report: &GateReport,
) -> Result<String> {
    let (settings, _) = Settings::load(config)?;
    write_report_section(&config.root, &settings.report, report)
}

/// [`write_configured_outputs`] with the `[report]` section already read.
pub fn write_report_section(root: &Path, r: &ReportConfig, report: &GateReport) -> Result<String> {
    let files: [(&Option<String>, Render); 5] = [
        (&r.markdown, output::markdown),
        (&r.json, output::json),
        (&r.junit, output::junit),
        (&r.sarif, output::sarif),
        (&r.gitlab, output::gitlab),
    ];
    for (path, render) in files {
        if let Some(p) = path {
            write_file(&root.join(p), &render(report))?;
        }
    }
    if r.github == "never" {
        return Ok(String::new());
    }
    // the step summary whenever the runner provides one
    if let Ok(summary) = std::env::var("GITHUB_STEP_SUMMARY")
        && !summary.is_empty()
    {
        append_file(Path::new(&summary), &output::markdown(report))?;
    }
    let on_github =
        r.github == "always" || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    Ok(if on_github {
        output::github(report)
    } else {
        String::new()
    })
}

/// Write the report to the extra files asked for (`--markdown-out`, …).
pub fn write_files(files: &OutputFiles, report: &GateReport) -> Result<()> {
    let extra: [(&Option<std::path::PathBuf>, Render); 5] = [
        (&files.markdown, output::markdown),
        (&files.json, output::json),
        (&files.junit, output::junit),
        (&files.sarif, output::sarif),
        (&files.gitlab, output::gitlab),
    ];
    for (path, render) in extra {
        if let Some(p) = path {
            write_file(p, &render(report))?;
        }
    }
    Ok(())
}

/// Everything after the evaluation: record (unless told not to), write the `[report]` outputs
/// and the extra files; returns the GitHub annotations to print.
pub fn publish(
    config: &rigor_model::Config,
    settings: &Settings,
    report: &GateReport,
    flags: &OutputFlags,
) -> Result<String> {
    if flags.record {
        record_report(config, report)?;
    }
    let annotations = write_report_section(&config.root, &settings.report, report)?;
    write_files(&flags.files, report)?;
    Ok(annotations)
}

/// An error when no gate could be evaluated (exit 4), listing why each was skipped.
pub fn require_evaluated(report: &GateReport) -> Result<()> {
    if report.evaluated() > 0 {
        return Ok(());
    }
    let skipped: Vec<String> = report
        .gates
        .iter()
        .map(|g| format!("{}: {}", g.gate, g.summary))
        .collect();
    Err(GateError::Nothing {
        message: format!("no gate could be evaluated:\n  {}", skipped.join("\n  ")),
        hint: "run the tests first (rigor run), or pass artifacts with --coverage, --junit, --sarif, --audit, --mutation, --perf".into(),
    })
}

/// The exit code of an evaluated report: FAILED when a blocking gate failed, else OK.
pub fn exit_code(report: &GateReport) -> i32 {
    if report.passed {
        rigor_model::exit::OK
    } else {
        rigor_model::exit::FAILED
    }
}

/// Write `text` to `path`, creating its directory.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|source| GateError::Write {
            path: d.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| GateError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn append_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| GateError::Write {
            path: path.display().to_string(),
            source,
        })?;
    f.write_all(format!("{text}\n").as_bytes())
        .map_err(|source| GateError::Write {
            path: path.display().to_string(),
            source,
        })
}
