//! `rigor plan`: what would run for a change, why, in which tier and order, on which shard.
//!
//! The plan is rigor-select's [`Plan`] (schema `rigor.plan/1`): `--format json` prints it as it
//! is, `--format text` renders it for people.

use crate::args::{PlanArgs, PlanFormat};
use anyhow::{Result, bail};
use rigor_model::duration::human;
use rigor_model::{Config, TestKey, exit};
use rigor_pipeline::planning::{self, PlanRequest, Planned, SelectionInfo, short};
use rigor_select::{
    CollectionError, Plan, PlanShard, PlanTier, PlannedTest, SkippedTest, round_risk,
};
use serde_json::json;

pub fn run(config: &Config, args: &PlanArgs) -> Result<i32> {
    let t0 = std::time::Instant::now();
    if args.shards == Some(0) {
        bail!("--shards must be at least 1");
    }
    let mut store = super::open_store(config)?;
    let jobs = config.jobs_or(args.jobs);
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
        change: None,
        // Sharded plans read the history without this commit's runs, as `run --shard` does.
        stable_facts: args.shards.is_some(),
        pinned: None,
    };
    // The change is detected while the tests are discovered.
    let mut planned = match args.all {
        true => planning::plan(config, &mut store, &req)?,
        false => planning::plan_detecting(config, &mut store, &req, || {
            rigor_pipeline::change::detect(config, args.base.as_deref())
        })?,
    };
    if let Some(n) = args.shards {
        label_shards(&mut planned, n);
    }
    if let Some(id) = &args.why {
        return why(&planned, id);
    }
    let plan = document(&planned, jobs);
    match args.format {
        PlanFormat::Text => print_text(&plan, planned.selection.as_ref(), args),
        PlanFormat::Json => print_json(&plan)?,
        PlanFormat::GithubMatrix => print_github_matrix(&plan, args.shards.unwrap_or(1)),
        PlanFormat::Gitlab => print_gitlab(&plan, args.shards.unwrap_or(1)),
    }
    rigor_model::time::stage("plan: printed", t0);
    let sel = planned.selection.as_ref();
    Ok(
        if planned.tests.is_empty()
            && sel.is_none_or(|s| s.full_run.is_some())
            && planned.discovered.iter().all(|d| d.errors.is_empty())
        {
            exit::NOTHING
        } else {
            exit::OK
        },
    )
}

