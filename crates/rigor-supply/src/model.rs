//! The shared types: packages found in a project, advisories from databases.

use serde::Serialize;

/// The package ecosystem a package or advisory belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Ecosystem {
    /// Crates of the public Rust registry (OSV's ecosystem of that name).
    #[serde(rename = "cargo")]
    Crates,
    PyPI,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Crates => "cargo",
            Ecosystem::PyPI => "PyPI",
        }
    }

    /// The package URL type (`pkg:cargo/…`, `pkg:pypi/…`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Crates => "cargo",
            Ecosystem::PyPI => "pypi",
        }
    }

    /// The name as the ecosystem compares it: PEP 503 normalisation for PyPI, as is for crates.
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::Crates => name.to_string(),
            Ecosystem::PyPI => pep503(name),
        }
    }
}

/// PEP 503 name normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A package pinned at one version in one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as written in the input.
    pub name: String,
    pub version: String,
    /// The input file it was read from (as given or found).
    pub source_file: String,
    /// 1-based line of its entry in that file.
    pub line: usize,
    /// Where it comes from: `registry`, `git`, `path`, `url`.
    pub origin: Origin,
    /// Hashes given for it (`sha256:…`), lockfile checksums or pinned wheel hashes.
    pub hashes: Vec<String>,
    /// The packages it depends on, when the input says: `name` or `name version`.
    pub dependencies: Vec<String>,
    /// PEP 508 environment marker as written, if any (not evaluated).
    pub marker: Option<String>,
    /// The licence the package declares, when the input says (installed dist METADATA).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<License>,
}

/// A declared licence: an SPDX expression (Cargo `license`, PEP 639 `License-Expression`) or a
/// free-text name (a METADATA `License:` line, a trove classifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum License {
    Expression(String),
    Name(String),
}

/// Where a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The ecosystem's public registry: advisories apply.
    Registry,
    /// Another registry (advisories of the public one are not matched).
    OtherRegistry,
    Git,
    Path,
    Url,
}

/// A requirement that names no single version, reported instead of audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpinned {
    pub name: String,
    /// The requirement as written (specifier, URL …).
    pub requirement: String,
    pub source_file: String,
    pub line: usize,
}

/// Everything read from one input file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    pub packages: Vec<Package>,
    pub unpinned: Vec<Unpinned>,
}
