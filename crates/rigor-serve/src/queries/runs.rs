//! Runs: lists, one run with its results, branches, and the selection estimate.

use super::{numbered, run_conditions, where_clause};
use crate::error::HttpError;
use crate::filter::Filter;
use rigor_store::db::Row;
use rigor_store::values;
use rigor_store::{Store, StoredResult};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A run with its result counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub started_at: f64,
    pub finished_at: Option<f64>,
    pub status: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub trigger: String,
    pub shard: Option<String>,
    /// Results per outcome.
    pub counts: BTreeMap<String, u64>,
    pub tests: u64,
    /// Pass rate among passed, failed, error, timeout and flaky results (None when none).
    pub pass_rate: Option<f64>,
    /// finished_at − started_at.
    pub wall_s: Option<f64>,
    /// The sum of the results' durations.
    pub test_time_s: f64,
}

const COLS: &str =
    "u.id, u.started_at, u.finished_at, u.status, u.commit_sha, u.branch, u.trigger, u.shard";

fn row(r: &Row) -> rigor_store::Result<RunRow> {
    let started_at: f64 = r.get(1)?;
    let finished_at: Option<f64> = r.get(2)?;
    Ok(RunRow {
        id: r.get(0)?,
        started_at,
        finished_at,
        status: r.get(3)?,
        commit: r.get(4)?,
        branch: r.get(5)?,
        trigger: r.get(6)?,
        shard: r.get(7)?,
        counts: BTreeMap::new(),
        tests: 0,
        pass_rate: None,
        wall_s: finished_at.map(|f| (f - started_at).max(0.0)),
        test_time_s: 0.0,
    })
}

/// Fill the per-outcome counts of runs (one indexed lookup per run).
fn add_counts(store: &Store, runs: &mut [RunRow]) -> Result<(), HttpError> {
    for run in runs {
        let rows = store.with_sql(|db| {
            db.query(
                "SELECT outcome, COUNT(*), COALESCE(SUM(duration_s), 0.0) FROM results WHERE run_id = ?1 GROUP BY outcome",
                &values![run.id],
            )
        })?;
        for r in rows {
            let (outcome, n, time): (String, i64, f64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            run.counts.insert(outcome, n as u64);
            run.tests += n as u64;
            run.test_time_s += time;
        }
        let c = |k: &str| *run.counts.get(k).unwrap_or(&0) as f64;
        let decided = c("passed") + c("failed") + c("error") + c("timeout") + c("flaky");
        run.pass_rate = (decided > 0.0).then(|| c("passed") / decided);
    }
    Ok(())
}

/// Runs matching the filter, newest first; `before` pages (ids below it).
pub fn runs(
    store: &Store,
    f: &Filter,
    now: f64,
    limit: usize,
    before: Option<i64>,
) -> Result<Vec<RunRow>, HttpError> {
    let (mut conds, mut vals) = run_conditions("u", f, now);
    if let Some(b) = before {
        conds.push("u.id < ?".into());
        vals.push(b.into());
    }
    vals.push(limit.into());
    let sql = numbered(&format!(
        "SELECT {COLS} FROM runs u {} ORDER BY u.id DESC LIMIT ?",
        where_clause(&conds)
    ));
    let mut out: Vec<RunRow> =
        store.with_sql(|db| db.query(&sql, &vals)?.iter().map(row).collect())?;
    add_counts(store, &mut out)?;
    Ok(out)
}

/// One run.
pub fn run(store: &Store, id: i64) -> Result<Option<RunRow>, HttpError> {
    let one = store.with_sql(|db| {
        db.query_opt(
            &format!("SELECT {COLS} FROM runs u WHERE u.id = ?1"),
            &values![id],
        )
    })?;
    let mut v: Vec<RunRow> = one.as_ref().map(row).transpose()?.into_iter().collect();
    add_counts(store, &mut v)?;
    Ok(v.pop())
}

/// A run's results in recording order.
pub fn results(store: &Store, id: i64) -> Result<Vec<StoredResult>, HttpError> {
    Ok(store.run_results(id)?)
}

/// The newest run of each branch (runs without a branch count as one branch), newest first.
/// One index seek per branch (`runs_by_branch`), not a scan of every run.
pub fn latest_per_branch(store: &Store, f: &Filter, now: f64) -> Result<Vec<RunRow>, HttpError> {
    let names: Vec<Option<String>> = match &f.branch {
        Some(b) => vec![Some(b.clone())],
        None => branches(store)?
            .into_iter()
            .map(Some)
            .chain([None])
            .collect(),
    };
    let since = f.since(now);
    let mut ids = Vec::new();
    for b in names {
        // written per case (no `IS ?` or `? IS NULL OR …`) so both engines use `runs_by_branch`
        let mut conds = vec![match b {
            Some(_) => "branch = ?",
            None => "branch IS NULL",
        }];
        let mut vals: Vec<rigor_store::db::Value> = b.into_iter().map(Into::into).collect();
        if let Some(s) = since {
            conds.push("started_at >= ?");
            vals.push(s.into());
        }
        let sql = numbered(&format!(
            "SELECT id FROM runs WHERE {} ORDER BY id DESC LIMIT 1",
            conds.join(" AND ")
        ));
        if let Some(r) = store.with_sql(|db| db.query_opt(&sql, &vals))? {
            ids.push(r.get::<i64>(0)?);
        }
    }
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.truncate(50);
    let mut out = Vec::new();
    for id in ids {
        out.extend(run(store, id)?);
    }
    Ok(out)
}

/// Every branch with runs, by name: a skip scan over `runs_by_branch` (one seek per branch).
pub fn branches(store: &Store) -> Result<Vec<String>, HttpError> {
    Ok(store.with_sql(|db| {
        db.query(
            "WITH RECURSIVE b(name) AS (
                SELECT MIN(branch) FROM runs WHERE branch IS NOT NULL
                UNION ALL
                SELECT (SELECT MIN(branch) FROM runs WHERE branch > b.name) FROM b WHERE b.name IS NOT NULL
             ) SELECT name FROM b WHERE name IS NOT NULL",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    })?)
}

/// Runs per status in the window.
pub fn status_counts(
    store: &Store,
    f: &Filter,
    now: f64,
) -> Result<BTreeMap<String, u64>, HttpError> {
    let (conds, vals) = run_conditions("u", f, now);
    let sql = format!(
        "SELECT u.status, COUNT(*) FROM runs u {} GROUP BY u.status",
        where_clause(&conds)
    );
    Ok(store.with_sql(|db| {
        db.query(&numbered(&sql), &vals)?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get::<i64>(1)? as u64)))
            .collect()
    })?)
}

/// What selection saved over a set of runs: each run's test time against an estimate of the
/// full suite — every test seen in those runs at its median duration there.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Selection {
    pub runs: usize,
    /// Distinct tests seen in the runs.
    pub suite_tests: u64,
    /// Estimated time of the full suite (sum of the tests' median durations).
    pub full_suite_s: f64,
    /// Runs that ran fewer tests than the full suite.
    pub selective_runs: usize,
    /// Mean of (tests run / suite tests) over the runs.
    pub selection_ratio: f64,
    /// Sum over the runs of (full-suite estimate − the run's test time), where positive.
    pub saved_s: f64,
}

