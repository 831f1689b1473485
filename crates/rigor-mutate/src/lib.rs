//! `rigor mutate`: mutation testing that runs each mutant against only the tests that reach
//! it, fastest likely killer first, in long-lived workers that switch mutants at run time.
//!
//! - [`python`]: mutants from syntax trees, the schemata rewrite;
//! - [`rust`]: the same for Cargo packages (syn, one schemata build, libtest binaries);
//! - [`operators`]: the replacement tables;
//! - [`scope`]: `--diff`, `--file`, `--function`, `[mutate]` paths;
//! - [`tests_for`]: candidate tests per mutant (coverage map, import graph) and their order;
//! - [`exec`]: the sandbox copy, the pytest workers, the parallel queue;
//! - [`engine`]: a run from generation to saved verdicts;
//! - [`store`]: the verdicts kept for incremental re-runs;
//! - [`report`]: the human text, the `rigor.mutate/1` JSON and Stryker's report format.

pub mod apply;
pub mod engine;
pub mod error;
pub mod exec;
pub mod model;
pub mod operators;
pub mod project;
pub mod python;
pub mod report;
pub mod rust;
pub mod scope;
pub mod store;
pub mod tests_for;

pub use error::{MutateError, Result};
pub use model::{Mutant, MutantResult, Operator, Summary, TestSource, Verdict};
