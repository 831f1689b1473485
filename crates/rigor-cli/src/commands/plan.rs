//! `rigor plan`: what would run for a change, why, in which tier and order, on which shard.

use super::planning::{self, ChangeRequest, PlanRequest, SelectionInfo};
use crate::cli::{PlanArgs, PlanFormat};
use anyhow::{Result, bail};
use rigor_model::duration::human;
use rigor_model::{Config, exit};
use serde_json::json;

/// One line on stderr about the selection, for `rigor run --changed` and `rigor ci`.
pub fn print_selection_header(sel: &SelectionInfo, selected: usize) {
    match &sel.full_run {
        Some(reason) => eprintln!("selection: full run — {reason}"),
        None => eprintln!(
            "selection: {selected} of {} tests for {} changed files (base {} — {})",
            sel.total,
            sel.change.files.len(),
            short(&sel.change.base),
            sel.change.base_source
        ),
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

pub fn run(config: &Config, args: &PlanArgs) -> Result<i32> {
    if args.shards == Some(0) {
        bail!("--shards must be at least 1");
    }
    let mut store = super::open_store(config)?;
    let jobs = args.jobs.unwrap_or_else(|| config.jobs());
    let req = PlanRequest {
        suites: args.suites.clone(),
        extra: args.extra.clone(),
        expr: args.expr.clone(),
        up_to_tier: args.tier.clone(),
        all_tiers: args.tier.is_none(),
        shard: None,
        jobs,
        keep_output: false,
        coverage_map: None,
        change: (!args.all).then(|| ChangeRequest {
            base: args.base.clone(),
        }),
    };
    let mut planned = planning::plan(config, &mut store, &req)?;
    // Label every test with its shard (the split is the same `rigor run --shard K/N` computes).
    if let Some(n) = args.shards {
        let items: Vec<(String, f64)> = planned
            .tests
            .iter()
            .map(|t| (t.test.key.to_string(), t.estimated_s))
            .collect();
        let shards = rigor_plan::lpt(&items, n);
        planned.shard_loads = shards.iter().map(|s| s.load).collect();
        for (k, s) in shards.iter().enumerate() {
            for &i in &s.items {
                planned.tests[i].shard = Some(k + 1);
            }
        }
    }
    let sel = planned.selection.as_ref();
    let reasons_of = |key: &rigor_model::TestKey| -> Vec<String> {
        match sel {
            Some(s) if s.full_run.is_none() => s.reasons.get(key).cloned().unwrap_or_default(),
            Some(s) => vec![format!("full run: {}", s.full_run.as_deref().unwrap_or(""))],
            None => vec!["all tests (--all)".into()],
        }
    };
    let risk_of =
        |key: &rigor_model::TestKey| sel.and_then(|s| s.risk.get(key).copied()).unwrap_or(0.0);
    if let Some(id) = &args.why {
        let hit = planned
            .tests
            .iter()
            .find(|t| &t.test.key.id == id || t.test.key.to_string() == *id);
        match (hit, sel) {
            (Some(t), _) => {
                println!(
                    "{} is selected{}:",
                    t.test.key,
                    t.tier
                        .as_deref()
                        .map(|x| format!(" (tier {x})"))
                        .unwrap_or_default()
                );
                for r in reasons_of(&t.test.key) {
                    println!("  - {r}");
                }
            }
            (None, Some(s)) => match s
                .skipped
                .iter()
                .find(|(k, _)| &k.id == id || k.to_string() == *id)
            {
                Some((k, why)) => println!("{k} is skipped: {why}"),
                None => bail!(
                    "no test `{id}` was discovered\n  hint: ids are as `rigor list` shows them"
                ),
            },
            (None, None) => {
                bail!("no test `{id}` was discovered\n  hint: ids are as `rigor list` shows them")
            }
        }
        return Ok(exit::OK);
    }
    let total_s: f64 = planned.tests.iter().map(|t| t.estimated_s).sum();
    let discovered: usize = planned.discovered.iter().map(|d| d.tests.len()).sum();
    match args.format {
        PlanFormat::Text => {
            if let Some(s) = sel {
                match &s.full_run {
                    Some(r) => println!("full run: {r}"),
                    None => println!(
                        "change: {} files against {} ({}); {} of {discovered} tests selected",
                        s.change.files.len(),
                        short(&s.change.base),
                        s.change.base_source,
                        planned.tests.len()
                    ),
                }
                for n in &s.notes {
                    println!("note: {n}");
                }
            }
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
                let items: Vec<(String, f64)> = planned
                    .tests
                    .iter()
                    .map(|t| (t.test.key.to_string(), t.estimated_s))
                    .collect();
                let lb = rigor_plan::shard::lower_bound(&items, n);
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
                let risk = if sel.is_some_and(|s| s.full_run.is_none()) {
                    format!("risk {:.2}  ", risk_of(&t.test.key))
                } else {
                    String::new()
                };
                println!(
                    "  {:>8}  {risk}{tier}{shard}{}",
                    human(t.estimated_s),
                    t.test.key
                );
                if args.explain {
                    for r in reasons_of(&t.test.key) {
                        println!("              ↳ {r}");
                    }
                }
            }
            if args.explain
                && let Some(s) = sel.filter(|s| !s.skipped.is_empty())
            {
                println!("\nskipped ({}):", s.skipped.len());
                for (k, why) in &s.skipped {
                    println!("  {k}: {why}");
                }
            }
        }
        PlanFormat::Json => {
            let tests: Vec<_> = planned
                .tests
                .iter()
                .map(|t| {
                    json!({
                        "id": t.test.key.id, "suite": t.test.key.suite,
                        "reasons": reasons_of(&t.test.key), "risk": risk_of(&t.test.key),
                        "estimated_s": t.estimated_s,
                        "tier": t.tier, "shard": t.shard, "file": t.test.file, "markers": t.test.markers,
                    })
                })
                .collect();
            let change = sel.map(|s| &s.change);
            let doc = json!({
                "schema": "rigor.plan/1",
                "base": change.map(|c| c.base.clone()).filter(|b| !b.is_empty()),
                "head": change.map(|c| c.head.clone()).filter(|h| !h.is_empty()),
                "base_source": change.map(|c| c.base_source.clone()),
                "changed_files": change.map(|c| c.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>()).unwrap_or_default(),
                "full_run": match sel { Some(s) => s.full_run.clone(), None => Some("--all".to_string()) },
                "total": planned.tests.len(),
                "discovered": discovered,
                "estimated_s": total_s,
                "jobs": jobs,
                "tiers": planned.tiers.iter().map(|(n, c, s)| json!({"name": n, "tests": c, "estimated_s": s})).collect::<Vec<_>>(),
                "shards": planned.shard_loads.iter().enumerate().map(|(k, l)| json!({"index": k + 1, "estimated_s": l,
                    "tests": planned.tests.iter().filter(|t| t.shard == Some(k + 1)).count()})).collect::<Vec<_>>(),
                "tests": tests,
                "skipped": sel.map(|s| s.skipped.iter().map(|(k, why)| json!({"id": k.id, "suite": k.suite, "why": why})).collect::<Vec<_>>()).unwrap_or_default(),
                "notes": sel.map(|s| s.notes.clone()).unwrap_or_default(),
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
    Ok(
        if planned.tests.is_empty() && sel.is_none_or(|s| s.full_run.is_some()) {
            exit::NOTHING
        } else {
            exit::OK
        },
    )
}
