//! `rigor flaky`: flakiness scores, quarantine with expiry, release.

use crate::args::{FlakyAction, FlakyArgs, Format};
use anyhow::{Result, bail};
use rigor_model::{Config, TestKey, exit};
use rigor_pipeline::flaky::{FlakyConfig, scores};
use rigor_store::Store;

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
    let c = FlakyConfig::load(config)?;
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
