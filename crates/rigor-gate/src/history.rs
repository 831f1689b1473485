//! Gate history: every evaluation with its per-gate values, in the shared store (SQLite or
//! PostgreSQL).

use crate::error::Result;
use crate::model::GateReport;
use rigor_store::db::Row;
use rigor_store::values;
use rigor_store::{Migration, Store};

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

/// The configured history (SQLite or PostgreSQL) with the gate migrations applied; None for a
/// SQLite file that does not exist when `create` is false (nothing to read).
pub fn open_configured(config: &rigor_model::Config, create: bool) -> Result<Option<Store>> {
    let mut store = match config.postgres_url() {
        Some(url) => Store::open_postgres(url)?,
        None => {
            let db = config.sqlite_path()?;
            if !create && !db.exists() {
                return Ok(None);
            }
            Store::open(&db)?
        }
    };
    migrate(&mut store)?;
    Ok(Some(store))
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
    Ok(store.with_tx(|db| {
        let id: i64 = db
            .query_opt(
                "INSERT INTO gate_evaluations (time, run_id, commit_sha, branch, passed, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 RETURNING id",
                &values![time, report.run_id, &report.commit, &report.branch, report.passed, &json],
            )?
            .expect("INSERT … RETURNING gives a row")
            .get(0)?;
        for g in &report.gates {
            db.exec(
                "INSERT INTO gate_results (evaluation_id, gate, value, threshold, verdict, blocking)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (evaluation_id, gate) DO UPDATE SET value = excluded.value,
                     threshold = excluded.threshold, verdict = excluded.verdict, blocking = excluded.blocking",
                &values![id, &g.gate, g.value, g.threshold, g.verdict.as_str(), g.blocking],
            )?;
        }
        Ok(id)
    })?)
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
    let rows = store.with_sql(|db| {
        db.query(
            "SELECT id, time, commit_sha, branch, report FROM gate_evaluations ORDER BY id DESC LIMIT ?1",
            &values![limit],
        )
    })?;
    let mut out = Vec::new();
    for row in &rows {
        out.extend(evaluation_of_row(row)?);
    }
    Ok(out)
}

/// An evaluation from a row of `id, time, commit_sha, branch, report` (in that order) of
/// `gate_evaluations`; `None` for a report written by another rigor version that no longer
/// parses (it is left out, not an error).
pub fn evaluation_of_row(r: &Row) -> rigor_store::Result<Option<Evaluation>> {
    let json: String = r.get(4)?;
    serde_json::from_str::<GateReport>(&json)
        .ok()
        .map(|report| -> rigor_store::Result<Evaluation> {
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

/// The last recorded value of `gate` where `column` (`commit_sha` or `branch`) is `key`.
fn last_value(store: &Store, gate: &str, column: &str, key: &str) -> Result<Option<f64>> {
    let sql = format!(
        "SELECT r.value FROM gate_results r JOIN gate_evaluations e ON e.id = r.evaluation_id
         WHERE r.gate = ?1 AND e.{column} = ?2 AND r.value IS NOT NULL ORDER BY e.id DESC LIMIT 1"
    );
    let row = store.with_sql(|db| db.query_opt(&sql, &values![gate, key]))?;
    Ok(match row {
        Some(r) => r.get(0)?,
        None => None,
    })
}

/// The last recorded value of `gate` for a commit, else for a branch.
pub fn base_value(
    store: &mut Store,
    gate: &str,
    commit: &str,
    branch: Option<&str>,
) -> Result<Option<(f64, String)>> {
    migrate(store)?;
    if let Some(v) = last_value(store, gate, "commit_sha", commit)? {
        return Ok(Some((
            v,
            format!("base {}", commit.get(..10).unwrap_or(commit)),
        )));
    }
    let Some(branch) = branch else {
        return Ok(None);
    };
    Ok(last_value(store, gate, "branch", branch)?.map(|v| (v, format!("latest on {branch}"))))
}
