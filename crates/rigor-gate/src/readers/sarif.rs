//! SARIF 2.1.0 (static analysis, linters, security scanners).
//!
//! A result whose rule or result carries `properties.security-severity` (GitHub's convention) is a
//! security finding rated by that score; every other result is a lint finding rated by `level`
//! (result, else the rule's `defaultConfiguration.level`, else `warning`).

use super::audit::Finding;
use super::cvss::Severity;
use super::parse_json;
use crate::error::{GateError, Pos, Result};
use serde::Deserialize;
use std::collections::HashMap;

const HINT: &str = "expected SARIF 2.1.0: {\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {…}}, \"results\": […]}]}";

#[derive(Deserialize)]
struct Log {
    version: String,
    runs: Vec<Run>,
}

#[derive(Deserialize)]
struct Run {
    tool: Tool,
    #[serde(default)]
    results: Option<Vec<SarifResult>>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
}

#[derive(Deserialize)]
struct Driver {
    name: String,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize, Default)]
struct Props {
    #[serde(rename = "security-severity", default)]
    security_severity: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Rule {
    id: String,
    #[serde(default, rename = "defaultConfiguration")]
    default_configuration: Option<RuleConfig>,
    #[serde(default)]
    properties: Option<Props>,
}

#[derive(Deserialize)]
struct RuleConfig {
    #[serde(default)]
    level: Option<String>,
}

#[derive(Deserialize)]
struct SarifResult {
    #[serde(default, rename = "ruleId")]
    rule_id: Option<String>,
    #[serde(default, rename = "ruleIndex")]
    rule_index: Option<usize>,
    #[serde(default)]
    level: Option<String>,
    message: Message,
    #[serde(default)]
    locations: Vec<Location>,
    #[serde(default)]
    properties: Option<Props>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    markdown: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    #[serde(default, rename = "physicalLocation")]
    physical: Option<Physical>,
}

#[derive(Deserialize)]
struct Physical {
    #[serde(default, rename = "artifactLocation")]
    artifact: Option<ArtifactLocation>,
    #[serde(default)]
    region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct Region {
    #[serde(default, rename = "startLine")]
    start_line: Option<u32>,
}

pub fn read_sarif(file: &str, text: &str) -> Result<Vec<Finding>> {
    let log: Log = parse_json(file, text, "SARIF", HINT)?;
    let at = |needle: &str| Pos::of_offset(text, text.find(needle).unwrap_or(0));
    if log.version != "2.1.0" {
        return Err(GateError::malformed(
            file,
            at("\"version\""),
            "SARIF",
            format!("SARIF version \"{}\" is not supported", log.version),
            "rigor reads SARIF 2.1.0; most tools have an option to write it",
        ));
    }
    let mut out = Vec::new();
    for run in log.runs {
        let rules: HashMap<&str, &Rule> = run
            .tool
            .driver
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect();
        for r in run.results.unwrap_or_default() {
            let rule = r
                .rule_index
                .and_then(|i| run.tool.driver.rules.get(i))
                .or_else(|| r.rule_id.as_deref().and_then(|id| rules.get(id).copied()));
            let rule_id = r
                .rule_id
                .clone()
                .or_else(|| rule.map(|x| x.id.clone()))
                .unwrap_or_default();
            let level = r
                .level
                .clone()
                .or_else(|| rule.and_then(|x| x.default_configuration.as_ref()?.level.clone()))
                .unwrap_or_else(|| "warning".into());
            let sec = r
                .properties
                .as_ref()
                .and_then(|p| p.security_severity.clone())
                .or_else(|| rule.and_then(|x| x.properties.as_ref()?.security_severity.clone()));
            let score = sec.as_ref().and_then(|v| match v {
                serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
                serde_json::Value::Number(n) => n.as_f64(),
                _ => None,
            });
            let (security, severity) = match (&sec, score) {
                (Some(_), Some(s)) => (true, Severity::from_score(s)),
                (Some(_), None) => (true, Severity::Unknown),
                (None, _) => (false, Severity::Unknown),
            };
            let loc = r.locations.first().and_then(|l| l.physical.as_ref());
            out.push(Finding {
                tool: run.tool.driver.name.clone(),
                id: rule_id,
                message: r
                    .message
                    .text
                    .clone()
                    .or(r.message.markdown.clone())
                    .unwrap_or_default(),
                severity,
                score,
                level: Some(level),
                security,
                package: None,
                file: loc
                    .and_then(|p| p.artifact.as_ref()?.uri.clone())
                    .map(|u| strip_file_uri(&u)),
                line: loc.and_then(|p| p.region.as_ref()?.start_line),
            });
        }
    }
    Ok(out)
}

fn strip_file_uri(u: &str) -> String {
    u.strip_prefix("file://").unwrap_or(u).to_string()
}
