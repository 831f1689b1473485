//! Deployment readiness: a commit whose last gate evaluation in the history failed is not
//! deployed (unless forced, which the rollout records).

use crate::error::Result;
use rigor_store::Store;
use rigor_store::db::table_exists;
use rigor_store::values;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The commit's last gate evaluation passed.
    Passed,
    /// It failed: the evaluation's id and the gates that failed.
    Failed { evaluation: i64, gates: Vec<String> },
    /// No gate evaluation of this commit in the history.
    Unknown,
}

impl Readiness {
    pub fn describe(&self) -> String {
        match self {
            Readiness::Passed => "gates passed".into(),
            Readiness::Failed { evaluation, gates } => format!(
                "gates failed (evaluation {evaluation}: {})",
                if gates.is_empty() {
                    "?".into()
                } else {
                    gates.join(", ")
                }
            ),
            Readiness::Unknown => "no gate evaluation for this commit".into(),
        }
    }
}

/// The readiness of `commit` from the gate history (the `gate` area's tables, read only).
pub fn check(store: &Store, commit: &str) -> Result<Readiness> {
    Ok(store.with_sql(|db| {
        if !table_exists(db, "gate_evaluations")? {
            return Ok(Readiness::Unknown);
        }
        let last = db.query_opt(
            "SELECT id, passed FROM gate_evaluations WHERE commit_sha = ?1 ORDER BY time DESC, id DESC LIMIT 1",
            &values![commit],
        )?;
        let Some(last) = last else {
            return Ok(Readiness::Unknown);
        };
        let (id, passed): (i64, bool) = (last.get(0)?, last.get(1)?);
        if passed {
            return Ok(Readiness::Passed);
        }
        let gates = db
            .query(
                "SELECT gate FROM gate_results WHERE evaluation_id = ?1 AND verdict = 'fail' AND blocking = 1 ORDER BY gate",
                &values![id],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect::<rigor_store::Result<Vec<String>>>()?;
        Ok(Readiness::Failed {
            evaluation: id,
            gates,
        })
    })?)
}
