//! What the history adds to an evaluation: the judged run's test results, the quarantines in
//! force and the coverage recorded for the change's base.

use crate::error::{GateError, Result};
use crate::eval::{Inputs, TestOutcome, TestsEvidence, TestsInput};
use crate::history;
use crate::request::RunEvidence;
use rigor_store::Store;
use std::collections::HashSet;
use std::path::Path;

/// The tests gate's evidence from the history (unless JUnit files already gave it); returns the
/// id of the run judged. `db` names the history in messages.
pub fn tests(
    store: Option<&Store>,
    db: &Path,
    evidence: RunEvidence,
    norm: &dyn Fn(&str) -> String,
    inputs: &mut Inputs,
) -> Result<Option<i64>> {
    if evidence == RunEvidence::NoTestsSelected {
        inputs.tests = TestsEvidence::NoneSelected;
        return Ok(None);
    }
    if matches!(inputs.tests, TestsEvidence::Results(_)) {
        return Ok(None);
    }
    let Some(store) = store else {
        return Ok(None);
    };
    let run = match evidence {
        RunEvidence::Run(id) => Some(store.run(id)?.ok_or_else(|| {
            GateError::usage(
                format!("run {id} is not in the history {}", db.display()),
                "see `rigor history` for run ids",
            )
        })?),
        RunEvidence::Latest => store.last_finished_run()?,
        RunEvidence::Ignored | RunEvidence::NoTestsSelected => None,
    };
    let Some(run) = run else {
        return Ok(None);
    };
    let results = store.run_results(run.id)?;
    inputs.tests = TestsEvidence::Results(TestsInput {
        source: format!("run {}", run.id),
        wall_s: run.finished_at.map(|f| f - run.started_at),
        results: results
            .into_iter()
            .map(|r| TestOutcome {
                id: format!("{}::{}", r.suite, r.id),
                outcome: r.outcome,
                duration_s: r.duration_s,
                start_s: r.start_s,
                tier: r.tier,
                file: r.file.as_deref().map(norm),
                line: r.line,
                excerpt: r.excerpt,
            })
            .collect(),
    });
    Ok(Some(run.id))
}

/// The coverage recorded for the change's base: by its commit, else the latest on its branch.
pub fn base_coverage(store: Option<&mut Store>, inputs: &mut Inputs) -> Result<()> {
    if let (Some(store), Some(ch)) = (store, &inputs.changed) {
        inputs.base_coverage =
            history::base_value(store, "coverage", &ch.base_sha, ch.base_branch.as_deref())?;
    }
    Ok(())
}

/// Quarantined tests: the configured list plus the quarantines in force in the history
/// (`rigor flaky`); they still run, their failures do not fail the tests gate.
pub fn quarantine(store: Option<&Store>, configured: &[String]) -> Result<HashSet<String>> {
    let mut quarantine: HashSet<String> = configured.iter().cloned().collect();
    if let Some(store) = store {
        for q in store.active_quarantines(history::now())? {
            quarantine.insert(format!("{}::{}", q.suite, q.id));
        }
    }
    Ok(quarantine)
}
