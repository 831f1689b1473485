//! Runs and per-test results (the core area).

use crate::db::{Sql, Value};
use crate::{Migration, Result, Store, StoreError, values};
use rigor_model::{Outcome, TestKey, TestResult};
use serde::Serialize;
use std::collections::HashMap;

pub(crate) const MIGRATIONS: &[Migration] = &[
    r#"
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    started_at    REAL NOT NULL,
    finished_at   REAL,
    status        TEXT NOT NULL,
    commit_sha    TEXT,
    branch        TEXT,
    base          TEXT,
    trigger       TEXT NOT NULL,
    shard         TEXT,
    env           TEXT,
    args          TEXT
);
CREATE TABLE tests (
    id       INTEGER PRIMARY KEY,
    suite    TEXT NOT NULL,
    name     TEXT NOT NULL,
    file     TEXT,
    line     INTEGER,
    UNIQUE (suite, name)
);
CREATE TABLE results (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    test_id     INTEGER NOT NULL REFERENCES tests(id),
    outcome     TEXT NOT NULL,
    duration_s  REAL NOT NULL,
    attempts    INTEGER NOT NULL,
    excerpt     TEXT,
    output      TEXT,
    start_s     REAL,
    worker      INTEGER,
    tier        TEXT,
    PRIMARY KEY (run_id, test_id)
);
CREATE INDEX results_by_test ON results (test_id, run_id);
"#,
    r#"
-- the dashboard (rigor serve) filters runs by branch and time window on big histories
CREATE INDEX runs_by_branch ON runs (branch, id);
CREATE INDEX runs_by_started ON runs (started_at);
"#,
];

/// Status of a run. A run left `running` by a killed rigor is shown as unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Passed,
    Failed,
    Interrupted,
    Error,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Error => "error",
        }
    }
    fn parse(s: &str) -> RunStatus {
        match s {
            "passed" => RunStatus::Passed,
            "failed" => RunStatus::Failed,
            "interrupted" => RunStatus::Interrupted,
            "error" => RunStatus::Error,
            _ => RunStatus::Running,
        }
    }
}

/// What is known when a run starts.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    pub started_at: f64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub base: Option<String>,
    pub trigger: String,
    pub shard: Option<String>,
    /// Environment fingerprint (JSON).
    pub env: Option<String>,
    pub args: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub started_at: f64,
    pub finished_at: Option<f64>,
    pub status: RunStatus,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub trigger: String,
    pub shard: Option<String>,
    /// Results per outcome.
    pub counts: HashMap<String, u64>,
}

