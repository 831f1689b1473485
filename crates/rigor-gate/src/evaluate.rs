//! One evaluation: read the artifacts, the change and the history, then judge every gate.

use crate::artifacts::{self, file::Finder};
use crate::change::{self, Change, ChangedLines};
use crate::config::{Components, GatesConfig, Settings};
use crate::error::Result;
use crate::eval::{self, Inputs};
use crate::from_history;
use crate::model::GateReport;
use crate::paths::normalize_path;
use crate::request::{GateRequest, RunEvidence};

/// Evaluate the configured gates over discovered artifacts, the given (or last finished) run of
/// the history and the change against `base` (default: CI variables, merge-base, HEAD~1).
/// Warnings about unknown configuration keys are printed to stderr. Nothing is recorded: call
/// [`crate::publish::record_report`] for the gate history and
/// [`crate::publish::write_configured_outputs`] for the files.
pub fn evaluate_configured(
    config: &rigor_model::Config,
    run_id: Option<i64>,
    base: Option<&str>,
) -> Result<GateReport> {
    let (settings, warnings) = Settings::load(config)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let request = GateRequest {
        evidence: run_id.map_or(RunEvidence::Latest, RunEvidence::Run),
        base: base.map(str::to_string),
        ..Default::default()
    };
    evaluate_with(config, &settings, &request, &|k| std::env::var(k).ok())
}

/// Evaluate with explicit settings and request; `env` reads CI variables.
pub fn evaluate_with(
    config: &rigor_model::Config,
    settings: &Settings,
    req: &GateRequest,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<GateReport> {
    let root = config.root.as_path();
    let checkout = change::checkout(root);
    let repo_root = checkout.as_ref().map(|c| c.root.as_path());
    let norm = |p: &str| normalize_path(p, root, repo_root);
    let finder = Finder { root, norm: &norm };
    let mut inputs = Inputs::default();
    artifacts::read_all(&finder, &settings.artifacts, req, &mut inputs)?;

    let change = match &req.change {
        Some(c) => Change::Lines(ChangedLines::from_change(c)),
        None => change::changed_lines_for(root, req.base.as_deref(), env)?,
    };
    match change {
        Change::Lines(lines) => inputs.changed = Some(lines),
        Change::Unknown(why) => inputs.notes.push(why),
    }

    let mut store = crate::history::open_configured(config, false)?;
    let db = match &store {
        Some(s) => s.path().to_path_buf(),
        None => config.sqlite_path()?,
    };
    let run_id = from_history::tests(store.as_ref(), &db, req.evidence, &norm, &mut inputs)?;
    from_history::base_coverage(store.as_mut(), &mut inputs)?;
    let quarantine = from_history::quarantine(store.as_ref(), &settings.gates.tests.quarantine)?;

    let comps = Components::build(&settings.components)?;
    let gates = with_tier_budget(config, &settings.gates);
    let mut report = eval::evaluate(&gates, &comps, inputs, &quarantine);
    report.run_id = run_id;
    if let Some(c) = checkout {
        report.commit = c.commit;
        report.branch = c.branch;
    }
    Ok(report)
}

/// The gates with the critical tier's budget filled in when unset: the tier's own budget from
/// `[tiers]`, else the strategy's 30 s.
fn with_tier_budget(config: &rigor_model::Config, gates: &GatesConfig) -> GatesConfig {
    let mut gates = gates.clone();
    if gates.tests.critical_budget.is_none() {
        let tier_budget = config
            .raw(&format!("tiers.{}.budget", gates.tests.critical_tier))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        gates.tests.critical_budget = Some(tier_budget.unwrap_or_else(|| "30s".into()));
    }
    gates
}
