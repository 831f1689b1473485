//! The perf area's tables in the shared history (`.rigor/history.db`).

use crate::error::PerfError;
use crate::model::{Direction, Measurement};
use rigor_model::Config;
use rigor_store::Store;
use rigor_store::db::{Row, Sql};
use rigor_store::values;
use serde::Serialize;

/// Ordered schema steps of the `perf` area. Never edit a released step; append.
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE perf_series (
    id         INTEGER PRIMARY KEY,
    benchmark  TEXT NOT NULL,
    measure    TEXT NOT NULL,
    testbed    TEXT NOT NULL,
    unit       TEXT NOT NULL,
    direction  TEXT NOT NULL,
    UNIQUE (benchmark, measure, testbed)
);
CREATE TABLE perf_ingests (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    commit_sha  TEXT,
    branch      TEXT,
    testbed     TEXT NOT NULL,
    ingested_at INTEGER NOT NULL
);
CREATE TABLE perf_points (
    id          INTEGER PRIMARY KEY,
    series_id   INTEGER NOT NULL REFERENCES perf_series(id),
    ingest_id   INTEGER NOT NULL REFERENCES perf_ingests(id),
    commit_sha  TEXT NOT NULL,
    branch      TEXT,
    time        INTEGER NOT NULL,
    value       REAL NOT NULL,
    samples     TEXT NOT NULL DEFAULT '[]',
    attributes  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX perf_points_series ON perf_points (series_id, branch, time);
CREATE INDEX perf_points_commit ON perf_points (commit_sha);
CREATE TABLE perf_baselines (
    branch      TEXT NOT NULL,
    testbed     TEXT NOT NULL,
    commit_sha  TEXT NOT NULL,
    set_at      INTEGER NOT NULL,
    PRIMARY KEY (branch, testbed)
);
CREATE TABLE perf_change_points (
    id          INTEGER PRIMARY KEY,
    series_id   INTEGER NOT NULL REFERENCES perf_series(id),
    branch      TEXT NOT NULL,
    commit_sha  TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    time        INTEGER NOT NULL,
    mean_before REAL NOT NULL,
    std_before  REAL NOT NULL,
    mean_after  REAL NOT NULL,
    std_after   REAL NOT NULL,
    change_pct  REAL NOT NULL,
    p_value     REAL NOT NULL,
    detected_at INTEGER NOT NULL,
    UNIQUE (series_id, branch, commit_sha)
);
CREATE TABLE perf_alerts (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    series_id        INTEGER NOT NULL REFERENCES perf_series(id),
    state            TEXT NOT NULL DEFAULT 'open',
    branch           TEXT,
    commit_sha       TEXT NOT NULL,
    range_from       TEXT,
    range_to         TEXT NOT NULL,
    files            TEXT NOT NULL DEFAULT '[]',
    change_pct       REAL NOT NULL,
    ci_low_pct       REAL,
    ci_high_pct      REAL,
    p_value          REAL,
    related          TEXT NOT NULL DEFAULT '[]',
    message          TEXT NOT NULL,
    first_seen       INTEGER NOT NULL,
    last_seen        INTEGER NOT NULL,
    occurrences      INTEGER NOT NULL DEFAULT 1,
    state_changed_at INTEGER,
    note             TEXT
);
"#];

/// Open the history (SQLite or PostgreSQL, as store.url says) and apply the perf migrations.
pub fn open(config: &Config) -> Result<Store, PerfError> {
    let mut store = match config.postgres_url() {
        Some(url) => Store::open_postgres(url)?,
        None => Store::open(&config.sqlite_path()?)?,
    };
    store.migrate_area("perf", MIGRATIONS)?;
    Ok(store)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesRow {
    pub id: i64,
    pub benchmark: String,
    pub measure: String,
    pub testbed: String,
    pub unit: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub id: i64,
    pub series_id: i64,
    pub commit: String,
    pub branch: Option<String>,
    pub time: i64,
    pub value: f64,
    pub samples: Vec<f64>,
}

fn direction_of(s: &str) -> Direction {
    Direction::parse(s).unwrap_or_default()
}

type DbResult<T> = rigor_store::Result<T>;

/// Find or create a series; unit and direction follow the latest ingest.
fn series_id(db: &mut dyn Sql, m: &Measurement, testbed: &str) -> DbResult<i64> {
    let row = db.query_opt(
        "INSERT INTO perf_series (benchmark, measure, testbed, unit, direction) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (benchmark, measure, testbed) DO UPDATE SET unit = excluded.unit, direction = excluded.direction
         RETURNING id",
        &values![&m.benchmark, &m.measure, testbed, &m.unit, m.direction.as_str()],
    )?;
    row.expect("INSERT … RETURNING gives a row").get(0)
}

/// Everything one ingest stores.
pub struct IngestRecord<'a> {
    pub source: &'a str,
    pub format: &'a str,
    pub commit: &'a str,
    pub branch: Option<&'a str>,
    pub testbed: &'a str,
    pub time: i64,
}

/// Store measurements in one transaction (all or nothing). Returns the number of points.
pub fn store_measurements(
    store: &mut Store,
    rec: &IngestRecord,
    ms: &[Measurement],
) -> Result<usize, PerfError> {
    Ok(store.with_tx(|db| {
        let ingest: i64 = db
            .query_opt(
                "INSERT INTO perf_ingests (source, format, commit_sha, branch, testbed, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 RETURNING id",
                &values![rec.source, rec.format, rec.commit, rec.branch, rec.testbed, now()],
            )?
            .expect("INSERT … RETURNING gives a row")
            .get(0)?;
        let mut n = 0;
        for m in ms {
            let sid = series_id(db, m, rec.testbed)?;
            let samples = serde_json::to_string(&m.samples).unwrap_or_else(|_| "[]".into());
            let attrs = serde_json::to_string(&m.attributes).unwrap_or_else(|_| "{}".into());
            db.exec(
                "INSERT INTO perf_points (series_id, ingest_id, commit_sha, branch, time, value, samples, attributes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &values![
                    sid,
                    ingest,
                    m.commit.as_deref().unwrap_or(rec.commit),
                    m.branch.as_deref().or(rec.branch),
                    m.time.unwrap_or(rec.time),
                    m.value,
                    samples,
                    attrs
                ],
            )?;
            n += 1;
        }
        Ok(n)
    })?)
}

