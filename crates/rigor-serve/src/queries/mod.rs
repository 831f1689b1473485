//! Every SQL read of the dashboard, API and metrics, one module per subject. Each function
//! takes the open [`rigor_store::Store`] and returns plain serializable rows; the indexes they
//! rely on are created by the owning areas' migrations (core: `runs_by_branch`,
//! `runs_by_started`; gate: `gate_evaluations_by_run`, `gate_evaluations_by_branch`).

pub mod flaky;
pub mod gates;
pub mod perf;
pub mod runs;
pub mod tests;

use crate::filter::Filter;
use rusqlite::types::Value;

/// `WHERE` conditions on the `runs` table (aliased `alias`) for a filter, with their values.
/// Built per filter (no `?1 IS NULL OR …`) so that SQLite can use the indexes.
pub(crate) fn run_conditions(alias: &str, f: &Filter, now: f64) -> (Vec<String>, Vec<Value>) {
    let mut conds = Vec::new();
    let mut vals = Vec::new();
    if let Some(b) = &f.branch {
        conds.push(format!("{alias}.branch = ?"));
        vals.push(Value::Text(b.clone()));
    }
    if let Some(since) = f.since(now) {
        conds.push(format!("{alias}.started_at >= ?"));
        vals.push(Value::Real(since));
    }
    (conds, vals)
}

/// `WHERE a AND b` (or nothing) for conditions.
pub(crate) fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}
