//! The `[audit]` section of `rigor.toml`.

use crate::severity::Severity;
use serde::{Deserialize, Serialize};

/// `[audit]`: which databases and files, when the audit fails, what is ignored.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AuditConfig {
    /// Advisory database directories (RustSec or OSV), relative to the project root.
    pub databases: Vec<String>,
    /// Input files (default: found in the project root).
    pub files: Vec<String>,
    /// The lowest severity that fails the audit (`low`, `medium`, `high`, `critical`).
    pub fail_on: Severity,
    /// Whether a vulnerability without any severity fails the audit.
    pub fail_on_unknown: bool,
    /// Whether informational advisories (unmaintained, unsound, notice) fail the audit.
    pub fail_on_informational: bool,
    /// Where `--update` keeps fetched databases (relative to the project root).
    pub cache: String,
    /// OSV ecosystems whose export `--update` downloads into the cache (`PyPI`, `crates.io`);
    /// each downloaded export is audited against like a `databases` entry.
    pub exports: Vec<String>,
    /// Where an export is downloaded from; `{ecosystem}` is replaced by the ecosystem.
    pub export_url: String,
    /// Accepted advisories, each with a reason and an expiry date.
    pub ignore: Vec<Ignore>,
    /// A registry index cache to read yanked versions from (an index directory holding
    /// `.cache`, or that `.cache`), relative to the root; default: every
    /// `$CARGO_HOME/registry/index/*/.cache`.
    pub registry_index: Option<String>,
    /// Whether a yanked crate fails the audit.
    pub fail_on_yanked: bool,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            databases: Vec::new(),
            files: Vec::new(),
            fail_on: Severity::Low,
            fail_on_unknown: true,
            fail_on_informational: false,
            cache: ".rigor/advisories".into(),
            exports: Vec::new(),
            export_url: crate::advisories::export::DEFAULT_URL.into(),
            ignore: Vec::new(),
            registry_index: None,
            fail_on_yanked: false,
        }
    }
}

/// `[[audit.ignore]]`: an advisory (by id or alias) accepted until a date.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Ignore {
    pub id: String,
    #[serde(default)]
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the ignore holds.
    #[serde(default)]
    pub expires: String,
    /// Only for this package (normalised name), when given.
    #[serde(default)]
    pub package: Option<String>,
}
