//! Dependency audits: cargo-audit JSON, pip-audit JSON (current object and older list shape),
//! osv-scanner JSON, and an optional offline OSV advisory set for severities pip-audit lacks.

use super::cvss::{Severity, base_score};
use super::parse_json;
use crate::error::{GateError, Pos, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// A security or lint finding from SARIF or an audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub tool: String,
    /// Rule or advisory id.
    pub id: String,
    pub message: String,
    pub severity: Severity,
    /// CVSS / security-severity score when known.
    pub score: Option<f64>,
    /// SARIF level (error, warning, note, none) for lint findings.
    pub level: Option<String>,
    /// A security finding (counts for the security gate) rather than a lint one.
    pub security: bool,
    /// Affected package `name version` for audits.
    pub package: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

fn finding(
    tool: &str,
    id: String,
    message: String,
    sev: (Severity, Option<f64>),
    package: String,
) -> Finding {
    Finding {
        tool: tool.into(),
        id,
        message,
        severity: sev.0,
        score: sev.1,
        level: None,
        security: true,
        package: Some(package),
        file: None,
        line: None,
    }
}

// ---------------------------------------------------------------- cargo-audit

const CARGO_HINT: &str = "expected `cargo audit --json` output: {\"database\":…, \"vulnerabilities\": {\"list\": [{\"advisory\": {\"id\", \"cvss\"}, \"package\": {\"name\", \"version\"}}]}}";

#[derive(Deserialize)]
struct CargoAudit {
    vulnerabilities: CargoVulns,
}
#[derive(Deserialize)]
struct CargoVulns {
    list: Vec<CargoVuln>,
}
#[derive(Deserialize)]
struct CargoVuln {
    advisory: CargoAdvisory,
    package: CargoPackage,
}
#[derive(Deserialize)]
struct CargoAdvisory {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    cvss: Option<String>,
}
#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
}

