//! SARIF 2.1.0: one rule per advisory (with `security-severity` when scored), one result per
//! finding located at its line in the lockfile or requirements file.

use crate::audit::Finding;
use crate::audit::report::AuditReport;
use crate::severity::Severity;
use serde_json::{Value, json};

fn level(f: &Finding) -> &'static str {
    if !f.is_vulnerability() {
        return "note";
    }
    match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Unknown => "warning",
        Severity::Low | Severity::None => "note",
    }
}

fn rule(f: &Finding) -> Value {
    let mut props = json!({"tags": ["security", "dependency", f.kind.as_str()]});
    if let Some(s) = f.score {
        props["security-severity"] = json!(format!("{s:.1}"));
    }
    let mut r = json!({
        "id": f.id,
        "shortDescription": {"text": if f.title.is_empty() { f.id.clone() } else { f.title.clone() }},
        "properties": props,
    });
    if let Some(u) = &f.url {
        r["helpUri"] = json!(u);
    }
    r
}

fn result(f: &Finding) -> Value {
    let fixed = if f.fixed_in.is_empty() {
        "no fixed version known".to_string()
    } else {
        format!("fixed in {}", f.fixed_in.join(" | "))
    };
    json!({
        "ruleId": f.id,
        "level": level(f),
        "message": {"text": format!("{} {} is affected by {} ({}, {}): {}; {}", f.package, f.version, f.id,
            if f.is_vulnerability() { f.severity.as_str() } else { f.kind.as_str() },
            if f.aliases.is_empty() { "no aliases".to_string() } else { f.aliases.join(", ") },
            f.title, fixed)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": f.source_file},
            "region": {"startLine": f.line}
        }}],
        "partialFingerprints": {"rigorAudit/v1": format!("{}:{}:{}", f.id, f.package, f.version)},
    })
}

pub fn render(r: &AuditReport) -> String {
    let all: Vec<&Finding> = r.findings.iter().chain(&r.informational).collect();
    let mut rules: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in &all {
        if seen.insert(f.id.clone()) {
            rules.push(rule(f));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rigor-audit",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": all.iter().map(|f| result(f)).collect::<Vec<_>>(),
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("SARIF serialises");
    s.push('\n');
    s
}
