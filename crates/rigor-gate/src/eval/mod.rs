//! Gate evaluation: a pure function of the settings and the inputs read, one module per gate.

pub mod coverage;
pub mod coverage_summary;
pub mod inputs;
pub mod lint;
pub mod mutation;
pub mod perf;
pub mod security;
pub mod tests;
pub mod text;
pub mod verdict;

pub use inputs::{Inputs, TestOutcome, TestsEvidence, TestsInput};
pub use text::{headline, ranges, ranges_text};

use crate::config::{Components, GatesConfig};
use crate::model::{GateReport, Verdict};
use std::collections::HashSet;

/// Evaluate every enabled gate. `quarantine` holds test ids left out of the tests gate.
pub fn evaluate(
    cfg: &GatesConfig,
    comps: &Components,
    inputs: Inputs,
    quarantine: &HashSet<String>,
) -> GateReport {
    let mut out = verdict::Results::default();
    let mut notes = inputs.notes.clone();
    tests::evaluate(&cfg.tests, &inputs.tests, quarantine, &mut out);
    let summary = inputs.coverage.as_ref().map(|cov| {
        coverage_summary::summarise(
            cov,
            inputs.changed.as_ref(),
            inputs.mutation.as_ref(),
            comps,
            &mut notes,
        )
    });
    coverage::evaluate(
        cfg,
        comps,
        summary.as_ref(),
        inputs.base_coverage.as_ref(),
        &mut notes,
        &mut out,
    );
    perf::evaluate(&cfg.perf, inputs.perf.as_ref(), &mut out);
    security::evaluate(&cfg.security, &inputs, &mut out);
    mutation::evaluate(
        cfg,
        comps,
        inputs.mutation.as_ref(),
        summary.as_ref(),
        &mut out,
    );
    lint::evaluate(&cfg.lint, &inputs, &mut out);
    let gates = out.gates;
    GateReport {
        schema: 1,
        passed: !gates.iter().any(|g| g.verdict == Verdict::Fail),
        run_id: None,
        commit: None,
        branch: None,
        gates,
        coverage: summary,
        inputs: inputs.inputs,
        notes,
    }
}
