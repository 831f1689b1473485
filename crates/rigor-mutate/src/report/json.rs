//! The `--format json` contract (documented in docs/mutation.md): `rigor.mutate/1` for a run,
//! `rigor.mutate.list/1` for `--list`.

use crate::apply;
use crate::engine::{FileMutants, Outcome};
use crate::model::Mutant;
use serde_json::{Value, json};
use std::collections::HashMap;

fn mutant_fields(m: &Mutant) -> serde_json::Map<String, Value> {
    let v = json!({
        "id": m.id,
        "file": m.file,
        "line": m.line,
        "column": m.column,
        "end_line": m.end_line,
        "end_column": m.end_column,
        "function": m.function,
        "operator": m.operator.as_str(),
        "original": m.original,
        "replacement": m.replacement,
    });
    match v {
        Value::Object(o) => o,
        _ => unreachable!("an object literal"),
    }
}

/// `rigor mutate --list --format json`.
pub fn list(files: &[FileMutants]) -> Value {
    let mutants: Vec<Value> = files
        .iter()
        .flat_map(|f| &f.mutants)
        .map(|m| Value::Object(mutant_fields(m)))
        .collect();
    json!({"schema": "rigor.mutate.list/1", "mutants": mutants})
}

/// `rigor mutate --format json`.
pub fn run(files: &[FileMutants], out: &Outcome, base: Option<&str>) -> Value {
    let sources: HashMap<&str, &str> = files
        .iter()
        .map(|f| (f.file.as_str(), f.source.as_str()))
        .collect();
    let mutants: Vec<Value> = out
        .results
        .iter()
        .map(|r| {
            let mut o = mutant_fields(&r.mutant);
            o.insert("verdict".into(), json!(r.verdict.as_str()));
            o.insert("tests_run".into(), json!(r.tests_run));
            o.insert("killed_by".into(), json!(r.killed_by));
            o.insert("tests_from".into(), json!(r.source.as_str()));
            o.insert("candidates".into(), json!(r.candidates));
            o.insert("duration_s".into(), json!(r.duration_s));
            o.insert("cached".into(), json!(r.cached));
            let diff = sources
                .get(r.mutant.file.as_str())
                .map(|s| apply::diff(s, &r.mutant));
            o.insert("diff".into(), json!(diff));
            Value::Object(o)
        })
        .collect();
    json!({
        "schema": "rigor.mutate/1",
        "base": base,
        "summary": out.summary,
        "baseline": out.baseline,
        "workers": out.workers,
        "notes": out.notes,
        "mutants": mutants,
    })
}
