//! Runs and per-test results (the core area).

use crate::{Migration, Result, Store};
use rigor_model::{Outcome, TestKey, TestResult};
use rusqlite::{OptionalExtension, params};
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
        let id = crate::retry_busy(|| {
            self.conn().query_row(
                "INSERT INTO runs (started_at, status, commit_sha, branch, base, trigger, shard, env, args)
                 VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                params![run.started_at, run.commit, run.branch, run.base, run.trigger, run.shard, run.env, run.args],
                |r| r.get(0),
            )
        })?;
        Ok(id)
    }

    /// Add finished results to a run, atomically.
    pub fn record_results(&mut self, run_id: i64, results: &[TestResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        // A write transaction from the start (not upgraded from a read, which another writer's
        // commit can make fail at once), retried while other writers hold the lock.
        crate::retry_busy(|| record_in(self.conn_mut(), run_id, results))?;
        Ok(())
    }

    /// Close a run with its final status.
    pub fn finish_run(&self, run_id: i64, status: RunStatus, finished_at: f64) -> Result<()> {
        crate::retry_busy(|| {
            self.conn().execute(
                "UPDATE runs SET status = ?2, finished_at = ?3 WHERE id = ?1",
                params![run_id, status.as_str(), finished_at],
            )
        })?;
        Ok(())
    }

    pub fn run(&self, run_id: i64) -> Result<Option<RunRecord>> {
        let mut runs = self.query_runs("WHERE id = ?1", params![run_id])?;
        Ok(runs.pop())
    }

    /// Most recent runs first.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>> {
        self.query_runs("ORDER BY id DESC LIMIT ?1", params![limit as i64])
    }

    /// The most recent run that finished (any status but running).
    pub fn last_finished_run(&self) -> Result<Option<RunRecord>> {
        Ok(self
            .query_runs("WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1", [])?
            .pop())
    }

    fn query_runs(&self, tail: &str, p: impl rusqlite::Params) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT id, started_at, finished_at, status, commit_sha, branch, trigger, shard FROM runs {tail}"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut runs: Vec<RunRecord> = stmt
            .query_map(p, |r| {
                Ok(RunRecord {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    status: RunStatus::parse(&r.get::<_, String>(3)?),
                    commit: r.get(4)?,
                    branch: r.get(5)?,
                    trigger: r.get(6)?,
                    shard: r.get(7)?,
                    counts: HashMap::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut count = self.conn().prepare_cached(
            "SELECT outcome, COUNT(*) FROM results WHERE run_id = ?1 GROUP BY outcome",
        )?;
        for run in &mut runs {
            let rows = count.query_map(params![run.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            for row in rows {
                let (k, v) = row?;
                run.counts.insert(k, v);
            }
        }
        Ok(runs)
    }

    /// All results of a run, in recording order.
    pub fn run_results(&self, run_id: i64) -> Result<Vec<StoredResult>> {
        let mut stmt = self.conn().prepare(
            "SELECT t.suite, t.name, t.file, t.line, r.outcome, r.duration_s, r.attempts, r.excerpt,
                    r.start_s, r.worker, r.tier
             FROM results r JOIN tests t ON t.id = r.test_id WHERE r.run_id = ?1 ORDER BY r.rowid",
        )?;
        let rows = stmt.query_map(params![run_id], |r| {
            Ok(StoredResult {
                suite: r.get(0)?,
                id: r.get(1)?,
                file: r.get(2)?,
                line: r.get(3)?,
                outcome: Outcome::parse(&r.get::<_, String>(4)?).unwrap_or(Outcome::Error),
                duration_s: r.get(5)?,
                attempts: r.get(6)?,
                excerpt: r.get(7)?,
                start_s: r.get(8)?,
                worker: r.get(9)?,
                tier: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        let mut stmt = self.conn().prepare_cached(
            "SELECT name, duration_s FROM (
                SELECT t.name AS name, r.duration_s AS duration_s,
                       ROW_NUMBER() OVER (PARTITION BY r.test_id ORDER BY r.run_id DESC) AS n
                FROM results r JOIN tests t ON t.id = r.test_id JOIN runs u ON u.id = r.run_id
                WHERE t.suite = ?1 AND r.outcome IN ('passed', 'flaky', 'failed', 'xfailed', 'xpassed')
                  AND (?3 IS NULL OR u.commit_sha IS NULL OR u.commit_sha != ?3)
             ) WHERE n <= ?2",
        )?;
        let mut samples: HashMap<String, Vec<f64>> = HashMap::new();
        for row in stmt.query_map(params![suite, ESTIMATE_WINDOW, exclude], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
        })? {
            let (name, d) = row?;
            samples.entry(name).or_default().push(d);
        }
        Ok(samples
            .into_iter()
            .map(|(name, mut v)| (TestKey::new(suite, name), median(&mut v)))
            .collect())
    }

    /// Tests by median duration over recent runs, slowest first.
    pub fn slowest(&self, limit: usize) -> Result<Vec<DurationStats>> {
        let mut stmt = self.conn().prepare(
            "SELECT t.suite, t.name, r.duration_s FROM results r JOIN tests t ON t.id = r.test_id
             WHERE r.outcome IN ('passed', 'flaky') AND r.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT 20)",
        )?;
        let mut samples: HashMap<(String, String), Vec<f64>> = HashMap::new();
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })? {
            let (s, n, d) = row?;
            samples.entry((s, n)).or_default().push(d);
        }
        Ok(DurationStats::slowest(samples, limit))
    }

    /// Failure rates over the last `window` runs, highest first (tests that never failed are left out).
    pub fn failure_rates(&self, window: usize) -> Result<Vec<FailureRate>> {
        let mut stmt = self.conn().prepare(
            "SELECT t.suite, t.name,
                    COUNT(*),
                    SUM(r.outcome IN ('failed', 'error', 'timeout')),
                    SUM(r.outcome = 'flaky'),
                    (SELECT r2.outcome FROM results r2 WHERE r2.test_id = t.id ORDER BY r2.run_id DESC LIMIT 1)
             FROM results r JOIN tests t ON t.id = r.test_id
             WHERE r.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?1) AND r.outcome != 'skipped'
             GROUP BY t.id
             HAVING SUM(r.outcome IN ('failed', 'error', 'timeout', 'flaky')) > 0",
        )?;
        let mut out: Vec<FailureRate> = stmt
            .query_map(params![window as i64], |r| {
                let runs = r.get::<_, i64>(2)? as u64;
                let failures = r.get::<_, i64>(3)? as u64;
                let flaky = r.get::<_, i64>(4)? as u64;
                Ok(FailureRate {
                    suite: r.get(0)?,
                    id: r.get(1)?,
                    runs,
                    failures,
                    flaky,
                    rate: (failures + flaky) as f64 / runs.max(1) as f64,
                    last_outcome: Outcome::parse(&r.get::<_, String>(5)?).unwrap_or(Outcome::Error),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.sort_by(|a, b| b.rate.total_cmp(&a.rate).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Known tests of a suite (ever recorded).
    pub fn known_tests(&self, suite: &str) -> Result<Vec<String>> {
        self.known_tests_excluding(suite, None)
    }

    /// Known tests of a suite, leaving out those only recorded by runs at commit `exclude`.
    pub fn known_tests_excluding(&self, suite: &str, exclude: Option<&str>) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT name FROM tests t WHERE suite = ?1 AND (?2 IS NULL OR EXISTS (
                SELECT 1 FROM results r JOIN runs u ON u.id = r.run_id
                WHERE r.test_id = t.id AND (u.commit_sha IS NULL OR u.commit_sha != ?2)))",
        )?;
        let rows = stmt.query_map(params![suite, exclude], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Id of the newest run, if any.
    pub fn latest_run_id(&self) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row("SELECT id FROM runs ORDER BY id DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

/// One batch of results in one write transaction.
fn record_in(
    conn: &mut rusqlite::Connection,
    run_id: i64,
    results: &[TestResult],
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO tests (suite, name, file, line) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(suite, name) DO UPDATE SET
               file = COALESCE(excluded.file, tests.file), line = COALESCE(excluded.line, tests.line)
             RETURNING id",
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO results
               (run_id, test_id, outcome, duration_s, attempts, excerpt, output, start_s, worker, tier)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for r in results {
            let test_id: i64 = upsert
                .query_row(params![r.key.suite, r.key.id, r.file, r.line], |row| {
                    row.get(0)
                })?;
            insert.execute(params![
                run_id,
                test_id,
                r.outcome.as_str(),
                r.duration_s,
                r.attempts,
                r.excerpt,
                r.output,
                r.start_s,
                r.worker,
                r.tier
            ])?;
        }
    }
    tx.commit()
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