pub fn read_cargo_audit(file: &str, text: &str) -> Result<Vec<Finding>> {
    let doc: CargoAudit = parse_json(file, text, "cargo-audit JSON", CARGO_HINT)?;
    doc.vulnerabilities
        .list
        .into_iter()
        .map(|v| {
            let sev = match &v.advisory.cvss {
                Some(vec) => {
                    let s = base_score(vec).map_err(|m| {
                        let off = text.find(vec.as_str()).unwrap_or(0);
                        GateError::malformed(
                            file,
                            Pos::of_offset(text, off),
                            "cargo-audit JSON",
                            format!("advisory {}: {m}", v.advisory.id),
                            "cvss must be a CVSS v3.x or v4.0 vector such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                        )
                    })?;
                    (Severity::from_score(s), Some(s))
                }
                None => (Severity::Unknown, None),
            };
            Ok(finding(
                "cargo-audit",
                v.advisory.id,
                v.advisory.title,
                sev,
                format!("{} {}", v.package.name, v.package.version),
            ))
        })
        .collect()
}

// ---------------------------------------------------------------- rigor audit

const RIGOR_HINT: &str = "expected `rigor audit --format json` output (rigor.audit/1): {\"schema\": \"rigor.audit/1\", \"findings\": [{\"package\", \"version\", \"id\", \"severity\", \"score\", \"source_file\", \"line\"}]}";

#[derive(Deserialize)]
struct RigorAudit {
    schema: String,
    findings: Vec<RigorFinding>,
}
#[derive(Deserialize)]
struct RigorFinding {
    package: String,
    version: String,
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    severity: Severity,
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    source_file: Option<String>,
    #[serde(default)]
    line: Option<u32>,
}

/// `rigor audit --format json`: its vulnerabilities (ignored and informational ones are the
/// audit's policy, not the gate's), located in their lockfile.
pub fn read_rigor_audit(file: &str, text: &str) -> Result<Vec<Finding>> {
    let doc: RigorAudit = parse_json(file, text, "rigor audit JSON", RIGOR_HINT)?;
    if doc.schema != "rigor.audit/1" {
        return Err(GateError::malformed(
            file,
            Pos::of_offset(text, text.find(&doc.schema).unwrap_or(0)),
            "rigor audit JSON",
            format!("schema `{}` is not rigor.audit/1", doc.schema),
            RIGOR_HINT,
        ));
    }
    Ok(doc
        .findings
        .into_iter()
        .map(|f| {
            let title = if f.aliases.is_empty() {
                f.title
            } else {
                format!("{} ({})", f.title, f.aliases.join(", "))
            };
            let mut x = finding(
                "rigor-audit",
                f.id,
                title,
                (f.severity, f.score),
                format!("{} {}", f.package, f.version),
            );
            x.file = f.source_file;
            x.line = f.line;
            x
        })
        .collect())
}

// ---------------------------------------------------------------- pip-audit

const PIP_HINT: &str = "expected `pip-audit -f json` output: {\"dependencies\": [{\"name\", \"version\", \"vulns\": [{\"id\", \"aliases\"}]}]} or the older list [{\"name\", \"version\", \"vulns\"}]";

#[derive(Deserialize)]
struct PipCurrent {
    dependencies: Vec<PipDep>,
}
#[derive(Deserialize)]
struct PipDep {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    vulns: Vec<PipVuln>,
}
#[derive(Deserialize)]
struct PipVuln {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    description: String,
}

pub fn read_pip_audit(
    file: &str,
    text: &str,
    advisories: Option<&Advisories>,
) -> Result<Vec<Finding>> {
    // Two shapes: the current object and the older top-level list. Sniff, then parse typed so
    // that type errors keep their location.
    let value: serde_json::Value = parse_json(file, text, "pip-audit JSON", PIP_HINT)?;
    let deps: Vec<PipDep> = match &value {
        serde_json::Value::Array(_) => parse_json(file, text, "pip-audit JSON", PIP_HINT)?,
        serde_json::Value::Object(o) if o.contains_key("dependencies") => {
            parse_json::<PipCurrent>(file, text, "pip-audit JSON", PIP_HINT)?.dependencies
        }
        _ => {
            return Err(GateError::malformed(
                file,
                Pos { line: 1, column: 1 },
                "pip-audit JSON",
                "expected an object with `dependencies` or a list of dependencies at the top level",
                PIP_HINT,
            ));
        }
    };
    let mut out = Vec::new();
    for d in deps {
        for v in d.vulns {
            let sev = advisories
                .and_then(|a| a.lookup(std::iter::once(&v.id).chain(v.aliases.iter())))
                .unwrap_or((Severity::Unknown, None));
            out.push(finding(
                "pip-audit",
                v.id,
                v.description.lines().next().unwrap_or("").to_string(),
                sev,
                format!("{} {}", d.name, d.version.clone().unwrap_or_default()),
            ));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- osv-scanner

const OSV_HINT: &str = "expected `osv-scanner --format json` output: {\"results\": [{\"packages\": [{\"package\": {…}, \"vulnerabilities\": […], \"groups\": […]}]}]}";

#[derive(Deserialize)]
struct OsvScan {
    results: Vec<OsvResult>,
}
#[derive(Deserialize)]
struct OsvResult {
    #[serde(default)]
    source: Option<OsvSource>,
    packages: Vec<OsvPackage>,
}
#[derive(Deserialize)]
struct OsvSource {
    path: String,
}
#[derive(Deserialize)]
struct OsvPackage {
    package: OsvPkg,
    #[serde(default)]
    vulnerabilities: Vec<OsvVuln>,
    #[serde(default)]
    groups: Vec<OsvGroup>,
}
#[derive(Deserialize)]
struct OsvPkg {
    name: String,
    #[serde(default)]
    version: String,
}
/// An OSV vulnerability entry (the OSV schema), as in osv-scanner output and OSV databases.
#[derive(Deserialize)]
pub struct OsvVuln {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}
#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}
#[derive(Deserialize)]
struct OsvGroup {
    ids: Vec<String>,
    #[serde(default)]
    max_severity: Option<String>,
}

impl OsvVuln {
    /// Severity from a CVSS v3/v4 vector, else the database's word (GHSA `severity`).
    fn rate(&self) -> (Severity, Option<f64>) {
        let best = self
            .severity
            .iter()
            .filter(|s| s.kind == "CVSS_V3" || s.kind == "CVSS_V4")
            .filter_map(|s| base_score(&s.score).ok())
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        if let Some(s) = best {
            return (Severity::from_score(s), Some(s));
        }
        let word = self
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(|s| s.as_str())
            .map(Severity::from_word)
            .unwrap_or(Severity::Unknown);
        (word, None)
    }
}

pub fn read_osv_scanner(file: &str, text: &str) -> Result<Vec<Finding>> {
    let doc: OsvScan = parse_json(file, text, "osv-scanner JSON", OSV_HINT)?;
    let mut out = Vec::new();
    for r in doc.results {
        let lockfile = r.source.map(|s| s.path);
        for p in r.packages {
            let by_id: HashMap<&str, &OsvVuln> = p
                .vulnerabilities
                .iter()
                .map(|v| (v.id.as_str(), v))
                .collect();
            let package = format!("{} {}", p.package.name, p.package.version);
            let mut push = |id: String, summary: String, sev: (Severity, Option<f64>)| {
                let mut f = finding("osv-scanner", id, summary, sev, package.clone());
                f.file = lockfile.clone();
                out.push(f);
            };
            if p.groups.is_empty() {
                for v in &p.vulnerabilities {
                    push(v.id.clone(), v.summary.clone(), v.rate());
                }
                continue;
            }
            // one finding per group of aliases
            for g in &p.groups {
                let members: Vec<&OsvVuln> = g
                    .ids
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .collect();
                let from_max = g
                    .max_severity
                    .as_deref()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .map(|s| (Severity::from_score(s), Some(s)));
                let sev = from_max.unwrap_or_else(|| {
                    members
                        .iter()
                        .map(|v| v.rate())
                        .max_by(|a, b| a.0.cmp(&b.0))
                        .unwrap_or((Severity::Unknown, None))
                });
                let summary = members
                    .iter()
                    .map(|v| v.summary.as_str())
                    .find(|s| !s.is_empty())
                    .unwrap_or("");
                push(g.ids.join(" / "), summary.to_string(), sev);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- offline advisories

/// Severities by advisory id and alias, from OSV JSON entries (a directory of `*.json` files, or
/// one file holding an entry or a list of entries).
#[derive(Debug, Default)]
pub struct Advisories {
    by_id: HashMap<String, (Severity, Option<f64>)>,
}

impl Advisories {
    pub fn load(path: &Path) -> Result<Advisories> {
        let mut files = Vec::new();
        if path.is_dir() {
            let rd = std::fs::read_dir(path).map_err(|source| GateError::Read {
                path: path.display().to_string(),
                source,
            })?;
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        let mut adv = Advisories::default();
        for f in files {
            let text = super::read_text(&f)?;
            let label = f.display().to_string();
            let hint = "expected OSV schema entries: {\"id\", \"aliases\", \"severity\": [{\"type\": \"CVSS_V3\", \"score\": …}]}";
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum OneOrMany {
                Many(Vec<OsvVuln>),
                One(Box<OsvVuln>),
            }
            let entries = match parse_json::<OneOrMany>(&label, &text, "OSV advisory", hint)? {
                OneOrMany::Many(v) => v,
                OneOrMany::One(v) => vec![*v],
            };
            for e in entries {
                let sev = e.rate();
                for id in std::iter::once(&e.id).chain(e.aliases.iter()) {
                    adv.by_id.insert(id.clone(), sev);
                }
            }
        }
        Ok(adv)
    }

    pub fn lookup<'a>(
        &self,
        ids: impl Iterator<Item = &'a String>,
    ) -> Option<(Severity, Option<f64>)> {
        ids.filter_map(|i| self.by_id.get(i).copied())
            .filter(|s| s.0 != Severity::Unknown)
            .max_by(|a, b| a.0.cmp(&b.0))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