fn series_from_row(r: &Row) -> DbResult<SeriesRow> {
    Ok(SeriesRow {
        id: r.get(0)?,
        benchmark: r.get(1)?,
        measure: r.get(2)?,
        testbed: r.get(3)?,
        unit: r.get(4)?,
        direction: direction_of(&r.get::<String>(5)?),
    })
}

pub fn all_series(st: &Store, testbed: Option<&str>) -> Result<Vec<SeriesRow>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            "SELECT id, benchmark, measure, testbed, unit, direction FROM perf_series
             WHERE (CAST(?1 AS TEXT) IS NULL OR testbed = ?1) ORDER BY benchmark, measure, testbed",
            &values![testbed],
        )?
        .iter()
        .map(series_from_row)
        .collect()
    })?)
}

pub fn series_by_id(st: &Store, id: i64) -> Result<SeriesRow, PerfError> {
    let row = st.with_sql(|db| {
        db.query_opt(
            "SELECT id, benchmark, measure, testbed, unit, direction FROM perf_series WHERE id = ?1",
            &values![id],
        )
    })?;
    match row {
        Some(r) => Ok(series_from_row(&r)?),
        None => Err(PerfError::usage(
            format!("no performance series with id {id} in the history"),
            "list the series with `rigor perf history`",
        )),
    }
}

