//! What the run knows of its checkout (commit, branch, CI provider) comes from rigor-vcs.

pub use rigor_vcs::{branch, commit, trigger};
