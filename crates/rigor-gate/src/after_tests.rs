//! The gate step of `rigor ci`, after its tests: evaluate, record, write the configured outputs.

use crate::config::Settings;
use crate::error::Result;
use crate::evaluate::evaluate_with;
use crate::model::GateReport;
use crate::output;
use crate::publish::{exit_code, publish};
use crate::request::{GateRequest, OutputFlags, RunEvidence};

/// What the gate step decided and what its caller prints.
#[derive(Debug, Clone)]
pub struct GateStep {
    pub report: GateReport,
    /// The terminal table (empty when no gate was evaluated).
    pub terminal: String,
    /// GitHub workflow commands for stdout (empty off GitHub, or when nothing was evaluated).
    pub annotations: String,
    /// Warnings about the configuration (unknown keys).
    pub warnings: Vec<String>,
    /// [`rigor_model::exit::FAILED`] when a blocking gate failed, else [`rigor_model::exit::OK`].
    pub code: i32,
}

/// The gate step of `rigor ci`: evaluate the configured gates over `evidence` (the pipeline's
/// run, no tests selected for the change, or the latest run) and the change the caller detected
/// (`None`: detected here by the rules of `docs/change.md`), record the evaluation, write
/// the `[report]` outputs and the files of `flags`. When no gate has an input (a project without
/// artifacts), nothing is recorded or written and the code is OK: the tests already decided.
pub fn gate_after_tests(
    config: &rigor_model::Config,
    evidence: RunEvidence,
    change: Option<rigor_vcs::ChangeSet>,
    flags: &OutputFlags,
) -> Result<GateStep> {
    let (settings, warnings) = Settings::load(config)?;
    let request = GateRequest {
        evidence,
        change,
        ..Default::default()
    };
    let report = evaluate_with(config, &settings, &request, &|k| std::env::var(k).ok())?;
    if report.evaluated() == 0 {
        return Ok(GateStep {
            report,
            terminal: String::new(),
            annotations: String::new(),
            warnings,
            code: rigor_model::exit::OK,
        });
    }
    let annotations = publish(config, &settings, &report, flags)?;
    Ok(GateStep {
        terminal: output::terminal(&report),
        annotations,
        warnings,
        code: exit_code(&report),
        report,
    })
}
