//! One advisory about one package, whatever database it came from.

use crate::model::Ecosystem;
use semver::VersionReq;
use serde::Serialize;

/// An advisory about one package (an OSV record naming several packages gives several).
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    /// Other ids of the same issue (CVE, GHSA, PYSEC, RUSTSEC …).
    pub aliases: Vec<String>,
    pub ecosystem: Ecosystem,
    /// The package name, normalised for its ecosystem.
    pub package: String,
    pub title: String,
    pub url: Option<String>,
    /// `unmaintained`, `unsound`, `notice` …: not a vulnerability, reported apart.
    pub informational: Option<String>,
    /// Withdrawn advisories are read but never matched.
    pub withdrawn: bool,
    /// CVSS vectors given (v3.x, v4.0).
    pub cvss: Vec<String>,
    /// A qualitative severity word given without a vector (GHSA `MODERATE` …).
    pub severity_word: Option<String>,
    pub affected: Affected,
    /// The file it was read from.
    pub file: String,
}

/// Which versions an advisory affects.
#[derive(Debug, Clone)]
pub enum Affected {
    /// RustSec: every version that no `patched` or `unaffected` requirement matches.
    Semver {
        patched: Vec<VersionReq>,
        unaffected: Vec<VersionReq>,
    },
    /// OSV: listed versions, and ranges of events.
    Osv {
        versions: Vec<String>,
        ranges: Vec<OsvRange>,
    },
}

/// One OSV range: its type and its events in the order given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OsvRange {
    pub kind: RangeKind,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RangeKind {
    Ecosystem,
    Semver,
    /// Git commit ranges: not comparable with package versions, never matched.
    Git,
}

/// An OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Advisory {
    /// The versions that fix it, as the database states them (requirements or versions).
    pub fn fixed_in(&self) -> Vec<String> {
        match &self.affected {
            Affected::Semver { patched, .. } => patched.iter().map(|r| r.to_string()).collect(),
            Affected::Osv { ranges, .. } => ranges
                .iter()
                .filter(|r| r.kind != RangeKind::Git)
                .flat_map(|r| &r.events)
                .filter_map(|e| match e {
                    Event::Fixed(v) => Some(v.clone()),
                    _ => None,
                })
                .collect(),
        }
    }
}
