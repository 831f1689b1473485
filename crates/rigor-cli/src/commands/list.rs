//! `rigor list`: discovered tests with estimated durations.

use crate::args::{Format, ListArgs};
use anyhow::Result;
use rigor_model::duration::human;
use rigor_model::{Config, TestCase, TestKey, exit};
use std::collections::HashMap;

pub fn run(config: &Config, args: &ListArgs) -> Result<i32> {
    let store = super::open_store_for_reading(config)?;
    if let Some(tier) = &args.tier {
        return list_tier(config, store, args, tier);
    }
    let found = rigor_runner::discover(config, &args.suites, &args.extra)?;
    let tier_of = tiers_of(config, &store, &found)?;
    let mut json_suites = Vec::new();
    let mut total = 0usize;
    for d in &found {
        let (known, typical) = rigor_runner::run::estimates(&store, &d.suite.name)?;
        let est_total: f64 = d
            .tests
            .iter()
            .map(|t| known.get(&t.key).copied().unwrap_or(typical))
            .sum();
        total += d.tests.len();
        match args.format {
            Format::Text => {
                println!(
                    "suite {} ({}): {} tests, estimated {} serial",
                    d.suite.name,
                    d.suite.kind.as_str(),
                    d.tests.len(),
                    human(est_total)
                );
                for t in &d.tests {
                    let est = match known.get(&t.key) {
                        Some(e) => human(*e),
                        None => "new".to_string(),
                    };
                    let marks = if t.markers.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", t.markers.join(", "))
                    };
                    let ign = if t.ignored { "  (ignored)" } else { "" };
                    let tier = tier_of.get(&t.key).map(String::as_str).unwrap_or("-");
                    println!("  {est:>8}  {tier:<13}  {}{marks}{ign}", t.key.id);
                }
                for (id, text) in &d.errors {
                    println!("  ERROR collecting {id}:");
                    for l in text
                        .lines()
                        .rev()
                        .take(5)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                    {
                        println!("      {l}");
                    }
                }
            }
            Format::Json => {
                let tests: Vec<_> = d
                    .tests
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.key.id, "file": t.file, "line": t.line, "markers": t.markers,
                            "ignored": t.ignored, "estimated_s": known.get(&t.key), "tier": tier_of.get(&t.key),
                        })
                    })
                    .collect();
                let errors: Vec<_> = d
                    .errors
                    .iter()
                    .map(|(id, text)| serde_json::json!({"id": id, "text": text}))
                    .collect();
                json_suites.push(serde_json::json!({
                    "name": d.suite.name, "kind": d.suite.kind.as_str(), "estimated_s": est_total,
                    "tests": tests, "collection_errors": errors,
                }));
            }
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "schema": "rigor.list/1", "suites": json_suites })
            )?
        );
    }
    Ok(if total == 0 { exit::NOTHING } else { exit::OK })
}

/// The tier each test would run in (every tier planned, as `rigor ci` does).
fn tiers_of(
    config: &Config,
    store: &rigor_store::Store,
    found: &[rigor_runner::Discovered],
) -> Result<HashMap<TestKey, String>> {
    let names: Vec<&str> = found.iter().map(|d| d.suite.name.as_str()).collect();
    let branch = rigor_vcs::branch(&config.root);
    let facts = rigor_pipeline::planning::HistoryFacts::load(store, &names, branch.as_deref())?;
    let tiers = rigor_pipeline::planning::load_tiers(config)?;
    let all: Vec<TestCase> = found.iter().flat_map(|d| d.tests.iter().cloned()).collect();
    let est: Vec<f64> = all.iter().map(|t| facts.expected(t)).collect();
    let plan = rigor_plan::plan_tiers(&all, &est, None, &tiers, config.jobs(), &facts);
    let mut out = HashMap::new();
    for (name, members, _) in plan.tiers {
        for i in members {
            out.insert(all[i].key.clone(), name.clone());
        }
    }
    Ok(out)
}

/// `rigor list --tier NAME`: the tests the tier takes, in run order, with its estimated time.
fn list_tier(
    config: &Config,
    mut store: rigor_store::Store,
    args: &ListArgs,
    tier: &str,
) -> Result<i32> {
    let jobs = config.jobs();
    let planned = rigor_pipeline::planning::plan(
        config,
        &mut store,
        &rigor_pipeline::planning::PlanRequest {
            suites: args.suites.clone(),
            extra: args.extra.clone(),
            up_to_tier: Some(tier.to_string()),
            jobs,
            ..Default::default()
        },
    )?;
    let members: Vec<_> = planned
        .tests
        .iter()
        .filter(|t| t.tier.as_deref() == Some(tier))
        .collect();
    let serial: f64 = members.iter().map(|t| t.estimated_s).sum();
    match args.format {
        Format::Text => {
            println!(
                "tier {tier}: {} tests, estimated {} serial, {} on {jobs} workers",
                members.len(),
                human(serial),
                human(serial / jobs as f64)
            );
            for t in &members {
                println!("  {:>8}  {}", human(t.estimated_s), t.test.key);
            }
        }
        Format::Json => {
            let tests: Vec<_> = members
                .iter()
                .map(|t| serde_json::json!({"suite": t.test.key.suite, "id": t.test.key.id, "estimated_s": t.estimated_s}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"schema": "rigor.list-tier/1", "tier": tier, "jobs": jobs, "estimated_s": serial, "tests": tests})
                )?
            );
        }
    }
    Ok(if members.is_empty() {
        exit::NOTHING
    } else {
        exit::OK
    })
}
