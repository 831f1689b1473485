//! Gate history: every evaluation with its per-gate values, in the shared SQLite store.

use crate::error::Result;
use crate::model::GateReport;
use rigor_store::{Migration, Store};
use rusqlite::{OptionalExtension, params};

pub const MIGRATIONS: &[Migration] = &[
    r#"
CREATE TABLE gate_evaluations (
    id          INTEGER PRIMARY KEY,
    time        REAL NOT NULL,
    run_id      INTEGER,
    commit_sha  TEXT,
    branch      TEXT,
    passed      INTEGER NOT NULL,
    report      TEXT NOT NULL
);
CREATE TABLE gate_results (
    evaluation_id INTEGER NOT NULL REFERENCES gate_evaluations(id) ON DELETE CASCADE,
    gate          TEXT NOT NULL,
    value         REAL,
    threshold     REAL,
    verdict       TEXT NOT NULL,
    blocking      INTEGER NOT NULL,
    PRIMARY KEY (evaluation_id, gate)
);
CREATE INDEX gate_results_by_gate ON gate_results (gate, evaluation_id);
"#,
    r#"
-- the dashboard (rigor serve) looks evaluations up by run and by branch
CREATE INDEX gate_evaluations_by_run ON gate_evaluations (run_id);
CREATE INDEX gate_evaluations_by_branch ON gate_evaluations (branch, id);
"#,
];

pub fn migrate(store: &mut Store) -> Result<()> {
    store.migrate_area("gate", MIGRATIONS)?;
    Ok(())
}

pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Record one evaluation; returns its id.
pub fn record(store: &mut Store, report: &GateReport, time: f64) -> Result<i64> {
    migrate(store)?;
    let json = serde_json::to_string(report).expect("reports serialize");
    let tx = store.conn_mut().transaction()?;
    tx.execute(
        "INSERT INTO gate_evaluations (time, run_id, commit_sha, branch, passed, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![time, report.run_id, report.commit, report.branch, report.passed, json],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut ins = tx.prepare(
            "INSERT OR REPLACE INTO gate_results (evaluation_id, gate, value, threshold, verdict, blocking)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for g in &report.gates {
            ins.execute(params![
                id,
                g.gate,
                g.value,
                g.threshold,
                g.verdict.as_str(),
                g.blocking
            ])?;
        }
    }
    tx.commit()?;
    Ok(id)
}

/// A past evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub id: i64,
    pub time: f64,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub report: GateReport,
}

/// The most recent evaluations, newest first.
pub fn recent(store: &mut Store, limit: usize) -> Result<Vec<Evaluation>> {
    migrate(store)?;
    let mut stmt = store
        .conn()
        .prepare("SELECT id, time, commit_sha, branch, report FROM gate_evaluations ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map(params![limit as i64], evaluation_of_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.extend(row?);
    }
    Ok(out)
}

/// An evaluation from a row of `id, time, commit_sha, branch, report` (in that order) of
/// `gate_evaluations`; `None` for a report written by another rigor version that no longer
/// parses (it is left out, not an error).
pub fn evaluation_of_row(r: &rusqlite::Row) -> rusqlite::Result<Option<Evaluation>> {
    let json: String = r.get(4)?;
    serde_json::from_str::<GateReport>(&json)
        .ok()
        .map(|report| -> rusqlite::Result<Evaluation> {
            Ok(Evaluation {
                id: r.get(0)?,
                time: r.get(1)?,
                commit: r.get(2)?,
                branch: r.get(3)?,
                report,
            })
        })
        .transpose()
}

/// The last recorded value of `gate` for a commit, else for a branch.
pub fn base_value(
    store: &mut Store,
    gate: &str,
    commit: &str,
    branch: Option<&str>,
) -> Result<Option<(f64, String)>> {
    migrate(store)?;
    let by_commit: Option<f64> = store
        .conn()
        .query_row(
            "SELECT r.value FROM gate_results r JOIN gate_evaluations e ON e.id = r.evaluation_id
             WHERE r.gate = ?1 AND e.commit_sha = ?2 AND r.value IS NOT NULL ORDER BY e.id DESC LIMIT 1",
            params![gate, commit],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(v) = by_commit {
        return Ok(Some((
            v,
            format!("base {}", commit.get(..10).unwrap_or(commit)),
        )));
    }
    let Some(branch) = branch else {
        return Ok(None);
    };
    let by_branch: Option<f64> = store
        .conn()
        .query_row(
            "SELECT r.value FROM gate_results r JOIN gate_evaluations e ON e.id = r.evaluation_id
             WHERE r.gate = ?1 AND e.branch = ?2 AND r.value IS NOT NULL ORDER BY e.id DESC LIMIT 1",
            params![gate, branch],
            |r| r.get(0),
        )
        .optional()?;
    Ok(by_branch.map(|v| (v, format!("latest on {branch}"))))
}