impl RunRecord {
    /// A run still `running` after its rigor ended (killed) is unfinished.
    pub fn is_unfinished(&self) -> bool {
        self.finished_at.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredResult {
    pub suite: String,
    pub id: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub outcome: Outcome,
    pub duration_s: f64,
    pub attempts: u32,
    pub excerpt: Option<String>,
    pub start_s: Option<f64>,
    pub worker: Option<u32>,
    pub tier: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DurationStats {
    pub suite: String,
    pub id: String,
    pub median_s: f64,
    pub max_s: f64,
    pub runs: u64,
}

impl DurationStats {
    /// The `limit` slowest tests by median of their duration samples (keyed by suite and id),
    /// slowest first, ties by id.
    pub fn slowest(
        samples: HashMap<(String, String), Vec<f64>>,
        limit: usize,
    ) -> Vec<DurationStats> {
        let mut out: Vec<DurationStats> = samples
            .into_iter()
            .map(|((suite, id), mut v)| DurationStats {
                suite,
                id,
                max_s: v.iter().copied().fold(0.0, f64::max),
                runs: v.len() as u64,
                median_s: median(&mut v),
            })
            .collect();
        out.sort_by(|a, b| {
            b.median_s
                .total_cmp(&a.median_s)
                .then_with(|| a.id.cmp(&b.id))
        });
        out.truncate(limit);
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureRate {
    pub suite: String,
    pub id: String,
    pub runs: u64,
    pub failures: u64,
    pub flaky: u64,
    pub rate: f64,
    pub last_outcome: Outcome,
}

/// How many recent passing durations feed an estimate.
const ESTIMATE_WINDOW: i64 = 5;

impl Store {
    /// Record the start of a run; results are added as they finish.
    pub fn begin_run(&self, run: &NewRun) -> Result<i64> {
        let p = values![
            run.started_at,
            &run.commit,
            &run.branch,
            &run.base,
            &run.trigger,
            &run.shard,
            &run.env,
            &run.args
        ];
        let row = crate::retry(|| {
            self.with_sql(|db| {
                db.query_opt(
                    "INSERT INTO runs (started_at, status, commit_sha, branch, base, trigger, shard, env, args)
                     VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                    &p,
                )
            })
        })?;
        row.expect("INSERT … RETURNING gives a row").get(0)
    }

    /// Add finished results to a run, atomically.
    pub fn record_results(&mut self, run_id: i64, results: &[TestResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        // A write transaction from the start (not upgraded from a read, which another writer's
        // commit can make fail at once), run again while it conflicts with other writers.
        self.with_tx(|db| record_in(db, run_id, results))
    }

    /// Close a run with its final status.
    pub fn finish_run(&self, run_id: i64, status: RunStatus, finished_at: f64) -> Result<()> {
        crate::retry(|| {
            self.with_sql(|db| {
                db.exec(
                    "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
                    &values![run_id, status.as_str(), finished_at],
                )
            })
        })?;
        Ok(())
    }

    pub fn run(&self, run_id: i64) -> Result<Option<RunRecord>> {
        let mut runs = self.query_runs("WHERE id = ?1", &values![run_id])?;
        Ok(runs.pop())
    }

    /// Most recent runs first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>> {
        self.query_runs("ORDER BY id DESC LIMIT ?1", &values![limit])
    }

    /// The most recent run that finished (any status but running).
    pub fn last_finished_run(&self) -> Result<Option<RunRecord>> {
        Ok(self
            .query_runs(
                "WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                &[],
            )?
            .pop())
    }

    fn query_runs(&self, tail: &str, p: &[Value]) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT id, started_at, finished_at, status, commit_sha, branch, trigger, shard FROM runs {tail}"
        );
        self.with_sql(|db| {
            let mut runs = Vec::new();
            for r in db.query(&sql, p)? {
                runs.push(RunRecord {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    status: RunStatus::parse(&r.get::<String>(3)?),
                    commit: r.get(4)?,
                    branch: r.get(5)?,
                    trigger: r.get(6)?,
                    shard: r.get(7)?,
                    counts: HashMap::new(),
                });
            }
            for run in &mut runs {
                for row in db.query(
                    "SELECT outcome, COUNT(*) FROM results WHERE run_id = ?1 GROUP BY outcome",
                    &values![run.id],
                )? {
                    run.counts
                        .insert(row.get(0)?, row.get::<i64>(1)?.max(0) as u64);
                }
            }
            Ok(runs)
        })
    }

    /// All results of a run, in recording order.
    pub fn run_results(&self, run_id: i64) -> Result<Vec<StoredResult>> {
        self.with_sql(|db| {
            db.query(
                "SELECT t.suite, t.name, t.file, t.line, r.outcome, r.duration_s, r.attempts, r.excerpt,
                        r.start_s, r.worker, r.tier
                 FROM results r JOIN tests t ON t.id = r.test_id WHERE r.run_id = ?1 ORDER BY r.rowid",
                &values![run_id],
            )?
            .iter()
            .map(|r| {
                Ok(StoredResult {
                    suite: r.get(0)?,
                    id: r.get(1)?,
                    file: r.get(2)?,
                    line: r.get(3)?,
                    outcome: Outcome::parse(&r.get::<String>(4)?).unwrap_or(Outcome::Error),
                    duration_s: r.get(5)?,
                    attempts: r.get(6)?,
                    excerpt: r.get(7)?,
                    start_s: r.get(8)?,
                    worker: r.get(9)?,
                    tier: r.get(10)?,
                })
            })
            .collect()
        })
    }

    /// Expected duration per test of a suite: median of its last passing durations.
    pub fn duration_estimates(&self, suite: &str) -> Result<HashMap<TestKey, f64>> {
        self.duration_estimates_excluding(suite, None)
    }

    /// [`Store::duration_estimates`] without the results of runs at commit `exclude` (when
    /// given): what shards of one commit plan with, so that a shard that recorded first does
    /// not shift the split of those that plan after it.
    pub fn duration_estimates_excluding(
        &self,
        suite: &str,
        exclude: Option<&str>,
    ) -> Result<HashMap<TestKey, f64>> {
        let rows = self.with_sql(|db| {
            db.query(
                "SELECT name, duration_s FROM (
                    SELECT t.name AS name, r.duration_s AS duration_s,
                           ROW_NUMBER() OVER (PARTITION BY r.test_id ORDER BY r.run_id DESC) AS n
                    FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                    WHERE t.suite = ?1 AND r.outcome IN ('passed', 'flaky', 'failed', 'xfailed', 'xpassed')
                      AND (CAST(?3 AS TEXT) IS NULL OR u.commit_sha IS NULL OR u.commit_sha != ?3)
                 ) recent WHERE n <= ?2",
                &values![suite, ESTIMATE_WINDOW, exclude],
            )
        })?;
        let mut samples: HashMap<String, Vec<f64>> = HashMap::new();
        for row in rows {
            samples.entry(row.get(0)?).or_default().push(row.get(1)?);
        }
        Ok(samples
            .into_iter()
            .map(|(name, mut v)| (TestKey::new(suite, name), median(&mut v)))
            .collect())
    }

    /// Tests by median duration over recent runs, slowest first.
    pub fn slowest(&self, limit: usize) -> Result<Vec<DurationStats>> {
        let rows = self.with_sql(|db| {
            db.query(
                "SELECT t.suite, t.name, r.duration_s FROM results r JOIN tests t ON t.id = r.test_id
                 WHERE r.outcome IN ('passed', 'flaky') AND r.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT 20)",
                &[],
            )
        })?;
        let mut samples: HashMap<(String, String), Vec<f64>> = HashMap::new();
        for row in rows {
            samples
                .entry((row.get(0)?, row.get(1)?))
                .or_default()
                .push(row.get(2)?);
        }
        Ok(DurationStats::slowest(samples, limit))
    }

    /// Failure rates over the last `window` runs, highest first (tests that never failed are left out).
    pub fn failure_rates(&self, window: usize) -> Result<Vec<FailureRate>> {
        let rows = self.with_sql(|db| {
            db.query(
                "SELECT t.suite, t.name,
                        COUNT(*),
                        SUM(CASE WHEN r.outcome IN ('failed', 'error', 'timeout') THEN 1 ELSE 0 END),
                        SUM(CASE WHEN r.outcome = 'flaky' THEN 1 ELSE 0 END),
                        (SELECT r2.outcome FROM results r2 WHERE r2.test_id = t.id ORDER BY r2.run_id DESC LIMIT 1)
                 FROM results r JOIN tests t ON t.id = r.test_id
                 WHERE r.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?1) AND r.outcome != 'skipped'
                 GROUP BY t.id
                 HAVING SUM(CASE WHEN r.outcome IN ('failed', 'error', 'timeout', 'flaky') THEN 1 ELSE 0 END) > 0",
                &values![window],
            )
        })?;
        let mut out = Vec::new();
        for r in rows {
            let runs = r.get::<i64>(2)?.max(0) as u64;
            let failures = r.get::<i64>(3)?.max(0) as u64;
            let flaky = r.get::<i64>(4)?.max(0) as u64;
            out.push(FailureRate {
                suite: r.get(0)?,
                id: r.get(1)?,
                runs,
                failures,
                flaky,
                rate: (failures + flaky) as f64 / runs.max(1) as f64,
                last_outcome: Outcome::parse(&r.get::<String>(5)?).unwrap_or(Outcome::Error),
            });
        }
        out.sort_by(|a, b| b.rate.total_cmp(&a.rate).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Known tests of a suite (ever recorded).
    pub fn known_tests(&self, suite: &str) -> Result<Vec<String>> {
        self.known_tests_excluding(suite, None)
    }

    /// Known tests of a suite, leaving out those only recorded by runs at commit `exclude`.
    pub fn known_tests_excluding(&self, suite: &str, exclude: Option<&str>) -> Result<Vec<String>> {
        self.with_sql(|db| {
            db.query(
                "SELECT name FROM tests t WHERE suite = ?1 AND (CAST(?2 AS TEXT) IS NULL OR EXISTS (
                    SELECT 1 FROM results r JOIN runs u ON u.id = r.run_id
                    WHERE r.test_id = t.id AND (u.commit_sha IS NULL OR u.commit_sha != ?2)))",
                &values![suite, exclude],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect()
        })
    }

    /// Id of the newest run, if any.
    pub fn latest_run_id(&self) -> Result<Option<i64>> {
        self.with_sql(|db| {
            db.query_opt("SELECT id FROM runs ORDER BY id DESC LIMIT 1", &[])?
                .map(|r| r.get(0))
                .transpose()
        })
    }
}

/// Results per statement: few round trips to a server, well under both engines' limits on
/// parameters (SQLite 32,766; PostgreSQL 65,535).
const CHUNK: usize = 200;

/// One batch of results, inside the caller's write transaction: multi-row statements, a chunk
/// at a time. A test recorded twice in a batch keeps its last result.
fn record_in(db: &mut dyn Sql, run_id: i64, results: &[TestResult]) -> Result<()> {
    let mut last: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in results.iter().enumerate() {
        last.insert((r.key.suite.as_str(), r.key.id.as_str()), i);
    }
    let kept: Vec<&TestResult> = results
        .iter()
        .enumerate()
        .filter(|(i, r)| last[&(r.key.suite.as_str(), r.key.id.as_str())] == *i)
        .map(|(_, r)| r)
        .collect();
    for chunk in kept.chunks(CHUNK) {
        let ids = upsert_tests(db, chunk)?;
        insert_results(db, run_id, chunk, &ids)?;
    }
    Ok(())
}

/// `(?1, ?2, …), (…)`: `rows` groups of `width` placeholders.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=width).map(|c| format!("?{}", r * width + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `tests` rows of a chunk (inserted or updated) and their ids. The rows are written in
/// (suite, name) order, so that concurrent writers lock them in one order (no deadlocks).
fn upsert_tests(db: &mut dyn Sql, chunk: &[&TestResult]) -> Result<HashMap<(String, String), i64>> {
    let mut sorted: Vec<&TestResult> = chunk.to_vec();
    sorted.sort_by(|a, b| (&a.key.suite, &a.key.id).cmp(&(&b.key.suite, &b.key.id)));
    let sql = format!(
        "INSERT INTO tests (suite, name, file, line) VALUES {}
         ON CONFLICT (suite, name) DO UPDATE SET
           file = COALESCE(excluded.file, tests.file), line = COALESCE(excluded.line, tests.line)
         RETURNING id, suite, name",
        placeholders(sorted.len(), 4)
    );
    let params: Vec<Value> = sorted
        .iter()
        .flat_map(|r| values![&r.key.suite, &r.key.id, &r.file, r.line])
        .collect();
    let mut ids = HashMap::new();
    for row in db.query(&sql, &params)? {
        ids.insert((row.get(1)?, row.get(2)?), row.get(0)?);
    }
    Ok(ids)
}

/// The results of a chunk, in recording order.
fn insert_results(
    db: &mut dyn Sql,
    run_id: i64,
    chunk: &[&TestResult],
    ids: &HashMap<(String, String), i64>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO results
           (run_id, test_id, outcome, duration_s, attempts, excerpt, output, start_s, worker, tier)
         VALUES {}
         ON CONFLICT (run_id, test_id) DO UPDATE SET
           outcome = excluded.outcome, duration_s = excluded.duration_s,
           attempts = excluded.attempts, excerpt = excluded.excerpt, output = excluded.output,
           start_s = excluded.start_s, worker = excluded.worker, tier = excluded.tier",
        placeholders(chunk.len(), 10)
    );
    let mut params = Vec::with_capacity(chunk.len() * 10);
    for r in chunk {
        let test_id = ids
            .get(&(r.key.suite.clone(), r.key.id.clone()))
            .copied()
            .ok_or_else(|| StoreError::Decode {
                column: 0,
                found: format!("no id returned for test {}", r.key),
                wanted: "a tests row for every result",
            })?;
        params.extend(values![
            run_id,
            test_id,
            r.outcome.as_str(),
            r.duration_s,
            r.attempts,
            &r.excerpt,
            &r.output,
            r.start_s,
            r.worker,
            &r.tier
        ]);
    }
    db.exec(&sql, &params)?;
    Ok(())
}

