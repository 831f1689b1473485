//! rigor's one view of version control, shared by selection, gates, the runner and the
//! performance analyzer:
//!
//! - [`git`]: the only place that runs the `git` command;
//! - [`env`]: where CI variables are read from (the process, or a map in tests);
//! - [`base`]: which commit a change is measured against — one rule set for every command;
//! - [`change`]: the [`ChangeSet`] between that base and the work tree, files and hunks on both
//!   sides, with the selection view (changed ranges) and diff-cover's view (added lines);
//! - [`checkout`]: the commit, branch and CI provider of the checkout under test.

pub mod base;
pub mod change;
pub mod checkout;
pub mod diff;
pub mod env;
pub mod error;
pub mod file;
pub mod git;

pub use base::{Base, resolve_base};
pub use change::ChangeSet;
pub use checkout::{
    Checkout, branch, ci_base_branch, commit, files_between, is_ignored, toplevel, trigger,
};
pub use env::{Env, ProcessEnv};
pub use error::{Result, VcsError};
pub use file::{ChangeKind, ChangedFile, LineRange};
pub use git::EMPTY_TREE;
