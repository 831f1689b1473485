//! The audit: every registry package of every input matched against the advisories about it,
//! withdrawn advisories skipped, advisories naming each other (aliases) merged into one finding.

pub mod merge;
pub mod policy;
pub mod report;

use crate::advisories::Database;
use crate::advisories::model::Advisory;
use crate::inventory::Input;
use crate::model::{Ecosystem, Origin, Package};
use crate::severity::{Severity, score_vectors};
use crate::version::is_affected;
use serde::Serialize;

/// One advisory (or several merged through their aliases) affecting one pinned package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub package: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    /// The primary id (RUSTSEC, PYSEC, GHSA, CVE … in that preference).
    pub id: String,
    /// Every other id of the merged advisories, sorted.
    pub aliases: Vec<String>,
    /// `vulnerability`, or the informational kind (`unmaintained`, `unsound`, `notice` …).
    pub kind: String,
    pub severity: Severity,
    /// CVSS base score when a vector was given.
    pub score: Option<f64>,
    /// The CVSS vector the score comes from.
    pub cvss: Option<String>,
    /// Fixed versions (OSV) or patched requirements (RustSec).
    pub fixed_in: Vec<String>,
    pub source_file: String,
    pub line: usize,
    pub title: String,
    pub url: Option<String>,
}

impl Finding {
    pub fn is_vulnerability(&self) -> bool {
        self.kind == "vulnerability"
    }

    /// The id and every alias.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Match every input's packages against `db`; findings come in input order, then by package.
pub fn find(inputs: &[Input], db: &Database) -> Vec<Finding> {
    let mut out = Vec::new();
    for input in inputs {
        for p in &input.inventory.packages {
            if p.origin != Origin::Registry {
                continue;
            }
            let hits: Vec<&Advisory> = db
                .about(p.ecosystem, &p.name)
                .iter()
                .filter(|a| !a.withdrawn && is_affected(p.ecosystem, &p.version, &a.affected))
                .collect();
            out.extend(merge::groups(&hits).into_iter().map(|g| finding(p, &g)));
        }
    }
    out
}

/// One finding from a group of advisories that are the same issue.
fn finding(p: &Package, group: &[&Advisory]) -> Finding {
    let id = merge::primary_id(group);
    let mut aliases: Vec<String> = group
        .iter()
        .flat_map(|a| std::iter::once(a.id.clone()).chain(a.aliases.iter().cloned()))
        .filter(|x| *x != id)
        .collect();
    aliases.sort();
    aliases.dedup();
    let first = group.iter().find(|a| a.id == id).unwrap_or(&group[0]);
    // Informational only when every merged advisory is.
    let kind = if group.iter().all(|a| a.informational.is_some()) {
        first.informational.clone().unwrap_or_default()
    } else {
        "vulnerability".to_string()
    };
    let (severity, score, cvss) = severity_of(group);
    let mut fixed_in: Vec<String> = group.iter().flat_map(|a| a.fixed_in()).collect();
    fixed_in.dedup();
    Finding {
        package: p.name.clone(),
        version: p.version.clone(),
        ecosystem: p.ecosystem,
        id,
        aliases,
        kind,
        severity,
        score,
        cvss,
        fixed_in,
        source_file: p.source_file.clone(),
        line: p.line,
        title: first.title.clone(),
        url: first.url.clone(),
    }
}

/// The highest CVSS base score among the group's vectors; else the highest severity word;
/// else unknown.
fn severity_of(group: &[&Advisory]) -> (Severity, Option<f64>, Option<String>) {
    let scored = group
        .iter()
        .filter_map(|a| score_vectors(&a.cvss))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((s, sev, v)) = scored {
        return (sev, Some(s), Some(v));
    }
    let word = group
        .iter()
        .filter_map(|a| a.severity_word.as_deref().map(Severity::from_word))
        .max()
        .unwrap_or(Severity::Unknown);
    (word, None, None)
}
