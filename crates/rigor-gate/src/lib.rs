//! rigor's quality gates: artifact readers, changed-line coverage, gate evaluation over test,
//! coverage, performance, security, mutation and lint results, and the reports people read.
//!
//! An engine without a command line: `rigor gate` and `rigor report` (in rigor-cli) build a
//! [`GateRequest`] / [`html::ReportRequest`] and call [`evaluate_with`], [`publish::publish`],
//! [`output::render`] and [`html::write_report`]. `rigor ci` calls, after its tests, the whole
//! gate step at once:
//!
//! ```no_run
//! # fn demo(config: &rigor_model::Config, run_id: i64) -> Result<i32, rigor_gate::GateError> {
//! use rigor_gate::{OutputFlags, RunEvidence};
//! // evaluate, record, write [report] outputs; print the table and the GitHub annotations
//! let step = rigor_gate::gate_after_tests(config, RunEvidence::Run(run_id), None, &OutputFlags::default())?;
//! eprint!("{}", step.terminal);
//! print!("{}", step.annotations);
//! # Ok(step.code) }
//! ```
//!
//! Modules: [`request`] (what is asked), [`artifacts`] and [`from_history`] (the inputs),
//! [`change`] (the only one asking git), [`eval`] (one module per gate), [`evaluate`] (one
//! evaluation), [`publish`] (record and write), [`after_tests`] (the step of `rigor ci`),
//! [`output`] and [`html`] (renderings), [`readers`] (artifact formats), [`history`] (the gate
//! history), [`config`], [`model`], [`error`].

pub mod after_tests;
pub mod artifacts;
pub mod change;
pub mod config;
pub mod error;
pub mod eval;
pub mod evaluate;
pub mod from_history;
pub mod history;
pub mod html;
pub mod model;
pub mod output;
pub mod paths;
pub mod publish;
pub mod readers;
pub mod request;

pub use after_tests::{GateStep, gate_after_tests};
pub use error::GateError;
pub use evaluate::{evaluate_configured, evaluate_with};
pub use model::{GateReport, GateResult, Verdict};
pub use paths::normalize_path;
pub use publish::{record_report, write_configured_outputs};
pub use request::{GateRequest, OutputFiles, OutputFlags, RunEvidence};
