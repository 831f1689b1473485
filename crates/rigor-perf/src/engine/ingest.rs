//! Ingest: read result files (see [`crate::ingest`] for the formats), tell which commit, branch
//! and testbed they belong to, and store them in the history. Everything is read and checked
//! before anything is stored: a malformed file stores nothing.

use super::{apply_overrides, testbed};
use crate::error::PerfError;
use crate::ingest::{self, CsvOptions, Format, Parsed};
use crate::settings::Settings;
use crate::store::{self, IngestRecord};
use rigor_model::Config;
use std::path::PathBuf;

/// What to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestRequest {
    /// Result files, or a target/criterion directory; relative paths are read from the current
    /// directory and recorded as given.
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Commit the results belong to (default: the file's own, else CI variables, else HEAD).
    pub commit: Option<String>,
    /// Branch (default: the file's own, else CI variables, else the checked-out branch).
    pub branch: Option<String>,
    /// Testbed (default: `[perf].testbed`, else `default`).
    pub testbed: Option<String>,
    pub csv: CsvOptions,
}

/// The files read, ready to be stored.
#[derive(Debug, Clone)]
pub struct IngestPlan {
    pub testbed: String,
    pub files: Vec<PlannedFile>,
}

/// One file read, with the commit and branch its results are stored under.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// The path as requested.
    pub path: PathBuf,
    pub parsed: Parsed,
    /// Empty when every result carries its own commit (an Otava CSV with a commit column).
    pub commit: String,
    pub branch: Option<String>,
}

impl PlannedFile {
    /// The format the file was read as.
    pub fn format_name(&self) -> &'static str {
        self.parsed.format.map(Format::as_str).unwrap_or("?")
    }

    /// Results that carry raw samples (two or more).
    pub fn with_samples(&self) -> usize {
        self.parsed
            .measurements
            .iter()
            .filter(|m| m.samples.len() >= 2)
            .count()
    }
}

/// Read and check every file, and tell the commit and branch of each.
pub fn prepare(
    config: &Config,
    settings: &Settings,
    request: &IngestRequest,
) -> Result<IngestPlan, PerfError> {
    let mut parsed: Vec<(PathBuf, Parsed)> = Vec::new();
    for p in &request.paths {
        let path = if p.is_absolute() {
            p.clone()
        } else {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.clone())
        };
        let mut one = ingest::read_path(&path, request.format, &request.csv)?;
        apply_overrides(&mut one.measurements, settings);
        parsed.push((p.clone(), one));
    }
    let ci_commit = rigor_vcs::commit(&config.root);
    let ci_branch = rigor_vcs::branch(&config.root);
    let mut files = Vec::new();
    for (path, one) in parsed {
        let commit = request
            .commit
            .clone()
            .or_else(|| one.commit.clone())
            .or_else(|| ci_commit.clone());
        let needs_commit = one.measurements.iter().any(|m| m.commit.is_none());
        let commit = match commit {
            Some(c) => c,
            None if !needs_commit => String::new(),
            None => {
                return Err(PerfError::usage(
                    format!("cannot tell which commit {} belongs to", path.display()),
                    "pass --commit SHA (or run inside a git checkout / CI job)",
                ));
            }
        };
        let branch = request
            .branch
            .clone()
            .or_else(|| one.branch.clone())
            .or_else(|| ci_branch.clone());
        files.push(PlannedFile {
            path,
            parsed: one,
            commit,
            branch,
        });
    }
    Ok(IngestPlan {
        testbed: testbed(request.testbed.as_deref(), settings),
        files,
    })
}

/// Store every file of the plan; returns the number of results stored per file.
pub fn store(config: &Config, plan: &IngestPlan) -> Result<Vec<usize>, PerfError> {
    let mut st = store::open(config)?;
    let now = store::now();
    let mut stored = Vec::new();
    for file in &plan.files {
        let rec = IngestRecord {
            source: &file.path.display().to_string(),
            format: file.format_name(),
            commit: &file.commit,
            branch: file.branch.as_deref(),
            testbed: &plan.testbed,
            time: file.parsed.time.unwrap_or(now),
        };
        stored.push(store::store_measurements(
            &mut st,
            &rec,
            &file.parsed.measurements,
        )?);
    }
    Ok(stored)
}
