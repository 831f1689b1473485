//! Run the pending mutants: rewrite their modules into the sandbox (schemata), start the
//! workers, run the baseline, then every mutant against its ordered tests.

use super::cache::Plan;
use super::{BaselineInfo, FileMutants, Request, baseline};
use crate::error::Result;
use crate::exec::pyworker::{self, Batch, Reply, WorkerSpec};
use crate::exec::sandbox::Sandbox;
use crate::exec::schedule;
use crate::model::{Mutant, MutantResult, TestSource, Verdict};
use crate::project::PyProject;
use crate::python::schemata;
use crate::tests_for::{self, Measured};
use rigor_model::Config;
use std::collections::{BTreeSet, HashMap};

pub struct Done {
    pub results: Vec<MutantResult>,
    pub baseline: BaselineInfo,
    pub workers: usize,
    pub notes: Vec<String>,
}

/// The sandbox with every file's pending mutants behind switches.
fn prepare(project: &PyProject, files: &[FileMutants], pending: &BTreeSet<u32>) -> Result<Sandbox> {
    let sb = Sandbox::copy_of(&project.root)?;
    for f in files {
        let ms: Vec<Mutant> = f
            .mutants
            .iter()
            .filter(|m| pending.contains(&m.id))
            .cloned()
            .collect();
        if !ms.is_empty() {
            sb.write(&f.file, &schemata::rewrite(&f.source, &ms))?;
        }
    }
    let script = sb.own("rigor_mutate_worker.py");
    std::fs::write(&script, pyworker::SCRIPT).map_err(|source| {
        crate::error::MutateError::Write {
            path: script.display().to_string(),
            source,
        }
    })?;
    Ok(sb)
}

/// The test files to collect: every candidate file, or everything when some module's
/// candidates are "all tests".
fn collect_args(plan: &Plan) -> Vec<String> {
    let mut files = BTreeSet::new();
    for ft in plan.file_tests.values() {
        if ft.graph_files.is_empty() {
            return Vec::new();
        }
        files.extend(ft.graph_files.iter().cloned());
        if let Some(cov) = &ft.coverage {
            files.extend(
                cov.keys()
                    .filter(|t| !t.is_empty())
                    .map(|t| tests_for::test_file(t).to_string()),
            );
        }
    }
    files.into_iter().collect()
}

pub fn execute(
    config: &Config,
    project: &PyProject,
    files: &[FileMutants],
    plan: &Plan,
    req: &Request,
) -> Result<Done> {
    let pending: BTreeSet<u32> = plan.pending.iter().copied().collect();
    let sb = prepare(project, files, &pending)?;
    let mut args: Vec<String> = [
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:randomly",
        "--continue-on-collection-errors",
        "--tb=no",
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(collect_args(plan));
    let mut env: Vec<(String, String)> = project.suite.env.clone().into_iter().collect();
    env.push(("PYTHONPATH".into(), pyworker::python_path(&sb.root)));
    let spec = WorkerSpec {
        python: project.python.clone(),
        script: sb.own("rigor_mutate_worker.py"),
        cwd: sb.root.clone(),
        args,
        env,
        log_dir: sb.own(""),
    };
    let n = req.jobs.max(1).min(pending.len().max(1));
    let mut workers = schedule::start_all(&spec, n)?;
    let collected = workers[0].collected.clone();

    let mutants: Vec<&Mutant> = files
        .iter()
        .flat_map(|f| &f.mutants)
        .filter(|m| pending.contains(&m.id))
        .collect();
    let mut cands: HashMap<u32, (Vec<String>, TestSource)> = HashMap::new();
    let mut union = BTreeSet::new();
    for m in &mutants {
        let ft = &plan.file_tests[&m.file];
        let (c, src) = tests_for::candidates(m, ft, &collected);
        union.extend(c.iter().cloned());
        cands.insert(m.id, (c, src));
    }
    let union: Vec<String> = collected
        .iter()
        .filter(|t| union.contains(*t))
        .cloned()
        .collect();
    let per_test = config.timeout_for(Some(&project.suite))?.as_secs_f64();
    let (measured, base) = baseline::run(&mut workers, &union, per_test)?;
    let mut notes = Vec::new();
    if !base.failed.is_empty() {
        notes.push(format!(
            "{} test(s) fail without any mutant and are left out: {}",
            base.failed.len(),
            base.failed.join(", ")
        ));
    }
    let rates = failure_rates(config, project);
    let results = run_mutants(&mut workers, &mutants, &cands, &measured, &rates, req)?;
    Ok(Done {
        results,
        baseline: base,
        workers: n,
        notes,
    })
}

/// Failure rates of the suite's tests from the history (empty when there is none).
fn failure_rates(config: &Config, project: &PyProject) -> HashMap<String, f64> {
    let Some(store) = crate::store::open_history(config) else {
        return HashMap::new();
    };
    store
        .failure_rates(50)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.suite == project.suite.name)
        .map(|f| (f.id, f.rate))
        .collect()
}

fn run_mutants(
    workers: &mut [pyworker::Worker],
    mutants: &[&Mutant],
    cands: &HashMap<u32, (Vec<String>, TestSource)>,
    measured: &HashMap<String, Measured>,
    rates: &HashMap<String, f64>,
    req: &Request,
) -> Result<Vec<MutantResult>> {
    let mut batches = Vec::new();
    let mut results: HashMap<u32, MutantResult> = HashMap::new();
    for m in mutants {
        let (c, src) = &cands[&m.id];
        let tests = tests_for::order(m, c, measured, rates);
        let base = MutantResult {
            mutant: (*m).clone(),
            verdict: Verdict::NoCoverage,
            tests_run: Vec::new(),
            killed_by: None,
            source: *src,
            candidates: c.len(),
            duration_s: 0.0,
            cached: false,
        };
        if !tests.is_empty() {
            let secs: f64 = tests.iter().map(|t| measured[t].seconds).sum();
            batches.push(Batch {
                mutant: m.id,
                timeout: req.settings.timeout_factor * secs + req.settings.timeout_extra,
                tests,
                probe: false,
                stop_first: true,
            });
        }
        results.insert(m.id, base);
    }
    let progress = req.progress;
    let total = batches.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let on_done = |b: &Batch, r: &Reply| {
        let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if progress {
            let v = verdict_of(r).0;
            eprintln!("[{k}/{total}] mutant {} {}", b.mutant, v.as_str());
        }
    };
    let replies = schedule::run_all(workers, batches.clone(), &on_done)?;
    for (b, r) in batches.iter().zip(replies) {
        let res = results.get_mut(&b.mutant).expect("a result per mutant");
        let (v, killer) = verdict_of(&r);
        res.verdict = v;
        res.killed_by = killer;
        res.tests_run = r.results.iter().map(|row| row.0.clone()).collect();
        if let Some(h) = &r.hung {
            res.tests_run.push(h.clone());
        }
        res.duration_s = r.results.iter().map(|row| row.2).sum();
    }
    let mut out: Vec<MutantResult> = results.into_values().collect();
    out.sort_by_key(|r| r.mutant.id);
    Ok(out)
}

/// A batch's verdict and the test that killed the mutant.
fn verdict_of(r: &Reply) -> (Verdict, Option<String>) {
    if r.timeout {
        return (Verdict::Timeout, r.hung.clone());
    }
    match r.results.iter().find(|row| row.1 == "failed") {
        Some(row) => (Verdict::Killed, Some(row.0.clone())),
        None => (Verdict::Survived, None),
    }
}
