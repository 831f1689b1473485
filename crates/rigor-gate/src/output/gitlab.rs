//! GitLab code-quality report: a JSON array of issues with path and line.

use super::cells::located;
use crate::model::GateReport;
use serde_json::json;

/// A stable fingerprint (FNV-1a 64, hex) for code-quality issues.
fn fingerprint(parts: &[&str]) -> String {
    let mut h = rigor_model::hash::Fnv1a::new();
    for p in parts {
        h.write(p.as_bytes());
        h.write(&[0]);
    }
    format!("{:016x}", h.finish())
}

/// The located violations as code-quality issues.
pub fn gitlab(r: &GateReport) -> String {
    let issues: Vec<_> = located(r)
        .into_iter()
        .map(|(g, v)| {
            let severity = if v.message.starts_with("critical") {
                "critical"
            } else {
                match v.level.as_str() {
                    "error" => "major",
                    "warning" => "minor",
                    _ => "info",
                }
            };
            let line = v.line.unwrap_or(1).max(1);
            let file = v.file.as_deref().unwrap_or("");
            json!({
                "type": "issue",
                "check_name": format!("rigor/{}", v.rule),
                "description": v.message,
                "categories": [if g.gate == "security" { "Security" } else { "Bug Risk" }],
                "severity": severity,
                "fingerprint": fingerprint(&[&g.gate, &v.rule, file, &line.to_string(), &v.message]),
                "location": {"path": file, "lines": {"begin": line, "end": v.end_line.unwrap_or(line).max(line)}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).expect("serializes") + "\n"
}