fn point_from_row(r: &Row) -> DbResult<Point> {
    let samples: String = r.get(6)?;
    Ok(Point {
        id: r.get(0)?,
        series_id: r.get(1)?,
        commit: r.get(2)?,
        branch: r.get(3)?,
        time: r.get(4)?,
        value: r.get(5)?,
        samples: serde_json::from_str(&samples).unwrap_or_default(),
    })
}

const POINT_COLS: &str = "id, series_id, commit_sha, branch, time, value, samples";

/// Points of a series in history order (time, then ingest order), optionally on one branch.
pub fn points(st: &Store, series: i64, branch: Option<&str>) -> Result<Vec<Point>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            &format!(
                "SELECT {POINT_COLS} FROM perf_points WHERE series_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR branch = ?2) ORDER BY time, id"
            ),
            &values![series, branch],
        )?
        .iter()
        .map(point_from_row)
        .collect()
    })?)
}

/// Points whose commit is `commit` (or starts with it, for prefixes of 4+ characters).
pub fn points_at_commit(
    st: &Store,
    commit: &str,
    testbed: Option<&str>,
) -> Result<Vec<Point>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            "SELECT p.id, p.series_id, p.commit_sha, p.branch, p.time, p.value, p.samples FROM perf_points p
             JOIN perf_series s ON s.id = p.series_id
             WHERE (p.commit_sha = ?1 OR (length(CAST(?1 AS TEXT)) >= 4 AND p.commit_sha LIKE CAST(?1 AS TEXT) || '%'))
               AND (CAST(?2 AS TEXT) IS NULL OR s.testbed = ?2)
             ORDER BY p.time, p.id",
            &values![commit, testbed],
        )?
        .iter()
        .map(point_from_row)
        .collect()
    })?)
}

/// The first column of the first row, as text.
fn first_text(
    st: &Store,
    sql: &str,
    params: &[rigor_store::db::Value],
) -> Result<Option<String>, PerfError> {
    let row = st.with_sql(|db| db.query_opt(sql, params))?;
    Ok(match row {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

/// The full commit id stored for a prefix, if any.
pub fn resolve_commit(st: &Store, commit: &str) -> Result<Option<String>, PerfError> {
    first_text(
        st,
        "SELECT commit_sha FROM perf_points WHERE commit_sha = ?1 OR (length(CAST(?1 AS TEXT)) >= 4 AND commit_sha LIKE CAST(?1 AS TEXT) || '%')
         ORDER BY id DESC LIMIT 1",
        &values![commit],
    )
}

/// The most recent commit with points on `branch`, other than `exclude`.
pub fn latest_commit(
    st: &Store,
    branch: &str,
    exclude: Option<&str>,
) -> Result<Option<String>, PerfError> {
    first_text(
        st,
        "SELECT commit_sha FROM perf_points WHERE branch = ?1 AND (CAST(?2 AS TEXT) IS NULL OR commit_sha != ?2)
         ORDER BY time DESC, id DESC LIMIT 1",
        &values![branch, exclude],
    )
}

pub fn branch_exists(st: &Store, branch: &str) -> Result<bool, PerfError> {
    Ok(first_text(
        st,
        "SELECT branch FROM perf_points WHERE branch = ?1 LIMIT 1",
        &values![branch],
    )?
    .is_some())
}

pub fn set_baseline(
    st: &Store,
    branch: &str,
    testbed: &str,
    commit: &str,
) -> Result<(), PerfError> {
    st.with_sql(|db| {
        db.exec(
            "INSERT INTO perf_baselines (branch, testbed, commit_sha, set_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (branch, testbed) DO UPDATE SET commit_sha = excluded.commit_sha, set_at = excluded.set_at",
            &values![branch, testbed, commit, now()],
        )
    })?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub branch: String,
    pub testbed: String,
    pub commit: String,
    pub set_at: i64,
}

pub fn baselines(st: &Store) -> Result<Vec<Baseline>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            "SELECT branch, testbed, commit_sha, set_at FROM perf_baselines ORDER BY branch, testbed",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(Baseline {
                branch: r.get(0)?,
                testbed: r.get(1)?,
                commit: r.get(2)?,
                set_at: r.get(3)?,
            })
        })
        .collect()
    })?)
}

