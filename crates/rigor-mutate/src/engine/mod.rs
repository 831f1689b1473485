//! The mutation run: generate the mutants in scope, keep the verdicts that still hold, run the
//! rest in the sandbox against the tests that reach them, save the verdicts.

mod baseline;
pub(crate) mod cache;
mod execute;

use crate::error::{MutateError, Result};
use crate::model::{Mutant, MutantResult, Summary};
use crate::project::PyProject;
use crate::python;
use crate::scope::Scope;
use rigor_model::{Config, MutateConfig};
use rigor_store::Store;
use serde::Serialize;

/// One file's text and its mutants in scope.
#[derive(Debug, Clone)]
pub struct FileMutants {
    pub file: String,
    pub source: String,
    pub mutants: Vec<Mutant>,
}

/// Generate the mutants in scope, numbered 1.. in file order.
pub fn generate(project: &PyProject, scope: &Scope) -> Result<Vec<FileMutants>> {
    mutants_in_scope(
        &project.root,
        &project.files,
        scope,
        python::generate::mutants,
    )
}

/// Read each of `files` in scope (relative to `root`), make its mutants with `make`, keep those
/// in scope and number them 1.. in file order — for either language.
pub fn mutants_in_scope(
    root: &std::path::Path,
    files: &[String],
    scope: &Scope,
    make: impl Fn(&str, &str) -> Result<Vec<Mutant>>,
) -> Result<Vec<FileMutants>> {
    let mut out = Vec::new();
    let mut next = 1u32;
    for file in scope.select_files(files)? {
        let path = root.join(&file);
        let source = std::fs::read_to_string(&path).map_err(|source| MutateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut mutants = make(&file, &source)?;
        mutants.retain(|m| scope.keeps(m));
        if mutants.is_empty() {
            continue;
        }
        for m in &mut mutants {
            m.id = next;
            next += 1;
        }
        out.push(FileMutants {
            file,
            source,
            mutants,
        });
    }
    Ok(out)
}

/// How a run goes.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub settings: MutateConfig,
    pub jobs: usize,
    /// Ignore the verdicts of earlier runs.
    pub fresh: bool,
    /// Print a line per mutant on stderr.
    pub progress: bool,
}

/// What the baseline (the unmutated schemata run) found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BaselineInfo {
    pub tests: usize,
    /// Tests that failed without any mutant (left out of every mutant's tests).
    pub failed: Vec<String>,
    pub seconds: f64,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub results: Vec<MutantResult>,
    pub summary: Summary,
    pub baseline: Option<BaselineInfo>,
    pub workers: usize,
    /// Things people should know (fallbacks, left-out tests).
    pub notes: Vec<String>,
}

/// Run the mutants of `files`.
pub fn run(
    config: &Config,
    store: &mut Store,
    project: &PyProject,
    files: &[FileMutants],
    req: &Request,
) -> Result<Outcome> {
    crate::store::migrate(store)?;
    let plan = cache::plan(store, project, files, req)?;
    let mut notes = plan.notes.clone();
    let mut results = plan.kept.clone();
    let mut baseline = None;
    let mut workers = 0;
    if !plan.pending.is_empty() {
        let done = execute::execute(config, project, files, &plan, req)?;
        notes.extend(done.notes);
        baseline = Some(done.baseline);
        workers = done.workers;
        cache::save(store, &plan, &done.results)?;
        results.extend(done.results);
    }
    results.sort_by(|a, b| {
        (a.mutant.file.as_str(), a.mutant.start, a.mutant.id).cmp(&(
            b.mutant.file.as_str(),
            b.mutant.start,
            b.mutant.id,
        ))
    });
    Ok(Outcome {
        summary: Summary::of(&results),
        results,
        baseline,
        workers,
        notes,
    })
}
