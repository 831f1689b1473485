//! The run's reports: the summary (text or the JSON contract), one JUnit file, and the CI
//! provider's own outputs (GitHub annotations, job summary, step outputs).

use crate::error::{PipelineError, Result};
use rigor_model::Config;
use rigor_runner::RunReport;
use rigor_runner::report::{github, json, junit, summary};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// JUnit file (when asked), then the summary: human text on stdout, or with `json` the text on
/// stderr and the `rigor.run/1` JSON on stdout.
pub fn write_outputs(report: &RunReport, junit_path: Option<&Path>, as_json: bool) -> Result<()> {
    if let Some(path) = junit_path {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| PipelineError::io("create", dir, e))?;
        }
        std::fs::write(path, junit::render(report))
            .map_err(|e| PipelineError::io("write", path, e))?;
    }
    if as_json {
        eprint!("{}", summary::render(report));
        let text =
            serde_json::to_string_pretty(&json::render(report)).expect("the run JSON serialises");
        println!("{text}");
    } else {
        print!("{}", summary::render(report));
    }
    Ok(())
}

/// CI provider outputs for a run: on GitHub Actions, `::error` annotations (at most 10), the
/// job summary and step outputs; elsewhere nothing.
pub fn provider_outputs(config: &Config, report: &RunReport) -> Result<()> {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        print!("{}", github::annotations(report, &suite_prefixes(config)));
        if let Ok(path) = std::env::var("GITHUB_STEP_SUMMARY") {
            append(Path::new(&path), &github::step_summary(report))?;
        }
        if let Ok(path) = std::env::var("GITHUB_OUTPUT") {
            append(Path::new(&path), &github::outputs(report))?;
        }
    }
    Ok(())
}

/// Each suite's root relative to the repository, as a path prefix ("" or "sub/dir/").
fn suite_prefixes(config: &Config) -> HashMap<String, String> {
    let top = rigor_vcs::toplevel(&config.root)
        .ok()
        .and_then(|t| std::fs::canonicalize(t).ok());
    let suites = rigor_runner::run::suites_for(config, &[]).unwrap_or_default();
    suites
        .into_iter()
        .map(|s| {
            let root = std::fs::canonicalize(config.root.join(&s.root))
                .unwrap_or_else(|_| config.root.join(&s.root));
            let rel = top
                .as_ref()
                .and_then(|t| root.strip_prefix(t).ok().map(Path::to_path_buf))
                .unwrap_or_default();
            let mut prefix = rel.display().to_string();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            (s.name, prefix)
        })
        .collect()
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| PipelineError::io("append to", path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| PipelineError::io("write", path, e))
}
