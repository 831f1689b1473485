//! Tests: lookup, one test's history, quarantine state, and the slowest tests.

use super::{numbered, run_conditions, where_clause};
use crate::error::HttpError;
use crate::filter::Filter;
use rigor_model::Outcome;
use rigor_plan::flaky::{FlakyScore, Observation, score};
use rigor_store::Store;
use rigor_store::db::{Dialect, Row, Value};
use rigor_store::values;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestInfo {
    #[serde(skip)]
    pub key: i64,
    pub suite: String,
    pub id: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A test by suite and id.
pub fn find(store: &Store, suite: &str, id: &str) -> Result<Option<TestInfo>, HttpError> {
    let row = store.with_sql(|db| {
        db.query_opt(
            "SELECT id, suite, name, file, line FROM tests WHERE suite = ?1 AND name = ?2",
            &values![suite, id],
        )
    })?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TestInfo {
        key: r.get(0)?,
        suite: r.get(1)?,
        id: r.get(2)?,
        file: r.get(3)?,
        line: r.get(4)?,
    }))
}

/// One result of a test, with its run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryRow {
    pub run_id: i64,
    pub started_at: f64,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub outcome: String,
    pub duration_s: f64,
    pub attempts: u32,
    pub excerpt: Option<String>,
}

/// A test's most recent results (newest first) in the filter's branch and window.
pub fn history(
    store: &Store,
    test: &TestInfo,
    f: &Filter,
    now: f64,
    limit: usize,
) -> Result<Vec<HistoryRow>, HttpError> {
    let (mut conds, mut vals) = run_conditions("u", f, now);
    conds.insert(0, "r.test_id = ?".into());
    vals.insert(0, test.key.into());
    vals.push(limit.into());
    let sql = numbered(&format!(
        "SELECT r.run_id, u.started_at, u.branch, u.commit_sha, r.outcome, r.duration_s, r.attempts, r.excerpt
         FROM results r JOIN runs u ON u.id = r.run_id {} ORDER BY r.run_id DESC LIMIT ?",
        where_clause(&conds)
    ));
    Ok(store.with_sql(|db| {
        db.query(&sql, &vals)?
            .iter()
            .map(|r| {
                Ok(HistoryRow {
                    run_id: r.get(0)?,
                    started_at: r.get(1)?,
                    branch: r.get(2)?,
                    commit: r.get(3)?,
                    outcome: r.get(4)?,
                    duration_s: r.get(5)?,
                    attempts: r.get(6)?,
                    excerpt: r.get(7)?,
                })
            })
            .collect()
    })?)
}

/// The flakiness score of a history (newest first, as [`history`] returns it).
pub fn flaky_score(history: &[HistoryRow]) -> FlakyScore {
    let obs: Vec<Observation> = history
        .iter()
        .rev()
        .map(|h| Observation {
            commit: h.commit.clone(),
            outcome: Outcome::parse(&h.outcome).unwrap_or(Outcome::Error),
        })
        .collect();
    score(&obs)
}

/// A quarantine of a test (active or past).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuarantineRow {
    pub suite: String,
    pub id: String,
    pub reason: String,
    pub created_at: f64,
    pub expires_at: f64,
    pub released_at: Option<f64>,
    pub auto: bool,
    /// In force now: not released, not expired.
    pub active: bool,
}

/// The quarantines of one test, newest first.
pub fn quarantines(
    store: &Store,
    suite: &str,
    id: &str,
    now: f64,
) -> Result<Vec<QuarantineRow>, HttpError> {
    quarantine_rows(
        store,
        "WHERE suite = ?1 AND name = ?2 ORDER BY id DESC LIMIT 20",
        &values![suite, id],
        now,
    )
}

/// Every quarantine in force now.
pub fn active_quarantines(store: &Store, now: f64) -> Result<Vec<QuarantineRow>, HttpError> {
    quarantine_rows(
        store,
        "WHERE released_at IS NULL AND expires_at > ?1 ORDER BY expires_at",
        &values![now],
        now,
    )
}

