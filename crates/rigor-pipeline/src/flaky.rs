//! Flakiness from the history: `[flaky]` settings, scores of every test, and the automatic
//! quarantine after a run.

use crate::error::Result;
use rigor_model::{Config, TestKey};
use rigor_plan::flaky::{FlakyScore, Observation, score};
use rigor_runner::RunReport;
use rigor_store::Store;
use serde::Deserialize;

/// `[flaky]` in rigor.toml.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct FlakyConfig {
    pub window: usize,
    pub auto_quarantine: bool,
    pub threshold: f64,
    pub quarantine_days: f64,
}

impl Default for FlakyConfig {
    fn default() -> Self {
        Self {
            window: 30,
            auto_quarantine: false,
            threshold: 0.3,
            quarantine_days: 14.0,
        }
    }
}

impl FlakyConfig {
    /// The `[flaky]` section (unknown keys are warned about).
    pub fn load(config: &Config) -> Result<FlakyConfig> {
        let (c, warnings): (FlakyConfig, _) = config.section("flaky")?;
        for w in warnings {
            eprintln!("warning: {w}");
        }
        Ok(c)
    }
}

/// Scores of every test with history, highest first.
pub fn scores(store: &Store, window: usize) -> Result<Vec<(TestKey, FlakyScore)>> {
    let mut out: Vec<(TestKey, FlakyScore)> = store
        .observations(window)?
        .into_iter()
        .map(|(k, obs)| {
            let obs: Vec<Observation> = obs
                .into_iter()
                .map(|(commit, outcome)| Observation { commit, outcome })
                .collect();
            (k, score(&obs))
        })
        .collect();
    out.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// After a run: quarantine the run's tests whose score reached the threshold (when enabled).
/// Returns the tests quarantined, with the reason.
pub fn auto_quarantine(
    config: &Config,
    store: &mut Store,
    report: &RunReport,
) -> Result<Vec<(TestKey, String)>> {
    let c = FlakyConfig::load(config)?;
    if !c.auto_quarantine {
        return Ok(Vec::new());
    }
    let now = rigor_runner::run::now_s();
    let ran: std::collections::HashSet<&TestKey> = report.results.iter().map(|r| &r.key).collect();
    let mut out = Vec::new();
    for (key, s) in scores(store, c.window)? {
        if s.score >= c.threshold && ran.contains(&key) && !report.quarantined.contains_key(&key) {
            let reason = format!("auto: flakiness score {:.2} ≥ {:.2}", s.score, c.threshold);
            store.quarantine(&key, &reason, now, now + c.quarantine_days * 86_400.0, true)?;
            out.push((key, reason));
        }
    }
    Ok(out)
}
