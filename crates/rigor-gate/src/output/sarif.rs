//! SARIF 2.1.0 with one result per located violation.

use super::cells::located;
use crate::model::GateReport;
use serde_json::json;

/// The located violations as a SARIF log with one run of the `rigor` tool.
pub fn sarif(r: &GateReport) -> String {
    let items = located(r);
    let mut rule_ids: Vec<String> = items.iter().map(|(_, v)| v.rule.clone()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "name": id.replace(['.', '[', ']', '/', '-'], "_"),
                "shortDescription": {"text": format!("rigor gate rule {id}")},
            })
        })
        .collect();
    let results: Vec<_> = items
        .iter()
        .map(|(g, v)| {
            let mut region = serde_json::Map::new();
            if let Some(l) = v.line {
                region.insert("startLine".into(), json!(l.max(1)));
                if let Some(e) = v.end_line {
                    region.insert("endLine".into(), json!(e.max(l)));
                }
            }
            let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": v.file, "uriBaseId": "%SRCROOT%"}}});
            if !region.is_empty() {
                loc["physicalLocation"]["region"] = serde_json::Value::Object(region);
            }
            json!({
                "ruleId": v.rule,
                "ruleIndex": rule_ids.iter().position(|x| x == &v.rule),
                "level": match v.level.as_str() { "error" => "error", "warning" => "warning", _ => "note" },
                "message": {"text": v.message},
                "locations": [loc],
                "properties": {"gate": g.gate, "verdict": g.verdict.as_str()},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rigor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).expect("serializes") + "\n"
}
