//! `rigor flaky`: flakiness scores, quarantine with expiry, release; auto-quarantine after runs.

use crate::cli::{FlakyAction, FlakyArgs, Format};
use anyhow::{Result, bail};
use rigor_model::{Config, TestKey, exit};
use rigor_plan::flaky::{FlakyScore, Observation, score};
use rigor_runner::RunReport;
use rigor_store::Store;
use serde::Deserialize;

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

pub fn flaky_config(config: &Config) -> Result<FlakyConfig> {
    let (c, warnings): (FlakyConfig, _) = config.section("flaky")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(c)
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

/// After a run: quarantine tests of the run whose score reached the threshold (when enabled).
pub fn auto_quarantine(config: &Config, store: &mut Store, report: &RunReport) -> Result<()> {
    let c = flaky_config(config)?;
    if !c.auto_quarantine {
        return Ok(());
    }
    let now = rigor_runner::run::now_s();
    let ran: std::collections::HashSet<&TestKey> = report.results.iter().map(|r| &r.key).collect();
    for (key, s) in scores(store, c.window)? {
        if s.score >= c.threshold && ran.contains(&key) && !report.quarantined.contains_key(&key) {
            let reason = format!("auto: flakiness score {:.2} ≥ {:.2}", s.score, c.threshold);
            store.quarantine(&key, &reason, now, now + c.quarantine_days * 86_400.0, true)?;
            eprintln!("quarantined {key} ({reason})");
        }
    }
    Ok(())
}

/// Resolve `ID` or `suite::ID` against the tests the history knows.
fn resolve(store: &Store, id: &str, suite: Option<&str>) -> Result<TestKey> {
    let scores = store.observations(1)?;
    let mut matches: Vec<&TestKey> = scores
        .keys()
        .filter(|k| match suite {
            Some(s) => k.suite == s && k.id == id,
            None => k.id == id || k.to_string() == id,
        })
        .collect();
    matches.sort();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => bail!(
            "no test `{id}` in the history\n  hint: ids are as `rigor list` shows them; run the tests once first"
        ),
        many => bail!(
            "`{id}` is in several suites: {}\n  hint: add --suite NAME",
            many.iter()
                .map(|k| k.suite.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn run(config: &Config, args: &FlakyArgs) -> Result<i32> {
    let mut store = super::open_store(config)?;
    let c = flaky_config(config)?;
    let now = rigor_runner::run::now_s();
    match &args.action {
        Some(FlakyAction::Quarantine {
            id,
            reason,
            days,
            suite,
        }) => {
            let key = resolve(&store, id, suite.as_deref())?;
            let days = days.unwrap_or(c.quarantine_days);
            if days.is_nan() || days <= 0.0 {
                bail!("--days must be positive");
            }
            store.quarantine(&key, reason, now, now + days * 86_400.0, false)?;
            println!("quarantined {key} for {days} days: {reason}");
        }
        Some(FlakyAction::Release { id, suite }) => {
            let key = resolve(&store, id, suite.as_deref())?;
            if store.release(&key, now)? {
                println!("released {key}");
            } else {
                bail!("{key} is not quarantined\n  hint: `rigor flaky` lists quarantined tests");
            }
        }
        None => {
            let window = args.window.unwrap_or(c.window);
            let q: std::collections::HashMap<TestKey, rigor_store::Quarantine> = store
                .active_quarantines(now)?
                .into_iter()
                .map(|q| (TestKey::new(q.suite.clone(), q.id.clone()), q))
                .collect();
            let rows: Vec<_> = scores(&store, window)?
                .into_iter()
                .filter(|(k, s)| {
                    s.score > args.min_score.max(0.0)
                        || (args.min_score <= 0.0 && s.score > 0.0)
                        || q.contains_key(k)
                })
                .collect();
            if args.format == Format::Json {
                let v: Vec<_> = rows
                    .iter()
                    .map(|(k, s)| {
                        serde_json::json!({"suite": k.suite, "id": k.id, "score": s.score, "runs": s.runs, "failures": s.failures,
                            "retried_passes": s.retried_passes, "same_commit_flips": s.same_commit_flips, "alternations": s.alternations,
                            "quarantine": q.get(k)})
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(exit::OK);
            }
            if rows.is_empty() {
                println!("no flaky tests in the last {window} results of each test");
            }
            for (k, s) in rows {
                let status = match q.get(&k) {
                    Some(q) => format!(
                        "  QUARANTINED until {} ({})",
                        rigor_model::time::utc(q.expires_at),
                        q.reason
                    ),
                    None => String::new(),
                };
                println!(
                    "{:.2}  {k}  (runs {}, failures {}, passed on retry {}, same-commit flips {}){status}",
                    s.score, s.runs, s.failures, s.retried_passes, s.same_commit_flips
                );
            }
        }
    }
    Ok(exit::OK)
}
