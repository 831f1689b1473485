//! Rust mutation testing: mutants from syn syntax trees ([`generate`]), one build of the test
//! binaries with every mutant behind a run-time switch ([`schemata`], [`build`]), a baseline
//! that measures each test and probes which mutants it reaches, then each mutant against the
//! tests that reach it ([`exec`]).

pub mod build;
pub mod cargo;
pub mod exec;
pub mod generate;
pub mod kept;
pub mod project;
pub mod run;
pub mod schemata;
pub mod span;
#[cfg(test)]
mod tests;

use crate::engine::{BaselineInfo, FileMutants, Outcome, Request};
use crate::error::{MutateError, Result};
use crate::exec::sandbox::Sandbox;
use crate::model::{Mutant, MutantResult, Summary, TestSource, Verdict};
use crate::scope::Scope;
use exec::{Env, MutantRuns, TestCase};
use project::RustProject;
use rigor_model::{Config, SuiteKind};
use std::collections::HashMap;
use std::path::PathBuf;

/// Generate the mutants in scope, numbered 1.. in file order.
pub fn generate_all(project: &RustProject, scope: &Scope) -> Result<Vec<FileMutants>> {
    crate::engine::mutants_in_scope(&project.root, &project.files, scope, generate::mutants)
}

/// Where the schemata builds go: `$CARGO_TARGET_DIR/rigor-mutate`, else
/// `target/rigor-mutate` of the package (kept between runs so dependencies build once).
pub fn target_dir(project: &RustProject) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d).join("rigor-mutate"),
        None => project.root.join("target").join("rigor-mutate"),
    }
}

/// Run the mutants of `files`.
pub fn run(
    config: &Config,
    store: &mut rigor_store::Store,
    project: &RustProject,
    files: &[FileMutants],
    req: &Request,
) -> Result<Outcome> {
    crate::store::migrate(store)?;
    let split = kept::split(store, files, &kept::crate_hash(&project.root), req.fresh)?;
    let mut out = if split.pending.iter().all(|f| f.mutants.is_empty()) {
        Outcome {
            summary: Summary::of(&[]),
            results: Vec::new(),
            baseline: None,
            workers: 0,
            notes: Vec::new(),
        }
    } else {
        run_pending(config, project, &split.pending, req)?
    };
    crate::engine::cache::save(store, &split.plan, &out.results)?;
    if !split.kept.is_empty() {
        out.notes.push(format!(
            "{} verdict(s) kept from an earlier run (the crate is unchanged since; --fresh runs them again)",
            split.kept.len()
        ));
    }
    out.results.extend(split.kept);
    out.results.sort_by_key(|r| r.mutant.id);
    out.summary = Summary::of(&out.results);
    Ok(out)
}

/// Build the schemata of `files` once and run their mutants.
fn run_pending(
    config: &Config,
    project: &RustProject,
    files: &[FileMutants],
    req: &Request,
) -> Result<Outcome> {
    let sb = Sandbox::copy_of(&project.root)?;
    let built = build::build(&sb, project, files, &target_dir(project), req.progress)?;
    let scratch = sb.own("");
    let mut tests = Vec::new();
    for (i, exe) in built.exes.iter().enumerate() {
        let bid = exec::binary_id(&project.name, exe);
        for name in cargo::list_tests(exe, &sb.root)? {
            tests.push(TestCase {
                exe: i,
                id: format!("{bid} {name}"),
                name,
            });
        }
    }
    let env = Env {
        exes: &built.exes,
        cwd: &sb.root,
        scratch: &scratch,
        jobs: req.jobs.max(1),
    };
    let per_test = config.timeout_for(None)?.as_secs_f64();
    let started = std::time::Instant::now();
    let measured = exec::baseline(&env, &tests, per_test)?;
    let failed: Vec<String> = tests
        .iter()
        .zip(&measured)
        .filter(|(_, m)| !m.passed)
        .map(|(t, _)| t.id.clone())
        .collect();
    if !tests.is_empty() && failed.len() == tests.len() {
        return Err(MutateError::Baseline {
            message: format!("all {} tests fail without mutants", tests.len()),
        });
    }
    let baseline = BaselineInfo {
        tests: tests.len(),
        failed: failed.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let mut notes = Vec::new();
    if built.rounds > 1 {
        notes.push(format!(
            "{} mutant(s) do not compile (unviable); the schemata build took {} rounds",
            built.unviable.len(),
            built.rounds
        ));
    }
    if !failed.is_empty() {
        notes.push(format!(
            "{} test(s) fail without any mutant and are left out: {}",
            failed.len(),
            failed.join(", ")
        ));
    }
    let history = history_durations(config);
    let all: Vec<&Mutant> = files.iter().flat_map(|f| &f.mutants).collect();
    let viable: Vec<&Mutant> = all
        .iter()
        .copied()
        .filter(|m| !built.unviable.contains(&m.id))
        .collect();
    let runs = MutantRuns {
        tests: &tests,
        measured: &measured,
        history: &history,
        timeout_factor: req.settings.timeout_factor,
        timeout_extra: req.settings.timeout_extra,
        progress: req.progress,
    };
    let mut results = exec::mutants(&env, &viable, &runs)?;
    results.extend(
        all.iter()
            .filter(|m| built.unviable.contains(&m.id))
            .map(|m| unviable(m)),
    );
    results.sort_by_key(|r| r.mutant.id);
    Ok(Outcome {
        summary: Summary::of(&results),
        results,
        baseline: Some(baseline),
        workers: env.jobs,
        notes,
    })
}

fn unviable(m: &Mutant) -> MutantResult {
    MutantResult {
        mutant: m.clone(),
        verdict: Verdict::Unviable,
        tests_run: Vec::new(),
        killed_by: None,
        source: TestSource::Probe,
        candidates: 0,
        duration_s: 0.0,
        cached: false,
    }
}

/// Median durations of the Cargo suites' tests in rigor's history (`binary-id name` → s).
fn history_durations(config: &Config) -> HashMap<String, f64> {
    let Some(store) = crate::store::open_history(config) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for s in &config.suites {
        if matches!(s.kind, SuiteKind::Nextest | SuiteKind::CargoTest) {
            for (k, d) in store.duration_estimates(&s.name).unwrap_or_default() {
                out.insert(k.id, d);
            }
        }
    }
    out
}