/// The selection estimate over `runs` (a page of runs, so bounded).
pub fn selection(store: &Store, runs: &[RunRow]) -> Result<Selection, HttpError> {
    let mut durations: HashMap<i64, Vec<f64>> = HashMap::new();
    for run in runs {
        let rows = store.with_sql(|db| {
            db.query(
                "SELECT test_id, duration_s FROM results WHERE run_id = ?1",
                &values![run.id],
            )
        })?;
        for r in rows {
            durations.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
    }
    let suite_tests = durations.len() as u64;
    let full: f64 = durations.values_mut().map(|v| rigor_store::median(v)).sum();
    let mut out = Selection {
        runs: runs.len(),
        suite_tests,
        full_suite_s: full,
        selective_runs: 0,
        selection_ratio: 0.0,
        saved_s: 0.0,
    };
    if runs.is_empty() || suite_tests == 0 {
        return Ok(out);
    }
    let mut ratio = 0.0;
    for run in runs {
        ratio += run.tests as f64 / suite_tests as f64;
        if run.tests < suite_tests {
            out.selective_runs += 1;
            out.saved_s += (full - run.test_time_s).max(0.0);
        }
    }
    out.selection_ratio = ratio / runs.len() as f64;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rigor_model::{Outcome, TestKey, TestResult};
    use rigor_store::{NewRun, RunStatus};

    /// A history with one run per entry of `runs` (the indexes of the tests it ran, each test
    /// taking `durations[i]`); branch `main` for even runs, `dev` for odd.
    fn history(runs: &[Vec<usize>], durations: &[f64]) -> Store {
        let mut s = Store::in_memory().unwrap();
        for (i, tests) in runs.iter().enumerate() {
            let id = s
                .begin_run(&NewRun {
                    started_at: 1000.0 + i as f64,
                    branch: Some(if i % 2 == 0 { "main" } else { "dev" }.into()),
                    trigger: "local".into(),
                    ..Default::default()
                })
                .unwrap();
            let results: Vec<TestResult> = tests
                .iter()
                .map(|&t| {
                    TestResult::new(
                        TestKey::new("py", format!("t{t}")),
                        Outcome::Passed,
                        durations[t],
                    )
                })
                .collect();
            s.record_results(id, &results).unwrap();
            s.finish_run(id, RunStatus::Passed, 1001.0 + i as f64)
                .unwrap();
        }
        s
    }

    #[test]
    fn filters_select_branch_and_window() {
        let s = history(&[vec![0], vec![0, 1], vec![1]], &[1.0, 2.0]);
        let all = runs(&s, &Filter::default(), 2000.0, 10, None).unwrap();
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), vec![3, 2, 1]);
        let main = Filter {
            branch: Some("main".into()),
            days: None,
        };
        assert_eq!(runs(&s, &main, 2000.0, 10, None).unwrap().len(), 2);
        // a window of 1001.5 s back from 2002 keeps the runs started at 1001 and 1002
        let window = Filter {
            branch: None,
            days: Some(1001.5 / 86_400.0),
        };
        assert_eq!(
            runs(&s, &window, 2002.0, 10, None)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            vec![3, 2]
        );
        assert_eq!(
            runs(&s, &Filter::default(), 2000.0, 10, Some(3)).unwrap()[0].id,
            2
        );
        let latest = latest_per_branch(&s, &Filter::default(), 2000.0).unwrap();
        assert_eq!(latest.iter().map(|r| r.id).collect::<Vec<_>>(), vec![3, 2]);
        assert_eq!(branches(&s).unwrap(), vec!["dev", "main"]);
        assert_eq!(all[1].counts["passed"], 2);
        assert_eq!(all[1].test_time_s, 3.0);
        assert_eq!(all[1].pass_rate, Some(1.0));
    }

    #[test]
    fn selection_counts_what_partial_runs_skipped() {
        let s = history(&[vec![0, 1, 2], vec![0], vec![1, 2]], &[1.0, 2.0, 4.0]);
        let rs = runs(&s, &Filter::default(), 2000.0, 10, None).unwrap();
        let sel = selection(&s, &rs).unwrap();
        assert_eq!(sel.suite_tests, 3);
        assert_eq!(sel.full_suite_s, 7.0);
        assert_eq!(sel.selective_runs, 2);
        // run 2 skipped 6 s, run 3 skipped 1 s
        assert_eq!(sel.saved_s, 7.0);
        assert!((sel.selection_ratio - (1.0 + 1.0 / 3.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Saved time is never negative, the ratio is in (0, 1], and adding a full run of the
        /// same suite changes neither the suite estimate nor what the other runs saved.
        #[test]
        fn selection_is_bounded_and_full_runs_save_nothing(
            picks in prop::collection::vec(prop::collection::btree_set(0usize..6, 1..6), 1..8),
            durations in prop::collection::vec(0.01f64..5.0, 6),
        ) {
            let runs_tests: Vec<Vec<usize>> = picks.iter().map(|p| p.iter().copied().collect()).collect();
            let s = history(&runs_tests, &durations);
            let rs = runs(&s, &Filter::default(), 1e6, 100, None).unwrap();
            let sel = selection(&s, &rs).unwrap();
            prop_assert!(sel.saved_s >= 0.0);
            prop_assert!(sel.selection_ratio > 0.0 && sel.selection_ratio <= 1.0 + 1e-12);
            let seen: std::collections::BTreeSet<usize> = runs_tests.iter().flatten().copied().collect();
            prop_assert_eq!(sel.suite_tests as usize, seen.len());
            let mut with_full = runs_tests.clone();
            with_full.push(seen.iter().copied().collect());
            let s2 = history(&with_full, &durations);
            let rs2 = runs(&s2, &Filter::default(), 1e6, 100, None).unwrap();
            let sel2 = selection(&s2, &rs2).unwrap();
            prop_assert!((sel2.full_suite_s - sel.full_suite_s).abs() < 1e-9);
            prop_assert!((sel2.saved_s - sel.saved_s).abs() < 1e-9);
            prop_assert_eq!(sel2.selective_runs, sel.selective_runs);
        }
    }
}