pub fn baseline(st: &Store, branch: &str, testbed: &str) -> Result<Option<String>, PerfError> {
    first_text(
        st,
        "SELECT commit_sha FROM perf_baselines WHERE branch = ?1 AND testbed = ?2",
        &values![branch, testbed],
    )
}

/// A change point as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredChangePoint {
    pub series_id: i64,
    pub commit: String,
    pub index: usize,
    pub time: i64,
    pub change_pct: f64,
    pub p_value: f64,
}

/// Replace the change points of a series on a branch by a fresh detection.
pub fn replace_change_points(
    st: &Store,
    series: i64,
    branch: &str,
    cps: &[(String, usize, i64, &crate::changepoint::ChangePoint)],
) -> Result<(), PerfError> {
    st.with_sql(|db| {
        db.exec(
            "DELETE FROM perf_change_points WHERE series_id = ?1 AND branch = ?2",
            &values![series, branch],
        )?;
        for (commit, idx, time, c) in cps {
            db.exec(
                "INSERT INTO perf_change_points (series_id, branch, commit_sha, idx, time, mean_before, std_before,
                     mean_after, std_after, change_pct, p_value, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (series_id, branch, commit_sha) DO UPDATE SET idx = excluded.idx, time = excluded.time,
                     mean_before = excluded.mean_before, std_before = excluded.std_before,
                     mean_after = excluded.mean_after, std_after = excluded.std_after,
                     change_pct = excluded.change_pct, p_value = excluded.p_value, detected_at = excluded.detected_at",
                &values![
                    series,
                    branch,
                    commit,
                    *idx,
                    *time,
                    c.mean_before,
                    c.std_before,
                    c.mean_after,
                    c.std_after,
                    c.change_pct,
                    c.p_value,
                    now()
                ],
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Other series with a change point at the same commit.
pub fn change_points_at(
    st: &Store,
    commit: &str,
    except_series: i64,
) -> Result<Vec<(String, f64)>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            "SELECT s.benchmark, c.change_pct FROM perf_change_points c JOIN perf_series s ON s.id = c.series_id
             WHERE c.commit_sha = ?1 AND c.series_id != ?2 ORDER BY s.benchmark",
            &values![commit, except_series],
        )?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
    })?)
}

/// An alert with its context.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub key: String,
    /// `pairwise` or `change_point`.
    pub kind: String,
    pub benchmark: String,
    pub testbed: String,
    pub unit: String,
    pub direction: Direction,
    /// `open`, `acknowledged` or `resolved`.
    pub state: String,
    pub branch: Option<String>,
    pub commit: String,
    /// Suspect commit range (range_from, range_to]; range_from is null when unknown.
    pub range_from: Option<String>,
    pub range_to: String,
    pub files: Vec<String>,
    pub change_pct: f64,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub p_value: Option<f64>,
    /// Other benchmarks that moved at the same commit.
    pub related: Vec<Related>,
    pub message: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub occurrences: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Related {
    pub benchmark: String,
    pub change_pct: f64,
}

/// A new alert to record.
pub struct NewAlert {
    pub key: String,
    pub kind: &'static str,
    pub series_id: i64,
    pub branch: Option<String>,
    pub commit: String,
    pub range_from: Option<String>,
    pub files: Vec<String>,
    pub change_pct: f64,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub p_value: Option<f64>,
    pub related: Vec<Related>,
    pub message: String,
}