/// Label every test with its shard (the split is the same `rigor run --shard K/N` computes).
fn label_shards(planned: &mut Planned, n: usize) {
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

/// Why a test runs: the selection's reasons, the full run's, or `--all`.
fn reasons_of(sel: Option<&SelectionInfo>, key: &TestKey) -> Vec<String> {
    match sel {
        Some(s) if s.full_run.is_none() => s.reasons.get(key).cloned().unwrap_or_default(),
        Some(s) => vec![format!("full run: {}", s.full_run.as_deref().unwrap_or(""))],
        None => vec!["all tests (--all)".into()],
    }
}

/// The plan document.
fn document(planned: &Planned, jobs: usize) -> Plan {
    let sel = planned.selection.as_ref();
    let change = sel.map(|s| &s.change);
    let tests: Vec<PlannedTest> = planned
        .tests
        .iter()
        .map(|t| PlannedTest {
            id: t.test.key.id.clone(),
            suite: t.test.key.suite.clone(),
            reasons: reasons_of(sel, &t.test.key),
            risk: round_risk(
                sel.and_then(|s| s.risk.get(&t.test.key).copied())
                    .unwrap_or(0.0),
            ),
            estimated_s: t.estimated_s,
            tier: t.tier.clone(),
            shard: t.shard,
            file: t.test.file.clone(),
            markers: t.test.markers.clone(),
        })
        .collect();
    let shards = planned
        .shard_loads
        .iter()
        .enumerate()
        .map(|(k, &estimated_s)| PlanShard {
            index: k + 1,
            tests: planned
                .tests
                .iter()
                .filter(|t| t.shard == Some(k + 1))
                .count(),
            estimated_s,
        })
        .collect();
    Plan {
        schema: Plan::SCHEMA.into(),
        base: change.map(|c| c.base.clone()).filter(|b| !b.is_empty()),
        head: change.map(|c| c.head.clone()).filter(|h| !h.is_empty()),
        base_source: change.map(|c| c.base_source.clone()),
        changed_files: change
            .map(|c| c.files.iter().map(|f| f.path.clone()).collect())
            .unwrap_or_default(),
        full_run: match sel {
            Some(s) => s.full_run.clone(),
            None => Some("--all".to_string()),
        },
        total: tests.len(),
        discovered: planned.discovered.iter().map(|d| d.tests.len()).sum(),
        estimated_s: tests.iter().map(|t| t.estimated_s).sum(),
        jobs,
        tiers: planned
            .tiers
            .iter()
            .map(|(name, tests, estimated_s)| PlanTier {
                name: name.clone(),
                tests: *tests,
                estimated_s: *estimated_s,
            })
            .collect(),
        shards,
        tests,
        skipped: sel
            .map(|s| {
                s.skipped
                    .iter()
                    .map(|(k, why)| SkippedTest {
                        id: k.id.clone(),
                        suite: k.suite.clone(),
                        why: why.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        notes: sel.map(|s| s.notes.clone()).unwrap_or_default(),
        collection_errors: collection_errors(planned),
    }
}

/// `--why ID`: the decision for one test.
fn why(planned: &Planned, id: &str) -> Result<i32> {
    let sel = planned.selection.as_ref();
    let hit = planned
        .tests
        .iter()
        .find(|t| t.test.key.id == id || t.test.key.to_string() == id);
    if let Some(t) = hit {
        let tier = t.tier.as_deref().map(|x| format!(" (tier {x})"));
        println!("{} is selected{}:", t.test.key, tier.unwrap_or_default());
        for r in reasons_of(sel, &t.test.key) {
            println!("  - {r}");
        }
        return Ok(exit::OK);
    }
    let skipped = sel.and_then(|s| {
        s.skipped
            .iter()
            .find(|(k, _)| k.id == id || k.to_string() == id)
    });
    match skipped {
        Some((k, why)) => println!("{k} is skipped: {why}"),
        None => bail!("no test `{id}` was discovered\n  hint: ids are as `rigor list` shows them"),
    }
    Ok(exit::OK)
}

/// `--format text`.
/// The plan as JSON on stdout, through one buffer (a plan lists every skipped test: megabytes
/// on a big repository, which line-buffered printing would write line by line).
fn print_json(plan: &Plan) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, plan)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

fn print_text(plan: &Plan, sel: Option<&SelectionInfo>, args: &PlanArgs) {
    if let Some(s) = sel {
        match &s.full_run {
            Some(r) => println!("full run: {r}"),
            None => println!(
                "change: {} files against {} ({}); {} of {} tests selected",
                s.change.files.len(),
                short(&s.change.base),
                s.change.base_source,
                plan.total,
                plan.discovered
            ),
        }
        for n in &s.notes {
            println!("note: {n}");
        }
    }
    for e in &plan.collection_errors {
        println!(
            "collection error: {}::{} — {} (its tests cannot be planned; rigor run reports it)",
            e.suite, e.file, e.message
        );
    }
    println!(
        "{} tests, estimated {} serial, {} on {} workers",
        plan.total,
        human(plan.estimated_s),
        human(plan.estimated_s / plan.jobs as f64),
        plan.jobs
    );
    for t in &plan.tiers {
        println!(
            "  tier {:<14} {:>5} tests  {:>8} serial",
            t.name,
            t.tests,
            human(t.estimated_s)
        );
    }
    if let Some(n) = args.shards {
        print_shards(plan, n);
    }
    println!();
    let show_risk = sel.is_some_and(|s| s.full_run.is_none());
    for t in &plan.tests {
        let tier = t.tier.as_deref().map(|s| format!("[{s}] "));
        let shard = t.shard.map(|s| format!("(shard {s}) "));
        let risk = show_risk.then(|| format!("risk {:.2}  ", t.risk));
        println!(
            "  {:>8}  {}{}{}{}::{}",
            human(t.estimated_s),
            risk.unwrap_or_default(),
            tier.unwrap_or_default(),
            shard.unwrap_or_default(),
            t.suite,
            t.id
        );
        if args.explain {
            for r in &t.reasons {
                println!("              ↳ {r}");
            }
        }
    }
    if args.explain && sel.is_some_and(|s| !s.skipped.is_empty()) {
        print!("{}", skipped_text(&plan.skipped, args.all_skipped));
    }
}

/// Files each suite could not collect, with the error's first meaningful line.
fn collection_errors(planned: &Planned) -> Vec<CollectionError> {
    planned
        .discovered
        .iter()
        .flat_map(|d| {
            d.errors.iter().map(|(file, text)| CollectionError {
                suite: d.suite.name.clone(),
                file: file.clone(),
                message: text
                    .lines()
                    .map(str::trim)
                    .rfind(|l| l.starts_with("E ") || l.contains("Error"))
                    .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
                    .unwrap_or("")
                    .to_string(),
            })
        })
        .collect()
}

/// The skipped tests: per file and reason with a count (a change that skips thousands of tests
/// stays a short list), or with `all` one line each.
fn skipped_text(skipped: &[SkippedTest], all: bool) -> String {
    let mut out = format!("\nskipped ({}):\n", skipped.len());
    if all {
        for s in skipped {
            out.push_str(&format!("  {}::{}: {}\n", s.suite, s.id, s.why));
        }
        return out;
    }
    let mut groups: std::collections::BTreeMap<(&str, &str, &str), usize> = Default::default();
    for s in skipped {
        let file = s.id.split("::").next().unwrap_or(&s.id);
        let file = file.split_once(' ').map_or(file, |(binary, _)| binary);
        *groups.entry((&s.suite, file, &s.why)).or_default() += 1;
    }
    for ((suite, file, why), n) in &groups {
        let tests = if *n == 1 { "test" } else { "tests" };
        out.push_str(&format!("  {suite}::{file}  {n} {tests}: {why}\n"));
    }
    if groups.len() < skipped.len() {
        out.push_str("  (one line per test: --explain --all-skipped)\n");
    }
    out
}

/// The shards' loads, and the largest over the lower bound of any split.
fn print_shards(plan: &Plan, n: usize) {
    let items: Vec<(String, f64)> = plan
        .tests
        .iter()
        .map(|t| (format!("{}::{}", t.suite, t.id), t.estimated_s))
        .collect();
    let lb = rigor_plan::shard::lower_bound(&items, n);
    for s in &plan.shards {
        println!(
            "  shard {}/{n}: {:>5} tests  {:>8}",
            s.index,
            s.tests,
            human(s.estimated_s)
        );
    }
    let max = plan
        .shards
        .iter()
        .map(|s| s.estimated_s)
        .fold(0.0, f64::max);
    if lb > 0.0 {
        println!("  largest shard / lower bound = {:.3}", max / lb);
    }
}

/// The estimated seconds of shard `k` (1-based), or of the whole plan without shards.
fn shard_load(plan: &Plan, k: usize) -> f64 {
    plan.shards
        .get(k - 1)
        .map(|s| s.estimated_s)
        .unwrap_or(plan.estimated_s)
}

/// `--format github-matrix`: `{"include": [{"shard": "1/4", …}]}` on one line.
fn print_github_matrix(plan: &Plan, n: usize) {
    let include: Vec<_> = (1..=n)
        .map(|k| {
            json!({"shard": format!("{k}/{n}"), "index": k, "total": n,
                   "estimated_s": shard_load(plan, k)})
        })
        .collect();
    println!("{}", json!({ "include": include }));
}

/// `--format gitlab`: a child pipeline with one job per shard.
fn print_gitlab(plan: &Plan, n: usize) {
    println!(
        "# Generated by `rigor plan --shards {n} --format gitlab`: a child pipeline, one job per shard."
    );
    println!("stages: [test]\n");
    for k in 1..=n {
        println!(
            "rigor-shard-{k}:\n  stage: test\n  # estimated {}\n  script:\n    - rigor run --shard {k}/{n} --junit rigor-junit-{k}.xml --format json > rigor-{k}.json\n  artifacts:\n    when: always\n    paths: [rigor-{k}.json]\n    reports:\n      junit: rigor-junit-{k}.xml\n",
            human(shard_load(plan, k))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_tests_are_grouped_per_file_and_reason() {
        let sk = |id: &str, why: &str| SkippedTest {
            suite: "py".into(),
            id: id.into(),
            why: why.into(),
        };
        let many: Vec<SkippedTest> = (0..2000)
            .map(|i| {
                sk(
                    &format!("tests/test_big.py::test_{i}"),
                    "does not reach the change",
                )
            })
            .chain([sk(
                "tests/test_small.py::test_x",
                "does not reach the change",
            )])
            .collect();
        let text = skipped_text(&many, false);
        assert_eq!(
            text,
            "\nskipped (2001):\n  py::tests/test_big.py  2000 tests: does not reach the change\n  py::tests/test_small.py  1 test: does not reach the change\n  (one line per test: --explain --all-skipped)\n"
        );
        let all = skipped_text(&many, true);
        assert_eq!(
            all.lines().count(),
            2003,
            "a blank line, the header, one line a test"
        );
    }
}