/// The median of `v` (sorted in place); 0 for none.
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, outcome: Outcome, d: f64) -> TestResult {
        TestResult::new(TestKey::new("py", id), outcome, d)
    }

    #[test]
    fn a_run_records_results_and_finishes() {
        let mut s = Store::in_memory().unwrap();
        let run = s
            .begin_run(&NewRun {
                trigger: "local".into(),
                started_at: 1.0,
                ..Default::default()
            })
            .unwrap();
        s.record_results(
            run,
            &[
                result("a", Outcome::Passed, 0.5),
                result("b", Outcome::Failed, 1.0),
            ],
        )
        .unwrap();
        let r = s.run(run).unwrap().unwrap();
        assert!(r.is_unfinished());
        s.finish_run(run, RunStatus::Failed, 2.0).unwrap();
        let r = s.run(run).unwrap().unwrap();
        assert_eq!(r.status, RunStatus::Failed);
        assert_eq!(r.counts["passed"], 1);
        assert_eq!(r.counts["failed"], 1);
        assert_eq!(s.run_results(run).unwrap().len(), 2);
    }

    #[test]
    fn estimates_are_medians_of_recent_runs() {
        let mut s = Store::in_memory().unwrap();
        for d in [1.0, 2.0, 100.0, 3.0, 2.5, 2.0] {
            let run = s
                .begin_run(&NewRun {
                    trigger: "local".into(),
                    ..Default::default()
                })
                .unwrap();
            s.record_results(run, &[result("a", Outcome::Passed, d)])
                .unwrap();
        }
        let est = s.duration_estimates("py").unwrap();
        // last five: 2.0, 100.0, 3.0, 2.5, 2.0 → median 2.5
        assert_eq!(est[&TestKey::new("py", "a")], 2.5);
    }

    #[test]
    fn big_batches_are_recorded_in_order_and_a_repeated_test_keeps_its_last_result() {
        let mut s = Store::in_memory().unwrap();
        let run = s.begin_run(&NewRun::default()).unwrap();
        let mut batch: Vec<TestResult> = (0..450)
            .map(|i| result(&format!("t{:03}", 449 - i), Outcome::Passed, i as f64))
            .collect();
        batch.push(result("t449", Outcome::Failed, 9.0));
        s.record_results(run, &batch).unwrap();
        let stored = s.run_results(run).unwrap();
        assert_eq!(stored.len(), 450);
        assert_eq!(
            stored[0].id, "t448",
            "recording order, the repeated test last"
        );
        assert_eq!(stored[449].id, "t449");
        assert_eq!(
            (stored[449].outcome, stored[449].duration_s),
            (Outcome::Failed, 9.0)
        );
        // Recorded again (a re-run of the batch): replaced, not doubled.
        s.record_results(run, &batch[..10]).unwrap();
        assert_eq!(s.run_results(run).unwrap().len(), 450);
        assert_eq!(s.known_tests("py").unwrap().len(), 450);
    }

    #[test]
    fn estimates_for_a_commit_leave_out_that_commits_runs() {
        let mut s = Store::in_memory().unwrap();
        for (commit, d) in [("c1", 1.0), ("c2", 9.0)] {
            let run = s
                .begin_run(&NewRun {
                    commit: Some(commit.into()),
                    ..Default::default()
                })
                .unwrap();
            s.record_results(
                run,
                &[
                    result("a", Outcome::Passed, d),
                    result(&format!("only-{commit}"), Outcome::Passed, d),
                ],
            )
            .unwrap();
        }
        let a = TestKey::new("py", "a");
        assert_eq!(s.duration_estimates("py").unwrap()[&a], 5.0);
        let before = s.duration_estimates_excluding("py", Some("c2")).unwrap();
        assert_eq!(before[&a], 1.0);
        assert!(!before.contains_key(&TestKey::new("py", "only-c2")));
        let mut known = s.known_tests_excluding("py", Some("c2")).unwrap();
        known.sort();
        assert_eq!(known, ["a", "only-c1"]);
        assert_eq!(s.known_tests("py").unwrap().len(), 3);
    }

    #[test]
    fn failure_rates_list_only_tests_that_failed() {
        let mut s = Store::in_memory().unwrap();
        for outcome in [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::Flaky,
            Outcome::Passed,
        ] {
            let run = s
                .begin_run(&NewRun {
                    trigger: "local".into(),
                    ..Default::default()
                })
                .unwrap();
            s.record_results(
                run,
                &[result("a", outcome, 1.0), result("b", Outcome::Passed, 1.0)],
            )
            .unwrap();
        }
        let rates = s.failure_rates(10).unwrap();
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].id, "a");
        assert_eq!(rates[0].rate, 0.5);
        assert_eq!(rates[0].last_outcome, Outcome::Passed);
    }

    #[test]
    fn a_file_store_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".rigor/history.db");
        {
            let mut s = Store::open(&p).unwrap();
            let run = s
                .begin_run(&NewRun {
                    trigger: "local".into(),
                    ..Default::default()
                })
                .unwrap();
            s.record_results(run, &[result("a", Outcome::Passed, 0.1)])
                .unwrap();
        }
        let s = Store::open(&p).unwrap();
        assert_eq!(s.recent_runs(10).unwrap().len(), 1);
    }

    #[test]
    fn a_history_removed_or_replaced_while_open_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.db");
        let s = Store::open(&p).unwrap();
        s.check_still_there().unwrap();
        std::fs::remove_file(&p).unwrap();
        let err = s.check_still_there().unwrap_err().to_string();
        assert!(
            err.contains("was removed while rigor was using it"),
            "{err}"
        );
        std::fs::write(&p, "x").unwrap();
        let err = s.check_still_there().unwrap_err().to_string();
        assert!(err.contains("was replaced"), "{err}");
        Store::in_memory().unwrap().check_still_there().unwrap();
    }

    #[test]
    fn a_history_that_cannot_be_written_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.db");
        {
            let s = Store::open(&p).unwrap();
            let id = s.begin_run(&NewRun::default()).unwrap();
            s.finish_run(id, RunStatus::Passed, 2.0).unwrap();
        }
        // (The CLI tests make the history really unwritable; here the read-only path itself.)
        let s = Store::open_read_only(&p).unwrap();
        assert_eq!(s.recent_runs(5).unwrap().len(), 1);
        assert!(s.begin_run(&NewRun::default()).is_err(), "read-only");
    }
}
