//! OSV records (the Open Source Vulnerability schema) in JSON or YAML: one advisory per
//! affected package of a supported ecosystem (PyPI, crates.io).

use super::model::{Advisory, Affected, Event, OsvRange, RangeKind};
use crate::error::{Result, SupplyError};
use crate::model::Ecosystem;
use serde::{Deserialize, Deserializer};

/// A scalar read as text, whatever YAML made of it (`2.0` stays `2.0` when quoted; an
/// unquoted number is written back as the parser read it).
#[derive(Debug, Clone, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Text, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            S(String),
            I(i64),
            U(u64),
            F(f64),
            B(bool),
        }
        Ok(Text(match Scalar::deserialize(d)? {
            Scalar::S(s) => s,
            Scalar::I(i) => i.to_string(),
            Scalar::U(u) => u.to_string(),
            Scalar::F(f) => f.to_string(),
            Scalar::B(b) => b.to_string(),
        }))
    }
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<Text>,
    #[serde(default)]
    affected: Vec<Aff>,
    #[serde(default)]
    severity: Vec<Sev>,
    #[serde(default)]
    references: Vec<Ref>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Aff {
    #[serde(default)]
    package: Option<Pkg>,
    #[serde(default)]
    ranges: Vec<Range>,
    #[serde(default)]
    versions: Vec<Text>,
    #[serde(default)]
    severity: Vec<Sev>,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    ecosystem: String,
}

#[derive(Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<Ev>,
}

#[derive(Deserialize)]
struct Ev {
    introduced: Option<Text>,
    fixed: Option<Text>,
    last_affected: Option<Text>,
    limit: Option<Text>,
}

#[derive(Deserialize)]
struct Sev {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Ref {
    #[serde(rename = "type", default)]
    kind: String,
    url: String,
}

pub const HINT: &str = "an OSV record has id, affected[].package {name, ecosystem}, affected[].ranges[].events and/or affected[].versions";

fn ecosystem(name: &str) -> Option<Ecosystem> {
    match name {
        "PyPI" => Some(Ecosystem::PyPI),
        "crates.io" => Some(Ecosystem::Crates),
        _ => None,
    }
}

/// Parse one OSV file (`yaml` selects the YAML parser). A document without `id` (a side file
/// of a database, such as a triage list) gives no advisory.
pub fn parse(file: &str, text: &str, yaml: bool) -> Result<Vec<Advisory>> {
    let record: Record = if yaml {
        serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line() as usize);
            SupplyError::malformed(file, line, first_line(&e.to_string()), HINT)
        })?
    } else {
        serde_json::from_str(text)
            .map_err(|e| SupplyError::malformed(file, e.line(), e.to_string(), HINT))?
    };
    Ok(advisories(file, record))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

fn advisories(file: &str, r: Record) -> Vec<Advisory> {
    let Some(id) = r.id else {
        return Vec::new();
    };
    let title = r
        .summary
        .clone()
        .or_else(|| r.details.as_ref().map(|d| summary_of(d)))
        .unwrap_or_default();
    let url = r
        .references
        .iter()
        .find(|x| x.kind == "ADVISORY")
        .or_else(|| r.references.first())
        .map(|x| x.url.clone());
    let word = r
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(str::to_string);
    let withdrawn = r.withdrawn.is_some();
    r.affected
        .into_iter()
        .filter_map(|a| {
            let pkg = a.package?;
            let eco = ecosystem(&pkg.ecosystem)?;
            let mut cvss: Vec<String> = a
                .severity
                .iter()
                .chain(&r.severity)
                .filter(|s| s.kind.starts_with("CVSS"))
                .map(|s| s.score.clone())
                .collect();
            cvss.dedup();
            Some(Advisory {
                id: id.clone(),
                aliases: r.aliases.clone(),
                ecosystem: eco,
                package: eco.normalize(&pkg.name),
                title: title.clone(),
                url: url.clone(),
                informational: None,
                withdrawn,
                cvss,
                severity_word: word.clone(),
                affected: Affected::Osv {
                    versions: a.versions.into_iter().map(|t| t.0).collect(),
                    ranges: a.ranges.into_iter().map(range).collect(),
                },
                file: file.to_string(),
            })
        })
        .collect()
}

fn range(r: Range) -> OsvRange {
    let kind = match r.kind.as_str() {
        "SEMVER" => RangeKind::Semver,
        "ECOSYSTEM" => RangeKind::Ecosystem,
        _ => RangeKind::Git,
    };
    let events = r
        .events
        .into_iter()
        .filter_map(|e| {
            e.introduced
                .map(|t| Event::Introduced(t.0))
                .or(e.fixed.map(|t| Event::Fixed(t.0)))
                .or(e.last_affected.map(|t| Event::LastAffected(t.0)))
                .or(e.limit.map(|t| Event::Limit(t.0)))
        })
        .collect();
    OsvRange { kind, events }
}

/// The first sentence of a description, for a title.
fn summary_of(details: &str) -> String {
    let flat: String = details.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map_or(flat.len(), |i| i + 1);
    let s = &flat[..end];
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "id: PYSEC-2099-1\ndetails: Bad thing in demo. More text.\naffected:\n- package:\n    name: Demo_Pkg\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n    - fixed: 2.7.2\n  - type: GIT\n    repo: https://example.invalid/x\n    events:\n    - introduced: abc\n  versions:\n  - \"2.0\"\n  - 2.0rc1\n- package:\n    name: other\n    ecosystem: npm\naliases:\n- CVE-2099-9\nseverity:\n- type: CVSS_V3\n  score: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n";

    #[test]
    fn yaml_record_gives_one_advisory_per_supported_package() {
        let a = parse("x.yaml", YAML, true).unwrap();
        assert_eq!(a.len(), 1);
        let a = &a[0];
        assert_eq!(
            (a.id.as_str(), a.package.as_str()),
            ("PYSEC-2099-1", "demo-pkg")
        );
        assert_eq!(a.title, "Bad thing in demo.");
        assert_eq!(a.aliases, vec!["CVE-2099-9"]);
        assert_eq!(a.fixed_in(), vec!["2.7.2"]);
        assert_eq!(a.cvss.len(), 1);
        let Affected::Osv { versions, ranges } = &a.affected else {
            panic!("osv")
        };
        assert_eq!(versions, &vec!["2.0".to_string(), "2.0rc1".to_string()]);
        assert_eq!(ranges[1].kind, RangeKind::Git);
    }

    #[test]
    fn json_record_reads_the_same() {
        let json = r#"{"id":"GHSA-x","summary":"s","withdrawn":"2020-01-01T00:00:00Z","affected":[{"package":{"name":"serde","ecosystem":"crates.io"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.0.5"}]}]}],"database_specific":{"severity":"HIGH"}}"#;
        let a = parse("x.json", json, false).unwrap();
        assert_eq!(a[0].ecosystem, Ecosystem::Crates);
        assert!(a[0].withdrawn);
        assert_eq!(a[0].severity_word.as_deref(), Some("HIGH"));
    }

    #[test]
    fn documents_without_id_give_nothing() {
        assert!(parse("t.yaml", "ids:\n- CVE-1\n", true).unwrap().is_empty());
    }

    #[test]
    fn malformed_files_are_located() {
        let e = parse("x.json", "{\n\"id\": 3}", false)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.json:2:"), "{e}");
        let e = parse("x.yaml", "id: a\naffected: [\n", true)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.yaml:"), "{e}");
    }
}
