//! Gate evaluations: history per gate and per component, the evaluation of a run.

use super::{numbered, where_clause};
use crate::error::HttpError;
use crate::filter::Filter;
use rigor_gate::history::Evaluation;
use rigor_store::Store;
use rigor_store::db::Value;

fn evaluations_where(
    tail_conds: Vec<String>,
    vals: Vec<Value>,
    store: &Store,
    limit: usize,
) -> Result<Vec<Evaluation>, HttpError> {
    let mut vals = vals;
    vals.push(limit.into());
    let sql = numbered(&format!(
        "SELECT e.id, e.time, e.commit_sha, e.branch, e.report FROM gate_evaluations e {} ORDER BY e.id DESC LIMIT ?",
        where_clause(&tail_conds)
    ));
    let rows = store.with_sql(|db| db.query(&sql, &vals))?;
    let mut out = Vec::new();
    for r in &rows {
        out.extend(rigor_gate::history::evaluation_of_row(r)?);
    }
    Ok(out)
}

/// Evaluations in the filter, newest first.
pub fn evaluations(
    store: &Store,
    f: &Filter,
    now: f64,
    limit: usize,
) -> Result<Vec<Evaluation>, HttpError> {
    let mut conds = Vec::new();
    let mut vals: Vec<Value> = Vec::new();
    if let Some(b) = &f.branch {
        conds.push("e.branch = ?".to_string());
        vals.push(Value::Text(b.clone()));
    }
    if let Some(since) = f.since(now) {
        conds.push("e.time >= ?".to_string());
        vals.push(Value::Real(since));
    }
    evaluations_where(conds, vals, store, limit)
}

/// The newest evaluation recorded for a run.
pub fn for_run(store: &Store, run_id: i64) -> Result<Option<Evaluation>, HttpError> {
    Ok(evaluations_where(vec!["e.run_id = ?".into()], vec![run_id.into()], store, 1)?.pop())
}

/// The newest evaluation of each branch.
pub fn latest_per_branch(store: &Store) -> Result<Vec<Evaluation>, HttpError> {
    let ids: Vec<i64> = store.with_sql(|db| {
        db.query(
            "SELECT MAX(id) FROM gate_evaluations GROUP BY branch ORDER BY 1 DESC LIMIT 50",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect()
    })?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(evaluations_where(
            vec!["e.id = ?".into()],
            vec![id.into()],
            store,
            1,
        )?);
    }
    Ok(out)
}

/// A gate id's base and component: `coverage.changed_lines[payments]` → (`coverage.changed_lines`, `payments`).
pub fn split_component(gate: &str) -> (&str, Option<&str>) {
    match gate.find('[') {
        Some(i) if gate.ends_with(']') => (&gate[..i], Some(&gate[i + 1..gate.len() - 1])),
        _ => (gate, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_split_from_gate_ids() {
        assert_eq!(split_component("coverage"), ("coverage", None));
        assert_eq!(
            split_component("coverage.changed_lines[payments]"),
            ("coverage.changed_lines", Some("payments"))
        );
        assert_eq!(split_component("odd[x"), ("odd[x", None));
    }
}
