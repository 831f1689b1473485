//! The triage of one run: each failed test's signature, evidence, verdict (a person's label
//! first, else the rules) and fix; failures grouped by signature within the run and across the
//! history.

use crate::classify::{self, Cause, Facts, Verdict};
use crate::evidence::{self, Evidence};
use crate::fixes::{self, Fix, FixContext};
use crate::labels::{self, LabelMatch};
use crate::project::Project;
use crate::signature::Signature;
use crate::{Result, TriageError};
use rigor_model::{Config, Outcome, TestKey};
use rigor_store::{RunRecord, Store};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many runs back "seen in N runs since …" looks.
pub const HISTORY_RUNS: usize = 200;

#[derive(Debug, Clone)]
pub struct Options {
    /// The run to triage (default: the last finished run).
    pub run: Option<i64>,
    /// Similarity a signature needs to inherit a label.
    pub threshold: f64,
    pub quarantine_days: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            run: None,
            threshold: labels::DEFAULT_THRESHOLD,
            quarantine_days: 14.0,
        }
    }
}

/// One test that failed at least one attempt.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub test: String,
    pub suite: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub outcome: Outcome,
    pub attempts: u32,
    pub signature: Signature,
    pub cause: Cause,
    pub confidence: f64,
    pub evidence: Vec<String>,
    pub label: Option<LabelMatch>,
    pub fix: Fix,
}

/// Failures sharing a signature.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub signature: String,
    pub headline: String,
    pub cause: Cause,
    pub tests: Vec<String>,
    /// First seen in this run.
    pub new: bool,
    /// Runs (this one included) with a failure of this signature, within the history read.
    pub seen_runs: usize,
    pub first_seen_run: i64,
    pub first_seen_at: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run: RunRecord,
    pub failures: Vec<Failure>,
    pub groups: Vec<Group>,
}

impl Report {
    pub fn counts(&self) -> BTreeMap<Cause, usize> {
        let mut m = BTreeMap::new();
        for f in &self.failures {
            *m.entry(f.cause).or_insert(0) += 1;
        }
        m
    }
}

pub fn triage(store: &mut Store, config: &Config, opts: &Options) -> Result<Report> {
    labels::migrate(store)?;
    let run = match opts.run {
        Some(id) => store.run(id)?.ok_or(TriageError::NoSuchRun(id))?,
        None => store.last_finished_run()?.ok_or(TriageError::NoRuns)?,
    };
    let project = Project::load(&config.root);
    let known = labels::all(store)?;
    let mut failures = Vec::new();
    for r in store.run_results(run.id)? {
        if !(r.outcome.is_failure() || r.outcome == Outcome::Flaky) {
            continue;
        }
        let excerpt = r.excerpt.clone().unwrap_or_default();
        let sig = Signature::in_root(&excerpt, &config.root);
        let ev = evidence::gather(
            store,
            &project,
            run.id,
            &r.suite,
            &r.id,
            r.file.as_deref(),
            &sig,
        )?;
        let suite = config.suites.iter().find(|s| s.name == r.suite);
        let command = suite
            .and_then(|s| s.commands.get(&r.id))
            .map(String::as_str);
        let facts = Facts {
            sig: &sig,
            excerpt: &excerpt,
            outcome: r.outcome,
            attempts: r.attempts,
            file: r.file.as_deref(),
            evidence: &ev,
            project: &project,
            lint_command: command.filter(|c| crate::lint::fix_command(c).is_some()),
        };
        let (verdict, label) = decide(&facts, &known, opts);
        let key = TestKey::new(r.suite.clone(), r.id.clone());
        let cx = FixContext {
            command,
            suite_root: suite.map(|s| s.root.as_str()).unwrap_or("."),
            quarantine_days: opts.quarantine_days,
        };
        let fix = fixes::suggest(&facts, &verdict, &key, &cx);
        failures.push(failure(r, sig, verdict, label, fix, &ev));
    }
    failures.sort_by(|a, b| (&a.suite, &a.test).cmp(&(&b.suite, &b.test)));
    let groups = group(store, &run, &failures, &config.root)?;
    Ok(Report {
        run,
        failures,
        groups,
    })
}

fn decide(f: &Facts, known: &[labels::Label], opts: &Options) -> (Verdict, Option<LabelMatch>) {
    match labels::inherit(known, f.sig, opts.threshold) {
        Some((v, m)) => (v, Some(m)),
        None => (classify::classify(f), None),
    }
}

fn failure(
    r: rigor_store::StoredResult,
    signature: Signature,
    v: Verdict,
    label: Option<LabelMatch>,
    fix: Fix,
    _ev: &Evidence,
) -> Failure {
    Failure {
        test: r.id,
        suite: r.suite,
        file: r.file,
        line: r.line,
        outcome: r.outcome,
        attempts: r.attempts,
        signature,
        cause: v.cause,
        confidence: (v.confidence * 100.0).round() / 100.0,
        evidence: v.evidence,
        label,
        fix,
    }
}

/// Group the run's failures by signature and look each signature up in the history.
fn group(
    store: &Store,
    run: &RunRecord,
    failures: &[Failure],
    root: &std::path::Path,
) -> Result<Vec<Group>> {
    let mut seen: BTreeMap<String, (BTreeSet<i64>, i64, f64)> = BTreeMap::new();
    let wanted: BTreeSet<&str> = failures.iter().map(|f| f.signature.id.as_str()).collect();
    for past in store.failures_window(run.id, HISTORY_RUNS)? {
        let sig = Signature::in_root(past.excerpt.as_deref().unwrap_or(""), root);
        if !wanted.contains(sig.id.as_str()) {
            continue;
        }
        let e = seen
            .entry(sig.id)
            .or_insert((BTreeSet::new(), past.run_id, past.started_at));
        e.0.insert(past.run_id);
    }
    let mut groups: Vec<Group> = Vec::new();
    for f in failures {
        if let Some(g) = groups.iter_mut().find(|g| g.signature == f.signature.id) {
            g.tests.push(f.test.clone());
            continue;
        }
        let (runs, first_run, first_at) = seen
            .get(&f.signature.id)
            .cloned()
            .unwrap_or_else(|| (BTreeSet::from([run.id]), run.id, run.started_at));
        groups.push(Group {
            signature: f.signature.id.clone(),
            headline: f.signature.headline(),
            cause: f.cause,
            tests: vec![f.test.clone()],
            new: first_run == run.id,
            seen_runs: runs.len(),
            first_seen_run: first_run,
            first_seen_at: first_at,
        });
    }
    Ok(groups)
}

/// The signature of a failure recorded in the history (for `rigor triage label`), by id.
pub fn find_signature(store: &Store, config: &Config, id: &str) -> Result<Signature> {
    let Some(last) = store.latest_run_id()? else {
        return Err(TriageError::UnknownSignature(id.to_string()));
    };
    store
        .failures_window(last, usize::MAX >> 1)?
        .into_iter()
        .rev()
        .map(|p| Signature::in_root(p.excerpt.as_deref().unwrap_or(""), &config.root))
        .find(|s| s.id == id)
        .ok_or_else(|| TriageError::UnknownSignature(id.to_string()))
}