/// Record an alert, deduplicated by key: a known alert only gets `last_seen`/`occurrences`
/// (and fresher context); its state is kept. Returns (id, newly opened). One upsert, so jobs
/// recording the same alert at once into a shared history neither fail nor duplicate it.
pub fn upsert_alert(st: &Store, a: &NewAlert) -> Result<(i64, bool), PerfError> {
    let t = now();
    let files = serde_json::to_string(&a.files).unwrap_or_else(|_| "[]".into());
    let related = serde_json::to_string(&a.related).unwrap_or_else(|_| "[]".into());
    let row = st.with_sql(|db| {
        db.query_opt(
            "INSERT INTO perf_alerts (key, kind, series_id, state, branch, commit_sha, range_from, range_to, files, change_pct,
                 ci_low_pct, ci_high_pct, p_value, related, message, first_seen, last_seen, occurrences)
             VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?5, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, 1)
             ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen,
                 occurrences = perf_alerts.occurrences + 1, change_pct = excluded.change_pct,
                 ci_low_pct = excluded.ci_low_pct, ci_high_pct = excluded.ci_high_pct,
                 p_value = excluded.p_value, related = excluded.related, message = excluded.message,
                 files = CASE WHEN excluded.files = '[]' THEN perf_alerts.files ELSE excluded.files END
             RETURNING id, occurrences",
            &values![
                &a.key,
                a.kind,
                a.series_id,
                &a.branch,
                &a.commit,
                &a.range_from,
                &files,
                a.change_pct,
                a.ci_low_pct,
                a.ci_high_pct,
                a.p_value,
                &related,
                &a.message,
                t
            ],
        )
    })?;
    let row = row.expect("INSERT … RETURNING gives a row");
    let (id, occurrences): (i64, i64) = (row.get(0)?, row.get(1)?);
    Ok((id, occurrences == 1))
}

pub fn alerts(st: &Store, state: Option<&str>) -> Result<Vec<Alert>, PerfError> {
    Ok(st.with_sql(|db| {
        db.query(
            "SELECT a.id, a.key, a.kind, s.benchmark, s.testbed, s.unit, s.direction, a.state, a.branch, a.commit_sha,
                    a.range_from, a.range_to, a.files, a.change_pct, a.ci_low_pct, a.ci_high_pct, a.p_value, a.related,
                    a.message, a.first_seen, a.last_seen, a.occurrences, a.note
             FROM perf_alerts a JOIN perf_series s ON s.id = a.series_id
             WHERE (CAST(?1 AS TEXT) IS NULL OR a.state = ?1) ORDER BY a.id",
            &values![state],
        )?
        .iter()
        .map(alert_from_row)
        .collect()
    })?)
}

fn alert_from_row(r: &Row) -> DbResult<Alert> {
    let files: String = r.get(12)?;
    let related: String = r.get(17)?;
    Ok(Alert {
        id: r.get(0)?,
        key: r.get(1)?,
        kind: r.get(2)?,
        benchmark: r.get(3)?,
        testbed: r.get(4)?,
        unit: r.get(5)?,
        direction: direction_of(&r.get::<String>(6)?),
        state: r.get(7)?,
        branch: r.get(8)?,
        commit: r.get(9)?,
        range_from: r.get(10)?,
        range_to: r.get(11)?,
        files: serde_json::from_str(&files).unwrap_or_default(),
        change_pct: r.get(13)?,
        ci_low_pct: r.get(14)?,
        ci_high_pct: r.get(15)?,
        p_value: r.get(16)?,
        related: serde_json::from_str(&related).unwrap_or_default(),
        message: r.get(18)?,
        first_seen: r.get(19)?,
        last_seen: r.get(20)?,
        occurrences: r.get(21)?,
        note: r.get(22)?,
    })
}

/// Change an alert's state; returns false when there is no such alert.
pub fn set_alert_state(
    st: &Store,
    id: i64,
    state: &str,
    note: Option<&str>,
) -> Result<bool, PerfError> {
    let n = st.with_sql(|db| {
        db.exec(
            "UPDATE perf_alerts SET state = ?2, state_changed_at = ?3, note = COALESCE(CAST(?4 AS TEXT), note) WHERE id = ?1",
            &values![id, state, now(), note],
        )
    })?;
    Ok(n > 0)
}
