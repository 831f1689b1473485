//! `rigor triage --format json`: the `rigor.triage/1` document (docs/triage.md).

use crate::triage::Report;
use serde_json::{Value, json};

pub const SCHEMA: &str = "rigor.triage/1";

pub fn document(report: &Report) -> Value {
    let failures: Vec<Value> = report
        .failures
        .iter()
        .map(|f| {
            let s = &f.signature;
            json!({
                "test": f.test,
                "suite": f.suite,
                "file": f.file,
                "line": f.line,
                "outcome": f.outcome,
                "attempts": f.attempts,
                "signature": {
                    "id": s.id, "kind": s.kind, "exception": s.exception, "message": s.message,
                    "phase": s.phase, "frames": s.frames,
                },
                "cause": f.cause,
                "confidence": f.confidence,
                "evidence": f.evidence,
                "label": f.label,
                "fix": f.fix,
            })
        })
        .collect();
    let groups: Vec<Value> = report
        .groups
        .iter()
        .map(|g| {
            json!({
                "signature": g.signature, "headline": g.headline, "cause": g.cause, "tests": g.tests,
                "new": g.new, "seen_runs": g.seen_runs, "first_seen_run": g.first_seen_run,
                "first_seen_at": rigor_model::time::utc(g.first_seen_at),
            })
        })
        .collect();
    let r = &report.run;
    json!({
        "schema": SCHEMA,
        "run": {"id": r.id, "commit": r.commit, "branch": r.branch, "status": r.status},
        "counts": report.counts().into_iter().map(|(c, n)| (c.as_str().to_string(), json!(n))).collect::<serde_json::Map<String, Value>>(),
        "failures": failures,
        "groups": groups,
    })
}