fn quarantine_rows(
    store: &Store,
    tail: &str,
    p: &[Value],
    now: f64,
) -> Result<Vec<QuarantineRow>, HttpError> {
    let sql = format!(
        "SELECT suite, name, reason, created_at, expires_at, released_at, auto FROM quarantine {tail}"
    );
    Ok(store.with_sql(|db| {
        db.query(&sql, p)?
            .iter()
            .map(|r| {
                let expires_at: f64 = r.get(4)?;
                let released_at: Option<f64> = r.get(5)?;
                Ok(QuarantineRow {
                    suite: r.get(0)?,
                    id: r.get(1)?,
                    reason: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at,
                    released_at,
                    auto: r.get(6)?,
                    active: released_at.is_none() && expires_at > now,
                })
            })
            .collect()
    })?)
}

/// A test in a list, with its latest result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestListRow {
    pub suite: String,
    pub id: String,
    pub file: Option<String>,
    pub last_run: Option<i64>,
    pub last_outcome: Option<String>,
    pub last_duration_s: Option<f64>,
}

/// Tests whose id contains `search` (all when None), by suite and id, a page at a time.
pub fn list(
    store: &Store,
    search: Option<&str>,
    limit: usize,
    offset: usize,
) -> Result<Vec<TestListRow>, HttpError> {
    Ok(store.with_sql(|db| {
        // the position of a substring: `instr` in SQLite, `strpos` in PostgreSQL
        let position = match db.dialect() {
            Dialect::Sqlite => "instr",
            Dialect::Postgres => "strpos",
        };
        db.query(
            &format!(
                "SELECT t.suite, t.name, t.file,
                    (SELECT CAST(r.run_id AS TEXT) || ' ' || r.outcome || ' ' || CAST(r.duration_s AS TEXT)
                     FROM results r WHERE r.test_id = t.id ORDER BY r.run_id DESC LIMIT 1)
                 FROM tests t WHERE (CAST(?1 AS TEXT) IS NULL OR {position}(t.name, CAST(?1 AS TEXT)) > 0)
                 ORDER BY t.suite, t.name LIMIT ?2 OFFSET ?3"
            ),
            &values![search, limit, offset],
        )?
        .iter()
        .map(list_row)
        .collect()
    })?)
}

fn list_row(r: &Row) -> rigor_store::Result<TestListRow> {
    let last: Option<String> = r.get(3)?;
    let mut parts = last.as_deref().unwrap_or("").splitn(3, ' ');
    Ok(TestListRow {
        suite: r.get(0)?,
        id: r.get(1)?,
        file: r.get(2)?,
        last_run: parts.next().and_then(|p| p.parse().ok()),
        last_outcome: parts.next().map(str::to_string),
        last_duration_s: parts.next().and_then(|p| p.parse().ok()),
    })
}

/// A test's duration over recent runs.
pub type SlowRow = rigor_store::DurationStats;

/// The slowest tests by median passing duration over the newest `window` runs of the filter.
pub fn slowest(
    store: &Store,
    f: &Filter,
    now: f64,
    window: usize,
    limit: usize,
) -> Result<Vec<SlowRow>, HttpError> {
    let (conds, mut vals) = run_conditions("u", f, now);
    vals.push(window.into());
    let sql = numbered(&format!(
        "SELECT t.suite, t.name, r.duration_s FROM results r JOIN tests t ON t.id = r.test_id
         WHERE r.outcome IN ('passed', 'flaky')
           AND r.run_id IN (SELECT u.id FROM runs u {} ORDER BY u.id DESC LIMIT ?)",
        where_clause(&conds)
    ));
    let mut samples: std::collections::HashMap<(String, String), Vec<f64>> = Default::default();
    for r in store.with_sql(|db| db.query(&sql, &vals))? {
        samples
            .entry((r.get(0)?, r.get(1)?))
            .or_default()
            .push(r.get(2)?);
    }
    Ok(SlowRow::slowest(samples, limit))
}
