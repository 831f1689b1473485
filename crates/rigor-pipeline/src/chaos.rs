//! The `[chaos]` scenario of a run: its proxies are started before the tests are discovered
//! (so every worker gets their addresses in its environment), kept only when the plan holds
//! `chaos`-marked tests (or when there is no plan: everything runs), and torn down when the run
//! ends (dropping the scenario).

use crate::error::{PipelineError, Result};
use crate::planning::Planned;
use rigor_model::Config;
use rigor_model::config::ChaosConfig;
use rigor_release::chaos::scenario::Scenario;

/// The marker of the tests that need the scenario.
pub const MARKER: &str = "chaos";

/// Start the configured scenario and add its variables to every suite's environment (a
/// variable the suite sets itself wins). `None` when `[chaos]` has no proxies.
pub fn start(config: &mut Config) -> Result<Option<Scenario>> {
    let (chaos, warnings): (ChaosConfig, _) = config.section("chaos")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    if chaos.proxy.is_empty() {
        return Ok(None);
    }
    let scenario = Scenario::start(&chaos).map_err(|e| PipelineError::Usage {
        what: "cannot start the [chaos] scenario".into(),
        message: e.to_string(),
        hint: "fix [chaos] in rigor.toml (docs/release.md)".into(),
    })?;
    if config.suites.is_empty() {
        config.suites = rigor_runner::prepare::suites_for(config, &[])?;
    }
    for suite in &mut config.suites {
        for (k, v) in scenario.env() {
            suite.env.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Ok(Some(scenario))
}

/// One line saying the scenario is up for the tests.
pub fn announce(scenario: &Scenario) {
    let proxies: Vec<String> = scenario
        .env()
        .iter()
        .filter(|(k, _)| k.ends_with("_ADDR"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    eprintln!(
        "rigor: chaos scenario up for the chaos-marked tests (RIGOR_CHAOS_API={}; {})",
        scenario.env()["RIGOR_CHAOS_API"],
        proxies.join(", ")
    );
}

/// Whether the plan runs a test marked `chaos`.
pub fn needed(planned: &Planned) -> bool {
    planned
        .tests
        .iter()
        .any(|t| t.test.markers.iter().any(|m| m == MARKER))
}
