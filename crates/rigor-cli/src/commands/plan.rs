//! `rigor plan`: what would run, in which tier and order, on which shard.

use super::planning::{self, PlanRequest};
use crate::cli::{PlanArgs, PlanFormat};
use anyhow::{Result, bail};
use rigor_model::duration::human;
use rigor_model::{Config, exit};
use rigor_plan::ShardSpec;
use serde_json::json;

pub fn run(config: &Config, args: &PlanArgs) -> Result<i32> {
    if args.shards == Some(0) {
        bail!("--shards must be at least 1");
    }
    let store = super::open_store(config)?;
    let jobs = args.jobs.unwrap_or_else(|| config.jobs());
    let req = PlanRequest {
        suites: args.suites.clone(),
        extra: args.extra.clone(),
        expr: args.expr.clone(),
        up_to_tier: args.tier.clone(),
        all_tiers: args.tier.is_none(),
        // Plan shard 1 of N: the assignment of every test is computed either way.
        shard: args.shards.map(|n| ShardSpec { index: 1, total: n }),
        jobs,
        keep_output: false,
        coverage_map: None,
    };
    // For the full picture, plan without restricting to one shard, then label each test.
    let mut full_req = req.clone();
    full_req.shard = None;
    let planned = if let Some(n) = args.shards {
        let mut all = planning::plan(config, &store, &full_req)?;
        let items: Vec<(String, f64)> = all
            .tests
            .iter()
            .map(|t| (t.test.key.to_string(), t.estimated_s))
            .collect();
        let shards = rigor_plan::lpt(&items, n);
        all.shard_loads = shards.iter().map(|s| s.load).collect();
        for (k, s) in shards.iter().enumerate() {
            for &i in &s.items {
                all.tests[i].shard = Some(k + 1);
            }
        }
        all
    } else {
        planning::plan(config, &store, &full_req)?
    };
    let total_s: f64 = planned.tests.iter().map(|t| t.estimated_s).sum();
    match args.format {
        PlanFormat::Text => {
            println!(
                "{} tests, estimated {} serial, {} on {jobs} workers",
                planned.tests.len(),
                human(total_s),
                human(total_s / jobs as f64)
            );
            for (name, n, s) in &planned.tiers {
                println!("  tier {name:<14} {n:>5} tests  {:>8} serial", human(*s));
            }
            if let Some(n) = args.shards {
                let lb = rigor_plan::shard::lower_bound(
                    &planned
                        .tests
                        .iter()
                        .map(|t| (t.test.key.to_string(), t.estimated_s))
                        .collect::<Vec<_>>(),
                    n,
                );
                for (k, load) in planned.shard_loads.iter().enumerate() {
                    let count = planned
                        .tests
                        .iter()
                        .filter(|t| t.shard == Some(k + 1))
                        .count();
                    println!(
                        "  shard {}/{n}: {count:>5} tests  {:>8}",
                        k + 1,
                        human(*load)
                    );
                }
                let max = planned.shard_loads.iter().cloned().fold(0.0, f64::max);
                if lb > 0.0 {
                    println!("  largest shard / lower bound = {:.3}", max / lb);
                }
            }
            println!();
            for t in &planned.tests {
                let tier = t
                    .tier
                    .as_deref()
                    .map(|s| format!("[{s}] "))
                    .unwrap_or_default();
                let shard = t.shard.map(|s| format!("(shard {s}) ")).unwrap_or_default();
                println!("  {:>8}  {tier}{shard}{}", human(t.estimated_s), t.test.key);
            }
        }
        PlanFormat::Json => {
            let tests: Vec<_> = planned
                .tests
                .iter()
                .map(|t| {
                    json!({
                        "id": t.test.key.id, "suite": t.test.key.suite, "tier": t.tier, "shard": t.shard,
                        "estimated_s": t.estimated_s, "file": t.test.file, "markers": t.test.markers,
                    })
                })
                .collect();
            let doc = json!({
                "schema": "rigor.plan/1",
                "total": planned.tests.len(),
                "estimated_s": total_s,
                "jobs": jobs,
                "tiers": planned.tiers.iter().map(|(n, c, s)| json!({"name": n, "tests": c, "estimated_s": s})).collect::<Vec<_>>(),
                "shards": planned.shard_loads.iter().enumerate().map(|(k, l)| json!({"index": k + 1, "estimated_s": l,
                    "tests": planned.tests.iter().filter(|t| t.shard == Some(k + 1)).count()})).collect::<Vec<_>>(),
                "tests": tests,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        PlanFormat::GithubMatrix => {
            let n = args.shards.unwrap_or(1);
            let include: Vec<_> = (1..=n)
                .map(|k| {
                    json!({"shard": format!("{k}/{n}"), "index": k, "total": n,
                    "estimated_s": planned.shard_loads.get(k - 1).copied().unwrap_or(total_s)})
                })
                .collect();
            println!("{}", json!({ "include": include }));
        }
        PlanFormat::Gitlab => {
            let n = args.shards.unwrap_or(1);
            println!(
                "# Generated by `rigor plan --shards {n} --format gitlab`: a child pipeline, one job per shard."
            );
            println!("stages: [test]\n");
            for k in 1..=n {
                let est = planned.shard_loads.get(k - 1).copied().unwrap_or(total_s);
                println!(
                    "rigor-shard-{k}:\n  stage: test\n  # estimated {}\n  script:\n    - rigor run --shard {k}/{n} --junit rigor-junit-{k}.xml --format json > rigor-{k}.json\n  artifacts:\n    when: always\n    paths: [rigor-{k}.json]\n    reports:\n      junit: rigor-junit-{k}.xml\n",
                    human(est)
                );
            }
        }
    }
    Ok(if planned.tests.is_empty() {
        exit::NOTHING
    } else {
        exit::OK
    })
}
