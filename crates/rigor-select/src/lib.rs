//! Change-aware test selection and risk ordering for rigor.
//!
//! 1. [`ChangeSet::detect`] finds the change: base (explicit, CI variables, merge-base with the
//!    default branch, `HEAD~1`), changed files and line ranges, renames, deletions, staged,
//!    unstaged and untracked files.
//! 2. [`select()`] maps it to tests through the Python import graph ([`python::PyGraph`]), the
//!    cargo package graph ([`rust::RustGraph`]), data-file references, `[select]` rules, and —
//!    when fresh — a per-test coverage map ([`import_coverage_map`]). Every selected test has
//!    reasons and a [`risk()`]; every skipped one can be explained ([`Selection::explain`]).
//! 3. [`order_by_risk`] is the run order of the planned tests (suite by suite, highest risk
//!    first, cheap first among equals); [`apfd`] measures an order.
//! 4. [`Plan`] is the document `rigor plan --format json` prints (schema `rigor.plan/1`).
//!
//! See `docs/selection.md` for the design, the JSON contract and the measured evaluation.

pub mod change;
pub mod collection;
pub mod config;
pub mod contexts;
pub mod coverage;
pub mod covstore;
pub mod error;
pub mod history;
pub mod order;
pub mod plan;
pub(crate) mod pycache;
pub mod pyparse;
pub mod python;
pub mod risk;
pub mod rust;
pub mod rustcov;
pub mod select;
pub mod symbols;

pub use change::{ChangeKind, ChangeSet, ChangedFile, LineRange};
pub use config::{CoverageMapMode, PathRule, SelectConfig};
pub use coverage::{CoverageImport, import_coverage_map, refresh_coverage_map};
pub use error::{Result, SelectError};
pub use history::{CoverageMap, History, record_change_outcome};
pub use order::{OrderItem, apfd, order_by_risk, round_risk};
pub use plan::{CollectionError, Plan, PlanShard, PlanTier, PlannedTest, SkippedTest};
pub use risk::{RiskFactors, risk};
pub use select::{SelectInput, SelectedTest, Selection, SuiteSpec, select};
