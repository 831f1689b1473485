//! Change-aware test selection and risk ordering for rigor.
//!
//! 1. [`ChangeSet::detect`] finds the change: base (explicit, CI variables, merge-base with the
//!    default branch, `HEAD~1`), changed files and line ranges, renames, deletions, staged,
//!    unstaged and untracked files.
//! 2. [`select`] maps it to tests through the Python import graph ([`python::PyGraph`]), the
//!    cargo package graph ([`rust::RustGraph`]), data-file references, `[select]` rules, and —
//!    when fresh — a per-test coverage map ([`import_coverage_map`]). Every selected test has
//!    reasons; every skipped one can be explained ([`Selection::explain`]).
//! 3. [`order_by_risk`] orders the selection by [`risk`] (history, co-failure, graph distance,
//!    coverage, churn), cheap tests first among equals; [`apfd`] measures an order.
//! 4. [`Plan`] is the stable JSON contract of `rigor plan --format json`.
//!
//! See `docs/selection.md` for the design, the JSON contract and the measured evaluation.

pub mod change;
pub mod config;
pub mod coverage;
pub mod error;
pub mod history;
pub mod pyparse;
pub mod python;
pub mod risk;
pub mod rust;
pub mod select;
pub mod symbols;

pub use change::{ChangeKind, ChangeSet, ChangedFile, LineRange};
pub use config::{PathRule, SelectConfig};
pub use coverage::{CoverageImport, import_coverage_map};
pub use error::{Result, SelectError};
pub use history::{CoverageMap, History, record_change_outcome};
pub use risk::{PlannedTest, RiskFactors, apfd, order_by_risk, risk};
pub use select::{SelectInput, SelectedTest, Selection, SuiteSpec, select};

use rigor_model::TestKey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The plan of a change, in the shape of `rigor plan --format json` (schema `rigor.plan/1`,
/// documented in docs/json.md; the CLI adds `schema`, tiers, shards and per-test tier/shard):
///
/// ```json
/// {"base": SHA, "head": SHA, "base_source": "...", "changed_files": [...],
///  "full_run": null | REASON, "total": K, "discovered": N, "estimated_s": F,
///  "tests": [{"id": NODE_ID, "suite": NAME, "reasons": [...], "risk": F, "estimated_s": F}, ...],
///  "skipped": [{"id": ..., "suite": ..., "why": ...}], "notes": [...], "deferred_rules": [...]}
/// ```
/// `tests` is in run order; `total` is the number of planned tests, `discovered` of all tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub base: String,
    pub head: String,
    pub base_source: String,
    pub changed_files: Vec<String>,
    pub full_run: Option<String>,
    pub total: usize,
    pub discovered: usize,
    pub estimated_s: f64,
    pub tests: Vec<PlannedTest>,
    pub skipped: Vec<SkippedTest>,
    pub notes: Vec<String>,
    pub deferred_rules: Vec<(String, String)>,
}

/// A test left out of a plan, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedTest {
    pub id: String,
    pub suite: String,
    pub why: String,
}

impl Plan {
    /// Order a selection into a plan.
    pub fn new(selection: &Selection, estimates: &HashMap<TestKey, f64>, default_s: f64) -> Plan {
        let tests = order_by_risk(selection, estimates, default_s);
        Plan {
            base: selection.base.clone(),
            head: selection.head.clone(),
            base_source: selection.base_source.clone(),
            changed_files: selection.changed_files.clone(),
            full_run: selection.full_run.clone(),
            total: tests.len(),
            discovered: selection.selected.len() + selection.skipped.len(),
            estimated_s: tests.iter().map(|t| t.estimated_s).sum(),
            tests,
            skipped: selection
                .skipped
                .iter()
                .map(|(k, why)| SkippedTest {
                    id: k.id.clone(),
                    suite: k.suite.clone(),
                    why: why.clone(),
                })
                .collect(),
            notes: selection.notes.clone(),
            deferred_rules: selection.deferred_rules.clone(),
        }
    }
}
