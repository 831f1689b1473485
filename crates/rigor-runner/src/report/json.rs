//! The `--format json` run summary: a stable contract, documented in docs/json.md.

use crate::outcome::RunReport;
use crate::scheduler::Ending;
use rigor_model::Outcome;
use serde_json::{Value, json};

/// Schema identifier; bumped only on incompatible changes.
pub const SCHEMA: &str = "rigor.run/1";

pub fn render(report: &RunReport) -> Value {
    let counts: serde_json::Map<String, Value> = Outcome::ALL
        .iter()
        .map(|o| (o.as_str().to_string(), json!(report.count(*o))))
        .collect();
    let suites: Vec<Value> = report
        .suites
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "kind": s.kind.as_str(),
                "ending": match s.ending {
                    Ending::Completed => "completed",
                    Ending::FailFast => "fail_fast",
                    Ending::Interrupted => "interrupted",
                    Ending::Aborted => "aborted",
                },
                "planned": s.planned,
                "estimated_s": s.estimated_s,
            })
        })
        .collect();
    let tests: Vec<Value> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "suite": r.key.suite,
                "id": r.key.id,
                "outcome": r.outcome.as_str(),
                "duration_s": r.duration_s,
                "attempts": r.attempts,
                "file": r.file,
                "line": r.line,
                "start_s": r.start_s,
                "worker": r.worker,
                "excerpt": r.excerpt,
                "tier": r.tier,
                "quarantined": report.quarantined.contains_key(&r.key),
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "run_id": report.run_id,
        "status": report.status.as_str(),
        "commit": report.commit,
        "branch": report.branch,
        "trigger": report.trigger,
        "jobs": report.jobs,
        "wall_s": report.wall_s,
        "prepare_s": report.prepare_s,
        "total": report.results.len(),
        "counts": counts,
        "quarantined_failures": report.quarantined_failures().count(),
        "tiers": report.tiers,
        "stopped_at_tier": report.stopped_at_tier,
        "suites": suites,
        "tests": tests,
    })
}
