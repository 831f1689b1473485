//! `rigor triage`: every red run explained. For each failed test of a run: a normalised
//! failure signature ([`signature`]), the evidence from the history and the repository
//! ([`evidence`], [`reach`]), a cause with a confidence ([`classify`]) or the label a person
//! gave an equal or similar signature ([`labels`]), and a concrete fix ([`fixes`], applied by
//! [`apply`] when safe). [`bisect`] finds the first bad commit of a regression. [`output`]
//! renders a report for the terminal, as JSON and as Markdown.
//!
//! See `docs/triage.md` for the rules, the JSON schema and the measured accuracy.

pub mod apply;
pub mod bisect;
pub mod classify;
pub mod error;
pub mod evidence;
pub mod fixes;
pub mod labels;
pub mod lint;
pub mod output;
pub mod project;
pub mod reach;
pub mod signature;
pub mod triage;

pub use classify::{Cause, Verdict};
pub use error::{Result, TriageError};
pub use signature::Signature;
pub use triage::{Failure, Group, Options, Report, triage};
