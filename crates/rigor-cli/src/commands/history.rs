//! `rigor history`: recent runs, slowest tests, failure rates, one run's results.

use crate::args::{Format, HistoryArgs};
use anyhow::{Result, bail};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rigor_model::duration::human;
use rigor_model::{Config, exit};

pub fn run(config: &Config, args: &HistoryArgs) -> Result<i32> {
    let path = match config.postgres_url() {
        Some(_) => None,
        None => Some(config.sqlite_path()?),
    };
    if let Some(path) = path.filter(|p| !p.exists()) {
        bail!(
            "no history at {}\n  hint: `rigor run` records one",
            path.display()
        );
    }
    let store = super::open_store_for_reading(config)?;
    if args.slowest {
        let rows = store.slowest(args.limit)?;
        if args.format == Format::Json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(exit::OK);
        }
        let mut t = table(&["median", "max", "runs", "test"]);
        for r in rows {
            t.add_row(vec![
                human(r.median_s),
                human(r.max_s),
                r.runs.to_string(),
                format!("{}::{}", r.suite, r.id),
            ]);
        }
        println!("{t}");
    } else if args.failing {
        let mut rows = store.failure_rates(args.window)?;
        rows.truncate(args.limit);
        if args.format == Format::Json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(exit::OK);
        }
        let mut t = table(&["rate", "failed", "flaky", "runs", "last", "test"]);
        for r in rows {
            t.add_row(vec![
                format!("{:.0}%", r.rate * 100.0),
                r.failures.to_string(),
                r.flaky.to_string(),
                r.runs.to_string(),
                r.last_outcome.to_string(),
                format!("{}::{}", r.suite, r.id),
            ]);
        }
        println!("{t}");
    } else if let Some(id) = args.run {
        let Some(run) = store.run(id)? else {
            bail!("no run #{id} in the history\n  hint: `rigor history` lists the runs");
        };
        let results = store.run_results(id)?;
        if args.format == Format::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({"run": run, "results": results}))?
            );
            return Ok(exit::OK);
        }
        println!(
            "run #{} — {}{}",
            run.id,
            run.status.as_str(),
            if run.is_unfinished() {
                " (unfinished)"
            } else {
                ""
            }
        );
        for r in results {
            println!(
                "{:>8} {:>8}  {}::{}",
                r.outcome.as_str(),
                human(r.duration_s),
                r.suite,
                r.id
            );
            if r.outcome.is_failure() {
                for l in r.excerpt.unwrap_or_default().lines() {
                    println!("           {l}");
                }
            }
        }
    } else {
        let runs = store.recent_runs(args.limit)?;
        if args.format == Format::Json {
            println!("{}", serde_json::to_string_pretty(&runs)?);
            return Ok(exit::OK);
        }
        let mut t = table(&RUN_COLUMNS);
        for r in runs {
            t.add_row(run_row(r));
        }
        println!("{t}");
    }
    Ok(exit::OK)
}

/// The columns of the recent runs table; skipped and xfailed are counted apart (a skip is a
/// test that did not run, an xfail one that ran and failed as expected).
const RUN_COLUMNS: [&str; 11] = [
    "run",
    "started (UTC)",
    "status",
    "wall",
    "passed",
    "failed",
    "skipped",
    "xfailed",
    "commit",
    "branch",
    "trigger",
];

/// One row of the recent runs table.
fn run_row(r: rigor_store::RunRecord) -> Vec<String> {
    let status = if r.is_unfinished() {
        "unfinished".to_string()
    } else {
        r.status.as_str().to_string()
    };
    let wall = r
        .finished_at
        .map(|f| human(f - r.started_at))
        .unwrap_or_else(|| "-".into());
    let c = |k: &str| r.counts.get(k).copied().unwrap_or(0);
    vec![
        format!("#{}", r.id),
        rigor_model::time::utc(r.started_at),
        status,
        wall,
        (c("passed") + c("flaky") + c("xpassed")).to_string(),
        (c("failed") + c("error") + c("timeout")).to_string(),
        c("skipped").to_string(),
        c("xfailed").to_string(),
        r.commit
            .as_deref()
            .map(|c| c.chars().take(10).collect())
            .unwrap_or_default(),
        r.branch.unwrap_or_default(),
        r.trigger,
    ]
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, item 7: skipped and xfailed are separate columns.
    #[test]
    fn skipped_and_xfailed_are_counted_apart() {
        let r = rigor_store::RunRecord {
            id: 7,
            started_at: 0.0,
            finished_at: Some(2.0),
            status: rigor_store::RunStatus::Passed,
            commit: None,
            branch: None,
            trigger: "local".into(),
            shard: None,
            counts: [
                ("passed", 5),
                ("skipped", 2),
                ("xfailed", 3),
                ("xpassed", 1),
            ]
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect(),
        };
        let row = run_row(r);
        let at = |name: &str| row[RUN_COLUMNS.iter().position(|c| *c == name).unwrap()].clone();
        assert_eq!(
            (at("passed"), at("skipped"), at("xfailed")),
            ("6".into(), "2".into(), "3".into())
        );
    }
}
