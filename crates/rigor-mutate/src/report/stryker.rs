//! Stryker's mutation-testing-report JSON (schema version 1): what `rigor gate --mutation`
//! and HTML viewers of that format read.

use crate::engine::{FileMutants, Outcome};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn report(files: &[FileMutants], out: &Outcome) -> Value {
    let mut by_file: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for r in &out.results {
        let m = &r.mutant;
        let mut o = json!({
            "id": m.id.to_string(),
            "mutatorName": m.operator.stryker_name(),
            "replacement": m.replacement,
            "description": m.describe(),
            "location": {
                "start": {"line": m.line, "column": m.column},
                "end": {"line": m.end_line, "column": m.end_column},
            },
            "status": r.verdict.stryker(),
            "coveredBy": r.tests_run,
            "testsCompleted": r.tests_run.len(),
        });
        if let Some(k) = &r.killed_by {
            o["killedBy"] = json!([k]);
        }
        by_file.entry(m.file.as_str()).or_default().push(o);
    }
    let mut files_obj = serde_json::Map::new();
    for f in files {
        let mutants = by_file.remove(f.file.as_str()).unwrap_or_default();
        files_obj.insert(
            f.file.clone(),
            json!({"language": language(&f.file), "source": f.source, "mutants": mutants}),
        );
    }
    json!({
        "schemaVersion": "1",
        "thresholds": {"high": 80, "low": 60},
        "framework": {"name": "rigor", "version": env!("CARGO_PKG_VERSION")},
        "files": files_obj,
    })
}

/// The report's language name for a file.
fn language(file: &str) -> &'static str {
    if file.ends_with(".rs") {
        "rust"
    } else {
        "python"
    }
}
