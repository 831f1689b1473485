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
use rigor_store::db::Value;

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

/// `sql` with each bare `?` numbered in order (`?1`, `?2`, …), as both engines' renderings
/// need: conditions built per filter are written with bare placeholders.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '?' && !chars.peek().is_some_and(char::is_ascii_digit) {
            n += 1;
            out.push_str(&n.to_string());
        }
    }
    out
}

/// `WHERE a AND b` (or nothing) for conditions.
pub(crate) fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

#[cfg(test)]
mod numbering {
    #[test]
    fn bare_placeholders_are_numbered_in_order() {
        assert_eq!(
            super::numbered("a = ? AND b = ?2 AND c >= ? LIMIT ?"),
            "a = ?1 AND b = ?2 AND c >= ?2 LIMIT ?3"
        );
    }
}
