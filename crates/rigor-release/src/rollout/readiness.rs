//! Deployment readiness: a commit whose last gate evaluation in the history failed is not
//! deployed (unless forced, which the rollout records).

use crate::error::Result;
use rigor_store::Store;
use rusqlite::OptionalExtension;

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
    let conn = store.conn();
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gate_evaluations')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Readiness::Unknown);
    }
    let last: Option<(i64, bool)> = conn
        .query_row(
            "SELECT id, passed FROM gate_evaluations WHERE commit_sha = ?1 ORDER BY time DESC, id DESC LIMIT 1",
            [commit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, passed)) = last else {
        return Ok(Readiness::Unknown);
    };
    if passed {
        return Ok(Readiness::Passed);
    }
    let mut stmt = conn.prepare(
        "SELECT gate FROM gate_results WHERE evaluation_id = ?1 AND verdict = 'fail' AND blocking = 1 ORDER BY gate",
    )?;
    let gates = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<std::result::Result<Vec<String>, _>>()?;
    Ok(Readiness::Failed {
        evaluation: id,
        gates,
    })
}
