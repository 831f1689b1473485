//! Rollouts and their analyses in the history (`rollout` area; SQLite or PostgreSQL).

use super::controller::{Decision, Report};
use crate::error::Result;
use rigor_store::db::table_exists;
use rigor_store::values;
use rigor_store::{Migration, Store};
use serde::Serialize;

/// Ordered schema steps of the `rollout` area. Never edit a released step; append.
pub const MIGRATIONS: &[Migration] = &[r#"
CREATE TABLE rollouts (
    id               INTEGER PRIMARY KEY,
    started          REAL NOT NULL,
    finished         REAL NOT NULL,
    commit_sha       TEXT,
    blue             TEXT NOT NULL,
    green            TEXT NOT NULL,
    steps            TEXT NOT NULL,
    decision         TEXT NOT NULL,
    manual           INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    forced           INTEGER NOT NULL,
    readiness        TEXT NOT NULL,
    green_exposure_s REAL NOT NULL,
    drained          INTEGER NOT NULL
);
CREATE TABLE rollout_analyses (
    rollout_id        INTEGER NOT NULL REFERENCES rollouts(id) ON DELETE CASCADE,
    seq               INTEGER NOT NULL,
    at_s              REAL NOT NULL,
    step              INTEGER NOT NULL,
    percent           INTEGER NOT NULL,
    outcome           TEXT NOT NULL,
    blue_requests     INTEGER NOT NULL,
    green_requests    INTEGER NOT NULL,
    blue_error_rate   REAL NOT NULL,
    green_error_rate  REAL NOT NULL,
    error_p           REAL,
    blue_p50_ms       REAL,
    green_p50_ms      REAL,
    latency_p         REAL,
    latency_shift_pct REAL,
    reasons           TEXT NOT NULL,
    PRIMARY KEY (rollout_id, seq)
);
"#];

pub fn migrate(store: &mut Store) -> Result<()> {
    store.migrate_area("rollout", MIGRATIONS)?;
    Ok(())
}

/// What is recorded of one rollout besides its report.
pub struct Meta<'a> {
    pub started: f64,
    pub finished: f64,
    pub commit: Option<&'a str>,
    pub blue: &'a str,
    pub green: &'a str,
    pub steps: &'a [u32],
    pub forced: bool,
    /// What the readiness check found (`passed`, `no gate evaluation`, `forced past failed gates`…).
    pub readiness: &'a str,
}

pub fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Promoted => "promoted",
        Decision::RolledBack => "rolled_back",
    }
}

pub fn record(store: &mut Store, meta: &Meta, report: &Report) -> Result<i64> {
    migrate(store)?;
    Ok(store.with_tx(|db| {
        let id: i64 = db
            .query_opt(
                "INSERT INTO rollouts (started, finished, commit_sha, blue, green, steps, decision, manual, reason, forced, readiness, green_exposure_s, drained)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
                &values![
                    meta.started,
                    meta.finished,
                    meta.commit,
                    meta.blue,
                    meta.green,
                    serde_json::to_string(meta.steps).unwrap_or_default(),
                    decision_str(report.decision),
                    report.manual,
                    &report.reason,
                    meta.forced,
                    meta.readiness,
                    report.green_exposure_s,
                    report.drained,
                ],
            )?
            .expect("INSERT … RETURNING gives a row")
            .get(0)?;
        for (seq, a) in report.analyses.iter().enumerate() {
            let v = &a.verdict;
            db.exec(
                "INSERT INTO rollout_analyses (rollout_id, seq, at_s, step, percent, outcome, blue_requests, green_requests,
                   blue_error_rate, green_error_rate, error_p, blue_p50_ms, green_p50_ms, latency_p, latency_shift_pct, reasons)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                &values![
                    id,
                    seq,
                    a.at_s,
                    a.step as i64,
                    a.percent,
                    v.outcome.as_str(),
                    v.blue_requests as i64,
                    v.green_requests as i64,
                    v.blue_error_rate,
                    v.green_error_rate,
                    v.error_p_value,
                    v.blue_p50_ms,
                    v.green_p50_ms,
                    v.latency_p_value,
                    v.latency_shift_pct,
                    v.reasons.join("; "),
                ],
            )?;
        }
        Ok(id)
    })?)
}

/// One recorded rollout (`rigor.rollouts/1` rows).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub id: i64,
    pub started: f64,
    pub finished: f64,
    pub commit: Option<String>,
    pub blue: String,
    pub green: String,
    pub steps: String,
    pub decision: String,
    pub manual: bool,
    pub reason: String,
    pub forced: bool,
    pub readiness: String,
    pub green_exposure_s: f64,
    pub analyses: i64,
}

/// The most recent rollouts, newest first; none when the area was never used.
pub fn recent(store: &Store, limit: usize) -> Result<Vec<Row>> {
    Ok(store.with_sql(|db| {
        if !table_exists(db, "rollouts")? {
            return Ok(Vec::new());
        }
        db.query(
            "SELECT r.id, r.started, r.finished, r.commit_sha, r.blue, r.green, r.steps, r.decision, r.manual, r.reason,
                    r.forced, r.readiness, r.green_exposure_s,
                    (SELECT COUNT(*) FROM rollout_analyses a WHERE a.rollout_id = r.id)
             FROM rollouts r ORDER BY r.id DESC LIMIT ?1",
            &values![limit],
        )?
        .iter()
        .map(|r| {
            Ok(Row {
                id: r.get(0)?,
                started: r.get(1)?,
                finished: r.get(2)?,
                commit: r.get(3)?,
                blue: r.get(4)?,
                green: r.get(5)?,
                steps: r.get(6)?,
                decision: r.get(7)?,
                manual: r.get(8)?,
                reason: r.get(9)?,
                forced: r.get(10)?,
                readiness: r.get(11)?,
                green_exposure_s: r.get(12)?,
                analyses: r.get(13)?,
            })
        })
        .collect()
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::controller::Analysis;
    use crate::rollout::judge::{Thresholds, judge};
    use crate::rollout::samples::Sample;

    #[test]
    fn a_rollout_and_its_analyses_round_trip() {
        let mut store = Store::in_memory().unwrap();
        assert!(recent(&store, 5).unwrap().is_empty());
        let s = Sample {
            latencies_ms: vec![1.0; 60],
            errors: 0,
            requests: 60,
        };
        let report = Report {
            decision: Decision::RolledBack,
            manual: false,
            reason: "step 1: error rate".into(),
            analyses: vec![Analysis {
                at_s: 1.0,
                step: 1,
                percent: 100,
                verdict: judge(&s, &s, &Thresholds::default()),
            }],
            green_exposure_s: 1.5,
            drained: true,
        };
        let meta = Meta {
            started: 10.0,
            finished: 12.0,
            commit: Some("abc"),
            blue: "127.0.0.1:1",
            green: "127.0.0.1:2",
            steps: &[100],
            forced: true,
            readiness: "forced past failed gates",
        };
        let id = record(&mut store, &meta, &report).unwrap();
        let rows = recent(&store, 5).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, id);
        assert_eq!(rows[0].decision, "rolled_back");
        assert_eq!(rows[0].analyses, 1);
        assert!(rows[0].forced);
    }
}
