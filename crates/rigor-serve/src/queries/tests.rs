//! Tests: lookup, one test's history, quarantine state, and the slowest tests.

use super::{run_conditions, where_clause};
use crate::error::HttpError;
use crate::filter::Filter;
use rigor_model::Outcome;
use rigor_plan::flaky::{FlakyScore, Observation, score};
use rigor_store::Store;
use rusqlite::{OptionalExtension, params, params_from_iter};
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
    Ok(store
        .conn()
        .query_row(
            "SELECT id, suite, name, file, line FROM tests WHERE suite = ?1 AND name = ?2",
            params![suite, id],
            |r| {
                Ok(TestInfo {
                    key: r.get(0)?,
                    suite: r.get(1)?,
                    id: r.get(2)?,
                    file: r.get(3)?,
                    line: r.get(4)?,
                })
            },
        )
        .optional()?)
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
    vals.push((limit as i64).into());
    let sql = format!(
        "SELECT r.run_id, u.started_at, u.branch, u.commit_sha, r.outcome, r.duration_s, r.attempts, r.excerpt
         FROM results r JOIN runs u ON u.id = r.run_id {} ORDER BY r.run_id DESC LIMIT ?",
        where_clause(&conds)
    );
    let mut st = store.conn().prepare_cached(&sql)?;
    let rows = st
        .query_map(params_from_iter(vals), |r| {
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
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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
        params![suite, id],
        now,
    )
}

/// Every quarantine in force now.
pub fn active_quarantines(store: &Store, now: f64) -> Result<Vec<QuarantineRow>, HttpError> {
    quarantine_rows(
        store,
        "WHERE released_at IS NULL AND expires_at > ?1 ORDER BY expires_at",
        params![now],
        now,
    )
}

fn quarantine_rows(
    store: &Store,
    tail: &str,
    p: impl rusqlite::Params,
    now: f64,
) -> Result<Vec<QuarantineRow>, HttpError> {
    let sql = format!(
        "SELECT suite, name, reason, created_at, expires_at, released_at, auto FROM quarantine {tail}"
    );
    let mut st = store.conn().prepare_cached(&sql)?;
    let rows = st
        .query_map(p, |r| {
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
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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
    let mut st = store.conn().prepare_cached(
        "SELECT t.suite, t.name, t.file,
                (SELECT r.run_id || ' ' || r.outcome || ' ' || r.duration_s FROM results r
                 WHERE r.test_id = t.id ORDER BY r.run_id DESC LIMIT 1)
         FROM tests t WHERE (?1 IS NULL OR instr(t.name, ?1) > 0)
         ORDER BY t.suite, t.name LIMIT ?2 OFFSET ?3",
    )?;
    let rows = st
        .query_map(params![search, limit as i64, offset as i64], |r| {
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
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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
    vals.push((window as i64).into());
    let sql = format!(
        "SELECT t.suite, t.name, r.duration_s FROM results r JOIN tests t ON t.id = r.test_id
         WHERE r.outcome IN ('passed', 'flaky')
           AND r.run_id IN (SELECT u.id FROM runs u {} ORDER BY u.id DESC LIMIT ?)",
        where_clause(&conds)
    );
    let mut st = store.conn().prepare_cached(&sql)?;
    let mut samples: std::collections::HashMap<(String, String), Vec<f64>> = Default::default();
    for x in st.query_map(params_from_iter(vals), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
        ))
    })? {
        let (s, n, d) = x?;
        samples.entry((s, n)).or_default().push(d);
    }
    Ok(SlowRow::slowest(samples, limit))
}
